/**
 * A run whose command completed but whose teardown did not: the report is
 * never lost. It carries the complete RunResult and each teardown step that
 * failed; what those steps name is left on the host for `cgbox reap`.
 */
import { SandboxError, type StepFailure } from '../spec/errors.js';
import type { RunResult } from './types.js';

export class TeardownError extends SandboxError {
  override name = 'TeardownError';
  constructor(
    /** The run's complete result, as run() would have resolved it. */
    readonly result: RunResult,
    /** Each teardown step that failed, in the order they ran (newest resource first). */
    readonly errors: readonly StepFailure[],
  ) {
    super(`the command ran (${outcome(result)}), but its teardown failed: ${errors.map((f) => `${f.step}: ${f.error.message}`).join('; ')}; the result is in .result, and \`cgbox reap\` removes what is left once this process is gone`);
  }
}

function outcome(r: RunResult): string {
  return r.signal ? `killed by ${r.signal}` : `exit ${r.exitCode}`;
}
