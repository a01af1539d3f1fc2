/**
 * One spare sandbox kept ready per process: fresh cgroups under the caller's
 * own, with a standby init already in them (src/launch/standby.ts). A run
 * takes it, writes its own limits into those cgroups and sends its command;
 * the next spare is made in the background once that run is over. Each spare
 * serves one run only, so counters never carry over. A process that runs a
 * single sandbox (the CLI) never makes one: spares start with the second run.
 * CGBOX_STANDBY=0 turns them off; releaseStandby() removes the spare now.
 */
import { createCgroups, drainCgroups, removeCgroupDir } from '../cgroup/apply.js';
import type { CgroupDriver, CgroupPlan } from '../cgroup/types.js';
import type { HostCaps } from '../host/types.js';
import { spawnStandby, type Standby } from '../launch/standby.js';
import { emptySpec, type SandboxSpec } from '../spec/types.js';
import { newRunName } from '../host/owners.js';

export interface Spare {
  name: string;
  /** Every hierarchy a run could need, so any spec fits. */
  plan: CgroupPlan;
  standby: Standby;
}

let ready: Spare | undefined;
let making: Promise<void> | undefined;
let runs = 0;

export function standbyEnabled(spec: SandboxSpec): boolean {
  return process.env['CGBOX_STANDBY'] !== '0' && spec.cgroupParent === undefined;
}

/** Whether a run of this process asked for CPUs (cpuset) or CPU shares or a quota (cpu) yet. */
const asked = { cpuset: false, cpu: false };

/** Counts what a run asks for: the next spares hold those hierarchies too. */
export function noteRun(spec: SandboxSpec): void {
  if (spec.cpus !== undefined) asked.cpuset = true;
  if (spec.cpuShares !== undefined || spec.cpuQuota !== undefined) asked.cpu = true;
}

/**
 * The widest spec the spares serve: with cpus and shares set, the plan also holds the cpuset and
 * cpu hierarchies (at their defaults) — where they exist, and once a run of this process asked for
 * them (each costs a spare its directory, and cpuset its writes, for runs that may never use it).
 * A run needing one the spare lacks starts cold instead (see fits()), and the spares after it hold it.
 */
export function widest(caps: HostCaps): SandboxSpec {
  const has = (c: 'cpuset' | 'cpu') => asked[c] && (caps.driver === 1 ? caps.v1[c] !== undefined : (caps.v2?.controllers ?? []).includes(c));
  return { ...emptySpec(), ...(has('cpuset') ? { cpus: caps.onlineCpus } : {}), ...(has('cpu') ? { cpuShares: 1024 } : {}) };
}

/** Whether a run's cgroups are all among the spare's. */
export function fits(spare: Spare, plan: CgroupPlan): boolean {
  const dirs = new Set(spare.plan.dirs.map((d) => d.path));
  return plan.dirs.every((d) => dirs.has(d.path));
}

async function remove(driver: CgroupDriver, plan: CgroupPlan): Promise<void> {
  await drainCgroups(driver, plan).catch(() => {});
  for (const d of [...plan.dirs].reverse()) await removeCgroupDir(d.path).catch(() => {});
}

async function make(caps: HostCaps, driver: CgroupDriver): Promise<void> {
  const name = newRunName();
  const made: string[] = [];
  try {
    const plan = driver.plan(widest(caps), caps, name);
    await createCgroups(plan, (d) => made.push(d.path));
    const standby = await spawnStandby(plan.procsFiles);
    const spare: Spare = { name, plan, standby };
    // A spare that dies unused (killed from outside) takes its cgroups with it.
    void standby.ended.then(() => {
      if (ready === spare) {
        ready = undefined;
        void remove(driver, plan);
      }
    });
    await standby.ready;
    ready = spare;
  } catch {
    for (const d of made.reverse()) await removeCgroupDir(d).catch(() => {});
  }
}

/** Counts a run that may use spares; returns how many there were. */
export function countRun(): number {
  return ++runs;
}

/** Starts making the next spare unless one is ready or on its way. */
export function refill(caps: HostCaps, driver: CgroupDriver): void {
  if (ready || making) return;
  // Begun on the next turn of the event loop: called from a run's teardown, its mkdirs and writes would
  // otherwise run in the microtasks ahead of the caller's own continuation, on the clock of that run's
  // end (measured: 0.4-0.7 ms of a 4.7 ms run). make() settles quietly: a spare that cannot be made only
  // means the next run starts cold.
  making = new Promise<void>((turn) => setImmediate(turn))
    .then(() => make(caps, driver))
    .catch(() => {})
    .finally(() => {
      making = undefined;
    });
}

/**
 * Removes the spare, if any (waiting for one being made): for a caller that
 * wants no cgroup of cgbox's left while it goes on, such as a check for
 * leftovers. The next runs make spares again.
 */
export async function releaseStandby(driver: CgroupDriver): Promise<void> {
  await making;
  const spare = takeSpare();
  if (spare) await discardSpare(spare, driver);
}

/** Settles when the spare being made is ready (or failed); undefined when none is on its way. */
export function spareOnItsWay(): Promise<void> | undefined {
  return making;
}

/** The ready spare, taken: it is the caller's to launch or discard. */
export function takeSpare(): Spare | undefined {
  const spare = ready;
  ready = undefined;
  return spare;
}

/** Undo for a taken spare that a run did not launch: the standby exits, then its cgroups go. */
export function discardSpare(spare: Spare, driver: CgroupDriver): Promise<void> {
  spare.standby.discard();
  return remove(driver, spare.plan);
}
