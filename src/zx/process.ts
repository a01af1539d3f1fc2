/**
 * b.$`cmd ${arg}`: a zx-style process running in the sandbox. Like zx's
 * ProcessPromise it starts at once and is awaited for its output; it throws
 * (rejects) on a non-zero exit unless .nothrow(), echoes the output live
 * unless .quiet(), and resolves to zx's own ProcessOutput, with `.report`:
 * the sandbox's RunResult.
 */
import { Writable } from 'node:stream';
import type { ProcessOutput } from 'zx/core';
import type { RunResult } from '../report/types.js';
import { UnsupportedError } from '../spec/errors.js';
import { buildCommand } from './command.js';

/** How the process runs its command: the builder's own run(), handed in. */
export type RunCommand = (
  file: string,
  args: readonly string[],
  opts: { stdout: Writable; stderr: Writable; signal: AbortSignal },
) => Promise<RunResult>;

/** zx's ProcessOutput (stdout, stderr, exitCode, signal, ok, text(), lines(), json()…) plus the sandbox's report. */
export type SandboxOutput = ProcessOutput & { readonly report: RunResult };

/** bash, as zx runs it: the same prefix, so a failing step of a pipeline fails the command. */
const SHELL = 'bash';
const PREFIX = 'set -euo pipefail;';

type Settled = { output: SandboxOutput } | { error: unknown };

/** zx is loaded on first use only, so importing cgbox stays fast; it is an optional peer dependency. */
async function loadZx(): Promise<typeof import('zx/core')> {
  try {
    return await import('zx/core');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code !== 'ERR_MODULE_NOT_FOUND' || !/'zx'/.test(err.message)) throw e;
    throw new UnsupportedError('b.$`…`', 'it runs through zx, an optional peer dependency of cgbox: install it beside cgbox (npm install zx@8)');
  }
}

export class SandboxProcess implements PromiseLike<SandboxOutput> {
  private throws = true;
  private echo = true;
  private readonly abort = new AbortController();
  private readonly settled: Promise<Settled>;

  /** @internal use builder.$`…` */
  constructor(run: RunCommand, pieces: TemplateStringsArray, args: readonly unknown[]) {
    const from = new Error().stack ?? '';
    // Never rejects: an output nobody awaits must not become an unhandled rejection.
    this.settled = this.start(run, pieces, args, from).then(
      (output) => ({ output }),
      (error: unknown) => ({ error }),
    );
  }

  private async start(run: RunCommand, pieces: TemplateStringsArray, args: readonly unknown[], stack: string): Promise<SandboxOutput> {
    const { quote, ProcessOutput, Fail } = await loadZx();
    const cmd = await buildCommand(quote, pieces, args);
    const stdall: Buffer[] = [];
    const tee = (target: NodeJS.WriteStream) =>
      new Writable({
        write: (chunk: Buffer, _enc, done) => {
          stdall.push(chunk);
          if (this.echo) target.write(chunk);
          done();
        },
      });
    const report = await run(SHELL, ['-c', PREFIX + cmd], { stdout: tee(process.stdout), stderr: tee(process.stderr), signal: this.abort.signal });
    const output = new ProcessOutput({
      code: report.exitCode,
      signal: report.signal as NodeJS.Signals | null,
      duration: report.durationMs,
      error: null,
      from: Fail.getCallerLocationFromString(stack),
      store: { stdout: [report.stdout], stderr: [report.stderr], stdall: [Buffer.concat(stdall).toString()] },
    }) as SandboxOutput;
    Object.defineProperty(output, 'report', { value: report, enumerable: false });
    return output;
  }

  /** Resolve with the output whatever the exit status, as zx's .nothrow(). */
  nothrow(v = true): this {
    this.throws = !v;
    return this;
  }

  /** No live echo of the output (it is captured either way), as zx's .quiet(). */
  quiet(v = true): this {
    this.echo = !v;
    return this;
  }

  /** Ends the run early (SIGTERM to every task, then SIGKILL), as a timeout does; the output still comes. */
  kill(): void {
    this.abort.abort();
  }

  then<A = SandboxOutput, B = never>(onfulfilled?: ((o: SandboxOutput) => A | PromiseLike<A>) | null, onrejected?: ((e: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    const result = this.settled.then((s) => {
      if ('error' in s) throw s.error;
      if (this.throws && !s.output.ok) throw s.output;
      return s.output;
    });
    return result.then(onfulfilled, onrejected);
  }

  catch<B = never>(onrejected?: ((e: unknown) => B | PromiseLike<B>) | null): Promise<SandboxOutput | B> {
    return this.then(undefined, onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<SandboxOutput> {
    return this.then().finally(onfinally);
  }

  get [Symbol.toStringTag](): string {
    return 'SandboxProcess';
  }
}
