/**
 * The builder: the face users hold. Immutable — every call returns a new
 * builder — and strict: each value is parsed and checked at the call that
 * received it (by the validators in src/spec/), so a typo fails on its own
 * line, not at run time.
 */
import { statSync } from 'node:fs';
import { DeviceNotFound, resolveBlockDevice } from './host/block-device.js';
import { keepAlive } from './host/keep-alive.js';
import { hostCaps } from './host/probe.js';
import type { RunResult } from './report/types.js';
import { runSandbox, type RunOptions } from './run/run-sandbox.js';
import { startSandbox } from './run/start-sandbox.js';
import { StartedSandbox } from './started-sandbox.js';
import { SandboxProcess } from './zx/process.js';
import { realExportHost, toKubernetesJob, toOCI, type KubernetesExport, type KubernetesJobOptions, type OciExport } from './export/index.js';
import { InvalidSpecError } from './spec/errors.js';
import {
  checkCommand,
  parseBps,
  parseCgroupParent,
  parseCpuQuota,
  parseCpuShares,
  parseCpus,
  parseCwd,
  parseEnv,
  parseHostname,
  parseIops,
  parseMemory,
  parsePidsLimit,
  parseSample,
  parseSwap,
  parseTimeout,
  type Rate,
} from './spec/limits.js';
import { parseNetwork, type NetworkOptionsInput } from './spec/network-options.js';
import type { BlockDevice, DeviceRate, SandboxSpec } from './spec/types.js';
import { VOLUME_DEVICE, emptySpec } from './spec/types.js';
import { parseRootfs, parseVolume, type VolumeOptionsInput } from './spec/volume-options.js';
import { SHAPING_MODE_NAMES, type ShapingModeName } from './net/shaping-modes.js';
import { VOLUME_DRIVERS, type VolumeDriver } from './volume/backends.js';
import { checkBind, checkCaps, checkDevice, checkWritable, withBind, withCaps } from './spec/view.js';

export type { Rate } from './spec/limits.js';

/** `.net({...})`: a network of the sandbox's own, through a veth on a host bridge. */
export interface NetworkOptions extends NetworkOptionsInput {
  /** 'veth' (default): shaped per sandbox on its host veth. 'bridge': by class on the bridge's shared uplink. */
  shaping?: ShapingModeName;
}

export interface VolumeOptions extends VolumeOptionsInput {
  size: string | number;
  /** 'auto' (default) or a backend: see VOLUME_DRIVERS. */
  driver?: VolumeDriver;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** What `.iops()`/`.bps()` name: resolved to the whole disk at the call, or 'volume' (resolved once the volume exists). */
function device(method: string, dev: unknown): BlockDevice {
  if (typeof dev !== 'string' || dev === '') throw new InvalidSpecError(method, dev, 'expected a block device, a partition, "MAJ:MIN" or a path');
  if (dev === VOLUME_DEVICE) return { major: 0, minor: 0, given: VOLUME_DEVICE, name: VOLUME_DEVICE };
  try {
    return resolveBlockDevice(dev);
  } catch (e) {
    if (e instanceof DeviceNotFound) throw new InvalidSpecError(method, dev, `${e.message}; expected a block device (/dev/vda), a partition, "MAJ:MIN" or a path on a disk-backed filesystem`);
    throw e;
  }
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
    return this.with({ cpus: parseCpus(list, hostCaps().onlineCpus) });
  }

  /** Relative CPU weight on Docker's scale: 1024 is the default, 2..262144. */
  cpuShares(n: number): SandboxBuilder {
    return this.with({ cpuShares: parseCpuShares(n) });
  }

  /** CPU time as a number of CPUs: 0.5 = half of one CPU, 2 = two whole CPUs. */
  cpuQuota(cpus: number): SandboxBuilder {
    return this.with({ cpuQuota: parseCpuQuota(cpus, hostCaps().onlineCpus.length) });
  }

  /** Hard memory limit: bytes, or Docker units '256m', '1g' (1024-based). */
  memory(size: string | number): SandboxBuilder {
    return this.with({ memoryBytes: parseMemory(size) });
  }

  /** Swap allowed on top of .memory(); 0 (the default) means none. */
  swap(size: string | number): SandboxBuilder {
    return this.with({ swapBytes: parseSwap(size, this.spec.memoryBytes) });
  }

  /** Most tasks (processes and threads) at once, not counting cgbox's own init. */
  pids(n: number): SandboxBuilder {
    return this.with({ pids: parsePidsLimit(n) });
  }

  /** IO operations per second on a disk: one number for both directions, or { read, write }. */
  iops(dev: string, n: Rate<number>): SandboxBuilder {
    const r = parseIops(n);
    return this.with({ iops: withRate(this.spec.iops, device('.iops', dev), r) });
  }

  /** Bytes per second on a disk: '10m' (MiB/s), a number of bytes, or { read, write }. */
  bps(dev: string, r: Rate<string | number>): SandboxBuilder {
    const parsed = parseBps(r);
    return this.with({ bps: withRate(this.spec.bps, device('.bps', dev), parsed) });
  }

  /**
   * 'none' (default): an own network namespace with only lo. 'host': the host's network.
   * { address?, bridge?, bandwidth?, shaping? }: an own namespace with a veth to a host bridge.
   */
  net(mode: 'none' | 'host' | NetworkOptions): SandboxBuilder {
    return this.with({ net: parseNetwork(mode, SHAPING_MODE_NAMES) });
  }

  /** A disposable volume of `size`, mounted at `path` inside the sandbox only, gone afterwards. */
  volume(path: string, opts: VolumeOptions): SandboxBuilder {
    const v = parseVolume(path, opts, { drivers: VOLUME_DRIVERS, taken: this.spec.volumes, isDirectory });
    return this.with({ volumes: [...this.spec.volumes, v] });
  }

  /** Run inside a copy-on-write copy of `dir` as `/`, with a fresh /proc and a minimal /dev. */
  rootfs(dir: string): SandboxBuilder {
    return this.with({ rootfs: parseRootfs(dir, isDirectory) });
  }

  /** Record cpu, memory and tasks every `interval` into result.samples (at least 10ms). */
  sample(interval: string | number): SandboxBuilder {
    return this.with({ sampleUs: parseSample(interval) });
  }

  hostname(name: string): SandboxBuilder {
    return this.with({ hostname: parseHostname(name) });
  }

  /** Environment variables for the command, on top of the caller's unless { inherit: false }. */
  env(vars: Record<string, string>, opts: { inherit?: boolean } = {}): SandboxBuilder {
    return this.with({ env: { ...this.spec.env, ...parseEnv(vars) }, inheritEnv: opts.inherit ?? this.spec.inheritEnv });
  }

  /** Working directory of the command (an absolute path, as seen inside the sandbox). */
  cwd(dir: string): SandboxBuilder {
    return this.with({ cwd: parseCwd(dir) });
  }

  /** End the run after this long: SIGTERM to every task, then SIGKILL after `grace` (default 2s). */
  timeout(after: string | number, opts: { grace?: string | number } = {}): SandboxBuilder {
    return this.with(parseTimeout(after, opts.grace, this.spec.graceUs));
  }

  /** Create the sandbox's cgroups under this path in each hierarchy instead of under the caller's own. */
  cgroupParent(path: string): SandboxBuilder {
    return this.with({ cgroupParent: parseCgroupParent(path) });
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
    try {
      checkCommand('.run', file, args);
    } catch (e) {
      return Promise.reject(e);
    }
    return runSandbox(this.spec, file, args, opts);
  }

  /**
   * Starts `file` in the sandbox and resolves once it is running, for a server
   * under test or anything driven from outside. Stop it with `.stop()`, or
   * `await using box = await b.start(…)` to stop it at the end of the scope.
   */
  async start(file: string, args: readonly string[] = [], opts: RunOptions = {}): Promise<StartedSandbox> {
    checkCommand('.start', file, args);
    return new StartedSandbox(await keepAlive(startSandbox(this.spec, file, args, opts)));
  }

  /**
   * The sandbox as an OCI runtime bundle's config.json (runtime-spec 1.0.2:
   * what runc, crun and youki run), with its limits as linux.resources and
   * its view as mounts; `unexpressed` lists what a bundle cannot hold, as the
   * config's `cgbox.dev/unexpressed` annotation does. writeOCIBundle() puts
   * it on disk.
   */
  toOCI(file: string, args: readonly string[] = []): OciExport {
    checkCommand('.toOCI', file, args);
    return toOCI(this.spec, file, args, realExportHost());
  }

  /**
   * The sandbox as a Kubernetes batch/v1 Job running `file` once in `image`,
   * its CPU and memory limits as the container's resources; `unexpressed`
   * lists what a Job cannot hold (pids, block IO, CPU lists…), as the Job's
   * `cgbox.dev/unexpressed` annotation does.
   */
  toKubernetesJob(file: string, args: readonly string[] = [], opts: KubernetesJobOptions): KubernetesExport {
    checkCommand('.toKubernetesJob', file, args);
    return toKubernetesJob(this.spec, file, args, opts, realExportHost());
  }

  /**
   * zx's `$` in the sandbox: b.$`cmd ${arg}` runs under bash with zx's quoting
   * and habits (throws on a non-zero exit unless .nothrow(), .quiet()), and
   * resolves to zx's ProcessOutput with `.report`, the RunResult.
   */
  $(pieces: TemplateStringsArray, ...args: unknown[]): SandboxProcess {
    return new SandboxProcess((file, argv, opts) => this.run(file, argv, opts), pieces, args);
  }
}

/**
 * `sandbox(defaults)`: every builder option by its method's name, applied
 * through that method with its checks, in this order (so `swap` may come
 * before `memory`). A method of one argument takes its value; `env` and
 * `timeout` also take the array of their arguments; `iops`, `bps` and
 * `volume` take an object keyed by their first argument; `writable`, `bind`,
 * `device`, `capAdd` and `capDrop` take a list of what each call takes.
 */
export interface SandboxDefaults {
  cpus?: string;
  cpuShares?: number;
  cpuQuota?: number;
  memory?: string | number;
  swap?: string | number;
  pids?: number;
  /** { '/dev/vda': 100 } or { '/dev/vda': { read: 100, write: 50 } } */
  iops?: Record<string, Rate<number>>;
  /** { '/dev/vda': '10m' } */
  bps?: Record<string, Rate<string | number>>;
  net?: 'none' | 'host' | NetworkOptions;
  /** { '/data': { size: '100m', driver: 'btrfs' } } */
  volume?: Record<string, VolumeOptions>;
  rootfs?: string;
  sample?: string | number;
  hostname?: string;
  /** { A: '1' }, or [{ A: '1' }, { inherit: false }] */
  env?: Record<string, string> | [Record<string, string>, { inherit?: boolean }?];
  cwd?: string;
  /** '10s', or ['10s', { grace: '500ms' }] */
  timeout?: string | number | [string | number, { grace?: string | number }?];
  cgroupParent?: string;
  /** A path, or a list of them, each as .writable(path). */
  writable?: string | readonly string[];
  /** Each as .bind(host, inside, { readonly }). */
  bind?: readonly { host: string; inside?: string; readonly?: boolean }[];
  /** Each as .device(path) or .device(path, { readonly }). */
  device?: readonly (string | { path: string; readonly?: boolean })[];
  /** As .capAdd(...caps). */
  capAdd?: readonly string[];
  capDrop?: readonly string[];
  privileged?: boolean;
}

type Appliers = { [K in keyof SandboxDefaults]-?: (b: SandboxBuilder, v: NonNullable<SandboxDefaults[K]>) => SandboxBuilder };

/** An option given as a list of calls. */
function listed<T>(key: string, v: readonly T[]): readonly T[] {
  if (!Array.isArray(v)) throw new InvalidSpecError(`sandbox({ ${key} })`, v, `expected a list, each item as .${key}() takes it`);
  return v;
}

/** Entries of an option keyed by the method's first argument. */
function keyed<T>(key: string, v: Record<string, T>): Array<[string, T]> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InvalidSpecError(`sandbox({ ${key} })`, v, `expected an object keyed by the first argument of .${key}()`);
  return Object.entries(v);
}

const APPLY: Appliers = {
  cpus: (b, v) => b.cpus(v),
  cpuShares: (b, v) => b.cpuShares(v),
  cpuQuota: (b, v) => b.cpuQuota(v),
  memory: (b, v) => b.memory(v),
  swap: (b, v) => b.swap(v),
  pids: (b, v) => b.pids(v),
  iops: (b, v) => keyed('iops', v).reduce((acc, [dev, n]) => acc.iops(dev, n), b),
  bps: (b, v) => keyed('bps', v).reduce((acc, [dev, r]) => acc.bps(dev, r), b),
  net: (b, v) => b.net(v),
  volume: (b, v) => keyed('volume', v).reduce((acc, [path, o]) => acc.volume(path, o), b),
  rootfs: (b, v) => b.rootfs(v),
  sample: (b, v) => b.sample(v),
  hostname: (b, v) => b.hostname(v),
  env: (b, v) => (Array.isArray(v) ? b.env(v[0], v[1]) : b.env(v)),
  cwd: (b, v) => b.cwd(v),
  timeout: (b, v) => (Array.isArray(v) ? b.timeout(v[0], v[1]) : b.timeout(v)),
  cgroupParent: (b, v) => b.cgroupParent(v),
  writable: (b, v) => (typeof v === 'string' ? [v] : [...v]).reduce((acc, path) => acc.writable(path), b),
  bind: (b, v) => listed('bind', v).reduce((acc, x) => acc.bind(x.host, x.inside, x.readonly !== undefined ? { readonly: x.readonly } : undefined), b),
  device: (b, v) => listed('device', v).reduce((acc, x) => (typeof x === 'string' ? acc.device(x) : acc.device(x.path, x.readonly !== undefined ? { readonly: x.readonly } : undefined)), b),
  capAdd: (b, v) => b.capAdd(...listed('capAdd', v)),
  capDrop: (b, v) => b.capDrop(...listed('capDrop', v)),
  privileged: (b, v) => b.privileged(v),
};

/** The keys `sandbox(defaults)` accepts, in the order they are applied. */
export const SANDBOX_OPTIONS = Object.keys(APPLY) as ReadonlyArray<keyof SandboxDefaults>;

/** A new sandbox builder, optionally with defaults: each applied through its method, with its checks; an unknown key is refused. */
export function sandbox(defaults: SandboxDefaults = {}): SandboxBuilder {
  if (typeof defaults !== 'object' || defaults === null || Array.isArray(defaults)) {
    throw new InvalidSpecError('sandbox', defaults, `expected an object of builder options: ${SANDBOX_OPTIONS.join(', ')}`);
  }
  const unknown = Object.keys(defaults).filter((k) => !(SANDBOX_OPTIONS as readonly string[]).includes(k));
  if (unknown.length) {
    throw new InvalidSpecError('sandbox', Object.fromEntries(unknown.map((k) => [k, (defaults as Record<string, unknown>)[k]])), `unknown option ${unknown.join(', ')}; the options are the builder's methods: ${SANDBOX_OPTIONS.join(', ')}`);
  }
  let b = new SandboxBuilder(emptySpec());
  for (const key of SANDBOX_OPTIONS) {
    const value = defaults[key];
    if (value !== undefined) b = (APPLY[key] as (b: SandboxBuilder, v: unknown) => SandboxBuilder)(b, value);
  }
  return b;
}
