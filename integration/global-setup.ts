/**
 * The suite fails if any run left a cgroup, mount or netns of cgbox's behind:
 * checked once every integration test has finished.
 */
import { leftovers } from './leftovers.js';

export async function teardown(): Promise<void> {
  // A worker's spare sandbox is removed by its own helper just after the worker exits: give it a moment.
  let left = await leftovers();
  for (let i = 0; i < 30 && left.length; i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = await leftovers();
  }
  if (left.length) throw new Error(`cgbox left these behind:\n  ${left.join('\n  ')}`);
}
