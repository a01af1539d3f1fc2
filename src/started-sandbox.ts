/**
 * A sandbox whose command is running: the second of the three states (a
 * builder, a started sandbox, a stopped result), in testcontainers' manner.
 */
import type { CurrentUsage } from './cgroup/types.js';
import type { RunResult, Usage } from './report/types.js';
import type { ExecOptions, ExecResult } from './run/exec.js';
import type { Running } from './run/start-sandbox.js';

export type { ExecOptions, ExecResult } from './run/exec.js';

export interface LiveStats {
  /** In use right now: CPU so far, memory now, tasks now. */
  current: CurrentUsage;
  /** The cumulative report so far: peaks, CPU, IO. */
  usage: Usage;
}

export class StartedSandbox implements AsyncDisposable {
  /** @internal use builder.start() */
  constructor(private readonly running: Running) {}

  /** Host pid of the sandbox's init (pid 1 inside). */
  get pid(): number {
    return this.running.initPid;
  }

  /** The run's name, cgbox-<pid>-<id>: its cgroups and default hostname. */
  get name(): string {
    return this.running.name;
  }

  /** Resolves when the command ends by itself (or is stopped): the final report. */
  get result(): Promise<RunResult> {
    return this.running.result;
  }

  /** Runs a command inside: it joins the sandbox's namespaces and cgroups, so it counts in the report. */
  exec(file: string, args: readonly string[] = [], opts: ExecOptions = {}): Promise<ExecResult> {
    return this.running.exec(file, args, opts);
  }

  /** While the command runs, the live figures; once it has ended, the final report's (nothing in use). */
  async stats(): Promise<LiveStats> {
    const [current, usage] = await Promise.all([this.running.current(), this.running.usage()]);
    return { current, usage };
  }

  /** `signal` (default SIGTERM) to every task, SIGKILL of the whole sandbox after `graceMs`; the final report. */
  stop(opts: { signal?: NodeJS.Signals; graceMs?: number } = {}): Promise<RunResult> {
    return this.running.stop(opts);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
