/**
 * `cgbox run`'s flags → builder calls, one flag to one method. The CLI keeps
 * no rules of its own: values go to the builder as typed, so a bad one fails
 * with the builder's InvalidSpecError, naming the method and what it accepts.
 */
import { InvalidSpecError, sandbox, VOLUME_DRIVERS, type NetworkOptions, type Rate, type SandboxBuilder, type VolumeOptions } from '../index.js';

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
  address?: string;
  bandwidth?: string;
  shaping?: string;
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
  /** Host paths the sandbox may write, repeatable. */
  writable?: string[];
  /** HOST[:INSIDE][:ro], repeatable. */
  bind?: string[];
  /** A host device node, repeatable. */
  device?: string[];
  capAdd?: string[];
  capDrop?: string[];
  privileged?: boolean;
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

/** "PATH:SIZE" or "PATH:SIZE:DRIVER", split from the right (a path may hold a colon). */
export function parseVolume(text: string): { path: string; size: string; driver?: VolumeOptions['driver'] } {
  const parts = text.split(':');
  const driver = parts.length >= 3 && (VOLUME_DRIVERS as readonly string[]).includes(parts.at(-1)!) ? (parts.pop() as VolumeOptions['driver']) : undefined;
  const size = parts.pop();
  const path = parts.join(':');
  if (!path || !size) throw new InvalidSpecError('--volume', text, `expected PATH:SIZE or PATH:SIZE:DRIVER (DRIVER: ${VOLUME_DRIVERS.join(', ')}), e.g. /data:100m:btrfs`);
  return { path, size, ...(driver ? { driver } : {}) };
}

/**
 * --net none|host|bridge[=NAME]|ovs=NAME with --address, --bandwidth and
 * --shaping → .net(). --address, --bandwidth or --shaping alone mean a bridge.
 * --bandwidth is RATE (both directions) or egress=RATE,ingress=RATE.
 */
export function netFrom(f: RunFlags): Parameters<SandboxBuilder['net']>[0] {
  const mode = f.net ?? 'bridge';
  const extras = f.address !== undefined || f.bandwidth !== undefined || f.shaping !== undefined;
  if (mode === 'none' || mode === 'host') {
    if (extras) throw new InvalidSpecError('--net', mode, '--address, --bandwidth and --shaping need a network of its own: --net bridge (the default when they are given)');
    return mode;
  }
  const m = /^(bridge|ovs)(?:=(.+))?$/.exec(mode);
  if (!m || (m[1] === 'ovs' && !m[2])) throw new InvalidSpecError('--net', mode, 'expected none, host, bridge, bridge=NAME or ovs=NAME');
  const opts: NetworkOptions = {};
  if (m[2] !== undefined) opts.bridge = m[1] === 'ovs' ? { ovs: m[2] } : m[2];
  if (f.address !== undefined) opts.address = f.address;
  if (f.bandwidth !== undefined) opts.bandwidth = parseBandwidthFlag(f.bandwidth);
  if (f.shaping !== undefined) opts.shaping = f.shaping as NetworkOptions['shaping'];
  return opts;
}

/** "10mbit" or "egress=10mbit,ingress=1mbit" (either part alone too). */
export function parseBandwidthFlag(text: string): NonNullable<NetworkOptions['bandwidth']> {
  if (!text.includes('=')) return text;
  const out: { egress?: string; ingress?: string } = {};
  for (const part of text.split(',')) {
    const kv = /^(egress|ingress)=(.+)$/.exec(part.trim());
    if (!kv) throw new InvalidSpecError('--bandwidth', text, 'expected RATE (both directions, e.g. 10mbit) or egress=RATE,ingress=RATE');
    out[kv[1] as 'egress' | 'ingress'] = kv[2]!;
  }
  return out;
}

/** "HOST", "HOST:INSIDE", "HOST:INSIDE:ro" or "HOST::ro". */
export function parseBind(text: string): { host: string; inside?: string; readonly?: boolean } {
  const parts = text.split(':');
  const readonly = parts.length > 1 && (parts.at(-1) === 'ro' || parts.at(-1) === 'rw') ? parts.pop() === 'ro' : undefined;
  const [host, inside, ...rest] = parts;
  if (!host || rest.length) throw new InvalidSpecError('--bind', text, 'expected HOST, HOST:INSIDE, HOST:INSIDE:ro or HOST::ro (absolute paths)');
  return { host, ...(inside ? { inside } : {}), ...(readonly !== undefined ? { readonly } : {}) };
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
  if (f.net !== undefined || f.address !== undefined || f.bandwidth !== undefined || f.shaping !== undefined) b = b.net(netFrom(f));
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
  for (const p of f.writable ?? []) b = b.writable(p);
  for (const t of f.bind ?? []) {
    const { host, inside, readonly } = parseBind(t);
    b = b.bind(host, inside, readonly !== undefined ? { readonly } : undefined);
  }
  for (const d of f.device ?? []) b = b.device(d);
  if (f.capAdd?.length) b = b.capAdd(...f.capAdd);
  if (f.capDrop?.length) b = b.capDrop(...f.capDrop);
  if (f.privileged) b = b.privileged();
  return b;
}
