/**
 * Bounded output: a command that prints far more than maxBuffer makes the
 * run resolve with its real status, the first maxBuffer bytes kept, the rest
 * dropped (or streamed to a live copy), and the runner's memory bounded.
 *
 * Host tier only: what it shows (output capture and backpressure) does not depend on the cgroup
 * version.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { sandbox } from '../src/index.js';

const MiB = 2 ** 20;

/** Runs `fn` while sampling this process's RSS; the highest growth above where it started. */
async function rssGrowth<T>(fn: () => Promise<T>): Promise<{ value: T; growth: number }> {
  global.gc?.();
  const before = process.memoryUsage.rss();
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { value, growth: peak - before };
  } finally {
    clearInterval(timer);
  }
}

describe('output past maxBuffer', () => {
  it('1 GiB of output: the run resolves with exit 0, keeps 100 MiB, and the runner grows by less than 256 MiB', async () => {
    const { value: r, growth } = await rssGrowth(() => sandbox().run('sh', ['-c', 'head -c 1073741824 /dev/zero; echo done >&2']));
    console.log(`1 GiB printed: kept ${r.stdout.length} characters, the runner's RSS grew by ${(growth / MiB).toFixed(1)} MiB`);
    expect([r.exitCode, r.signal, r.stderr]).toEqual([0, null, 'done\n']);
    expect(r.stdout.length).toBe(100 * MiB);
    expect([r.stdoutTruncated, r.stderrTruncated]).toEqual([true, false]);
    expect(growth).toBeLessThan(256 * MiB);
  }, 300_000);

  it('a smaller maxBuffer keeps that much; the live copy still gets every byte', async () => {
    let live = 0;
    const tee = new Writable({ write: (c: Buffer, _e, done) => ((live += c.length), done()) });
    const r = await sandbox().run('sh', ['-c', 'head -c 10485760 /dev/zero'], { maxBuffer: MiB, stdout: tee });
    expect([r.exitCode, r.stdout.length, r.stdoutTruncated, live]).toEqual([0, MiB, true, 10 * MiB]);
  }, 60_000);

  it('a slow live copy slows the command instead of growing the runner: backpressure through the pipe', async () => {
    let live = 0;
    const slow = new Writable({
      highWaterMark: 64 * 1024,
      write: (c: Buffer, _e, done) => {
        live += c.length;
        setTimeout(done, 5);
      },
    });
    const { value: r, growth } = await rssGrowth(() => sandbox().run('sh', ['-c', 'head -c 67108864 /dev/zero'], { maxBuffer: 0, stdout: slow }));
    expect([r.exitCode, r.stdout, r.stdoutTruncated, live]).toEqual([0, '', true, 64 * MiB]);
    // Without backpressure the 64 MiB would queue in the live copy's buffer.
    expect(growth).toBeLessThan(48 * MiB);
  }, 120_000);
});
