/** cgbox/vitest on real runs: the matchers, and the fixture that cleans up after a test. */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect } from 'vitest';
import { sandbox, type RunResult, type StartedSandbox } from '../src/index.js';
import { test } from '../src/vitest/index.js';
import { MiB, fixture } from './fixtures.js';
import { leftovers } from './leftovers.js';
import { wellBefore } from './wait.js';

const FILE = `/var/tmp/cgbox-test-faces-${process.pid}`;
// O_DIRECT to the host's disk: /var/tmp is the sandbox's own tmpfs unless made writable.
afterAll(() => rmSync(FILE, { force: true }));

function failure(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the assertion to fail');
}

describe('matchers on real runs', () => {
  test('toUseAtMost: a 100 MiB allocation is within 104m and over 50m, by name and in MiB', async () => {
    const r = await sandbox().memory('256m').run(fixture('alloc'), ['100']);
    expect(r).toUseAtMost({ memory: '104m', cpu: '2s', pids: 1, writeBytes: 0 });
    expect(failure(() => expect(r).toUseAtMost({ memory: '50m', pids: 1 }))).toMatch(
      /^expected the run to use at most the given resources, but it used more:\n {2}memory \(peak\): 10[0-3]\.\d MiB > 50\.0 MiB$/,
    );
  });

  test('toUseAtMost: O_DIRECT writes are counted exactly, and a write budget holds them', async () => {
    const r = await sandbox().writable('/var/tmp').run(fixture('dwrite'), [FILE, '256']); // 1 MiB in 4 KiB blocks
    expect(r).toUseAtMost({ writeBytes: '1m', writeOps: 256 });
    expect(failure(() => expect(r).toUseAtMost({ writeBytes: '512k' }))).toBe(
      'expected the run to use at most the given resources, but it used more:\n  writeBytes (IO written): 1.0 MiB > 512.0 KiB',
    );
  });

  test('toBeOOMKilled, and toHaveExitedWith telling a signal from an exit code', async () => {
    const oom = await sandbox().memory('64m').run(fixture('alloc'), ['100']);
    expect(oom).toBeOOMKilled();
    expect(failure(() => expect(oom).toHaveExitedWith(137))).toBe('expected the run to exit with 137, but it was killed by SIGKILL (OOM kill)');
    const exited = await sandbox().run(fixture('exitwith'), ['137']);
    expect(exited).toHaveExitedWith(137);
    expect(exited).not.toBeOOMKilled();
    expect(failure(() => expect(exited).toBeOOMKilled())).toMatch(/^expected the run to be OOM-killed, but it exited with 137; memory peak \d+\.\d (KiB|MiB), no memory limit$/);
  });

  test('toHaveTimedOut', async () => {
    const r = await sandbox().timeout('300ms').run('sleep', ['5']);
    expect(r).toHaveTimedOut();
    expect(failure(() => expect(r).not.toHaveTimedOut())).toMatch(/^expected the run not to time out, but it did: killed by SIGTERM \(timed out\) after \d+\.\d ms$/);
    expect(await sandbox().run('true')).not.toHaveTimedOut();
  });

  test('on b.$ output and on exec results', async () => {
    const out = await sandbox().memory('32m').$`echo hi`.quiet();
    expect(out).toHaveExitedWith(0);
    expect(out).toUseAtMost({ memory: '32m' });
    const box = await sandbox().start('sleep', ['30']);
    try {
      expect(await box.exec('sh', ['-c', 'exit 5'])).toHaveExitedWith(5);
    } finally {
      await box.stop();
    }
  });
});

describe('the sandbox fixture', () => {
  let started: StartedSandbox | undefined;
  let running: Promise<RunResult> | undefined;
  let shell: PromiseLike<unknown> | undefined;

  test('hands each test a sandbox() (a tracked builder) …', async ({ sandbox: sb }) => {
    const b = sb().memory('64m').hostname('fixture-box');
    started = await b.start('sleep', ['30']);
    running = b.run('sleep', ['30']);
    shell = b.$`sleep 30`.quiet();
    const r = await started.exec('hostname');
    expect(r.stdout).toBe('fixture-box\n');
    // The test ends here with all three still going.
  });

  test('a run the test expects to fail does not fail the test again at cleanup', async ({ sandbox: sb }) => {
    await expect(sb().run('/no/such/program')).rejects.toThrow(/exec/);
  });

  test('… and afterwards stops what it started, leaving nothing behind', async () => {
    expect(started).toBeDefined();
    const final = await started!.result; // already stopped by the fixture
    expect(final.signal).toBe('SIGTERM');
    const run = await running!;
    expect(run.signal).toBe('SIGTERM');
    expect(run.durationMs).toBeLessThan(wellBefore(30_000)); // what sleep 30 would have taken
    // b.$ was ended while its sandbox may still have been starting: the SIGTERM waits for the command.
    const out = (await Promise.resolve(shell).catch((e: unknown) => e)) as { signal: string };
    expect(out.signal).toBe('SIGTERM');
    expect((await leftovers()).filter((l) => l.includes(started!.name))).toEqual([]);
  });

  test('a box the test stopped itself is fine to stop again', async ({ sandbox: sb }) => {
    const box = await sb().start('sleep', ['30']);
    expect((await box.stop()).signal).toBe('SIGTERM');
  });
});
