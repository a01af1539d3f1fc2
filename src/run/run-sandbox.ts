/** A whole run: start the sandbox, wait for its result. */
import type { RunResult } from '../report/types.js';
import type { SandboxSpec } from '../spec/types.js';
import { keepAlive } from '../host/keep-alive.js';
import { startSandbox, type RunOptions } from './start-sandbox.js';

export type { RunOptions } from './start-sandbox.js';

export function runSandbox(spec: SandboxSpec, file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return keepAlive(startSandbox(spec, file, args, opts).then((r) => r.result));
}
