/**
 * Starting a sandbox's init cold: every option on its command line, the
 * cgroups joined by the init itself. See standby.ts for an init that joined
 * ahead of time.
 */
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { follow, type Launched } from './follow.js';
import { initBinary } from './init-binary.js';
import { viewArgs, type ViewOp } from '../view/index.js';

export type { CommandStatus, LaunchOutcome, Launched } from './follow.js';

/** A host path a resource asks to see inside (a volume), at `target` as the sandbox sees it. */
export type MountRequest = { kind: 'bind'; source: string; target: string };

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
  /** Exec mode: run the command inside the running sandbox whose init has this host pid. */
  enter?: number;
  env: NodeJS.ProcessEnv;
  input?: string | Uint8Array;
  stdout?: Writable;
  stderr?: Writable;
  maxBuffer?: number;
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
    ...(req.enter !== undefined ? ['--enter', String(req.enter)] : []),
    '--', req.file, ...req.args,
  ];
}

export function launch(req: LaunchRequest): Launched {
  const binary = initBinary();
  const argv = [...req.procsFiles.flatMap((f) => ['--cgroup', f]), '--parent', String(process.pid), ...orderArgs(req)];
  const child = spawn(binary, argv, { stdio: [req.input !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe'], env: req.env });
  return follow(child, binary).output(req);
}
