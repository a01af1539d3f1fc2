/**
 * cpu on cgroup v2 (Linux 4.15): cpu.weight from Docker's shares, cpu.max from
 * the quota, and cpu.stat read back into the report.
 */
import type { SandboxSpec } from '../../spec/types.js';
import type { CpuUsage } from '../../report/types.js';
import type { Translation, V2ControllerDef } from './controller.js';
import { readFlatKeyed, splitExact } from '../files.js';
import { readPressure } from './pressure.js';

const SHARES_MIN = 2; // kernel MIN_SHARES
const SHARES_MAX = 262_144; // kernel MAX_SHARES, 1 << 18
const WEIGHT_MIN = 1;
const WEIGHT_MAX = 10_000;

/**
 * Docker's cpu shares (2..262144, default 1024) → cpu.weight (1..10000, default 100).
 * Reimplements opencontainers/cgroups' ConvertCPUSharesToCgroupV2Value (utils.go,
 * since v0.0.5; shipped by runc 1.3.2 and 1.4, runc PR #4785, also crun 1.23): with
 * l = log2(shares), weight = ceil(10^((l² + 125·l) / 612 − 7/34)). The exponent is a
 * quadratic in l through (1, 0), (10, 2) and (18, 4), so 2 → 1, 1024 → 100 and
 * 262144 → 10000 exactly: the defaults match, which the old linear formula
 * (1024 → 39) did not. Out-of-range shares clamp to the ends.
 */
export function cpuSharesToWeight(shares: number): number {
  if (shares <= SHARES_MIN) return WEIGHT_MIN;
  if (shares >= SHARES_MAX) return WEIGHT_MAX;
  const l = Math.log2(shares);
  const exponent = (l * l + 125 * l) / 612 - 7 / 34;
  return Math.ceil(10 ** exponent);
}

export function cpuValues(spec: SandboxSpec): Translation {
  const out: Translation = { writes: [], limits: {} };
  if (spec.cpuShares !== undefined) {
    const weight = cpuSharesToWeight(spec.cpuShares);
    out.writes.push({ file: 'cpu.weight', value: `${weight}` });
    out.limits.cpuShares = {
      value: weight,
      enforced: true,
      reason: `cpu.weight ${weight} from ${spec.cpuShares} shares (runc ≥ 1.3.2 conversion)`,
    };
  }
  if (spec.cpuQuota !== undefined) {
    // The kernel takes quota ≥ 1000 µs and 1000 ≤ period ≤ 1 s; the builder keeps to that.
    const { quotaUs, periodUs } = spec.cpuQuota;
    const value = `${quotaUs} ${periodUs}`;
    out.writes.push({ file: 'cpu.max', value });
    out.limits.cpuQuota = { value: quotaUs / periodUs, enforced: true };
  }
  return out;
}

/**
 * cpu.stat: usage_usec is the exact total; user_usec/system_usec are tick-sampled
 * (1–15 % off), so they are used only to split the total. nr_throttled and
 * throttled_usec exist only while the cpu controller is enabled: 0 otherwise.
 */
export async function readCpuUsage(dir: string): Promise<CpuUsage> {
  const stat = await readFlatKeyed(`${dir}/cpu.stat`);
  const usageUs = stat.usage_usec ?? 0;
  return {
    usageUs,
    // With no ticks sampled at all (a very short run) the split is unknown: it counts as user time.
    ...splitExact(usageUs, stat.user_usec ?? 0, stat.system_usec ?? 0),
    throttledPeriods: stat.nr_throttled ?? 0,
    throttledUs: stat.throttled_usec ?? 0,
  };
}

export const cpu: V2ControllerDef<'cpu'> = {
  name: 'cpu',
  enable: 'always',
  needed: (spec) => spec.cpuShares !== undefined || spec.cpuQuota !== undefined,
  values: (spec) => cpuValues(spec),
  usage: async (dir) => ({ cpu: await readCpuUsage(dir), pressure: { cpu: await readPressure(dir, 'cpu') } }),
  current: async (dir) => ({ cpuUs: (await readFlatKeyed(`${dir}/cpu.stat`))['usage_usec'] ?? 0 }),
  doctor: { neededBy: null, config: 'CONFIG_CGROUP_SCHED, CONFIG_FAIR_GROUP_SCHED, CONFIG_CFS_BANDWIDTH' },
};
