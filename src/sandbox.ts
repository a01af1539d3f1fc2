/**
 * The builder: the face users hold. Immutable — every call returns a new
 * builder — and strict: each value is parsed and checked at the call that
 * received it, so a typo fails on its own line, not at run time.
 */
import { statSync } from 'node:fs';
import { DeviceNotFound, resolveBlockDevice } from './host/block-device.js';
import { hostCaps } from './host/probe.js';
import type { RunResult } from './report/types.js';
import { runSandbox, type RunOptions } from './run/run-sandbox.js';
import { startSandbox } from './run/start-sandbox.js';
import { StartedSandbox } from './started-sandbox.js';
import { SandboxProcess } from './zx/process.js';
import { isInterfaceName, parseBandwidth, parseCidr, type BandwidthInput } from './spec/network.js';
import { InvalidSpecError } from './spec/errors.js';
import type { BlockDevice, DeviceRate, NetworkSpec, SandboxSpec, VolumeDriver, VolumeSpec } from './spec/types.js';
import { VOLUME_DEVICE, emptySpec } from './spec/types.js';
import { formatCpuList, parseBytes, parseCpuList, parseDurationUs } from './spec/units.js';
import { checkBind, checkCaps, checkDevice, checkWritable, withBind, withCaps } from './spec/view.js';

export type Rate<T> = T | { read?: T; write?: T };

/** `.net({...})`: a network of the sandbox's own, through a veth on a host bridge. */
export interface NetworkOptions {
  /** '10.88.3.7/16'; without it an address is allocated from the bridge's subnet. */
  address?: string;
  /** A Linux bridge by name (default 'cgbox0', created on first use) or an Open vSwitch bridge. */
  bridge?: string | { ovs: string };
  /** '10mbit' both ways, or { egress, ingress }: what the sandbox sends and what it receives. */
  bandwidth?: BandwidthInput;
  /** 'veth' (default): shaped per sandbox on its host veth. 'bridge': marked and shaped by class on the bridge. */
  shaping?: 'veth' | 'bridge';
}

export interface VolumeOptions {
  size: string | number;
  driver?: VolumeDriver;
  /** A directory whose content the volume starts with. */
  from?: string;
  fs?: 'ext4' | 'xfs' | 'btrfs';
}

const VOLUME_DRIVERS: readonly VolumeDriver[] = ['auto', 'tmpfs', 'loop', 'btrfs', 'lvm'];
const FILESYSTEMS = ['ext4', 'xfs', 'btrfs'] as const;

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Options for `sandbox(defaults)`: each key applied through its method, with the same checks. */
export interface SandboxDefaults {
  cpus?: string;
  cpuShares?: number;
  cpuQuota?: number;
  memory?: string | number;
  swap?: string | number;
  pids?: number;
  net?: 'none' | 'host' | NetworkOptions;
  hostname?: string;
  env?: Record<string, string>;
  cwd?: string;
  timeout?: string | number;
  cgroupParent?: string;
  writable?: readonly string[];
  bind?: readonly { host: string; inside?: string; readonly?: boolean }[];
  device?: readonly (string | { path: string; readonly?: boolean })[];
  capAdd?: readonly string[];
  capDrop?: readonly string[];
  privileged?: boolean;
}

const CFS_PERIOD_US = 100_000;
const MIN_QUOTA_US = 1_000; // the kernel's floor for cpu.cfs_quota_us

function integerIn(method: string, n: unknown, what: string, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new InvalidSpecError(method, n, `expected ${what}: an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}`);
  }
  return n;
}

/** Node's timers fire at once past 2^31−1 ms (about 24.8 days). */
const MAX_TIMER_US = 2_147_483_647_000;

function device(method: string, dev: string): BlockDevice {
  if (typeof dev !== 'string' || dev === '') throw new InvalidSpecError(method, dev, 'expected a block device, a partition, "MAJ:MIN" or a path');
  // The sandbox's own volume: resolved to its device once the volume exists.
  if (dev === VOLUME_DEVICE) return { major: 0, minor: 0, given: VOLUME_DEVICE, name: VOLUME_DEVICE };
  try {
    return resolveBlockDevice(dev);
  } catch (e) {
    if (e instanceof DeviceNotFound) throw new InvalidSpecError(method, dev, `${e.message}; expected a block device (/dev/vda), a partition, "MAJ:MIN" or a path on a disk-backed filesystem`);
    throw e;
  }
}

function rate<T>(method: string, value: Rate<T>, parse: (v: T) => number | null, what: string): { read?: number; write?: number } {
  const one = (v: T): number => {
    const n = parse(v);
    if (n === null) throw new InvalidSpecError(method, value, what);
    return n;
  };
  if (typeof value === 'object' && value !== null) {
    const { read, write } = value as { read?: T; write?: T };
    if (read === undefined && write === undefined) throw new InvalidSpecError(method, value, `give read, write or both: ${what}`);
    return { ...(read !== undefined ? { read: one(read) } : {}), ...(write !== undefined ? { write: one(write) } : {}) };
  }
  const n = one(value);
  return { read: n, write: n };
}

function withRate(list: readonly DeviceRate[], dev: BlockDevice, r: { read?: number; write?: number }): DeviceRate[] {
  const same = (d: DeviceRate) => d.device.major === dev.major && d.device.minor === dev.minor;
  const old = list.find(same);
  return [...list.filter((d) => !same(d)), { ...old, device: dev, ...r }];
}

export class SandboxBuilder {
  /** @internal use sandbox() */
  constructor(readonly spec: Readonly<SandboxSpec>) {}

  private with(patch: Partial<SandboxSpec>): SandboxBuilder {
    return new SandboxBuilder({ ...this.spec, ...patch });
  }

  /** CPUs the sandbox may run on, as a cpuset list: '0-1,3'. */
  cpus(list: string): SandboxBuilder {
    const cpus = typeof list === 'string' ? parseCpuList(list) : null;
    if (!cpus || cpus.length === 0) throw new InvalidSpecError('.cpus', list, 'expected a cpuset list such as "0", "0-1" or "0-1,3"');
    const online = hostCaps().onlineCpus;
    const missing = cpus.filter((c) => !online.includes(c));
    if (missing.length) throw new InvalidSpecError('.cpus', list, `CPU ${formatCpuList(missing)} is not online on this host (online: ${formatCpuList(online)})`);
    return this.with({ cpus });
  }

  /** Relative CPU weight on Docker's scale: 1024 is the default, 2..262144. */
  cpuShares(n: number): SandboxBuilder {
    return this.with({ cpuShares: integerIn('.cpuShares', n, "a weight on Docker's scale (1024 = default)", 2, 262_144) });
  }

  /** CPU time as a number of CPUs: 0.5 = half of one CPU, 2 = two whole CPUs. */
  cpuQuota(cpus: number): SandboxBuilder {
    const max = hostCaps().onlineCpus.length;
    const quotaUs = Math.round(cpus * CFS_PERIOD_US);
    if (typeof cpus !== 'number' || !Number.isFinite(cpus) || quotaUs < MIN_QUOTA_US || cpus > max) {
      throw new InvalidSpecError('.cpuQuota', cpus, `expected a number of CPUs from 0.01 to ${max} (this host's online CPUs), e.g. 0.5`);
    }
    return this.with({ cpuQuota: { quotaUs, periodUs: CFS_PERIOD_US } });
  }

  /** Hard memory limit: bytes, or Docker units '256m', '1g' (1024-based). */
  memory(size: string | number): SandboxBuilder {
    const bytes = parseBytes(size);
    if (bytes === null || bytes < 2 ** 20) throw new InvalidSpecError('.memory', size, 'expected a whole number of bytes of at least 1 MiB, or Docker units: "64m", "1g", "1536k"');
    return this.with({ memoryBytes: bytes });
  }

  /** Swap allowed on top of .memory(); 0 (the default) means none. */
  swap(size: string | number): SandboxBuilder {
    if (this.spec.memoryBytes === undefined) throw new InvalidSpecError('.swap', size, 'swap is allowed on top of a memory limit: call .memory() first');
    const bytes = size === 0 || /^\s*0+\s*[kmgt]?i?b?\s*$/i.test(String(size)) ? 0 : parseBytes(size);
    if (bytes === null) throw new InvalidSpecError('.swap', size, 'expected 0, a whole number of bytes, or Docker units: "64m", "1g"');
    return this.with({ swapBytes: bytes });
  }

  /** Most tasks (processes and threads) at once, not counting cgbox's own init. */
  pids(n: number): SandboxBuilder {
    return this.with({ pids: integerIn('.pids', n, 'a number of tasks') });
  }

  /** IO operations per second on a disk: one number for both directions, or { read, write }. */
  iops(dev: string, n: Rate<number>): SandboxBuilder {
    const r = rate('.iops', n, (v) => (Number.isInteger(v) && v > 0 ? v : null), 'expected a whole number of operations per second, at least 1');
    return this.with({ iops: withRate(this.spec.iops, device('.iops', dev), r) });
  }

  /** Bytes per second on a disk: '10m' (MiB/s), a number of bytes, or { read, write }. */
  bps(dev: string, r: Rate<string | number>): SandboxBuilder {
    const parsed = rate('.bps', r, parseBytes, 'expected bytes per second: a whole number, or Docker units such as "10m" (10 MiB/s)');
    return this.with({ bps: withRate(this.spec.bps, device('.bps', dev), parsed) });
  }

  /**
   * 'none' (default): an own network namespace with only lo. 'host': the host's network.
   * { address?, bridge?, bandwidth?, shaping? }: an own namespace with a veth to a host bridge.
   */
  net(mode: 'none' | 'host' | NetworkOptions): SandboxBuilder {
    if (mode === 'none' || mode === 'host') return this.with({ net: mode });
    const accepted = "expected 'none', 'host' or { address?: '10.88.3.7/16', bridge?: 'cgbox0' | { ovs: 'br0' }, bandwidth?: '10mbit' | { egress, ingress }, shaping?: 'veth' | 'bridge' }";
    if (typeof mode !== 'object' || mode === null) throw new InvalidSpecError('.net', mode, accepted);
    const unknown = Object.keys(mode).filter((k) => !['address', 'bridge', 'bandwidth', 'shaping'].includes(k));
    if (unknown.length) throw new InvalidSpecError('.net', mode, `unknown option ${unknown.join(', ')}; ${accepted}`);
    const net: NetworkSpec = { bridge: { kind: 'linux', name: 'cgbox0' }, shaping: mode.shaping ?? 'veth' };
    if (net.shaping !== 'veth' && net.shaping !== 'bridge') throw new InvalidSpecError('.net', mode, "shaping: expected 'veth' or 'bridge'");
    if (mode.address !== undefined) {
      const cidr = typeof mode.address === 'string' ? parseCidr(mode.address) : null;
      if (!cidr) throw new InvalidSpecError('.net', mode, 'address: expected an IPv4 address with a prefix length from 8 to 30, e.g. "10.88.3.7/16"');
      net.address = cidr;
    }
    if (mode.bridge !== undefined) {
      const b = mode.bridge;
      const name = typeof b === 'string' ? b : typeof b === 'object' && b !== null ? b.ovs : undefined;
      if (typeof name !== 'string' || !isInterfaceName(name)) throw new InvalidSpecError('.net', mode, 'bridge: expected an interface name of 1 to 15 characters, or { ovs: name }');
      net.bridge = typeof b === 'string' ? { kind: 'linux', name } : { kind: 'ovs', name };
    }
    if (mode.bandwidth !== undefined) {
      const bw = parseBandwidth(mode.bandwidth);
      if (!bw) throw new InvalidSpecError('.net', mode, 'bandwidth: expected a rate such as "10mbit", "500kbit", "1gbit", or { egress, ingress }');
      net.bandwidth = bw;
    }
    if (net.shaping === 'bridge' && net.bridge.kind === 'ovs') throw new InvalidSpecError('.net', mode, "shaping: 'bridge' works on a Linux bridge; an OVS bridge shapes with its own ingress policing");
    return this.with({ net });
  }

  /** A disposable volume of `size`, mounted at `path` inside the sandbox only, gone afterwards. */
  volume(path: string, opts: VolumeOptions): SandboxBuilder {
    if (typeof path !== 'string' || !path.startsWith('/') || path === '/' || path.split('/').includes('..')) {
      throw new InvalidSpecError('.volume', path, 'expected an absolute path other than "/", without ".."');
    }
    if (this.spec.volumes.some((v) => v.path === path)) throw new InvalidSpecError('.volume', path, 'a volume is already mounted there');
    if (typeof opts !== 'object' || opts === null) throw new InvalidSpecError('.volume', opts, 'expected options { size, driver?, from?, fs? }');
    const sizeBytes = parseBytes(opts.size);
    if (sizeBytes === null || sizeBytes < 2 ** 20) throw new InvalidSpecError('.volume', opts.size, 'size: expected at least 1 MiB, as bytes or Docker units ("100m", "1g")');
    const driver = opts.driver ?? 'auto';
    if (!VOLUME_DRIVERS.includes(driver)) throw new InvalidSpecError('.volume', driver, `driver: expected one of ${VOLUME_DRIVERS.join(', ')}`);
    const fs = opts.fs ?? 'ext4';
    if (!FILESYSTEMS.includes(fs)) throw new InvalidSpecError('.volume', fs, `fs: expected one of ${FILESYSTEMS.join(', ')}`);
    if (opts.from !== undefined && (typeof opts.from !== 'string' || !opts.from.startsWith('/') || !isDirectory(opts.from))) {
      throw new InvalidSpecError('.volume', opts.from, 'from: expected an absolute path of an existing directory');
    }
    const v: VolumeSpec = { path, sizeBytes, driver, fs, ...(opts.from !== undefined ? { from: opts.from } : {}) };
    return this.with({ volumes: [...this.spec.volumes, v] });
  }

  /** Run inside a copy-on-write copy of `dir` as `/`, with a fresh /proc and a minimal /dev. */
  rootfs(dir: string): SandboxBuilder {
    if (typeof dir !== 'string' || !dir.startsWith('/') || !isDirectory(dir)) throw new InvalidSpecError('.rootfs', dir, 'expected an absolute path of an existing directory');
    return this.with({ rootfs: dir });
  }

  /** Record cpu, memory and tasks every `interval` into result.samples (at least 10ms). */
  sample(interval: string | number): SandboxBuilder {
    const us = parseDurationUs(interval);
    if (us === null || us < 10_000 || us > MAX_TIMER_US) throw new InvalidSpecError('.sample', interval, 'expected an interval of at least 10ms, e.g. "100ms" or "1s"');
    return this.with({ sampleUs: us });
  }

  hostname(name: string): SandboxBuilder {
    if (typeof name !== 'string' || !/^[A-Za-z0-9]([A-Za-z0-9.-]{0,62})$/.test(name)) {
      throw new InvalidSpecError('.hostname', name, 'expected 1 to 63 letters, digits, dots and hyphens, starting with a letter or digit');
    }
    return this.with({ hostname: name });
  }

  /** Environment variables for the command, on top of the caller's unless { inherit: false }. */
  env(vars: Record<string, string>, opts: { inherit?: boolean } = {}): SandboxBuilder {
    if (typeof vars !== 'object' || vars === null) throw new InvalidSpecError('.env', vars, 'expected an object of string values');
    for (const [k, v] of Object.entries(vars)) {
      if (typeof v !== 'string' || k === '' || k.includes('=') || k.includes('\0') || v.includes('\0')) {
        throw new InvalidSpecError('.env', vars, `variable ${JSON.stringify(k)}: names are non-empty without "=", values are strings without NUL`);
      }
    }
    return this.with({ env: { ...this.spec.env, ...vars }, inheritEnv: opts.inherit ?? this.spec.inheritEnv });
  }

  /** Working directory of the command (an absolute path, as seen inside the sandbox). */
  cwd(dir: string): SandboxBuilder {
    if (typeof dir !== 'string' || !dir.startsWith('/') || dir.includes('\0')) throw new InvalidSpecError('.cwd', dir, 'expected an absolute path');
    return this.with({ cwd: dir });
  }

  /** End the run after this long: SIGTERM to every task, then SIGKILL after `grace` (default 2s). */
  timeout(after: string | number, opts: { grace?: string | number } = {}): SandboxBuilder {
    const timeoutUs = parseDurationUs(after);
    if (timeoutUs === null || timeoutUs > MAX_TIMER_US) {
      throw new InvalidSpecError('.timeout', after, 'expected a duration up to 24 days: "10s", "250ms", "2m", or a number of milliseconds greater than 0');
    }
    const g = opts.grace;
    const graceUs = g === undefined ? this.spec.graceUs : g === 0 || g === '0' ? 0 : parseDurationUs(g);
    if (graceUs === null || graceUs > MAX_TIMER_US) {
      throw new InvalidSpecError('.timeout', g, 'grace: expected a duration up to 24 days such as "2s" or "500ms", or 0 for SIGKILL at once');
    }
    return this.with({ timeoutUs, graceUs });
  }

  /** Create the sandbox's cgroups under this path in each hierarchy instead of under the caller's own. */
  cgroupParent(path: string): SandboxBuilder {
    if (typeof path !== 'string' || !path.startsWith('/') || path.split('/').includes('..')) {
      throw new InvalidSpecError('.cgroupParent', path, 'expected an absolute cgroup path such as "/ci/tests", without ".."');
    }
    return this.with({ cgroupParent: path });
  }

  /** A host path the sandbox may write, at the same path inside (by default the host's root is read-only). */
  writable(path: string): SandboxBuilder {
    return this.with({ binds: withBind(this.spec.binds, checkWritable(path)) });
  }

  /** A host path seen at `insidePath` (default: the same path), read-write unless { readonly: true }. */
  bind(hostPath: string, insidePath?: string, opts?: { readonly?: boolean }): SandboxBuilder {
    return this.with({ binds: withBind(this.spec.binds, checkBind(hostPath, insidePath, opts)) });
  }

  /** Capabilities on top of Docker's default 14, by Docker's names ('NET_ADMIN', 'CAP_SYS_PTRACE', 'ALL'). */
  capAdd(...caps: string[]): SandboxBuilder {
    return this.with(withCaps(this.spec, checkCaps('.capAdd', caps), []));
  }

  /** Capabilities taken off Docker's default 14 ('NET_RAW', 'ALL'). */
  capDrop(...caps: string[]): SandboxBuilder {
    return this.with(withCaps(this.spec, [], checkCaps('.capDrop', caps)));
  }

  /** A host device node passed through at the same path, read-write ({ readonly: true } is refused: see the README's Isolation). */
  device(path: string, opts?: { readonly?: boolean }): SandboxBuilder {
    const d = checkDevice(path, opts);
    return this.with({ devices: [...this.spec.devices.filter((x) => x.path !== d.path), d] });
  }

  /** The old view: the host's root writable, every capability, the host's /dev, no no_new_privs; the report says so. */
  privileged(on = true): SandboxBuilder {
    if (typeof on !== 'boolean') throw new InvalidSpecError('.privileged', on, 'expected true or false (no argument: true)');
    return this.with({ privileged: on });
  }

  /**
   * Runs `file` with `args` in the sandbox. Resolves for every outcome of the
   * command (exit, signal, OOM kill, timeout); rejects only when the sandbox
   * could not be built, and then nothing is left behind.
   */
  run(file: string, args: readonly string[] = [], opts: RunOptions = {}): Promise<RunResult> {
    if (typeof file !== 'string' || file === '') return Promise.reject(new InvalidSpecError('.run', file, 'expected the command to run'));
    if (!Array.isArray(args) || args.some((a) => typeof a !== 'string' || a.includes('\0')) || file.includes('\0')) {
      return Promise.reject(new InvalidSpecError('.run', [file, ...(Array.isArray(args) ? args : [])], 'expected a command and an array of string arguments, without NUL bytes'));
    }
    return runSandbox(this.spec, file, args, opts);
  }

  /**
   * Starts `file` in the sandbox and resolves once it is running, for a server
   * under test or anything driven from outside. Stop it with `.stop()`, or
   * `await using box = await b.start(…)` to stop it at the end of the scope.
   */
  async start(file: string, args: readonly string[] = [], opts: RunOptions = {}): Promise<StartedSandbox> {
    if (typeof file !== 'string' || file === '') throw new InvalidSpecError('.start', file, 'expected the command to run');
    if (!Array.isArray(args) || args.some((a) => typeof a !== 'string' || a.includes('\0')) || file.includes('\0')) {
      throw new InvalidSpecError('.start', [file, ...(Array.isArray(args) ? args : [])], 'expected a command and an array of string arguments, without NUL bytes');
    }
    return new StartedSandbox(await startSandbox(this.spec, file, args, opts));
  }

  /**
   * zx's `$` in the sandbox: b.$`cmd ${arg}` runs under bash with zx's quoting
   * and habits (throws on a non-zero exit unless .nothrow(), .quiet()), and
   * resolves to zx's ProcessOutput with `.report`, the RunResult.
   */
  $(pieces: TemplateStringsArray, ...args: unknown[]): SandboxProcess {
    return new SandboxProcess(this, pieces, args);
  }
}

/** A new sandbox builder, optionally with defaults (applied through the methods, with their checks). */
export function sandbox(defaults: SandboxDefaults = {}): SandboxBuilder {
  let b = new SandboxBuilder(emptySpec());
  const d = defaults;
  if (d.cpus !== undefined) b = b.cpus(d.cpus);
  if (d.cpuShares !== undefined) b = b.cpuShares(d.cpuShares);
  if (d.cpuQuota !== undefined) b = b.cpuQuota(d.cpuQuota);
  if (d.memory !== undefined) b = b.memory(d.memory);
  if (d.swap !== undefined) b = b.swap(d.swap);
  if (d.pids !== undefined) b = b.pids(d.pids);
  if (d.net !== undefined) b = b.net(d.net);
  if (d.hostname !== undefined) b = b.hostname(d.hostname);
  if (d.env !== undefined) b = b.env(d.env);
  if (d.cwd !== undefined) b = b.cwd(d.cwd);
  if (d.timeout !== undefined) b = b.timeout(d.timeout);
  if (d.cgroupParent !== undefined) b = b.cgroupParent(d.cgroupParent);
  for (const w of d.writable ?? []) b = b.writable(w);
  for (const x of d.bind ?? []) b = b.bind(x.host, x.inside, x.readonly !== undefined ? { readonly: x.readonly } : undefined);
  for (const x of d.device ?? []) b = typeof x === 'string' ? b.device(x) : b.device(x.path, x.readonly !== undefined ? { readonly: x.readonly } : undefined);
  if (d.capAdd?.length) b = b.capAdd(...d.capAdd);
  if (d.capDrop?.length) b = b.capDrop(...d.capDrop);
  if (d.privileged !== undefined) b = b.privileged(d.privileged);
  return b;
}
