/**
 * What the sandbox sees and may do: the checks of .writable(), .bind(),
 * .device(), .capAdd() and .capDrop(), and the capability sets they make.
 * Docker's default 14 capabilities are the starting point, by Docker's names.
 */
import { realpathSync, statSync } from 'node:fs';
import { InvalidSpecError } from './errors.js';
import type { BindSpec, DeviceSpec, SandboxSpec } from './types.js';

/** Linux's capability numbers (include/uapi/linux/capability.h), by Docker's names. */
export const CAPABILITIES: readonly string[] = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP', 'LINUX_IMMUTABLE',
  'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE',
  'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE', 'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE',
  'AUDIT_CONTROL', 'SETFCAP', 'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF',
  'CHECKPOINT_RESTORE',
];

/** Docker's default set (moby's oci/caps/defaults.go). */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CHOWN', 'DAC_OVERRIDE', 'FSETID', 'FOWNER', 'MKNOD', 'NET_RAW', 'SETGID', 'SETUID', 'SETFCAP', 'SETPCAP', 'NET_BIND_SERVICE', 'SYS_CHROOT', 'KILL', 'AUDIT_WRITE',
];

/** 'net_admin', 'CAP_NET_ADMIN' → 'NET_ADMIN'; 'all' → 'ALL'. */
function capName(method: string, name: unknown): string {
  const n = typeof name === 'string' ? name.trim().toUpperCase().replace(/^CAP_/, '') : '';
  if (n === 'ALL' || CAPABILITIES.includes(n)) return n;
  throw new InvalidSpecError(method, name, `expected a capability by Docker's name ('NET_ADMIN', also 'CAP_NET_ADMIN') or 'ALL'; accepted: ${CAPABILITIES.join(', ')}, ALL`);
}

export function checkCaps(method: string, names: readonly unknown[]): string[] {
  if (names.length === 0) throw new InvalidSpecError(method, names, "expected at least one capability, e.g. 'NET_ADMIN'");
  return names.map((n) => capName(method, n));
}

/** `.capAdd(...)` then `.capDrop(...)` of the same name: the later call wins. */
export function withCaps(spec: SandboxSpec, add: readonly string[], drop: readonly string[]): Pick<SandboxSpec, 'capAdd' | 'capDrop'> {
  return {
    capAdd: [...spec.capAdd.filter((c) => !drop.includes(c) && !add.includes(c)), ...add],
    capDrop: [...spec.capDrop.filter((c) => !add.includes(c) && !drop.includes(c)), ...drop],
  };
}

/** The capabilities a sandbox keeps, by name, in number order (Docker's rules: ALL, then the names). */
export function keptCapabilities(spec: Pick<SandboxSpec, 'capAdd' | 'capDrop' | 'privileged'>): string[] {
  if (spec.privileged) return [...CAPABILITIES];
  const base = spec.capAdd.includes('ALL') ? CAPABILITIES : spec.capDrop.includes('ALL') ? [] : DEFAULT_CAPABILITIES;
  const kept = new Set([...base, ...spec.capAdd.filter((c) => c !== 'ALL')]);
  for (const c of spec.capDrop) kept.delete(c);
  return CAPABILITIES.filter((c) => kept.has(c));
}

/** The mask cgbox-init keeps (bit N = capability N), in hex; undefined when privileged (nothing dropped). */
export function capabilityMask(spec: Pick<SandboxSpec, 'capAdd' | 'capDrop' | 'privileged'>): string | undefined {
  if (spec.privileged) return undefined;
  const mask = keptCapabilities(spec).reduce((m, c) => m | (1n << BigInt(CAPABILITIES.indexOf(c))), 0n);
  return `0x${mask.toString(16)}`;
}

const OFF_LIMITS = ['/proc', '/sys'];

/** An absolute path inside the sandbox, where a mount can go. */
function insidePath(method: string, path: unknown, what: string): string {
  if (typeof path !== 'string' || !path.startsWith('/') || path.includes('\0') || path.split('/').includes('..')) {
    throw new InvalidSpecError(method, path, `${what}: expected an absolute path without ".."`);
  }
  const clean = path.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
  if (clean === '/') throw new InvalidSpecError(method, path, `${what}: not "/" itself; name a directory or file under it`);
  if (OFF_LIMITS.some((p) => clean === p || clean.startsWith(`${p}/`))) {
    throw new InvalidSpecError(method, path, `${what}: /proc and /sys are the kernel's, fresh in every sandbox; choose another path`);
  }
  return clean;
}

/** An existing host path, resolved (symlinks, `..`) on the host, as the host sees it. */
function hostPath(method: string, path: unknown): string {
  if (typeof path !== 'string' || !path.startsWith('/') || path.includes('\0')) throw new InvalidSpecError(method, path, 'expected an absolute host path');
  try {
    return realpathSync(path);
  } catch {
    throw new InvalidSpecError(method, path, 'expected an existing host path (create it first)');
  }
}

export function checkWritable(path: unknown): BindSpec {
  const target = insidePath('.writable', path, 'path');
  return { source: hostPath('.writable', path), target, readonly: false };
}

export function checkBind(source: unknown, target: unknown, opts: unknown): BindSpec {
  if (opts !== undefined && (typeof opts !== 'object' || opts === null || Object.keys(opts).some((k) => k !== 'readonly'))) {
    throw new InvalidSpecError('.bind', opts, 'expected options { readonly?: boolean }');
  }
  const ro = (opts as { readonly?: unknown } | undefined)?.readonly ?? false;
  if (typeof ro !== 'boolean') throw new InvalidSpecError('.bind', opts, 'readonly: expected true or false');
  const src = hostPath('.bind', source);
  return { source: src, target: insidePath('.bind', target ?? source, 'insidePath'), readonly: ro };
}

export function checkDevice(path: unknown, opts: unknown): DeviceSpec {
  if (opts !== undefined && (typeof opts !== 'object' || opts === null || Object.keys(opts).some((k) => k !== 'readonly'))) {
    throw new InvalidSpecError('.device', opts, 'expected options { readonly?: boolean }');
  }
  const ro = (opts as { readonly?: unknown } | undefined)?.readonly ?? false;
  if (typeof ro !== 'boolean') throw new InvalidSpecError('.device', opts, 'readonly: expected true or false');
  // A read-only mount does not stop writes to a device node (the kernel checks it for regular files only):
  // only a device cgroup rule would, and cgbox does not drive the devices controller yet.
  if (ro) throw new InvalidSpecError('.device', opts, 'readonly: a device is passed through read-write only (a read-only mount does not stop writes to a device node); bind a read-only image file instead');
  if (typeof path !== 'string' || !path.startsWith('/dev/') || path.split('/').includes('..')) {
    throw new InvalidSpecError('.device', path, 'expected a device node under /dev, such as "/dev/loop3" or "/dev/kvm"');
  }
  let isDevice = false;
  try {
    const st = statSync(path);
    isDevice = st.isBlockDevice() || st.isCharacterDevice();
  } catch {
    // missing
  }
  if (!isDevice) throw new InvalidSpecError('.device', path, 'expected an existing block or character device node on the host');
  return { path, readonly: ro };
}

/** A path given twice is one mount: the later call wins, as with Docker's -v. */
export function withBind(list: readonly BindSpec[], b: BindSpec): BindSpec[] {
  return [...list.filter((x) => x.target !== b.target), b];
}

/**
 * The default ceiling on tasks, for a run without .pids(): a fork bomb in a
 * test stops there instead of filling the host's pid space. 4096 is the
 * range of Kubernetes' pod pid limits in common use (1024–4096), and below
 * systemd's DefaultTasksMax (15 % of pid_max) even at the kernel's smallest
 * common pid_max, 32768 (4915).
 */
export const DEFAULT_PIDS = 4096;

/** The ceiling: 4096, or 15 % of the host's pid_max where that is lower (as systemd's DefaultTasksMax). */
export function defaultPids(pidMax: number | undefined): number {
  return pidMax && pidMax > 0 ? Math.min(DEFAULT_PIDS, Math.max(64, Math.floor(pidMax * 0.15))) : DEFAULT_PIDS;
}
