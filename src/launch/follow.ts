/**
 * Following a spawned cgbox-init: its status pipe (fd 3) parsed from the
 * moment it starts, its output captured (and teed) once the command is
 * launched, and the outcome resolved when the outer process has exited and
 * every stdio pipe is closed.
 */
import type { Readable, Writable } from 'node:stream';
import { ignoreStdioErrors } from '../host/child-stdio.js';
import { SetupError } from '../spec/errors.js';
import { capture } from './capture.js';
import { recordUsed } from './inner-volumes.js';
import { parseInitLine } from './status.js';

/** How the command ended, exactly as its init saw it; undefined when it never ran. */
export type CommandStatus = { exitCode: number; signal: null } | { exitCode: null; signal: string };

export interface LaunchOutcome {
  status?: CommandStatus;
  /** A setup step inside the sandbox failed (cgroup join, namespaces, exec…). */
  error?: SetupError;
  stdout: string;
  stderr: string;
  /** Output past maxBuffer went to the live copy only. */
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  /** How the outer helper itself ended: a signal here with no status means the sandbox was killed. */
  outerSignal: string | null;
  /** The outer saw no task left in the run's cgroups once the init was gone (LaunchRequest.end). */
  drained?: true;
  /** … and read the report's files then: cgroup-read's answer for LaunchRequest.end.reads. */
  counters?: string;
  /** … and then removed the run's cgroups (LaunchRequest.end.remove). */
  removed?: true;
}

/** The sandbox's pid 1 on the host: its pid, and its start time, which tells it from a later process given the same pid. */
export interface InitProcess {
  pid: number;
  start: number | undefined;
}

export interface Launched {
  /** The sandbox's pid 1, once it exists. */
  init: Promise<InitProcess>;
  /** Settles when the command is about to exec; rejects when setup failed first. */
  ready: Promise<void>;
  /** Settles once the command was exec'd; rejects when setup or the exec failed. */
  started: Promise<void>;
  finished: Promise<LaunchOutcome>;
  /** Kills the outer helper (and so, by parent death, the whole sandbox). */
  kill(): void;
}

export interface OutputOptions {
  input?: string | Uint8Array;
  stdout?: Writable;
  stderr?: Writable;
  /** Most bytes of each stream kept in the result (default 100 MiB). */
  maxBuffer?: number;
}

function deferred<T>() {
  let settle!: { resolve: (v: T) => void; reject: (e: unknown) => void };
  let pending = true;
  const promise = new Promise<T>((resolve, reject) => (settle = { resolve, reject }));
  promise.catch(() => {}); // observed through `finished` when nobody awaits it
  return {
    promise,
    resolve: (v: T) => ((pending = false), settle.resolve(v)),
    reject: (e: unknown) => ((pending = false), settle.reject(e)),
    /** Rejects with the error `why` makes, if still pending: an error's stack is not made for nothing. */
    rejectIfPending(why: () => unknown) {
      if (pending) this.reject(why());
    },
  };
}

function lines(stream: Readable, onLine: (line: string) => void): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    parts.forEach(onLine);
  });
}

/** What follow() needs of the init's process: a ChildProcess, or one the fork server made (zygote.ts). */
export interface InitChild {
  readonly pid?: number | undefined;
  readonly stdio: readonly (Readable | Writable | null | undefined)[];
  readonly stdin: Writable | null | undefined;
  readonly stdout: Readable | null | undefined;
  readonly stderr: Readable | null | undefined;
  kill(signal?: NodeJS.Signals): boolean;
  on(event: 'error', listener: (e: Error) => void): unknown;
  on(event: 'close', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
  ref(): void;
  unref(): void;
}

/** An init being followed; `output()` starts the capture and returns the launch. */
export interface FollowedInit {
  /** A standby init has joined its cgroups and waits for its orders. */
  standby: Promise<void>;
  output(io: OutputOptions): Launched;
}

export function follow(child: InitChild, binary: string): FollowedInit {
  ignoreStdioErrors(child);
  const init = deferred<InitProcess>();
  const standby = deferred<void>();
  const ready = deferred<void>();
  const started = deferred<void>();
  let status: CommandStatus | undefined;
  let error: SetupError | undefined;
  let drained = false;
  let counters: string | undefined;
  let removed = false;

  lines(child.stdio[3] as Readable, (line) => {
    const msg = parseInitLine(line);
    if (!msg) return;
    if (msg.kind === 'init') init.resolve({ pid: msg.pid, start: msg.start });
    else if (msg.kind === 'standby') standby.resolve();
    else if (msg.kind === 'ready') ready.resolve();
    else if (msg.kind === 'started') started.resolve();
    else if (msg.kind === 'volume-used') recordUsed(msg.path, msg.bytes);
    else if (msg.kind === 'drained') drained = true;
    else if (msg.kind === 'counters') counters = msg.value;
    else if (msg.kind === 'removed') removed = true;
    else if (msg.kind === 'error') {
      error = new SetupError(msg.step, msg.message, { errno: msg.errno });
      for (const d of [standby, ready, started]) d.reject(error);
    } else status = msg.kind === 'exit' ? { exitCode: msg.code, signal: null } : { exitCode: null, signal: msg.signal };
  });

  const closed = new Promise<string | null>((resolve, reject) => {
    child.on('error', (e) => reject(new SetupError('spawn', `${binary}: ${e.message}`, { cause: e })));
    child.on('close', (code, sig) => {
      if (!status && !error) init.rejectIfPending(() => new SetupError('init', `the sandbox's init ${sig ? `was killed by ${sig}` : `exited with ${code}`} before it started`));
      standby.rejectIfPending(() => error ?? new SetupError('init', 'the standby sandbox ended before it was used'));
      ready.rejectIfPending(() => error ?? new SetupError('init', 'the sandbox ended before it was ready'));
      started.rejectIfPending(() => error ?? new SetupError('init', 'the sandbox ended before its command started'));
      resolve(sig ?? null);
    });
  });
  closed.catch(() => {});

  return {
    standby: standby.promise,
    output(io) {
      const stdout = capture(child.stdout ?? null, io.stdout, io.maxBuffer);
      const stderr = capture(child.stderr ?? null, io.stderr, io.maxBuffer);
      child.stdin?.on('error', () => {}); // the command may exit without reading its input
      child.stdin?.end(io.input);
      const finished = closed.then((outerSignal) => ({
        ...(status ? { status } : {}),
        ...(error ? { error } : {}),
        stdout: stdout.text(),
        stderr: stderr.text(),
        stdoutTruncated: stdout.truncated(),
        stderrTruncated: stderr.truncated(),
        outerSignal,
        ...(drained ? { drained: true as const } : {}),
        ...(drained && counters !== undefined ? { counters } : {}),
        ...(drained && counters !== undefined && removed ? { removed: true as const } : {}),
      }));
      return { init: init.promise, ready: ready.promise, started: started.promise, finished, kill: () => child.kill('SIGKILL') };
    },
  };
}
