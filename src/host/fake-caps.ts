/** Test helper: a v1 hybrid host like the one cgbox is developed on (swap accounting on, no swap). */
import type { HostCaps, V1Controller } from './types.js';

export const V1_NAMES: V1Controller[] = ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids', 'blkio', 'freezer'];

export function fakeV1Caps(over: Partial<HostCaps> = {}): HostCaps {
  const v1 = Object.fromEntries(V1_NAMES.map((c) => [c, { mount: `/sys/fs/cgroup/${c}`, callerPath: '/', controllers: [c] }]));
  return {
    cgroupMode: 'hybrid',
    driver: 1,
    v1,
    v2: { mount: '/sys/fs/cgroup/unified', callerPath: '/', controllers: [] },
    swapAccounting: true,
    swapTotalBytes: 0,
    memoryPeak: true,
    cgroupKill: false,
    pidsPeak: true,
    isRoot: true,
    onlineCpus: [0, 1],
    onlineMems: [0],
    kernel: '6.1.0-18-amd64',
    ...over,
  };
}
