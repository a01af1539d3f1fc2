/**
 * exec() names the box's init by its pid and its start time: a pid reused by another process after
 * the init ended is refused, not joined. The reuse is made here by hand: a host process stands where
 * the init would be, with the init's start time given.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SetupError, sandbox } from '../src/index.js';
import { launch } from '../src/launch/spawn.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { leftovers } from './leftovers.js';
import { waitFor } from './wait.js';

/** Field 22 of /proc/PID/stat, counted after the command name (which may hold spaces). */
function startTime(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
}

/** Runs `touch MARK` in exec mode against this init; resolves with the setup error, if any. */
async function enter(init: { pid: number; start: number }, mark: string): Promise<SetupError | undefined> {
  const run = launch({ file: 'touch', args: [mark], procsFiles: [], net: 'host', enter: init, env: process.env });
  const o = await run.finished;
  return o.error;
}

const modes = [
  { name: 'with a pidfd', env: undefined },
  { name: 'without one (kernels before 5.3)', env: '1' },
] as const;

describe.each(modes)('exec() pins the init, $name', ({ env }) => {
  // Made when the tests run, not when they are collected (the VM tier lists them on the host first).
  let dir = '';
  beforeAll(() => void (dir = mkdtempSync(join(tmpdir(), 'cgbox-pinned-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const saved = process.env['CGBOX_NO_PIDFD'];
  afterEach(() => {
    if (saved === undefined) delete process.env['CGBOX_NO_PIDFD'];
    else process.env['CGBOX_NO_PIDFD'] = saved;
  });

  it('refuses a pid that is another process now, and runs nothing', async () => {
    if (env) process.env['CGBOX_NO_PIDFD'] = env;
    const box = await sandbox().start('sleep', ['30']);
    // A reused pid comes after the pid allocator went all the way round: never within the init's own
    // clock tick (10 ms), which is all a start time can tell apart. The stranger starts a few ticks on.
    await sleep(50);
    const stranger = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const initStart = startTime(box.pid);
      await waitFor('the stranger in /proc', () => existsSync(`/proc/${stranger.pid}/stat`));
      expect(startTime(stranger.pid!)).toBeGreaterThan(initStart);
      // The box itself is entered (`touch` runs in its view, where the host's /tmp is not this one).
      expect(await enter({ pid: box.pid, start: initStart }, join(dir, 'own'))).toBeUndefined();
      // A start time one tick off is not the init.
      const off = await enter({ pid: box.pid, start: initStart + 1 }, join(dir, 'off'));
      expect(off).toBeInstanceOf(SetupError);
      expect(off!.step).toBe('enter');
      expect(off!.message).toMatch(new RegExp(`the sandbox's init \\(pid ${box.pid}, started at tick ${initStart + 1}\\) has ended: its pid is another process's now`));
      // The stranger stands where a reused pid would: refused, and `touch` never ran in its namespaces.
      const reused = join(dir, 'reused');
      const err = await enter({ pid: stranger.pid!, start: initStart }, reused);
      expect(err?.step).toBe('enter');
      expect(err?.message).toMatch(/its pid is another process's now/);
      expect(existsSync(reused)).toBe(false);
      expect(existsSync(join(dir, 'off'))).toBe(false);
      expect((await box.exec('true')).ok).toBe(true);
    } finally {
      stranger.kill('SIGKILL');
      await box.stop();
    }
  });

  it('refuses an init that has ended, with the reason', async () => {
    if (env) process.env['CGBOX_NO_PIDFD'] = env;
    const box = await sandbox().start('sleep', ['30']);
    const init = { pid: box.pid, start: startTime(box.pid) };
    await box.stop();
    const err = await enter(init, join(dir, 'late'));
    expect(err?.step).toBe('enter');
    expect(err?.message).toMatch(/the sandbox's init \(pid \d+, started at tick \d+\) has ended/);
    expect(existsSync(join(dir, 'late'))).toBe(false);
    expect(await leftovers()).toEqual([]);
  });
});
