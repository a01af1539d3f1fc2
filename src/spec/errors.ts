/**
 * The public error family. Every error means nothing was left behind: the
 * pipeline undoes its steps before it throws.
 */
export class SandboxError extends Error {
  override name = 'SandboxError';
  /**
   * When undoing what was made before this error failed too: each step that
   * did not undo, and why. What it names is left on the host until `cgbox
   * reap` (or the next process's first run) removes it.
   */
  teardownErrors?: readonly StepFailure[];
}

/** One step of a teardown that failed. */
export interface StepFailure {
  step: string;
  error: Error;
}

/** The error of a failed setup, now also carrying what its undo could not remove. */
export function withTeardownFailures<E>(error: E, failures: readonly StepFailure[]): E {
  if (!failures.length || !(error instanceof Error)) return error;
  const e = error as Error & { teardownErrors?: readonly StepFailure[] };
  e.teardownErrors = [...(e.teardownErrors ?? []), ...failures];
  e.message += `; undoing it failed too: ${failures.map((f) => `${f.step}: ${f.error.message}`).join('; ')}`;
  return error;
}

/** Bad input, thrown by the builder at the call that received it. */
export class InvalidSpecError extends SandboxError {
  override name = 'InvalidSpecError';
  constructor(
    readonly method: string,
    readonly value: unknown,
    readonly accepted: string,
  ) {
    super(`${method}(${show(value)}): ${accepted}`);
  }
}

/** The host cannot do it; the message names what would make it able to. */
export class UnsupportedError extends SandboxError {
  override name = 'UnsupportedError';
  constructor(
    readonly feature: string,
    readonly fix: string,
  ) {
    super(`${feature} is not supported on this host: ${fix}`);
  }
}

/** Not root, or a cgroup not delegated to us. */
export class PermissionError extends SandboxError {
  override name = 'PermissionError';
}

/** A setup step failed; names the step and what the command or kernel said. */
export class SetupError extends SandboxError {
  override name = 'SetupError';
  /** The kernel's errno when a system call failed (2 = ENOENT for a missing command). */
  readonly errno?: number;
  constructor(
    readonly step: string,
    readonly detail: string,
    options?: { cause?: unknown; errno?: number },
  ) {
    super(`setup step '${step}' failed: ${detail}`, options);
    if (options?.errno !== undefined) this.errno = options.errno;
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}
