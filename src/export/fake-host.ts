/** A machine for the export tests: the view planner's Debian-like tree, a caller in /home/me/proj, fixed limits. */
import { DEBIAN, fakeHost } from '../view/fake-host.js';
import type { SandboxSpec } from '../spec/types.js';
import type { ExportHost } from './host.js';

export const MiB = 2 ** 20;
export const DISK = { major: 254, minor: 0, given: '/dev/vda', name: 'vda' };

/** Every limit a bundle can hold: CPUs, shares, a quota, memory and swap, pids, block IO on one disk. */
export const EVERY_LIMIT: Partial<SandboxSpec> = {
  cpus: [0, 1, 3],
  cpuShares: 512,
  cpuQuota: { quotaUs: 50_000, periodUs: 100_000 },
  memoryBytes: 32 * MiB,
  swapBytes: 16 * MiB,
  pids: 32,
  iops: [{ device: DISK, read: 100, write: 50 }],
  bps: [{ device: DISK, write: 10 * MiB }],
};

export function fakeExportHost(o: Partial<ExportHost> = {}): ExportHost {
  return {
    fs: fakeHost({ ...DEBIAN, '/dev/kvm': 'file', '/srv': 'dir', '/srv/data': 'dir', '/etc/hostname': 'file' }),
    cwd: '/home/me/proj',
    path: '/usr/local/bin:/usr/bin:/bin',
    envCount: 12,
    pidMax: 4_194_304,
    rlimits: [
      { type: 'RLIMIT_NOFILE', soft: 1_048_576, hard: 1_048_576 },
      { type: 'RLIMIT_STACK', soft: 8_388_608, hard: Infinity },
    ],
    device: () => ({ type: 'c', major: 10, minor: 232, fileMode: 0o660, uid: 0, gid: 108 }),
    ...o,
  };
}
