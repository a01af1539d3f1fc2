/**
 * The undo stack of a run: every setup step pushes its undo as soon as it has
 * done something, and teardown runs them all in reverse order, whatever
 * failed, collecting each failure with its step instead of stopping at the first.
 */
import { faultPoint } from '../host/faults.js';
import type { StepFailure } from '../spec/errors.js';

export class Teardown {
  private readonly undos: Array<{ step: string; undo: () => Promise<void> }> = [];

  push(step: string, undo: () => Promise<void>): void {
    this.undos.push({ step, undo });
  }

  /** Runs every undo, newest first; returns the failures (empty when all went). */
  async run(): Promise<StepFailure[]> {
    const failures: StepFailure[] = [];
    for (let u = this.undos.pop(); u; u = this.undos.pop()) {
      try {
        faultPoint(`teardown ${u.step}`);
        await u.undo();
      } catch (e) {
        failures.push({ step: u.step, error: e instanceof Error ? e : new Error(`${u.step}: ${String(e)}`) });
      }
    }
    return failures;
  }
}

/**
 * Waits for every one of `steps` to settle, then rethrows the first failure:
 * setup steps run side by side must all be over before any undo starts, or
 * an undo could remove what a still-running step is about to use.
 */
export async function allSettled<T>(steps: ReadonlyArray<Promise<T>>): Promise<T[]> {
  const settled = await Promise.allSettled(steps);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}
