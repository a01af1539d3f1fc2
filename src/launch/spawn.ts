/**
 * Starts a sandbox's init and follows it: stdout/stderr captured (and teed to
 * streams when asked), the status pipe parsed, the outcome resolved once the
 * outer process has exited and every stdio pipe is closed.
 */
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { SetupError } from '../spec/errors.js';
import { initBinary } from './init-binary.js';
import { parseInitLine, signalName, type InitMessage } from './status.js';

/** A mount made inside the sandbox's mount namespace, at `target` as the sandbox sees it. */
export type MountRequest = { kind: 'bind'; source: string; target: string } | { kind: 'tmpfs'; options: string; target: string };

export interface LaunchRequest {
  file: string;
  args: readonly string[];
  procsFiles: readonly string[];
  /** 'none': an own netns with only lo; 'host'; or a netns prepared by a network driver. */
  net: 'none' | 'host' | { netns: string };
  hostname?: string;
  cwd?: string;
  mounts?: readonly MountRequest[];
  /** Run inside this directory as `/` (pivot_root), with a fresh /proc and a minimal /dev. */
  rootfs?: string;
  /** Exec mode: run the command inside the running sandbox whose init has this host pid. */
  enter?: number;
  env: NodeJS.ProcessEnv;
  input?: string | Uint8Array;
  stdout?: Writable;
  stderr?: Writable;
}

/** How the command ended, exactly as its init saw it; undefined when it never ran. */
export type CommandStatus = { exitCode: number; signal: null } | { exitCode: null; signal: string };

export interface LaunchOutcome {
  status?: CommandStatus;
  /** A setup step inside the sandbox failed (cgroup join, namespaces, exec…). */
  error?: SetupError;
  stdout: string;
  stderr: string;
  /** How the outer helper itself ended: a signal here with no status means the sandbox was killed. */
  outerSignal: string | null;
}

export interface Launched {
  /** Host pid of the sandbox's pid 1, once it exists. */
  initPid: Promise<number>;
  /** Settles when the command is about to exec; rejects when setup failed first. */
  ready: Promise<void>;
  /** Settles once the command was exec'd; rejects when setup or the exec failed. */
  started: Promise<void>;
  /** Kills the outer helper (and so, by parent death, the whole sandbox). */
  kill(): void;
  finished: Promise<LaunchOutcome>;
}

function collect(stream: Readable | null, tee?: Writable): () => string {
  const chunks: Buffer[] = [];
  stream?.on('data', (c: Buffer) => {
    chunks.push(c);
    tee?.write(c);
  });
  return () => Buffer.concat(chunks).toString('utf8');
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

function deferred<T>() {
  let resolve!: (v: T) => void, reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  promise.catch(() => {}); // observed through `finished` when nobody awaits it
  return { promise, resolve, reject };
}

export function launch(req: LaunchRequest): Launched {
  const argv = [
    ...req.procsFiles.flatMap((f) => ['--cgroup', f]),
    ...(typeof req.net === 'string' ? ['--net', req.net] : ['--netns', req.net.netns]),
    '--parent', String(process.pid),
    ...(req.hostname !== undefined ? ['--hostname', req.hostname] : []),
    ...(req.cwd !== undefined ? ['--cwd', req.cwd] : []),
    ...(req.rootfs !== undefined ? ['--rootfs', req.rootfs] : []),
    ...(req.mounts ?? []).flatMap((m) => (m.kind === 'bind' ? ['--bind', m.source, m.target] : ['--tmpfs', m.options, m.target])),
    ...(req.enter !== undefined ? ['--enter', String(req.enter)] : []),
    '--', req.file, ...req.args,
  ];
  const child = spawn(initBinary(), argv, {
    stdio: [req.input !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe'],
    env: req.env,
  });
  const initPid = deferred<number>();
  const ready = deferred<void>();
  const started = deferred<void>();
  let status: CommandStatus | undefined;
  let error: SetupError | undefined;

  lines(child.stdio[3] as Readable, (line) => {
    const msg: InitMessage | undefined = parseInitLine(line);
    if (!msg) return;
    if (msg.kind === 'init') initPid.resolve(msg.pid);
    else if (msg.kind === 'ready') ready.resolve();
    else if (msg.kind === 'started') started.resolve();
    else if (msg.kind === 'error') {
      error = new SetupError(msg.step, msg.message, { errno: msg.errno });
      ready.reject(error);
      started.reject(error);
    } else status = msg.kind === 'exit' ? { exitCode: msg.code, signal: null } : { exitCode: null, signal: msg.signal };
  });
  const stdout = collect(child.stdout, req.stdout);
  const stderr = collect(child.stderr, req.stderr);
  if (req.input !== undefined) child.stdin?.end(req.input);
  child.stdin?.on('error', () => {}); // the command may exit without reading its input

  const finished = new Promise<LaunchOutcome>((resolve, reject) => {
    child.on('error', (e) => reject(new SetupError('spawn', `${initBinary()}: ${e.message}`, { cause: e })));
    child.on('close', (_code, sig) => {
      const outerSignal = sig ?? null;
      if (!status && !error) {
        const why = outerSignal ? `killed by ${outerSignal}` : `exited with ${_code}`;
        initPid.reject(new SetupError('init', `the sandbox's init ${why} before it started`));
      }
      ready.reject(error ?? new SetupError('init', 'the sandbox ended before it was ready'));
      started.reject(error ?? new SetupError('init', 'the sandbox ended before its command started'));
      resolve({ ...(status ? { status } : {}), ...(error ? { error } : {}), stdout: stdout(), stderr: stderr(), outerSignal });
    });
  });
  return { initPid: initPid.promise, ready: ready.promise, started: started.promise, finished, kill: () => child.kill('SIGKILL') };
}

export { signalName };
