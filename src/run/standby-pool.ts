/**
 * Spare sandboxes kept ready per process, as many as its runs need, up to
 * three by default: fresh cgroups under the caller's own, with a standby init
 * already in each (src/launch/standby.ts). A run takes the oldest that fits,
 * writes its own limits into those cgroups and sends its command; the next
 * spare is made in the background once that run is over. Each spare serves
 * one run only, so counters never carry over. A process that runs a single
 * sandbox (the CLI) never makes one: spares start with the second run.
 * CGBOX_SPARES=N keeps up to N (1-16), CGBOX_STANDBY=0 none; releaseStandby()
 * removes them now.
 *
 * How many: one at first, and one more (up to the most) each time a run found
 * none ready while one was on its way — runs coming faster than spares are
 * made. On cgroup v1 a spare is ready only once its init's join has waited
 * out an RCU grace period, longer than a short run, so a spare made at one
 * run's end serves the run after next: back to back, one kept left every other
 * run cold; three, about one in ten (alternating quick runs: 0.62-0.70x
 * unshare's throughput one at a time against 0.51-0.57x, start-up alike).
 * Runs with time between them keep one.
 */
import { createCgroups, drainCgroups, removeCgroupDirs } from '../cgroup/apply.js';
import type { CgroupDriver, CgroupPlan } from '../cgroup/types.js';
import type { HostCaps } from '../host/types.js';
import { spawnStandby, type Standby } from '../launch/standby.js';
import { emptySpec, type SandboxSpec } from '../spec/types.js';
import { InvalidSpecError } from '../spec/errors.js';
import { newRunName } from '../host/owners.js';

export interface Spare {
  name: string;
  /** Every hierarchy a run could need, so any spec fits. */
  plan: CgroupPlan;
  standby: Standby;
  /** Whether it has a stdin socket, for a run's input (see noteRun). */
  stdin: boolean;
}

/** Oldest first: the one made longest ago is the likeliest to be ready. */
const ready: Spare[] = [];
const making = new Set<Promise<void>>();
let runs = 0;
/** How many spares the runs so far have needed: kept ready or on their way, up to sparesMost(). */
let needed = 1;

const MOST_SPARES = 16;

/** The most spares a process keeps, ready or on their way: CGBOX_SPARES, else three. */
function sparesMost(): number {
  const given = process.env['CGBOX_SPARES'];
  if (given === undefined || given === '') return 3;
  const n = Number(given);
  if (!/^\d+$/.test(given) || n < 1 || n > MOST_SPARES) {
    throw new InvalidSpecError('CGBOX_SPARES', given, `how many spare sandboxes a process keeps ready: a whole number from 1 to ${MOST_SPARES} (CGBOX_STANDBY=0 keeps none)`);
  }
  return n;
}

/** Whether this run may take a spare; refuses a CGBOX_SPARES that says no number, before anything exists. */
export function standbyEnabled(spec: SandboxSpec): boolean {
  if (process.env['CGBOX_STANDBY'] === '0' || spec.cgroupParent !== undefined) return false;
  sparesMost();
  return true;
}

/** Whether a run of this process asked for CPUs (cpuset), CPU shares or a quota (cpu), or gave input, yet. */
const asked = { cpuset: false, cpu: false, input: false };

/**
 * Counts what a run asks for: the next spares hold those hierarchies too, and a stdin socket once a run
 * gave input — each socket is a handle passed over the fork server's channel and a stream in Node, a
 * cost runs without input need not pay.
 */
export function noteRun(spec: SandboxSpec, input = false): void {
  if (spec.cpus !== undefined) asked.cpuset = true;
  if (spec.cpuShares !== undefined || spec.cpuQuota !== undefined) asked.cpu = true;
  if (input) asked.input = true;
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

/** Whether a run's cgroups are all among the spare's, and, for a run with input, the spare has a stdin. */
export function fits(spare: Spare, plan: CgroupPlan, input = false): boolean {
  if (input && !spare.stdin) return false;
  const dirs = new Set(spare.plan.dirs.map((d) => d.path));
  return plan.dirs.every((d) => dirs.has(d.path));
}

async function remove(driver: CgroupDriver, plan: CgroupPlan, drained?: Promise<void>): Promise<void> {
  await (drained ?? drainCgroups(driver, plan)).catch(() => {});
  await removeCgroupDirs(plan.dirs.map((d) => d.path)).catch(() => {});
}

async function make(caps: HostCaps, driver: CgroupDriver): Promise<void> {
  const name = newRunName();
  const made: string[] = [];
  try {
    const plan = driver.plan(widest(caps), caps, name);
    const stdin = asked.input;
    await createCgroups(plan, (d) => made.push(d.path));
    const standby = await spawnStandby(plan.procsFiles, { stdin });
    const spare: Spare = { name, plan, standby, stdin };
    // A spare that dies unused (killed from outside) takes its cgroups with it.
    void standby.ended.then(() => {
      const at = ready.indexOf(spare);
      if (at >= 0) {
        ready.splice(at, 1);
        void remove(driver, plan);
      }
    });
    await standby.ready;
    ready.push(spare);
  } catch {
    await removeCgroupDirs(made).catch(() => {});
  }
}

/** How many spares are ready now and how many on their way (for the tests: a spare's init is in its cgroups a moment before it is ready). */
export function spareCount(): { ready: number; making: number } {
  return { ready: ready.length, making: making.size };
}

/** Counts a run that may use spares; returns how many there were. */
export function countRun(): number {
  return ++runs;
}

/** A run found no spare ready that fits: with one on its way, the runs come faster than spares are made, and one more is kept. */
export function missedSpare(): void {
  if (making.size > 0) needed = Math.min(needed + 1, sparesMost());
}

/** Starts making spares until as many as are needed are ready or on their way, each begun on the next turn of the event loop. */
export function refill(caps: HostCaps, driver: CgroupDriver): void {
  let most: number;
  try {
    most = sparesMost();
  } catch {
    return; // CGBOX_SPARES made invalid since this run began: the next run refuses it
  }
  while (ready.length + making.size < Math.min(needed, most)) makeOne(caps, driver);
}

function makeOne(caps: HostCaps, driver: CgroupDriver): void {
  // Begun on the next turn of the event loop: called from a run's teardown, its mkdirs and writes would
  // otherwise run in the microtasks ahead of the caller's own continuation, on the clock of that run's
  // end (measured: 0.4-0.7 ms of a 4.7 ms run). make() settles quietly: a spare that cannot be made only
  // means the next run starts cold.
  const made: Promise<void> = new Promise<void>((turn) => setImmediate(turn))
    .then(() => make(caps, driver))
    .catch(() => {})
    .finally(() => {
      making.delete(made);
    });
  making.add(made);
}

/**
 * Removes the spares (waiting for those being made): for a caller that
 * wants no cgroup of cgbox's left while it goes on, such as a check for
 * leftovers. The next runs make spares again, one at first.
 */
export async function releaseStandby(driver: CgroupDriver): Promise<void> {
  await Promise.all(making);
  for (let spare = ready.shift(); spare; spare = ready.shift()) await discardSpare(spare, driver);
  needed = 1;
}

/** With none ready: settles when a spare being made is ready (or failed); undefined when none is ready or on its way. */
export function spareOnItsWay(): Promise<void> | undefined {
  return ready.length || !making.size ? undefined : Promise.race(making);
}

/** The oldest ready spare that fits, taken: it is the caller's to launch or discard. The others stay for runs they fit. */
export function takeSpare(fitting: (spare: Spare) => boolean): Spare | undefined {
  const at = ready.findIndex(fitting);
  return at < 0 ? undefined : ready.splice(at, 1)[0];
}

/**
 * Undo for a taken spare: the standby exits if the run did not launch it, then its cgroups go, once the
 * tasks have (`drained`: the run's wait for them) — unless the run's outer `removed` them already.
 */
export async function discardSpare(spare: Spare, driver: CgroupDriver, drained?: Promise<void>, removed = false): Promise<void> {
  spare.standby.discard();
  if (!removed) await remove(driver, spare.plan, drained);
}
