/** An OOM expectation: a leak is killed at the sandbox's limit, not the machine's. */
import { expect } from 'vitest';
import { test } from 'cgbox/vitest';

// Keeps 1 MiB buffers (off the V8 heap, every page written) until it has N, or for ever.
const leak = (mib: number | 'forever') =>
  `const keep = []; while (${mib === 'forever' ? 'true' : `keep.length < ${mib}`}) keep.push(Buffer.alloc(1 << 20, 1)); console.log(keep.length)`;

test('a leak is OOM-killed at 64m, and the report says so', async ({ sandbox }) => {
  const r = await sandbox().memory('64m').run('node', ['-e', leak('forever')]);
  expect(r).toBeOOMKilled();
  expect(r.signal).toBe('SIGKILL'); // killed: no exit code, not confused with `exit 137`
  expect(r).not.toHaveExitedWith(137);
  expect(r).toUseAtMost({ memory: '64m' });
});

test('a bounded allocation with room to spare is not', async ({ sandbox }) => {
  const r = await sandbox().memory('128m').run('node', ['-e', leak(40)]);
  expect(r).not.toBeOOMKilled();
  expect(r).toHaveExitedWith(0);
  expect(r.usage.memory.peakBytes).toBeGreaterThan(40 * 2 ** 20);
});
