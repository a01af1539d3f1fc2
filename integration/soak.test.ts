/**
 * The soak in CI: 300 sandboxes, 16 at a time, of every kind (bench/soak.mjs):
 * no unexpected outcome, nothing left, and the runner's open fds and heap
 * (after a collection) where they were after the warm-up. `npm run soak --
 * 1000 16` is the long form.
 *
 * Host tier only: three hundred sandboxes: seconds here, an hour under the VM tier's emulation; v2's
 * run and teardown paths run there in the core files.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SOAK = fileURLToPath(new URL('../bench/soak.mjs', import.meta.url));

describe('the soak', () => {
  it('300 × 16 of every kind: each ends as it should, nothing left, fds and heap flat', () => {
    const r = spawnSync(process.execPath, ['--expose-gc', SOAK, '300', '16', '--json'], { encoding: 'utf8', timeout: 600_000 });
    expect(r.status, r.stderr).not.toBeNull();
    const s = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      runsPerSecond: number;
      unexpected: string[];
      leftovers: string[];
      idle: { before: { fds: number; rssMiB: number; heapMiB: number }; after: { fds: number; rssMiB: number; heapMiB: number } };
      counts: Record<string, number>;
    };
    console.log(`soak 300 × 16: ${s.runsPerSecond} runs/s; idle fds ${s.idle.before.fds} → ${s.idle.after.fds}, heap ${s.idle.before.heapMiB} → ${s.idle.after.heapMiB} MiB, RSS ${s.idle.before.rssMiB} → ${s.idle.after.rssMiB} MiB`);
    expect(s.unexpected).toEqual([]);
    expect(s.leftovers).toEqual([]);
    expect(Object.values(s.counts).every((n) => n >= 20)).toBe(true);
    expect(s.idle.after.fds - s.idle.before.fds).toBeLessThanOrEqual(2);
    expect(s.idle.after.heapMiB - s.idle.before.heapMiB).toBeLessThanOrEqual(4);
    // RSS settles once the allocator's arenas are warm (~500 runs: see the closing numbers of `npm run soak`).
    expect(s.idle.after.rssMiB - s.idle.before.rssMiB).toBeLessThan(64);
  }, 600_000);
});
