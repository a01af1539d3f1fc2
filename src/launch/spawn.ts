/**
 * Starting a sandbox's init cold: every option on its command line, the
 * cgroups joined by the init itself. See standby.ts for an init that joined
 * ahead of time.
 */
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { follow, type Launched } from './follow.js';
import { initBinary } from './init-binary.js';

export type { CommandStatus, LaunchOutcome, Launched } from './follow.js';

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
  /** cgroup filesystems to show read-only at /sys/fs/cgroup: 'cgroup2', or 'cgroup:CONTROLLERS:DIR' (v1). */
  cgroupfs?: readonly string[];
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
    ...(req.cwd !== undefined ? ['--cwd', req.cwd] : []),
    ...(req.rootfs !== undefined ? ['--rootfs', req.rootfs] : []),
    ...(req.mounts ?? []).flatMap((m) => (m.kind === 'bind' ? ['--bind', m.source, m.target] : ['--tmpfs', m.options, m.target])),
    ...(req.enter !== undefined ? ['--enter', String(req.enter)] : []),
    ...(req.cgroupfs ?? []).flatMap((c) => ['--cgroupfs', c]),
    '--', req.file, ...req.args,
  ];
}

export function launch(req: LaunchRequest): Launched {
  const binary = initBinary();
  const argv = [...req.procsFiles.flatMap((f) => ['--cgroup', f]), '--parent', String(process.pid), ...orderArgs(req)];
  const child = spawn(binary, argv, { stdio: [req.input !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe'], env: req.env });
  return follow(child, binary).output(req);
}
