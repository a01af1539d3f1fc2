/**
 * The public error family. Every error means nothing was left behind: the
 * pipeline undoes its steps before it throws.
 */
export class SandboxError extends Error {
  override name = 'SandboxError';
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
