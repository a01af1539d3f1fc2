/** Long-running sandboxes: start, exec into, live stats, stop, and `await using`. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SetupError, sandbox } from '../src/index.js';
import { leftovers } from './leftovers.js';
import { MiB, fixture } from './fixtures.js';
import { idleNeed, roomFor, runWatched } from './load.js';
import { waitFor, wellBefore } from './wait.js';

describe('start()', () => {
  it('exec joins the running box: its hostname, its pids, its cgroups', async () => {
    const box = await sandbox().hostname('server').pids(16).start('sleep', ['30']);
    try {
      // ps alone first: in a pipeline its neighbours may still be forked shells, not yet sort and tr,
      // when it looks (seen on a busy machine).
      const r = await box.exec('sh', ['-c', 'hostname; procs=$(ps -e -o comm=); echo "$procs" | sort | tr "\\n" " "']);
      expect(r.exitCode).toBe(0);
      const [host, procs] = r.stdout.split('\n');
      expect(host).toBe('server');
      // The box's own processes, and nothing of the host's; the pipeline's own members may still be forked shells.
      const seen = procs!.trim().split(' ');
      expect(seen.filter((c) => !['ps', 'sh', 'sort', 'tr'].includes(c))).toEqual(['cgbox-init', 'sleep']);
      expect(seen).toContain('ps');
    } finally {
      const final = await box.stop();
      expect(final.signal).toBe('SIGTERM');
      expect(final.usage.pids.peak).toBeGreaterThanOrEqual(5);
    }
  });

  it('stats() shows the memory of a growing process rise', async () => {
    // 1 MiB every 20 ms up to 100 MiB, held 5 s: on a busy machine it grows more slowly, so the test
    // looks until it has seen 50 MiB of growth (the fixture gets there in 1 s on an idle machine).
    const box = await sandbox().memory('256m').start(fixture('alloc'), ['--step-ms', '20', '100', '5000']);
    const seen: number[] = [];
    try {
      await waitFor('50 MiB of growth in stats()', async () => {
        seen.push((await box.stats()).current.memoryBytes);
        return seen.length >= 8 && seen[seen.length - 1]! > seen[0]! + 50 * MiB;
      }, { everyMs: 250 });
      expect(seen[seen.length - 1]!).toBeGreaterThan(seen[0]! + 50 * MiB);
      for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]! - MiB);
    } finally {
      const r = await box.stop({ graceMs: 100 });
      expect(r.usage.memory.peakBytes).toBeGreaterThanOrEqual(Math.max(...seen));
    }
  });

  it('stop() returns the final report; SIGKILL after the grace period when SIGTERM is ignored', async () => {
    // The box's own grace period is 30 s: stop()'s 200 ms must be the one that counts.
    const out = new PassThrough();
    const trapped = new Promise((resolve) => out.on('data', resolve));
    const box = await sandbox().timeout('120s', { grace: '30s' }).start('sh', ['-c', 'trap "" TERM; echo trapped; while :; do sleep 1; done'], { stdout: out });
    await trapped; // start() resolves at exec: the trap is set once sh says so
    const t0 = performance.now();
    const r = await box.stop({ graceMs: 200 });
    expect(r.signal).toBe('SIGKILL');
    expect(performance.now() - t0).toBeLessThan(wellBefore(30_000));
  });

  it('`await using` stops the box at the end of the scope, leaving nothing', async () => {
    let name = '';
    {
      await using box = await sandbox().start('sleep', ['30']);
      name = box.name;
      expect((await box.stats()).current.tasks).toBe(1);
    }
    expect((await leftovers()).filter((l) => l.includes(name))).toEqual([]);
  });

  it('result resolves by itself when the command ends', async () => {
    const box = await sandbox().start('sh', ['-c', 'exit 4']);
    expect((await box.result).exitCode).toBe(4);
  });

  it('rejects when the command cannot be executed, leaving nothing', async () => {
    await expect(sandbox().start('/no/such/server')).rejects.toBeInstanceOf(SetupError);
    expect(await leftovers()).toEqual([]);
  });
});

describe('sample()', () => {
  it('records a timeline of a growing process', async () => {
    const { result: r, machine } = await runWatched(sandbox().memory('256m').sample('50ms'), fixture('alloc'), ['--step-ms', '10', '100']);
    const s = r.samples!;
    // The fixture takes at least 1 s (100 steps of 10 ms sleeps): every 50 ms at most, a sample.
    const room = roomFor('sample() timeline', [idleNeed(machine)], { tight: 'the first sample within 100 ms, more than 10', relaxed: 'in order, from the start' });
    if (room) {
      expect(s.length).toBeGreaterThan(10);
      expect(s[0]!.tMs).toBeLessThan(100);
    }
    // The first sample is taken at the start, not an interval later: before the fixture has grown
    // past 15 of its 100 steps (150 ms of its sleeps at least, however busy the machine is).
    expect(s.length).toBeGreaterThan(1);
    expect(s[0]!.memoryBytes).toBeLessThan(15 * MiB);
    const top = Math.max(...s.map((x) => x.memoryBytes));
    expect(top).toBeGreaterThan(80 * MiB);
    for (let i = 1; i < s.length; i++) {
      expect(s[i]!.tMs).toBeGreaterThan(s[i - 1]!.tMs);
      expect(s[i]!.cpuUs).toBeGreaterThanOrEqual(s[i - 1]!.cpuUs);
    }
  });
});

describe('what no driver handles yet is refused, not dropped', () => {
  it('.net({...}) and .volume() are UnsupportedError until their drivers exist', async () => {
    // When a network or volume driver is registered, these become real tests in net/ and volume/.
    const { RESOURCES } = await import('../src/run/resources.js');
    if (RESOURCES.some((r) => r.name === 'net')) return;
    await expect(sandbox().net({ bandwidth: '10mbit' }).run('true')).rejects.toThrow(/no network driver/);
    await expect(sandbox().volume('/data', { size: '10m' }).run('true')).rejects.toThrow(/no volume driver/);
    expect(await leftovers()).toEqual([]);
  });
});

describe('stats() of a box with a network', () => {
  it('includes the live network counters', async () => {
    // Two datagrams to the bridge's own address (the gateway), which is on the host: nothing leaves it.
    const send = `${fixture('udpcount')} send "$(ip -4 route show default | cut -d' ' -f3)" 9 2 100`;
    const out = new PassThrough();
    const sent = new Promise((resolve) => out.on('data', resolve));
    const box = await sandbox().net({}).start('sh', ['-c', `${send} && echo sent && sleep 30`], { stdout: out });
    try {
      await sent;
      const { usage } = await box.stats();
      expect(usage.net).not.toBeNull();
      expect(usage.net!.txPackets).toBeGreaterThanOrEqual(2);
    } finally {
      await box.stop({ graceMs: 100 });
    }
  });
});
