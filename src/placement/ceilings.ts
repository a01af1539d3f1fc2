/**
 * The caller's effective ceilings: the tightest memory.max, memory.swap.max,
 * pids.max and cpu.max over its cgroup and every ancestor. A scope of its own
 * sits beside the caller's unit, not beneath it, so without a copy of these
 * the sandboxes would escape limits the caller lives under (a CI job's
 * MemoryMax, a user slice's TasksMax). Pure but for readCeilings().
 */
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { cgroupDir, pathsUp, type CallerContext } from '../host/caller-context.js';

/** One limit and the cgroup (as /proc/self/cgroup names it) that sets it. */
export interface Ceiling {
  readonly value: number;
  readonly from: string;
}

export interface Ceilings {
  /** memory.max, bytes. */
  readonly memory?: Ceiling;
  /** memory.swap.max, bytes. */
  readonly swap?: Ceiling;
  /** pids.max. */
  readonly tasks?: Ceiling;
  /** cpu.max as CPU time per second of wall time, in µs (500000 = half a CPU). */
  readonly cpuPerSecUs?: Ceiling;
}

/** The four files of one cgroup, null where missing (the root has none; a controller may be off). */
export interface LevelFiles {
  readonly path: string;
  readonly memoryMax: string | null;
  readonly swapMax: string | null;
  readonly pidsMax: string | null;
  readonly cpuMax: string | null;
}

/** "max" or a count; anything else is no ceiling. */
function limit(text: string | null): number | undefined {
  const t = text?.trim();
  return t !== undefined && /^\d+$/.test(t) ? Number(t) : undefined;
}

/** cpu.max "QUOTA PERIOD" → µs per second; "max …" is none. */
function cpuPerSecUs(text: string | null): number | undefined {
  const [quota, period] = (text ?? '').trim().split(/\s+/).map(limit);
  return quota !== undefined && period ? (quota * 1_000_000) / period : undefined;
}

function tighter(current: Ceiling | undefined, value: number | undefined, from: string): Ceiling | undefined {
  if (value === undefined) return current;
  return current === undefined || value < current.value ? { value, from } : current;
}

/** The tightest of each, nearest first: on a tie the caller's own cgroup is named. */
export function tightestCeilings(levels: readonly LevelFiles[]): Ceilings {
  let memory: Ceiling | undefined, swap: Ceiling | undefined, tasks: Ceiling | undefined, cpu: Ceiling | undefined;
  for (const l of levels) {
    memory = tighter(memory, limit(l.memoryMax), l.path);
    swap = tighter(swap, limit(l.swapMax), l.path);
    tasks = tighter(tasks, limit(l.pidsMax), l.path);
    cpu = tighter(cpu, cpuPerSecUs(l.cpuMax), l.path);
  }
  return { ...(memory && { memory }), ...(swap && { swap }), ...(tasks && { tasks }), ...(cpu && { cpuPerSecUs: cpu }) };
}

/**
 * CPUQuota= as systemd parses it: a percentage with at most two decimals
 * (permyriad), rounded up so that the copy is never tighter than the original.
 */
export function cpuQuotaPercent(perSecUs: number): string {
  const permyriad = Math.ceil(Math.round(perSecUs) / 100);
  return permyriad % 100 === 0 ? `${permyriad / 100}%` : `${(permyriad / 100).toFixed(2)}%`;
}

/** The ceilings as systemd unit properties (systemd-run -p NAME=VALUE). */
export function ceilingProperties(c: Ceilings): string[] {
  return [
    ...(c.memory ? [`MemoryMax=${c.memory.value}`] : []),
    ...(c.swap ? [`MemorySwapMax=${c.swap.value}`] : []),
    // systemd refuses TasksMax=0; pids.max 0 lets nothing fork anyway, and 1 is the holder alone.
    ...(c.tasks ? [`TasksMax=${Math.max(1, c.tasks.value)}`] : []),
    ...(c.cpuPerSecUs ? [`CPUQuota=${cpuQuotaPercent(c.cpuPerSecUs.value)}`] : []),
  ];
}

/** For describe: "MemoryMax=536870912 (from /system.slice/ci.service), …", or that there are none. */
export function describeCeilings(c: Ceilings): string {
  const props = ceilingProperties(c);
  const from = [c.memory, c.swap, c.tasks, c.cpuPerSecUs].filter((x): x is Ceiling => x !== undefined);
  if (props.length === 0) return 'no ceilings to copy (the caller and its ancestors set none)';
  return props.map((p, i) => `${p} (from ${from[i]!.from})`).join(', ');
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The caller's ceilings, read from its cgroup up to the top the mount shows. */
export function readCeilings(ctx: CallerContext): Ceilings {
  const mount = ctx.mount;
  if (mount === undefined) return {};
  const levels: LevelFiles[] = [];
  for (const path of pathsUp(ctx.cgroup, mount.root)) {
    const dir = cgroupDir(mount, path);
    if (dir === undefined) continue;
    const f = (name: string) => readOrNull(posix.join(dir, name));
    levels.push({ path, memoryMax: f('memory.max'), swapMax: f('memory.swap.max'), pidsMax: f('pids.max'), cpuMax: f('cpu.max') });
  }
  return tightestCeilings(levels);
}
