import { describe, expect, it } from 'vitest';
import { fakeResult } from '../report/fake-result.js';
import type { Pressure } from '../report/types.js';
import { toHaveStalledAtMost } from './stall.js';

const run = (pressure: Pressure | null) => fakeResult({ usage: { pressure } });
const call = (r: unknown, limits: object, opts?: object, isNot = false) => toHaveStalledAtMost.call({ isNot } as never, r, limits as never, opts);

describe('toHaveStalledAtMost', () => {
  const r = run({ cpu: { someUs: 20_000, fullUs: 0 }, memory: { someUs: 150_000, fullUs: 90_000 }, io: null });

  it('passes within the limits, on some stalls by default and on full ones when asked', () => {
    expect(call(r, { cpu: '50ms' }).pass).toBe(true);
    expect(call(r, { memory: '100ms' }).pass).toBe(false);
    expect(call(r, { memory: '100ms' }, { full: true }).pass).toBe(true);
  });

  it("says what stalled longer, in the report's units", () => {
    expect(call(r, { memory: '100ms' }).message()).toBe(
      'expected the run to stall at most the given times, but it stalled longer, or could not be measured:\n  memory (some task stalled): 150.0 ms > 100.0 ms',
    );
  });

  it('fails, saying why, where the kernel measures no stall: never taken as none', () => {
    expect(call(r, { io: '1s' }).message()).toMatch(/io \(some task stalled\): not measured \(no io\.pressure in this kernel\)/);
    const v1 = call(run(null), { cpu: '1s' });
    expect(v1.pass).toBe(false);
    expect(v1.message()).toMatch(/no PSI on this host: it needs cgroup v2 and a kernel with CONFIG_PSI/);
  });

  it('refuses unknown resources and bad durations', () => {
    expect(() => call(r, { disk: '1s' })).toThrow(/expected any of cpu, memory, io, not disk/);
    expect(() => call(r, { cpu: 'soon' })).toThrow(/cpu: expected a duration/);
  });
});
