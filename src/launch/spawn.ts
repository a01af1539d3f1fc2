/**
 * Starting a sandbox's init cold: every option on its command line, the
 * cgroups joined by the init itself. See standby.ts for an init that joined
 * ahead of time. A rootless run's init makes a user namespace first
 * (userns.ts), and its outer mounts the run's tmpfs volumes (inner-volumes.ts).
 */
import { spawn } from 'node:child_process';
import { SetupError } from '../spec/errors.js';
import type { Writable } from 'node:stream';
import { which } from '../host/tools.js';
import { follow, type InitChild, type InitProcess, type Launched } from './follow.js';
import { forkInit, forkServer, type StdioFd } from './zygote.js';
import { initBinary } from '../host/init-binary.js';
import { heldBy, innerTmpfsArgs } from './inner-volumes.js';
import { sandboxIdMaps, usernsArgs } from './userns.js';
import { viewArgs, type ViewOp } from '../view/index.js';

export type { CommandStatus, InitProcess, LaunchOutcome, Launched } from './follow.js';

/** A host path a resource asks to see inside (a volume), at `target` as the sandbox sees it. */
export type MountRequest = { kind: 'bind'; source: string; target: string };

export interface RunEnd {
  drain: string;
  reads: readonly string[];
  /** Then removed, each with the cgroups below it — only once `reads` were read. */
  remove?: readonly string[];
}

export interface LaunchRequest {
  file: string;
  args: readonly string[];
  procsFiles: readonly string[];
  /** 'none': an own netns with only lo; 'host'; or a netns prepared by a network driver. */
  net: 'none' | 'host' | { netns: string };
  hostname?: string;
  cwd?: string;
  /** cgbox's default working directory (the caller's): "/" where the view lacks it. */
  cwdSoft?: string;
  /** The filesystem view, step by step (src/view/); without it the sandbox sees the host's tree as it is. */
  view?: readonly ViewOp[];
  /** The capabilities kept, as a hex mask (src/spec/view.ts); without it every one (privileged). */
  caps?: string;
  /** Exec mode: run the command inside the running sandbox with this init (a pid reused since is refused). */
  enter?: InitProcess;
  env: NodeJS.ProcessEnv;
  /**
   * The run's end done by its outer once the init is gone (native/src/run-end.h), so that Node's thread
   * need not: it waits until no task is left in `drain` or below, then reads `reads` (the report's
   * files) and removes `remove`; the outcome says what it did (`drained`, `counters`, `removed`).
   */
  end?: RunEnd;
  input?: string | Uint8Array;
  stdout?: Writable;
  stderr?: Writable;
  maxBuffer?: number;
}

function enterArg(init: InitProcess): string {
  // The start time names the process; an init that did not report one (an older helper) cannot be entered safely.
  if (init.start === undefined) throw new SetupError('enter', `the sandbox's init (pid ${init.pid}) did not report its start time; reinstall cgbox`);
  return `${init.pid}:${init.start}`;
}

/** The options after the cgroups: the same whether given on the command line or as a standby's orders. */
export function orderArgs(req: Omit<LaunchRequest, 'procsFiles'>): string[] {
  return [
    ...(typeof req.net === 'string' ? ['--net', req.net] : ['--netns', req.net.netns]),
    ...(req.hostname !== undefined ? ['--hostname', req.hostname] : []),
    ...(req.cwd !== undefined ? ['--cwd', req.cwd] : req.cwdSoft !== undefined ? ['--cwd-soft', req.cwdSoft] : []),
    ...viewArgs(req.view ?? []),
    // The path of kernels before 5.12 (each submount remounted from mountinfo), for its test.
    ...(process.env['CGBOX_NO_MOUNT_SETATTR'] === '1' ? ['--no-mount-setattr'] : []),
    ...(req.caps !== undefined ? ['--caps', req.caps] : []),
    ...(req.enter !== undefined ? ['--enter', enterArg(req.enter)] : []),
    // The path of kernels before 5.3 (no pidfd: the init's start time read again), for its test.
    ...(req.enter !== undefined && process.env['CGBOX_NO_PIDFD'] === '1' ? ['--no-pidfd'] : []),
    // Without input the command reads /dev/null, whatever the init's own stdin is (a spare's or a forked init's is a socket).
    ...(req.input === undefined ? ['--null-stdin'] : []),
    ...(req.end ? ['--end-drain', req.end.drain, ...req.end.reads.flatMap((f) => ['--end-read', f]), ...(req.end.remove ?? []).flatMap((d) => ['--end-remove', d])] : []),
    '--', req.file, ...req.args,
  ];
}

/** What the outer does before the pid namespace: a rootless run's user namespace, and its tmpfs volumes in it. */
export function outerArgs(view: readonly ViewOp[]): { args: string[]; volumes: string[] } {
  const maps = sandboxIdMaps();
  if (!maps) return { args: [], volumes: [] };
  const inner = innerTmpfsArgs(view);
  const cp = inner.args.some((a, i) => i % 4 === 3 && a !== '-') ? which('cp') : null;
  return { args: [...usernsArgs(maps), ...inner.args, ...(cp ? ['--cp', cp] : [])], volumes: inner.paths };
}

/** A launch whose child is on its way (forked by the server): the same promises, and a kill that waits for it. */
function launchedLater(coming: Promise<Launched>): Launched {
  let launched: Launched | undefined;
  let killed = false;
  void coming.then((l) => {
    launched = l;
    if (killed) l.kill();
  }, () => {});
  const part = <T>(pick: (l: Launched) => Promise<T>): Promise<T> => {
    const p = coming.then(pick);
    p.catch(() => {}); // observed through `finished`, as follow()'s own are
    return p;
  };
  return {
    init: part((l) => l.init),
    ready: part((l) => l.ready),
    started: part((l) => l.started),
    finished: part((l) => l.finished),
    kill() {
      killed = true;
      launched?.kill();
    },
  };
}

export function launch(req: LaunchRequest): Launched {
  const binary = initBinary();
  // Exec mode joins the running sandbox's namespaces, its user namespace among them.
  const outer = req.enter === undefined ? outerArgs(req.view ?? []) : { args: [], volumes: [] };
  const argv = (parent: number) => [...req.procsFiles.flatMap((f) => ['--cgroup', f]), '--parent', String(parent), ...outer.args, ...orderArgs(req)];
  const follows = (child: InitChild) => {
    if (child.pid !== undefined) heldBy(outer.volumes, child.pid);
    return follow(child, binary).output(req);
  };
  const spawned = () => follows(spawn(binary, argv(process.pid), { stdio: [req.input !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe'], env: req.env }));
  // Once a process keeps spares it has a fork server: a cold start is forked there too, without a fork of Node.
  const server = forkServer(binary, { start: false });
  if (!server) return spawned();
  // A cold start has no orders, and without input no stdin either: only the sockets it uses are made and passed.
  const fds: StdioFd[] = req.input !== undefined ? [0, 1, 2, 3] : [1, 2, 3];
  return launchedLater(forkInit(server, argv, req.env, fds).then((child) => (child ? follows(child) : spawned())));
}
