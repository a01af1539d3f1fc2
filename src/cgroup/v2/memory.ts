/**
 * memory on cgroup v2 (Linux 4.5): memory.max and memory.swap.max, and the
 * report from memory.peak (5.19), memory.swap.peak (6.5), memory.events and
 * memory.stat. v2 has no v1 ordering rule: swap.max is swap alone, not memory + swap.
 */
import { UnsupportedError } from '../../spec/errors.js';
import type { SandboxSpec } from '../../spec/types.js';
import type { HostCaps } from '../../host/types.js';
import type { MemoryUsage } from '../../report/types.js';
import type { Translation, V2ControllerDef } from './controller.js';
import { readFlatKeyed, readNumber } from '../files.js';
import { readPressure } from './pressure.js';

const SWAP_FIX =
  'swap limits need swap accounting: a kernel built with CONFIG_MEMCG_SWAP (CONFIG_MEMCG and CONFIG_SWAP since 6.1), ' +
  'booted with swapaccount=1 and without cgroup.memory=noswap';

const PEAK_FALLBACK =
  'memory.peak needs Linux 5.19: usage.memory.peakBytes is memory.current when the run was collected, a lower bound';

const SWAP_PEAK_FALLBACK =
  'memory.swap.peak needs Linux 6.5: usage.memory.swapPeakBytes is memory.swap.current when the run was collected, ' +
  'a lower bound (usually 0: swap is freed when the tasks exit)';

export function memoryValues(spec: SandboxSpec, caps: HostCaps): Translation {
  const out: Translation = { writes: [], limits: {} };
  const swap = spec.swapBytes ?? 0;
  if (swap > 0 && !caps.swapAccounting) throw new UnsupportedError(`swap(${swap})`, SWAP_FIX);

  if (spec.memoryBytes !== undefined) {
    out.writes.push({ file: 'memory.max', value: `${spec.memoryBytes}` });
    out.limits.memory = { value: spec.memoryBytes, enforced: true };
    if (!caps.memoryPeak) out.limits.memory.reason = PEAK_FALLBACK;
  }
  // A memory limit means no swap unless swap is asked for (DESIGN: swap default 0 = none).
  if (swap > 0 || spec.memoryBytes !== undefined) {
    if (caps.swapAccounting) {
      out.writes.push({ file: 'memory.swap.max', value: `${swap}` });
      out.limits.swap = { value: swap, enforced: true };
      if (swap > 0 && caps.swapPeak === false) out.limits.swap.reason = SWAP_PEAK_FALLBACK;
    } else if (caps.swapTotalBytes === 0) {
      out.limits.swap = { value: 0, enforced: true, reason: 'the host has no active swap' };
    } else {
      out.limits.swap = {
        value: 0,
        enforced: false,
        reason: `the sandbox may swap past its memory limit: ${SWAP_FIX}`,
      };
    }
  }
  return out;
}

/**
 * Before 5.19 there is no memory.peak and v2 keeps no high-water mark at all:
 * we fall back to memory.current, which read after the command ended is only
 * what is still charged (page cache, tmpfs) — a lower bound of the peak, as the
 * memory limit's reason says (memoryValues). Sampling memory.current during the
 * run narrows the gap. Likewise memory.swap.peak (6.5) falls back to
 * memory.swap.current, and both are 0 without swap accounting.
 */
export async function readMemoryUsage(dir: string): Promise<MemoryUsage> {
  const [peak, current, swapPeak, swapCurrent, events, stat] = await Promise.all([
    readNumber(`${dir}/memory.peak`),
    readNumber(`${dir}/memory.current`),
    readNumber(`${dir}/memory.swap.peak`),
    readNumber(`${dir}/memory.swap.current`),
    readFlatKeyed(`${dir}/memory.events`),
    readFlatKeyed(`${dir}/memory.stat`),
  ]);
  const usage: MemoryUsage = {
    peakBytes: peak ?? current ?? 0,
    swapPeakBytes: swapPeak ?? swapCurrent ?? 0,
    // oom_kill (4.13): tasks the OOM killer killed in this cgroup and below.
    oomKills: events.oom_kill ?? 0,
  };
  if (stat.file !== undefined) usage.cacheBytes = stat.file;
  if (stat.anon !== undefined) usage.rssBytes = stat.anon;
  if (events.max !== undefined) usage.events = { high: events.high ?? 0, max: events.max, oom: events.oom ?? 0, oomKill: events.oom_kill ?? 0 };
  return usage;
}

export const memory: V2ControllerDef<'memory'> = {
  name: 'memory',
  enable: 'always',
  needed: (spec) => spec.memoryBytes !== undefined || (spec.swapBytes ?? 0) > 0,
  values: memoryValues,
  usage: async (dir) => ({ memory: await readMemoryUsage(dir), pressure: { memory: await readPressure(dir, 'memory') } }),
  current: async (dir) => ({ memoryBytes: (await readNumber(`${dir}/memory.current`)) ?? 0 }),
  doctor: { neededBy: null, config: 'CONFIG_MEMCG' },
};
