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

export type { BaselineOptions } from './baseline.js';
export { DEFAULT_METRICS, SLACK, baselinePath } from './baseline.js';
export type { Metric, Kind as MetricKind } from './metrics.js';
export type { ResourceLimits } from './matchers.js';
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

expect.extend({ toUseAtMost, toBeOOMKilled, toHaveExitedWith, toHaveTimedOut, toMatchResourceBaseline });

/** vitest's `test` with the `sandbox` fixture: `test('…', async ({ sandbox }) => { … })`. */
export const test = base.extend<SandboxFixtures>(sandboxFixtures);
export const it = test;
