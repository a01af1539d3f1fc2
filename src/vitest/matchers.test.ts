/** Every cgbox/vitest matcher, passing and failing, with the exact messages — on hand-built results. */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../index.js';
import { MiB, fakeResult, type FakeResult } from '../report/fake-result.js';
import './index.js';

function result(overrides: FakeResult = {}): RunResult {
  return fakeResult({
    command: ['node', 'server.js'],
    usage: {
      cpu: { usageUs: 2_500_000, userUs: 2_000_000, systemUs: 500_000, throttledPeriods: 0, throttledUs: 0 },
      memory: { peakBytes: 142 * MiB, swapPeakBytes: 0, oomKills: 0 },
      pids: { peak: 12 },
      io: { readBytes: 0, writeBytes: 3 * MiB, readOps: 0, writeOps: 768, devices: {} },
    },
    limits: { memory: { value: 256 * MiB, enforced: true } },
    ...overrides,
  });
}

const oom = () => result({ exitCode: null, signal: 'SIGKILL', ok: false, oomKilled: true, usage: { ...result().usage, memory: { peakBytes: 64 * MiB, swapPeakBytes: 0, oomKills: 1 } }, limits: { memory: { value: 64 * MiB, enforced: true } } });

/** The message of the assertion error `f` throws. */
function failure(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the assertion to fail');
}

describe('toUseAtMost', () => {
  it('passes when every limit holds, in any unit the builder takes', () => {
    expect(result()).toUseAtMost({ memory: '150m', cpu: '3s', writeBytes: '3m', pids: 12, swap: 0, wall: 2000, writeOps: 1000, readBytes: 0 });
    expect(result()).toUseAtMost({ memory: 142 * MiB }); // exactly at the limit is within it
  });

  it('names each metric over its limit, the limit and the value in human units', () => {
    expect(failure(() => expect(result()).toUseAtMost({ memory: '100m', cpu: '2s', writeBytes: '10m', pids: 10 }))).toBe(
      [
        'expected the run to use at most the given resources, but it used more:',
        '  memory (peak): 142.0 MiB > 100.0 MiB',
        '  cpu (CPU time): 2.500 s > 2.000 s',
        '  pids (tasks at once): 12 > 10',
      ].join('\n'),
    );
    expect(failure(() => expect(result()).toUseAtMost({ wall: '1s', writeOps: 100 }))).toBe(
      ['expected the run to use at most the given resources, but it used more:', '  wall (wall time): 1.250 s > 1.000 s', '  writeOps (IO write ops): 768 > 100'].join('\n'),
    );
  });

  it('fails a network or volume limit on a run that had none, saying so', () => {
    expect(failure(() => expect(result()).toUseAtMost({ txBytes: '1m', volume: '10m' }))).toBe(
      [
        'expected the run to use at most the given resources, but it used more:',
        '  txBytes (network sent): not measured (the run had no network of its own), limit 1.0 MiB',
        '  volume (volume used): not measured (the run had no volume), limit 10.0 MiB',
      ].join('\n'),
    );
    const withNet = result({ usage: { ...result().usage, net: { rxBytes: 10, txBytes: 2 * MiB, rxPackets: 1, txPackets: 2, rxDropped: 0, txDropped: 0 } } });
    expect(withNet).toUseAtMost({ rxBytes: '1k', txBytes: '2m' });
  });

  it('.not: fails when the run stayed within every limit, listing them', () => {
    expect(result()).not.toUseAtMost({ memory: '100m', cpu: '10s' }); // over one of them: passes
    expect(failure(() => expect(result()).not.toUseAtMost({ memory: '200m', cpu: '10s' }))).toBe(
      ['expected the run to use more than the given resources, but it stayed within them:', '  memory (peak): 142.0 MiB ≤ 200.0 MiB', '  cpu (CPU time): 2.500 s ≤ 10.000 s'].join('\n'),
    );
  });

  it('refuses unknown limits, bad values and what is not a result', () => {
    expect(() => expect(result()).toUseAtMost({ ram: '1g' } as never)).toThrow(/^toUseAtMost: unknown limit ram; expected any of memory, swap, cpu, wall, pids,/);
    expect(() => expect(result()).toUseAtMost({ memory: 'lots' })).toThrow('toUseAtMost: memory: expected bytes, or Docker units such as "100m" or "1g", got "lots"');
    expect(() => expect(result()).toUseAtMost({ cpu: 'soon' })).toThrow('toUseAtMost: cpu: expected a duration such as "2s" or "500ms", or a number of milliseconds, got "soon"');
    expect(() => expect(result()).toUseAtMost({ pids: 1.5 })).toThrow('toUseAtMost: pids: expected a whole number, got 1.5');
    expect(() => expect(result()).toUseAtMost({})).toThrow('toUseAtMost: give at least one limit');
    expect(() => expect({ exitCode: 0 }).toUseAtMost({ memory: '1m' })).toThrow(/^toUseAtMost: expected a RunResult/);
  });

  it("takes b.$'s output by its report, and works as an asymmetric matcher", () => {
    expect({ stdout: '', report: result() }).toUseAtMost({ memory: '150m' });
    expect({ name: 'build', result: result() }).toEqual({ name: 'build', result: expect.toUseAtMost({ memory: '150m' }) });
    expect({ result: result() }).not.toEqual({ result: expect.toUseAtMost({ memory: '100m' }) });
  });
});

describe('toBeOOMKilled', () => {
  it('passes for an OOM kill, and says what happened otherwise', () => {
    expect(oom()).toBeOOMKilled();
    expect(failure(() => expect(result()).toBeOOMKilled())).toBe('expected the run to be OOM-killed, but it exited with 0; memory peak 142.0 MiB of a 256.0 MiB limit');
    expect(failure(() => expect(result({ limits: {} })).toBeOOMKilled())).toBe('expected the run to be OOM-killed, but it exited with 0; memory peak 142.0 MiB, no memory limit');
    const killed = result({ exitCode: null, signal: 'SIGTERM', ok: false, timedOut: true });
    expect(failure(() => expect(killed).toBeOOMKilled())).toBe('expected the run to be OOM-killed, but it was killed by SIGTERM (timed out); memory peak 142.0 MiB of a 256.0 MiB limit');
  });

  it('.not', () => {
    expect(result()).not.toBeOOMKilled();
    expect(failure(() => expect(oom()).not.toBeOOMKilled())).toBe('expected the run not to be OOM-killed, but it was: killed by SIGKILL (OOM kill); memory peak 64.0 MiB of a 64.0 MiB limit');
  });
});

describe('toHaveExitedWith', () => {
  it('passes on the exit code; a signal is not an exit code', () => {
    expect(result()).toHaveExitedWith(0);
    expect(result({ exitCode: 137, ok: false })).toHaveExitedWith(137);
    expect(failure(() => expect(oom()).toHaveExitedWith(137))).toBe('expected the run to exit with 137, but it was killed by SIGKILL (OOM kill)');
  });

  it("shows the end of stderr, where the command said why", () => {
    const r = result({ exitCode: 2, ok: false, stderr: 'usage: server [--port N]\n\nserver: bad flag --prot\n' });
    expect(failure(() => expect(r).toHaveExitedWith(0))).toBe('expected the run to exit with 0, but it exited with 2\nstderr (last lines):\n  usage: server [--port N]\n  server: bad flag --prot');
  });

  it('.not, and exec results (no usage) too', () => {
    expect(result()).not.toHaveExitedWith(1);
    expect(failure(() => expect(result()).not.toHaveExitedWith(0))).toBe('expected the run not to exit with 0, but it did');
    expect({ command: ['true'], exitCode: 0, signal: null, ok: true, durationMs: 3, stdout: '', stderr: '' }).toHaveExitedWith(0);
    expect(() => expect(result()).toHaveExitedWith(256)).toThrow('toHaveExitedWith: expected an exit code from 0 to 255, got 256');
  });
});

describe('toHaveTimedOut', () => {
  const timedOut = () => result({ exitCode: null, signal: 'SIGTERM', ok: false, timedOut: true, durationMs: 10_004 });

  it('passes for a run its timeout ended', () => {
    expect(timedOut()).toHaveTimedOut();
    expect(failure(() => expect(result()).toHaveTimedOut())).toBe('expected the run to time out, but it exited with 0 after 1.250 s');
  });

  it('.not', () => {
    expect(result()).not.toHaveTimedOut();
    expect(failure(() => expect(timedOut()).not.toHaveTimedOut())).toBe('expected the run not to time out, but it did: killed by SIGTERM (timed out) after 10.004 s');
  });
});
