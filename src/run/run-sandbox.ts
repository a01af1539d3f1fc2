/** A whole run: start the sandbox, wait for its result. */
import type { RunResult } from '../report/types.js';
import type { SandboxSpec } from '../spec/types.js';
import { startSandbox, type RunOptions } from './start-sandbox.js';

export type { RunOptions } from './start-sandbox.js';

export async function runSandbox(spec: SandboxSpec, file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return (await startSandbox(spec, file, args, opts)).result;
}
