/**
 * A command run inside a started sandbox: it joins the sandbox's namespaces
 * (the init's /proc/PID/ns/*, the init pinned by a pidfd and its start time, so a reused pid is
 * refused) and its cgroups before it execs, so its usage
 * counts in the sandbox's report and it dies with the sandbox.
 */
import type { Writable } from 'node:stream';
import { launch, type InitProcess } from '../launch/spawn.js';
import type { Prepared } from './prepare.js';

export interface ExecOptions {
  input?: string | Uint8Array;
  stdout?: Writable;
  stderr?: Writable;
  /** Most bytes of each stream kept in the result (default 100 MiB); the rest goes to the live copies only. */
  maxBuffer?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** @internal the sandbox's defaults: the caller's directory where the view has it, and its capabilities */
  cwdSoft?: string;
  caps?: string;
}

export interface ExecResult {
  command: string[];
  exitCode: number | null;
  signal: string | null;
  ok: boolean;
  durationMs: number;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
}

export async function execIn(p: Prepared, init: InitProcess, file: string, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const t0 = performance.now();
  const { env, ...rest } = opts;
  if (rest.cwd !== undefined) delete rest.cwdSoft;
  const run = launch({ file, args, procsFiles: p.plan.procsFiles, net: 'host', enter: init, env: env ?? process.env, ...rest });
  const o = await run.finished;
  if (o.error) throw o.error;
  const status = o.status ?? { exitCode: null, signal: o.outerSignal ?? 'SIGKILL' };
  return { command: [file, ...args], ...status, ok: status.exitCode === 0, durationMs: performance.now() - t0, stdout: o.stdout, stderr: o.stderr, stdoutTruncated: o.stdoutTruncated, stderrTruncated: o.stderrTruncated };
}
