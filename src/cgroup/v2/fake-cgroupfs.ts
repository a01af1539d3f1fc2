/**
 * Test helper (used only by the *.test.ts beside it): a fake cgroup v2 tree in
 * a temp dir, with interface files filled in as a 6.x kernel shows them, and
 * HostCaps for a host with everything.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { HostCaps } from '../../host/types.js';

export interface FakeTree {
  root: string;
  remove(): Promise<void>;
}

/** Files by path relative to the tree's root, e.g. { 'box/cpu.stat': '…' }. */
export async function fakeCgroupfs(files: Record<string, string> = {}): Promise<FakeTree> {
  const root = await mkdtemp(join(tmpdir(), 'cgbox-v2-test-'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}

export function fakeCaps(overrides: Partial<HostCaps> = {}): HostCaps {
  return {
    cgroupMode: 'v2',
    driver: 2,
    v1: {},
    v2: {
      mount: '/sys/fs/cgroup',
      callerPath: '/user.slice/user-1000.slice/cgbox.scope',
      controllers: ['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids', 'rdma', 'misc'],
    },
    swapAccounting: true,
    swapTotalBytes: 2 ** 30,
    memoryPeak: true,
    cgroupKill: true,
    pidsPeak: true,
    isRoot: true,
    onlineCpus: [0, 1, 2, 3],
    onlineMems: [0],
    kernel: '6.8.0',
    ...overrides,
  };
}

/** Realistic interface files of a sandbox that ran a while, as Linux 6.x writes them. */
export const SAMPLE = {
  'cpu.stat': [
    'usage_usec 1523040', 'user_usec 1210000', 'system_usec 320000', 'core_sched.force_idle_usec 0',
    'nr_periods 31', 'nr_throttled 12', 'throttled_usec 402118', 'nr_bursts 0', 'burst_usec 0', '',
  ].join('\n'),
  'memory.peak': '62914560\n',
  'memory.current': '9437184\n',
  'memory.swap.peak': '4194304\n',
  'memory.swap.current': '0\n',
  'memory.events': 'low 0\nhigh 0\nmax 37\noom 1\noom_kill 1\noom_group_kill 0\n',
  'memory.stat': [
    'anon 52428800', 'file 8388608', 'kernel 1048576', 'kernel_stack 65536', 'pagetables 266240',
    'sock 0', 'shmem 0', 'zswap 0', 'file_mapped 2097152', 'file_dirty 0', 'file_writeback 0',
    'swapcached 0', 'anon_thp 0', 'inactive_anon 52396032', 'active_anon 32768', 'inactive_file 8388608',
    'active_file 0', 'unevictable 0', 'slab 655360', 'pgfault 14250', 'pgmajfault 3', '',
  ].join('\n'),
  'pids.peak': '65\n',
  'pids.current': '1\n',
  'io.stat': [
    '8:0 rbytes=1048576 wbytes=4194304 rios=16 wios=64 dbytes=0 dios=0',
    '253:0 rbytes=0 wbytes=2097152 rios=0 wios=32 dbytes=4096 dios=1',
    '',
  ].join('\n'),
  'cgroup.procs': '',
  'cgroup.events': 'populated 1\nfrozen 0\n',
} as const;
