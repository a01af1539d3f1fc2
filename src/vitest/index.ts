/**
 * cgbox/vitest: `import 'cgbox/vitest'` (in a test file or a setupFiles
 * entry) registers cgbox's matchers with vitest's expect and types them, as
 * @testing-library/jest-dom/vitest does; `test` is vitest's test with a
 * `sandbox` fixture that cleans up after each test.
 */
import { expect, test as base } from 'vitest';
import { toMatchResourceBaseline, type BaselineOptions } from './baseline.js';
import { sandboxFixtures, type SandboxFixtures } from './fixture.js';
import { toBeOOMKilled, toHaveExitedWith, toHaveTimedOut, toUseAtMost, type ResourceLimits } from './matchers.js';
import { toHaveStalledAtMost, type StallLimits } from './stall.js';

export type { BaselineOptions } from './baseline.js';
export { DEFAULT_METRICS, SLACK, baselinePath } from './baseline.js';
export type { Metric, Kind as MetricKind } from './metrics.js';
export type { ResourceLimits } from './matchers.js';
export type { StallLimits } from './stall.js';
export { sandboxFixtures, type SandboxFixtures } from './fixture.js';

interface CgboxMatchers<R = unknown> {
  /** Every limit given holds for the run: `{ memory: '100m', cpu: '2s', writeBytes: '10m', pids: 10 }`. */
  toUseAtMost(limits: ResourceLimits): R;
  /** The run had an OOM kill. */
  toBeOOMKilled(): R;
  /** The command exited with this code (not killed by a signal). */
  toHaveExitedWith(code: number): R;
  /** The run was ended by its .timeout(). */
  toHaveTimedOut(): R;
  /**
   * Pressure stall information over the run stays within these times: `{ memory: '50ms', io: '1s' }`
   * — time some task waited on the resource, or with `{ full: true }` every task. Needs PSI (cgroup v2).
   */
  toHaveStalledAtMost(limits: StallLimits, opts?: { full?: boolean }): R;
}

declare module 'vitest' {
  interface Assertion<T = any> extends CgboxMatchers<T> {
    /**
     * The chosen metrics stay within `tolerance` above the baseline kept in
     * __baselines__/<test file>.json; the first run writes it, `vitest -u` rewrites it.
     */
    toMatchResourceBaseline(opts?: BaselineOptions): Promise<void>;
  }
  interface AsymmetricMatchersContaining extends CgboxMatchers {}
}

expect.extend({ toUseAtMost, toBeOOMKilled, toHaveExitedWith, toHaveTimedOut, toHaveStalledAtMost, toMatchResourceBaseline });

/** vitest's `test` with the `sandbox` fixture: `test('…', async ({ sandbox }) => { … })`. */
export const test = base.extend<SandboxFixtures>(sandboxFixtures);
export const it = test;
