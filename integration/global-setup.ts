/**
 * The suite fails if any run left a cgroup, mount or netns of cgbox's behind:
 * checked once every integration test has finished.
 */
import { leftovers } from './leftovers.js';

export async function teardown(): Promise<void> {
  const left = await leftovers();
  if (left.length) throw new Error(`cgbox left these behind:\n  ${left.join('\n  ')}`);
}
