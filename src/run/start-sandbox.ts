/**
 * A started sandbox: the command is running inside its cgroups and
 * namespaces. Its result resolves once the command has ended, every task is
 * gone, the counters are read and everything is torn down — whatever happens.
 */
import type { Writable } from 'node:stream';
import { faultPoint } from '../host/faults.js';
import { hostPidMax } from '../host/pid-max.js';
import { keepAlive } from '../host/keep-alive.js';
import type { CurrentUsage } from '../cgroup/types.js';
import { launch, type InitProcess, type LaunchOutcome, type Launched, type RunEnd } from '../launch/spawn.js';
import type { RunResult } from '../report/types.js';
import { SandboxError, SetupError, withTeardownFailures, type StepFailure } from '../spec/errors.js';
import { TeardownError } from '../report/errors.js';
import type { SandboxSpec } from '../spec/types.js';
import { capabilityMask, defaultPids } from '../spec/view.js';
import { cgroupfsOf, hostFs, keptPlanView, type ViewOp } from '../view/index.js';
import { collect } from './collect.js';
import { execIn, type ExecOptions, type ExecResult } from './exec.js';
import { prepare, type Prepared } from './prepare.js';
import { startSampler, type Sampler } from './sampler.js';
import { startTerminator } from './terminate.js';

export interface RunOptions {
  /** Written to the command's stdin, then closed. Without it stdin is /dev/null. */
  input?: string | Uint8Array;
  /** Live copies of the output, as well as the captured text in the result. A copy that falls behind slows the command (backpressure). */
  stdout?: Writable;
  stderr?: Writable;
  /** Most bytes of each stream kept in the result (default 100 MiB, as execa's); past it the rest goes to the live copies only, and the result says stdoutTruncated/stderrTruncated. */
  maxBuffer?: number;
  /** Ends the run early, as a timeout does (SIGTERM, grace, SIGKILL); the result still resolves. */
  signal?: AbortSignal;
}

export interface Running {
  readonly name: string;
  /** Host pid of the sandbox's init (pid 1 inside). */
  readonly initPid: number;
  /** Resolves for every outcome of the command; rejects only if teardown failed. */
  readonly result: Promise<RunResult>;
  /** SIGTERM (or `signal`) to every task, SIGKILL of the whole cgroup after `graceMs`; then the result. */
  stop(opts?: { signal?: NodeJS.Signals; graceMs?: number }): Promise<RunResult>;
  exec(file: string, args: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  current(): Promise<CurrentUsage>;
  /** The live cumulative report: peaks so far, CPU so far, IO so far. */
  usage(): Promise<RunResult['usage']>;
}

/** The view the run's init builds: the host's root read-only (or the rootfs copy), or, privileged, the host's tree as it is. */
function viewOf(spec: SandboxSpec, p: Prepared): readonly ViewOp[] {
  const rootfs = p.attached.find((a) => a.rootfs)?.rootfs;
  const mode = rootfs ? 'rootfs' : spec.privileged ? 'privileged' : 'default';
  return keptPlanView({
    mode,
    ...(rootfs ? { rootfs } : {}),
    // A normal user's init builds it in a user namespace of its own (src/launch/userns.ts).
    ...(p.caps.isRoot ? {} : { userns: true }),
    cgroupfs: cgroupfsOf(p.driver.version, p.driver.hierarchies(p.caps)),
    volumes: p.attached.flatMap((a) => a.mounts ?? []).map((m) => ({ source: m.source, target: m.target })),
    binds: spec.binds,
    devices: spec.devices,
    host: hostFs,
  });
}

/** Where the command starts: .cwd(), else the caller's own directory where the view has it (not in a rootfs copy). */
function cwdOf(spec: SandboxSpec): { cwd: string } | { cwdSoft: string } | Record<string, never> {
  if (spec.cwd !== undefined) return { cwd: spec.cwd };
  return spec.rootfs || spec.privileged ? {} : { cwdSoft: process.cwd() };
}

/** A run without .pids() gets cgbox's default ceiling, said so in the report. */
function withDefaultPids(spec: SandboxSpec): SandboxSpec {
  return spec.pids === undefined ? { ...spec, pids: defaultPids(hostPidMax()) } : spec;
}

function commandEnv(spec: SandboxSpec): NodeJS.ProcessEnv {
  return spec.inheritEnv ? { ...process.env, ...spec.env } : { ...spec.env };
}

/**
 * The end of a run: once the command's outcome is known, every task must be
 * gone before the counters are read; then teardown, whatever happened. A
 * setup failure rejects with its error (and any undo that failed too); a
 * failure after the command ran rejects with a TeardownError that carries the
 * complete result.
 */
async function finish(p: Prepared, command: string[], t0: number, outcome: Promise<LaunchOutcome>, timedOut: () => boolean, end: RunEnd | undefined, sampler?: Sampler): Promise<RunResult> {
  let result: RunResult | undefined;
  let failure: unknown;
  const late: StepFailure[] = [];
  try {
    const o = await outcome;
    const durationMs = performance.now() - t0;
    const samples = await sampler?.stop();
    if (o.error) throw o.error;
    if (o.drained) p.noteDrained();
    if (o.removed) p.noteRemoved();
    // Tasks that will not go (10 s after SIGKILL) make the counters inexact, not lost: report them.
    await p.drain().catch((e: unknown) => void late.push({ step: 'drain', error: asError(e) }));
    result = await collect(p, command, o, durationMs, timedOut(), end && o.counters !== undefined ? { paths: end.reads, value: o.counters, removed: o.removed === true } : undefined);
    if (samples) result.samples = samples;
  } catch (e) {
    failure = e;
  }
  const undone = await p.teardown.run();
  if (failure) throw withTeardownFailures(failure, [...late, ...undone]);
  if (late.length || undone.length) throw new TeardownError(result!, [...late, ...undone]);
  return result!;
}

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

export async function startSandbox(given: SandboxSpec, file: string, args: readonly string[], opts: RunOptions = {}): Promise<Running> {
  const spec = withDefaultPids(given);
  const p = await prepare(spec, { input: opts.input !== undefined });
  if (given.pids === undefined && p.plan.limits.pids) {
    p.plan.limits.pids.reason = `cgbox's default ceiling (4096, or 15 % of the host's pid_max where lower), so a fork bomb cannot exhaust the host; .pids(n) sets another`;
  }
  const { signal, ...io } = opts;
  const netns = p.attached.find((a) => a.netns)?.netns;
  const caps = capabilityMask(spec);
  // As root, the run's outer ends it (native/src/run-end.h): Node's thread then neither looks whether
  // its tasks are gone nor reads its counters, nor removes its cgroups — that, once the report's list
  // of files is known whole (a file left out could not be read after), and not under a sampler (its
  // last sample may still be reading them). A rootless outer is in a user namespace of its own.
  const files = p.driver.reportFiles(p.plan);
  const removable = files.whole && spec.sampleUs === undefined;
  const end = p.caps.isRoot ? { drain: p.driver.tasksDir(p.plan), reads: files.files, ...(removable ? { remove: p.cgroupDirs } : {}) } : undefined;
  const t0 = performance.now();
  let run: Launched;
  try {
    faultPoint('spawn');
    const req = {
      file,
      args,
      procsFiles: p.plan.procsFiles,
      net: netns ? { netns } : (spec.net as 'none' | 'host'),
      hostname: spec.hostname ?? p.name,
      ...cwdOf(spec),
      view: viewOf(spec, p),
      ...(caps !== undefined ? { caps } : {}),
      env: commandEnv(spec),
      ...(end ? { end } : {}),
      ...io,
    };
    run = p.standby ? p.standby.launch(req) : launch(req);
  } catch (e) {
    // spawn can throw at once (E2BIG, a missing init binary): undo what prepare made.
    const error = e instanceof SandboxError ? e : new SetupError('spawn', (e as Error).message, { cause: e });
    throw withTeardownFailures(error, await p.teardown.run());
  }
  const terminator = startTerminator(p.driver, p.plan, run, {
    ...(spec.timeoutUs !== undefined ? { timeoutUs: spec.timeoutUs } : {}),
    graceUs: spec.graceUs,
    ...(signal ? { signal } : {}),
  });
  const sampler = spec.sampleUs !== undefined ? startSampler(p.driver, p.plan, spec.sampleUs, t0) : undefined;
  let ended = false;
  const outcome = run.finished.finally(() => {
    ended = true;
    terminator.cancel();
  });
  const result = finish(p, [file, ...args], t0, outcome, () => terminator.reason() === 'timeout', end, sampler);
  result.catch(() => {}); // a started box's caller may never await it; its rejection is theirs to see when they do
  let init: InitProcess;
  try {
    [init] = await Promise.all([run.init, run.started]);
  } catch (e) {
    // Setup failed inside the sandbox: `result` rejects with the cause once all is undone.
    await result.catch(() => {});
    throw e;
  }
  return {
    name: p.name,
    initPid: init.pid,
    result,
    stop: (o = {}) => {
      terminator.end('stop', o.signal ?? 'SIGTERM', o.graceMs);
      return keepAlive(result);
    },
    exec: (f, a, o) => keepAlive(execIn(p, init, f, a, { env: commandEnv(spec), ...cwdOf(spec), ...(caps !== undefined ? { caps } : {}), ...o })),
    // Once the command has ended its outer may have removed the cgroups (native/src/run-end.h): the
    // live figures are then the report's, nothing left running.
    current: () => (ended ? result.then((r) => ({ cpuUs: r.usage.cpu.usageUs, memoryBytes: 0, tasks: 0 })) : p.driver.readCurrent(p.plan)),
    // The resources' own usage too (a volume's used bytes so far), as collect() does at the end.
    usage: async () =>
      ended ? (await result).usage : Object.assign({ ...(await p.driver.readUsage(p.plan)), net: null, volume: null }, ...(await Promise.all(p.attached.map((a) => a.usage?.() ?? {})))),
  };
}
