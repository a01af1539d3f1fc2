import { describe, expect, it } from 'vitest';
import { sandbox } from '../src/index.js';
import { fixture } from './fixtures.js';
import { wellBefore } from './wait.js';

describe('exit status', () => {
  it('tells `exit 137` from death by SIGKILL', async () => {
    const exited = await sandbox().run(fixture('exitwith'), ['137']);
    expect(exited).toMatchObject({ exitCode: 137, signal: null, ok: false, oomKilled: false });
    const killed = await sandbox().run(fixture('exitwith'), ['--signal', 'KILL']);
    expect(killed).toMatchObject({ exitCode: null, signal: 'SIGKILL', ok: false, oomKilled: false });
  });

  it('reports a command that kills itself with SIGTERM as SIGTERM', async () => {
    const r = await sandbox().run('sh', ['-c', 'kill -TERM $$']);
    expect(r).toMatchObject({ exitCode: null, signal: 'SIGTERM', timedOut: false });
  });

  it('reports exit 0 as ok, and other codes exactly', async () => {
    expect(await sandbox().run('true')).toMatchObject({ exitCode: 0, ok: true });
    expect(await sandbox().run(fixture('exitwith'), ['3'])).toMatchObject({ exitCode: 3, ok: false });
  });

  it('ends the whole sandbox when the command exits, as a container does', async () => {
    const r = await sandbox().run('sh', ['-c', 'sleep 30 & sleep 30 & echo started']);
    expect(r.exitCode).toBe(0);
    // The sleeps would hold it 30 s. (Every bound below is against what the test makes slow, not
    // against a fixed time: a busy machine stretches start-up and teardown by seconds.)
    expect(r.durationMs).toBeLessThan(wellBefore(30_000));
  });

  it('timeout kills a tree of sleeps in time: SIGTERM first', async () => {
    const r = await sandbox().timeout('500ms').run('sh', ['-c', 'sleep 30 & sleep 30 & sleep 30; wait']);
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe('SIGTERM');
    expect(r.durationMs).toBeGreaterThan(450);
    expect(r.durationMs).toBeLessThan(wellBefore(30_000));
  });

  it('timeout escalates to SIGKILL after the grace period when SIGTERM is ignored', async () => {
    // "ready" once the trap is set: the timeout must not come before it (the timeout counts from the
    // launch, and a busy machine can take hundreds of ms to get a shell that far).
    const r = await sandbox().timeout('2s', { grace: '300ms' }).run('sh', ['-c', 'trap "" TERM; echo ready; sleep 30 & sleep 30; wait']);
    expect(r.stdout).toBe('ready\n');
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe('SIGKILL');
    expect(r.durationMs).toBeGreaterThan(2250);
    expect(r.durationMs).toBeLessThan(wellBefore(30_000));
  });

  it("the caller's AbortSignal ends the run as a timeout would, without calling it one", async () => {
    const r = await sandbox().run('sleep', ['30'], { signal: AbortSignal.timeout(300) });
    expect(r).toMatchObject({ signal: 'SIGTERM', timedOut: false, ok: false });
    expect(r.durationMs).toBeLessThan(wellBefore(30_000));
  });

  it('a command that finishes in time is not timed out', async () => {
    const r = await sandbox().timeout('5s').run('true');
    expect(r).toMatchObject({ timedOut: false, ok: true });
  });
});

describe('ending a run while it starts', () => {
  it('an AbortSignal already aborted still gives the command SIGTERM, not SIGKILL', async () => {
    const r = await sandbox().run('sleep', ['30'], { signal: AbortSignal.abort() });
    expect(r.signal).toBe('SIGTERM');
    expect(r.durationMs).toBeLessThan(wellBefore(30_000));
  });
});
