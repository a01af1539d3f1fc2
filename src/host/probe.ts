/**
 * The capability probe: what this host's kernel and cgroups can do. Read once
 * per process and cached; every later decision (plan, doctor) reads the result.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { parseCpuList } from '../spec/units.js';
import { cgroupLayout } from './cgroup-mounts.js';
import type { HostCaps } from './types.js';

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function swapTotalBytes(): number {
  // /proc/swaps: Filename Type Size(KiB) Used Priority
  return read('/proc/swaps')
    .split('\n')
    .slice(1)
    .map((l) => Number(l.trim().split(/\s+/)[2] ?? 0) * 1024)
    .reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
}

/** /sys/block lists whole disks; skip empty ones (unbound loop devices) and memory-backed ones. */
function disks(): Array<{ major: number; minor: number; name: string }> {
  let names: string[];
  try {
    names = readdirSync('/sys/block');
  } catch {
    return [];
  }
  return names
    .filter((n) => !/^(ram|zram)\d/.test(n) && Number(read(`/sys/block/${n}/size`).trim()) > 0)
    .map((name) => {
      const [major, minor] = read(`/sys/block/${name}/dev`).trim().split(':').map(Number);
      return { major: major!, minor: minor!, name };
    })
    .filter((d) => Number.isInteger(d.major) && Number.isInteger(d.minor));
}

export function probeHost(): HostCaps {
  const layout = cgroupLayout(read('/proc/self/mountinfo'), read('/proc/self/cgroup'));
  const hasV1 = Object.keys(layout.v1).length > 0;
  const v2 = layout.v2;
  if (v2) {
    const own = join(v2.mount, v2.callerPath);
    v2.controllers = read(join(own, 'cgroup.controllers')).trim().split(/\s+/).filter(Boolean);
  }
  const driver: 1 | 2 = hasV1 || !v2 ? 1 : 2;
  const v2Own = v2 ? join(v2.mount, v2.callerPath) : '';
  const v1mem = layout.v1.memory;
  const v1pids = layout.v1.pids;
  const swapAccounting =
    driver === 1
      ? !!v1mem && existsSync(join(v1mem.mount, v1mem.callerPath, 'memory.memsw.limit_in_bytes'))
      : // The root cgroup has no memory.swap.max; the kernel option shows in a child's files, so probe the caller's.
        existsSync(join(v2Own, 'memory.swap.current')) || (v2?.callerPath === '/' && !read('/proc/cmdline').includes('swapaccount=0'));
  return {
    cgroupMode: hasV1 ? (v2 ? 'hybrid' : 'v1') : 'v2',
    driver,
    v1: layout.v1,
    ...(v2 ? { v2 } : {}),
    swapAccounting,
    swapTotalBytes: swapTotalBytes(),
    // memory.peak: 5.19; cgroup.kill: 5.14 — both are v2-only files.
    memoryPeak: driver === 1 || existsSync(join(v2Own, 'memory.peak')) || kernelAtLeast(5, 19),
    // memory.swap.peak: 6.5 (Debian 12's 6.1 has memory.peak but not this).
    swapPeak: swapAccounting && (driver === 1 || existsSync(join(v2Own, 'memory.swap.peak')) || kernelAtLeast(6, 5)),
    cgroupKill: driver === 2 && (existsSync(join(v2Own, 'cgroup.kill')) || kernelAtLeast(5, 14)),
    // pids.peak: 6.1 on v2, 6.? on v1; the root cgroup never has it, so go by the kernel.
    pidsPeak: driver === 1 ? kernelAtLeast(6, 1) && !!v1pids : kernelAtLeast(6, 1),
    isRoot: process.getuid?.() === 0,
    onlineCpus: parseCpuList(read('/sys/devices/system/cpu/online').trim() || '0') ?? [0],
    onlineMems: parseCpuList(read('/sys/devices/system/node/online').trim() || '0') ?? [0],
    kernel: release(),
    disks: disks(),
  };
}

export function kernelAtLeast(major: number, minor: number, rel = release()): boolean {
  const m = /^(\d+)\.(\d+)/.exec(rel);
  if (!m) return false;
  const [maj, min] = [Number(m[1]), Number(m[2])];
  return maj > major || (maj === major && min >= minor);
}

let cached: HostCaps | undefined;

/** The probe, once per process. */
export function hostCaps(): HostCaps {
  cached ??= probeHost();
  return cached;
}
