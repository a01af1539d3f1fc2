/**
 * The builder's validators for limits and the usual options: each takes what
 * the user passed, returns it parsed into integers (bytes, microseconds, CPU
 * lists), or throws an InvalidSpecError naming the method, the value and what
 * would be accepted. Pure: what they need of the host (its online CPUs) is
 * passed in.
 */
import { InvalidSpecError } from './errors.js';
import type { SandboxSpec } from './types.js';
import { formatCpuList, parseBytes, parseCpuList, parseDurationUs } from './units.js';

export type Rate<T> = T | { read?: T; write?: T };

export const CFS_PERIOD_US = 100_000;
const MIN_QUOTA_US = 1_000; // the kernel's floor for cpu.cfs_quota_us
/** Node's timers fire at once past 2^31−1 ms (about 24.8 days). */
const MAX_TIMER_US = 2_147_483_647_000;

export function integerIn(method: string, n: unknown, what: string, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new InvalidSpecError(method, n, `expected ${what}: an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}`);
  }
  return n;
}

export function parseCpus(list: unknown, online: readonly number[]): number[] {
  const cpus = typeof list === 'string' ? parseCpuList(list) : null;
  if (!cpus || cpus.length === 0) throw new InvalidSpecError('.cpus', list, 'expected a cpuset list such as "0", "0-1" or "0-1,3"');
  const missing = cpus.filter((c) => !online.includes(c));
  if (missing.length) throw new InvalidSpecError('.cpus', list, `CPU ${formatCpuList(missing)} is not online on this host (online: ${formatCpuList(online)})`);
  return cpus;
}

export function parseCpuShares(n: unknown): number {
  return integerIn('.cpuShares', n, "a weight on Docker's scale (1024 = default)", 2, 262_144);
}

export function parseCpuQuota(cpus: unknown, onlineCount: number): NonNullable<SandboxSpec['cpuQuota']> {
  const quotaUs = typeof cpus === 'number' ? Math.round(cpus * CFS_PERIOD_US) : NaN;
  if (typeof cpus !== 'number' || !Number.isFinite(cpus) || !(quotaUs >= MIN_QUOTA_US) || cpus > onlineCount) {
    throw new InvalidSpecError('.cpuQuota', cpus, `expected a number of CPUs from 0.01 to ${onlineCount} (this host's online CPUs), e.g. 0.5`);
  }
  return { quotaUs, periodUs: CFS_PERIOD_US };
}

export function parseMemory(size: unknown): number {
  const bytes = typeof size === 'string' || typeof size === 'number' ? parseBytes(size) : null;
  if (bytes === null || bytes < 2 ** 20) throw new InvalidSpecError('.memory', size, 'expected a whole number of bytes of at least 1 MiB, or Docker units: "64m", "1g", "1536k"');
  return bytes;
}

export function parseSwap(size: unknown, memoryBytes: number | undefined): number {
  if (memoryBytes === undefined) throw new InvalidSpecError('.swap', size, 'swap is allowed on top of a memory limit: call .memory() first');
  const zero = size === 0 || (typeof size === 'string' && /^\s*0+\s*[kmgt]?i?b?\s*$/i.test(size));
  const bytes = zero ? 0 : typeof size === 'string' || typeof size === 'number' ? parseBytes(size) : null;
  if (bytes === null) throw new InvalidSpecError('.swap', size, 'expected 0, a whole number of bytes, or Docker units: "64m", "1g"');
  return bytes;
}

export function parsePidsLimit(n: unknown): number {
  return integerIn('.pids', n, 'a number of tasks');
}

/** One value for both directions, or { read, write }: each parsed, null meaning "not of the form". */
export function parseRate<T>(method: string, value: Rate<T>, parse: (v: T) => number | null, what: string): { read?: number; write?: number } {
  const one = (v: T): number => {
    const n = parse(v);
    if (n === null) throw new InvalidSpecError(method, value, what);
    return n;
  };
  if (typeof value === 'object' && value !== null) {
    const { read, write, ...rest } = value as { read?: T; write?: T };
    if (Object.keys(rest).length) throw new InvalidSpecError(method, value, `unknown key ${Object.keys(rest).join(', ')}: give read, write or both: ${what}`);
    if (read === undefined && write === undefined) throw new InvalidSpecError(method, value, `give read, write or both: ${what}`);
    return { ...(read !== undefined ? { read: one(read) } : {}), ...(write !== undefined ? { write: one(write) } : {}) };
  }
  const n = one(value);
  return { read: n, write: n };
}

export const parseIops = (n: Rate<number>) =>
  parseRate('.iops', n, (v) => (Number.isInteger(v) && v > 0 ? v : null), 'expected a whole number of operations per second, at least 1');

export const parseBps = (r: Rate<string | number>) =>
  parseRate('.bps', r, (v) => (typeof v === 'string' || typeof v === 'number' ? parseBytes(v) : null), 'expected bytes per second: a whole number, or Docker units such as "10m" (10 MiB/s)');

export function parseSample(interval: unknown): number {
  const us = typeof interval === 'string' || typeof interval === 'number' ? parseDurationUs(interval) : null;
  if (us === null || us < 10_000 || us > MAX_TIMER_US) throw new InvalidSpecError('.sample', interval, 'expected an interval of at least 10ms, e.g. "100ms" or "1s"');
  return us;
}

export function parseHostname(name: unknown): string {
  if (typeof name !== 'string' || !/^[A-Za-z0-9]([A-Za-z0-9.-]{0,62})$/.test(name)) {
    throw new InvalidSpecError('.hostname', name, 'expected 1 to 63 letters, digits, dots and hyphens, starting with a letter or digit');
  }
  return name;
}

export function parseEnv(vars: unknown): Record<string, string> {
  if (typeof vars !== 'object' || vars === null || Array.isArray(vars)) throw new InvalidSpecError('.env', vars, 'expected an object of string values');
  for (const [k, v] of Object.entries(vars)) {
    if (typeof v !== 'string' || k === '' || k.includes('=') || k.includes('\0') || v.includes('\0')) {
      throw new InvalidSpecError('.env', vars, `variable ${JSON.stringify(k)}: names are non-empty without "=", values are strings without NUL`);
    }
  }
  return vars as Record<string, string>;
}

export function parseCwd(dir: unknown): string {
  if (typeof dir !== 'string' || !dir.startsWith('/') || dir.includes('\0')) throw new InvalidSpecError('.cwd', dir, 'expected an absolute path');
  return dir;
}

export function parseTimeout(after: unknown, grace: unknown, currentGraceUs: number): { timeoutUs: number; graceUs: number } {
  const timeoutUs = typeof after === 'string' || typeof after === 'number' ? parseDurationUs(after) : null;
  if (timeoutUs === null || timeoutUs > MAX_TIMER_US) {
    throw new InvalidSpecError('.timeout', after, 'expected a duration up to 24 days: "10s", "250ms", "2m", or a number of milliseconds greater than 0');
  }
  const graceUs =
    grace === undefined ? currentGraceUs : grace === 0 || grace === '0' ? 0 : typeof grace === 'string' || typeof grace === 'number' ? parseDurationUs(grace) : null;
  if (graceUs === null || graceUs > MAX_TIMER_US) {
    throw new InvalidSpecError('.timeout', grace, 'grace: expected a duration up to 24 days such as "2s" or "500ms", or 0 for SIGKILL at once');
  }
  return { timeoutUs, graceUs };
}

export function parseCgroupParent(path: unknown): string {
  if (typeof path !== 'string' || !path.startsWith('/') || path.split('/').includes('..')) {
    throw new InvalidSpecError('.cgroupParent', path, 'expected an absolute cgroup path such as "/ci/tests", without ".."');
  }
  return path;
}

/** The command of run() and start(): a program and string arguments, no NUL bytes anywhere. */
export function checkCommand(method: string, file: unknown, args: unknown): void {
  if (typeof file !== 'string' || file === '') throw new InvalidSpecError(method, file, 'expected the command to run');
  if (!Array.isArray(args) || args.some((a) => typeof a !== 'string' || a.includes('\0')) || file.includes('\0')) {
    throw new InvalidSpecError(method, [file, ...(Array.isArray(args) ? args : [])], 'expected a command and an array of string arguments, without NUL bytes');
  }
}
