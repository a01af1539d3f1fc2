/**
 * `cgbox run`'s flags → builder calls, one flag to one method. The CLI keeps
 * no rules of its own: values go to the builder as typed, so a bad one fails
 * with the builder's InvalidSpecError, naming the method and what it accepts.
 */
import { InvalidSpecError, sandbox, type Rate, type SandboxBuilder, type VolumeOptions } from '../index.js';

/** What commander collects for `cgbox run`: every value still text. */
export interface RunFlags {
  cpus?: string;
  cpuShares?: string;
  cpuQuota?: string;
  memory?: string;
  swap?: string;
  pids?: string;
  iops?: string[];
  bps?: string[];
  net?: string;
  hostname?: string;
  env?: string[];
  cwd?: string;
  timeout?: string;
  json?: boolean;
  /** Write the run's timeline as SVG here; implies sampling every 50ms. */
  plot?: string;
  /** PATH:SIZE[:DRIVER], repeatable. */
  volume?: string[];
  rootfs?: string;
}

/**
 * Numeric text as a number; anything else as it came, typed as a number on
 * purpose: the builder's check rejects it and shows the value the user typed.
 */
export function num(text: string): number {
  const n = Number(text);
  return (text.trim() !== '' && Number.isFinite(n) ? n : text) as number;
}

/** "DEV:N", "DEV:read=N", "DEV:write=N". DEV may hold a colon itself (254:0), so split on the last one. */
export function parseDeviceRate(flag: string, text: string): { dev: string; rate: Rate<string> } {
  const i = text.lastIndexOf(':');
  if (i <= 0 || i === text.length - 1) {
    throw new InvalidSpecError(flag, text, 'expected DEV:N, DEV:read=N or DEV:write=N, where DEV is /dev/vda, a partition, MAJ:MIN or a path');
  }
  // "254:0" alone is a device without a rate, not device 254 at rate 0.
  if (/^\d+:\d+$/.test(text)) throw new InvalidSpecError(flag, text, `a rate is missing after the device: ${text}:100 or ${text}:read=100`);
  const [dev, value] = [text.slice(0, i), text.slice(i + 1)];
  const m = /^(read|write)=(.+)$/.exec(value);
  return { dev, rate: m ? { [m[1] as 'read' | 'write']: m[2]! } : value };
}

function mapRate<T>(r: Rate<string>, f: (v: string) => T): Rate<T> {
  if (typeof r === 'string') return f(r);
  return { ...(r.read !== undefined ? { read: f(r.read) } : {}), ...(r.write !== undefined ? { write: f(r.write) } : {}) };
}

/** "K=V" → [K, V]; V may contain "=". */
export function parseEnv(text: string): [string, string] {
  const i = text.indexOf('=');
  if (i <= 0) throw new InvalidSpecError('--env', text, 'expected NAME=VALUE');
  return [text.slice(0, i), text.slice(i + 1)];
}

const VOLUME_DRIVERS = ['auto', 'tmpfs', 'loop', 'btrfs', 'lvm'];

/** "PATH:SIZE" or "PATH:SIZE:DRIVER", split from the right (a path may hold a colon). */
export function parseVolume(text: string): { path: string; size: string; driver?: VolumeOptions['driver'] } {
  const parts = text.split(':');
  const driver = parts.length >= 3 && VOLUME_DRIVERS.includes(parts.at(-1)!) ? (parts.pop() as VolumeOptions['driver']) : undefined;
  const size = parts.pop();
  const path = parts.join(':');
  if (!path || !size) throw new InvalidSpecError('--volume', text, `expected PATH:SIZE or PATH:SIZE:DRIVER (DRIVER: ${VOLUME_DRIVERS.join(', ')}), e.g. /data:100m:btrfs`);
  return { path, size, ...(driver ? { driver } : {}) };
}

/** The builder for these flags, in the builder's own order (.memory before .swap). */
export function builderFrom(f: RunFlags): SandboxBuilder {
  let b = sandbox();
  if (f.cpus !== undefined) b = b.cpus(f.cpus);
  if (f.cpuShares !== undefined) b = b.cpuShares(num(f.cpuShares));
  if (f.cpuQuota !== undefined) b = b.cpuQuota(num(f.cpuQuota));
  if (f.memory !== undefined) b = b.memory(f.memory);
  if (f.swap !== undefined) b = b.swap(f.swap);
  if (f.pids !== undefined) b = b.pids(num(f.pids));
  for (const t of f.iops ?? []) {
    const { dev, rate } = parseDeviceRate('--iops', t);
    b = b.iops(dev, mapRate(rate, num));
  }
  for (const t of f.bps ?? []) {
    const { dev, rate } = parseDeviceRate('--bps', t);
    b = b.bps(dev, rate);
  }
  if (f.net !== undefined) b = b.net(f.net as Parameters<SandboxBuilder['net']>[0]);
  if (f.hostname !== undefined) b = b.hostname(f.hostname);
  if (f.env?.length) b = b.env(Object.fromEntries(f.env.map(parseEnv)));
  if (f.cwd !== undefined) b = b.cwd(f.cwd);
  if (f.timeout !== undefined) b = b.timeout(num(f.timeout));
  if (f.plot !== undefined) b = b.sample('50ms');
  if (f.rootfs !== undefined) b = b.rootfs(f.rootfs);
  for (const t of f.volume ?? []) {
    const { path, ...opts } = parseVolume(t);
    b = b.volume(path, opts);
  }
  return b;
}
