/**
 * The suite fails if any run left a cgroup, mount or netns of cgbox's behind:
 * checked once every integration test has finished. vitest reports an error
 * thrown here but still exits 0, so the exit code is set as well.
 */
import { readFileSync } from 'node:fs';
import { leftovers } from './leftovers.js';

/** How long a worker's spares may take to go after it exited (their helpers remove them), on a loaded machine. */
const PATIENCE_MS = 15_000;

/** What holds a leftover cgroup: its tasks and whether the kernel counts it populated, for the message. */
function held(item: string): string {
  if (!item.startsWith('/sys/fs/cgroup')) return item;
  const read = (file: string) => {
    try {
      return readFileSync(`${item}/${file}`, 'utf8').trim().replace(/\n/g, ' ');
    } catch (e) {
      return `(${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`;
    }
  };
  return `${item} (cgroup.procs: ${read('cgroup.procs') || 'none'}; cgroup.events: ${read('cgroup.events')})`;
}

/** Throws, and sets the exit code, when anything of cgbox's is still left after `patienceMs`. */
export async function checkLeftovers(patienceMs: number): Promise<void> {
  const deadline = performance.now() + patienceMs;
  let left = await leftovers();
  while (left.length && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    left = await leftovers();
  }
  if (!left.length) return;
  process.exitCode = 1;
  throw new Error(`cgbox left these behind:\n  ${left.map(held).join('\n  ')}`);
}

export const teardown = (): Promise<void> => checkLeftovers(PATIENCE_MS);
