/**
 * The fork server (native/src/zygote.h): one `cgbox-init --zygote` per
 * process or worker thread, which forks cgbox-inits on request and hands
 * their stdio sockets (a spare's four, a cold start's three or four) to
 * Node over an IPC channel. A spawn from Node
 * forks Node itself — its cost grows with the caller's heap — while this
 * fork is of a small C process, on another core. Each fork gives a child
 * shaped as follow.ts uses a ChildProcess: pid, stdio, kill, ref/unref,
 * 'close' once it is reaped and its stdio has ended.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { constants } from 'node:os';
import type { Socket } from 'node:net';
import { SetupError } from '../spec/errors.js';
import { envEntries, nulTokens } from '../host/nul-tokens.js';

type Reply =
  | { cgbox: 'fd'; id: number; fd: number }
  | { cgbox: 'pid'; id: number; pid: number }
  | { cgbox: 'exit'; id: number; code: number; signal: number };

/** The descriptors a forked init may get: stdin, stdout, stderr, and the status socket (which also carries a spare's orders). */
export type StdioFd = 0 | 1 | 2 | 3;
const ALL_FDS: readonly StdioFd[] = [0, 1, 2, 3];

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]));

/** A cgbox-init forked by the server: the part of ChildProcess that cgbox uses. */
export class ForkedInit extends EventEmitter {
  pid: number | undefined;
  readonly stdio: Socket[] = [];
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private open = 0;
  private arrived = 0;
  private held = false;
  private closed = false;
  /** @internal */ onComplete: (() => void) | undefined;

  /**
   * @param hold counts this child into the server's channel holds: its exit is reported there.
   * @param expected how many of its sockets the server hands over.
   */
  constructor(
    private readonly hold: (delta: 1 | -1) => void,
    private readonly expected: number,
  ) {
    super();
  }

  /** @internal */ get complete(): boolean {
    return this.pid !== undefined && this.arrived === this.expected;
  }

  get stdin(): Socket | undefined {
    return this.stdio[0];
  }
  get stdout(): Socket | undefined {
    return this.stdio[1];
  }
  get stderr(): Socket | undefined {
    return this.stdio[2];
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    // Until its exit is reported the pid is the child's, or free in the moment between the server's wait and
    // its report: the kernel hands pids out in turn up to pid_max, so none is given again that soon.
    if (this.pid === undefined || this.exit) return false;
    try {
      process.kill(this.pid, signal);
      return true;
    } catch {
      return false;
    }
  }
  /** As a ChildProcess's: a held child keeps Node alive until its exit has been reported (on the server's channel). */
  ref(): void {
    if (this.held || this.exit) return;
    this.held = true;
    this.hold(1);
  }
  unref(): void {
    if (!this.held) return;
    this.held = false;
    this.hold(-1);
  }

  /** @internal */ gotSocket(fd: number, socket: Socket): void {
    this.stdio[fd] = socket;
    this.arrived++;
    // The child's ends of stdout, stderr and the status pipe close when it is gone: 'close' waits for them.
    if (fd >= 1 && fd <= 3) {
      this.open++;
      socket.once('close', () => {
        this.open--;
        this.settle();
      });
    }
    this.settle();
  }
  /** @internal */ gotPid(pid: number): void {
    this.pid = pid;
    this.settle();
  }
  /** @internal */ gotExit(code: number, signal: number): void {
    this.exit = { code: code >= 0 ? code : null, signal: signal >= 0 ? (SIGNAL_NAMES.get(signal) ?? null) : null };
    this.unref();
    this.settle();
  }
  // Node delivers a descriptor's message a tick after a plain one sent later: the pid, even the exit, may
  // come before the sockets. Complete once all are here; closed once it is reaped and its output has ended.
  private settle(): void {
    if (!this.complete) return;
    this.onComplete?.();
    this.onComplete = undefined;
    if (this.exit && this.open === 0 && !this.closed) {
      this.closed = true;
      this.emit('close', this.exit.code, this.exit.signal);
    }
  }
}

export interface ForkServer {
  readonly pid: number;
  /** The server has ended (or failed): it forks nothing more. */
  readonly gone: boolean;
  /** It has handed over at least one child: it works on this host. */
  readonly served: boolean;
  /**
   * Forks a cgbox-init with these arguments and environment, as a spawn of it with a pipe on each of `fds`
   * would (3, the status socket, among them); of 0–2 one not given is /dev/null.
   */
  fork(args: readonly string[], env: NodeJS.ProcessEnv, fds?: readonly StdioFd[]): Promise<ForkedInit>;
  /** Ends the server; its children, whose parent it is, follow the usual parent-death chain. */
  close(): void;
}

/** All an init (or the server) needs of the environment before its orders: a PATH. */
export function initEnv(): NodeJS.ProcessEnv {
  return process.env['PATH'] === undefined ? {} : { PATH: process.env['PATH'] };
}

export function startForkServer(binary: string): ForkServer {
  const server: ChildProcess = spawn(binary, ['--zygote'], { stdio: ['pipe', 'ignore', 'inherit', 'ipc'], env: initEnv() });
  if (server.pid === undefined) throw new SetupError('spawn', `${binary} --zygote did not start`);
  /** The forks not yet complete, by id: what rejects them if the server goes. */
  const pending = new Map<number, (e: unknown) => void>();
  const byId = new Map<number, ForkedInit>();
  let nextId = 0;
  let gone: Error | undefined;
  let served = false;
  // The channel keeps Node alive only while a fork is on its way or a held child has not exited yet.
  let holds = 0;
  const hold = (delta: 1 | -1) => {
    holds += delta;
    if (holds === 0) server.channel?.unref();
    else if (holds === 1 && delta === 1) server.channel?.ref();
  };

  server.on('message', (m: Reply, socket?: Socket) => {
    const init = byId.get(m.id);
    if (!init) return;
    if (m.cgbox === 'fd' && socket) init.gotSocket(m.fd, socket);
    else if (m.cgbox === 'pid') init.gotPid(m.pid);
    else if (m.cgbox === 'exit') {
      init.gotExit(m.code, m.signal);
      byId.delete(m.id);
    }
  });
  const fail = (why: string) => {
    gone = new SetupError('spawn', `the fork server (${binary} --zygote) ${why}`);
    for (const reject of pending.values()) reject(gone);
    pending.clear();
    // Their outers die with the server (parent death) but nobody is left to report how: say so to a listener, then close.
    for (const init of byId.values()) {
      if (init.listenerCount('error') > 0) init.emit('error', gone);
      init.emit('close', null, null);
    }
    byId.clear();
  };
  server.on('exit', (code, sig) => fail(sig ? `was killed by ${sig}` : `exited with ${code}`));
  server.on('error', (e) => fail(e.message));
  server.stdin?.on('error', () => {});
  // Idle, it keeps nothing alive: neither the process, its request pipe nor its channel.
  server.unref();
  (server.stdin as unknown as { unref?(): void } | null)?.unref?.();
  server.channel?.unref();

  return {
    pid: server.pid,
    get gone() {
      return gone !== undefined;
    },
    get served() {
      return served;
    },
    fork(args, env, fds = ALL_FDS) {
      if (gone) return Promise.reject(gone);
      const vars = envEntries(env);
      let request: string;
      try {
        if (!fds.includes(3)) throw new SetupError('spawn', 'a forked init needs its status pipe (fd 3)');
        request = nulTokens([fds.join(''), String(args.length), ...args, String(vars.length), ...vars], 'spawn');
      } catch (e) {
        return Promise.reject(e);
      }
      const id = ++nextId;
      const init = new ForkedInit(hold, new Set(fds).size);
      byId.set(id, init);
      return new Promise<ForkedInit>((resolve, reject) => {
        pending.set(id, reject);
        init.onComplete = () => {
          pending.delete(id);
          served = true;
          // Held from now on as a spawned child is, until unref(): the fork's hold passes to it.
          init.ref();
          hold(-1);
          resolve(init);
        };
        // A fork on its way keeps the process alive, as a spawn does; idle, the server keeps nothing.
        hold(1);
        server.stdin?.write(request);
      });
    },
    close() {
      server.stdin?.end();
      server.disconnect?.();
    },
  };
}

let shared: ForkServer | undefined;
let broken = false;

/**
 * This process's (or worker thread's) fork server: started at its first use with `start`, and again
 * if it ended; undefined without `start` when none runs, when CGBOX_FORK_SERVER=0, or once a server
 * failed before it forked anything — the host refuses what it needs, and a spawn from Node does the
 * same work.
 */
export function forkServer(binary: string, { start = true } = {}): ForkServer | undefined {
  if (process.env['CGBOX_FORK_SERVER'] === '0' || broken) return undefined;
  if (shared?.gone) {
    broken = !shared.served;
    shared = undefined;
    if (broken) return undefined;
  }
  if (!shared && start) {
    try {
      shared = startForkServer(binary);
    } catch {
      broken = true;
    }
  }
  return shared;
}

/**
 * An init forked on `server`, its --parent the server: undefined if the server died on the way (killed
 * from outside), for the caller to spawn it instead — the next fork starts a new server. A request the
 * server refuses (a NUL byte) rejects.
 */
export async function forkInit(server: ForkServer, argv: (parent: number) => string[], env: NodeJS.ProcessEnv, fds?: readonly StdioFd[]): Promise<ForkedInit | undefined> {
  try {
    return await server.fork(argv(server.pid), env, fds);
  } catch (e) {
    if (server.gone) return undefined;
    throw e;
  }
}
