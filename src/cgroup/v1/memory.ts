import type { Limits } from '../../report/types.js';
import { UnsupportedError } from '../../spec/errors.js';
import type { MemoryUsage } from '../../report/types.js';
import { parseFlatKeyed, readNumber, readOptional } from '../files.js';
import type { V1ControllerDef } from './controller.js';

const SWAP_FIX = 'boot the kernel with swapaccount=1 (cgroup v1 needs it for memory.memsw.*), or run on cgroup v2';

export const memory: V1ControllerDef<'memory'> = {
  name: 'memory',
  needed: () => true,
  writes: (spec, caps) => {
    if (spec.memoryBytes === undefined) return [];
    if ((spec.swapBytes ?? 0) > 0 && !caps.swapAccounting) throw new UnsupportedError('.swap()', SWAP_FIX);
    const writes = [{ file: 'memory.limit_in_bytes', value: String(spec.memoryBytes) }];
    // A fresh cgroup's memsw is unlimited, so memory goes first; memsw < memory is EINVAL.
    // memsw = memory + swap: with no .swap() that is "no swap at all", as DESIGN's default.
    if (caps.swapAccounting) writes.push({ file: 'memory.memsw.limit_in_bytes', value: String(spec.memoryBytes + (spec.swapBytes ?? 0)) });
    return writes;
  },
  limits: (spec, caps): Limits => {
    if (spec.memoryBytes === undefined) return {};
    const swapLeak = !caps.swapAccounting && caps.swapTotalBytes > 0;
    return {
      memory: {
        value: spec.memoryBytes,
        enforced: true,
        reason: swapLeak
          ? 'without swap accounting (swapaccount=1) the sandbox may also use swap beyond this limit'
          : 'counts page cache and tmpfs pages as well as the process memory',
      },
      swap: caps.swapAccounting
        ? {
            value: spec.swapBytes ?? 0,
            enforced: true,
            ...(caps.swapTotalBytes === 0 && (spec.swapBytes ?? 0) > 0 ? { reason: 'the host has no active swap, so none can be used' } : {}),
          }
        : swapLeak
          ? { value: 0, enforced: false, reason: `swap use is not limited: ${SWAP_FIX}` }
          : { value: 0, enforced: true, reason: 'the host has no active swap' },
    };
  },
  usage: async (dir) => ({ memory: await readMemoryUsage(dir) }),
  current: async (dir) => ({ memoryBytes: (await readNumber(`${dir}/memory.usage_in_bytes`)) ?? 0 }),
  doctor: { neededBy: null, config: 'CONFIG_MEMCG' },
};

export async function readMemoryUsage(dir: string): Promise<MemoryUsage> {
  const [peak, swPeak, oom, stat] = await Promise.all([
    readNumber(`${dir}/memory.max_usage_in_bytes`),
    readNumber(`${dir}/memory.memsw.max_usage_in_bytes`),
    readOptional(`${dir}/memory.oom_control`),
    readOptional(`${dir}/memory.stat`),
  ]);
  const s = parseFlatKeyed(stat ?? '');
  const peakBytes = peak ?? 0;
  return {
    peakBytes,
    // v1 keeps no swap peak: memsw peak − memory peak is a lower bound of it.
    swapPeakBytes: swPeak === null ? 0 : Math.max(0, swPeak - peakBytes),
    // oom_kill rises by exactly one per kill; failcnt does not when memsw == limit.
    oomKills: parseFlatKeyed(oom ?? '')['oom_kill'] ?? 0,
    cacheBytes: s['total_cache'] ?? 0,
    rssBytes: s['total_rss'] ?? 0,
  };
}
