/**
 * What this machine could give a test while it measured. Its CPUs and disks
 * are shared with other test runs and emulated VMs, so a measured rate can
 * fall below what a mechanism would deliver on an idle machine, and a
 * measurement that the machine itself slowed down proves nothing about the
 * mechanism. The rule of these tests:
 *
 *   a ceiling is asserted strictly, always — and measured so that a busy
 *     machine can only make it look further from exceeded;
 *   a floor is asserted tightly when the machine had room for it at that
 *     moment (roomFor says so on the console), and otherwise relaxed to what
 *     the machine could give — loudly, with the numbers, never silently.
 */
import { readFileSync } from 'node:fs';
import type { RunResult, SandboxBuilder, StartedSandbox } from '../src/index.js';
import { vmTier } from './requires.js';

/** /proc/stat counts in USER_HZ, which the kernel fixes at 100 for user space. */
const MS_PER_TICK = 10;

/** The machine's CPU time so far, summed over its CPUs, from the first line of /proc/stat. */
export interface CpuTimes {
  /** Idle and iowait: time a runnable task could have had. */
  idleMs: number;
  /** Every state, steal included: CPUs × wall time. */
  totalMs: number;
  cpus: number;
}

/** Reads /proc/stat's text (this host's, or one a sandbox printed: /proc/stat is not namespaced). */
export function parseCpuTimes(procStat: string): CpuTimes {
  const line = /^cpu\s+([\d\s]+)$/m.exec(procStat);
  if (!line) throw new Error(`no "cpu" line in /proc/stat text: ${procStat.slice(0, 200)}`);
  // user nice system idle iowait irq softirq steal (guest and guest_nice are already inside user and nice)
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line[1]!.trim().split(/\s+/).map(Number) as number[];
  const cpus = procStat.split('\n').filter((l) => /^cpu\d+ /.test(l)).length;
  const ticks = user! + nice! + system! + idle! + iowait! + irq! + softirq! + (steal ?? 0);
  return { idleMs: (idle! + iowait!) * MS_PER_TICK, totalMs: ticks * MS_PER_TICK, cpus: Math.max(cpus, 1) };
}

export function readCpuTimes(): CpuTimes {
  return parseCpuTimes(readFileSync('/proc/stat', 'utf8'));
}

/** Between two readings: the wall time they span and the CPU time the machine left idle in it. */
export interface CpuWindow {
  wallMs: number;
  /** Summed over CPUs: 2 CPUs idle for 1 s is 2000 ms. */
  idleCpuMs: number;
}

export function cpuBetween(a: CpuTimes, b: CpuTimes): CpuWindow {
  return { wallMs: (b.totalMs - a.totalMs) / b.cpus, idleCpuMs: b.idleMs - a.idleMs };
}

/** Starts a window now; the returned function ends it. */
export function cpuWindow(): () => CpuWindow {
  const start = readCpuTimes();
  return () => cpuBetween(start, readCpuTimes());
}

/** CPUs' worth of idle time over the window: 1.5 means one and a half CPUs sat idle on average. */
export function idleCpus(w: CpuWindow): number {
  return w.wallMs > 0 ? w.idleCpuMs / w.wallMs : 0;
}

/** One look at the machine: its CPU times and, when watched, a sandbox's CPU time so far. */
export interface CpuSample {
  times: CpuTimes;
  /** The watched sandbox's CPU time so far (exact, from its cgroup), when it could be read. */
  usageUs?: number;
}

/**
 * Looks at /proc/stat (and the sandbox's usage) every `everyMs` until
 * stopped. An interval is as long as the kernel's tick counters say, not as
 * long as this process meant to wait: a late timer only makes it longer.
 */
export function watchCpu(usageUs?: () => Promise<number>, everyMs = 250): { stop(): Promise<CpuSample[]> } {
  const samples: CpuSample[] = [];
  let busy: Promise<void> = Promise.resolve();
  const take = () => {
    busy = busy.then(async () => {
      const u = usageUs ? await usageUs().catch(() => undefined) : undefined;
      samples.push({ times: readCpuTimes(), ...(u !== undefined ? { usageUs: u } : {}) });
    });
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      take();
      await busy;
      return samples;
    },
  };
}

/**
 * Watches the machine, and the sandbox's CPU time, while `box`'s command
 * runs: samples taken once its tasks are gone (teardown) are dropped, so the
 * span is the command's own.
 */
export function watchBox(box: StartedSandbox): { stop(): Promise<CpuSample[]> } {
  const w = watchCpu(async () => {
    const c = (await box.stats()).current;
    if (c.tasks === 0) throw new Error('ended');
    return c.cpuUs;
  });
  return { stop: async () => (await w.stop()).filter((s) => s.usageUs !== undefined) };
}

/** Runs `file args` in a started sandbox of `b`, watching the machine while the command runs. */
export async function runWatched(b: SandboxBuilder, file: string, args: string[]): Promise<{ result: RunResult; machine: CpuSample[] }> {
  const box = await b.start(file, args);
  const w = watchBox(box);
  const machine: CpuSample[] = [];
  try {
    return { result: await box.result, machine };
  } finally {
    machine.push(...(await w.stop()));
  }
}

/** The intervals between samples, each at least `minMs` of wall time (shorter ones are merged into the next). */
function intervals(samples: CpuSample[], minMs: number): Array<[CpuSample, CpuSample]> {
  const out: Array<[CpuSample, CpuSample]> = [];
  let from = samples[0];
  for (const s of samples.slice(1)) {
    if (from && cpuBetween(from.times, s.times).wallMs >= minMs) {
      out.push([from, s]);
      from = s;
    }
  }
  return out;
}

/**
 * The least idle CPU the machine had in any interval of at least `minMs`
 * (CPUs' worth): a machine that was saturated for a moment shows 0 here even
 * when it was idle on average.
 */
export function leastIdleCpus(samples: CpuSample[], minMs = 200): number {
  const all = intervals(samples, minMs).map(([a, b]) => idleCpus(cpuBetween(a.times, b.times)));
  return all.length ? Math.min(...all) : 0;
}

/**
 * What a sandbox allowed `capCpus` could have had, moment by moment: in each
 * interval the smaller of its cap and what it used plus what the machine
 * left idle (nobody wanted that time, so it could have been the sandbox's).
 * Per interval, so that idle time in one moment is never counted against a
 * shortfall in another. Returns CPUs' worth over the watched span, and what
 * the sandbox got over the same span. Only intervals where the sandbox's
 * usage was read at both ends count.
 */
export function couldHave(samples: CpuSample[], capCpus: number, minMs = 200): { could: number; got: number; wallMs: number } {
  let could = 0;
  let got = 0;
  let wallMs = 0;
  const read = samples.filter((s) => s.usageUs !== undefined);
  for (const [a, b] of intervals(read, minMs)) {
    const w = cpuBetween(a.times, b.times);
    const usedMs = (b.usageUs! - a.usageUs!) / 1000;
    could += Math.min(capCpus * w.wallMs, usedMs + w.idleCpuMs);
    got += usedMs;
    wallMs += w.wallMs;
  }
  return { could: wallMs ? could / wallMs : 0, got: wallMs ? got / wallMs : 0, wallMs };
}

/** One thing the tight floor needs of the machine: it `could` give this much (in `unit`), and it `needs` that much. */
export interface Need {
  could: number;
  needs: number;
  unit: string;
}

/** Idle CPU at every moment of the watched span, as a Need: the usual condition of a tight floor. */
export function idleNeed(samples: CpuSample[], needs = 0.5): Need {
  return { could: leastIdleCpus(samples), needs, unit: 'idle CPUs in the busiest quarter second' };
}

/**
 * Whether the machine had room for the tight floor of `what` at the moment
 * it measured: every need met. Says which floor is asserted and why, every
 * time — a relaxed floor is never silent.
 */
export function roomFor(what: string, needs: Need[], floors: { tight: string; relaxed: string }): boolean {
  const said = (n: Need) => `${round(n.could)} ${n.unit} (needs ${round(n.needs)})`;
  const short = needs.filter((n) => !(n.could >= n.needs));
  if (short.length === 0) {
    console.log(`[load] ${what}: TIGHT floor asserted (${floors.tight}): the machine could give ${needs.map(said).join(', ')}`);
    return true;
  }
  console.log(
    `[load] ⚠⚠ ${what}: floor RELAXED to ${floors.relaxed} (tight: ${floors.tight}), because at that moment the machine could give only ` +
      `${short.map(said).join(', ')}. Ceilings, where the test has one, are asserted as always.`,
  );
  return false;
}

const round = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2));

/**
 * The most of a CPU a spinner under cpuQuota(quota) may show — its ceiling, asserted always: the quota
 * and a tenth. Under the VM tier's emulation the guest's timer ticks come late, so the scheduler
 * notices a spent quota late (measured up to 0.65 of a 0.5 quota there): half again, there.
 */
export function quotaCeiling(quota: number): number {
  return quota * (vmTier() ? 1.5 : 1.1);
}
