/**
 * The dumb writer: makes a plan's directories and writes its values in order,
 * waits for them to empty and removes them again. The only cgroup code that
 * writes to /sys. New directories with their writes, the wait for tasks to
 * leave and the removal are calls of the host-ops helper (native/src/cgroup-ops.h):
 * on cgroup v1 each was one call per hierarchy on Node's thread, with the
 * kernel's work for it — a bottleneck when sandboxes start back to back. What
 * is on the way to the command's start (a spare's limits, a first look whether
 * the tasks are gone) and the rarer writes in a parent (v2's controllers) stay
 * synchronous here: a few calls take less than a round trip to the helper.
 */
import { constants } from 'node:os';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { faultPoint } from '../host/faults.js';
import { hostOp } from '../host/host-ops.js';
import { SetupError } from '../spec/errors.js';
import { writeExisting } from './files.js';
import { enableControllers } from './v2/leaf.js';
import type { CgroupDir, CgroupDriver, CgroupPlan, CgroupWrite } from './types.js';

const { ENOENT, ETIMEDOUT } = constants.errno;
const fileName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

async function write(path: string, value: string): Promise<void> {
  try {
    faultPoint(`cgroup: write ${fileName(path)}`);
    await writeExisting(path, value);
  } catch (e) {
    throw new SetupError('cgroup', `writing "${value}" to ${path}: ${(e as Error).message}`, { cause: e });
  }
}

const parentWrite = (path: string, w: CgroupWrite) => `${path}\0${w.file}\0${w.value}`;

/** The writes in the parents (v2: the controllers enabled for their children), but those in `made`. */
async function writeParents(plan: CgroupPlan, made: ReadonlySet<string> = new Set()): Promise<void> {
  for (const p of plan.parentWrites) {
    for (const w of p.writes) {
      if (made.has(parentWrite(p.path, w))) continue;
      // v2's subtree_control obeys the no-internal-process rule: v2/leaf.ts deals with it.
      if (plan.version === 2 && w.file === 'cgroup.subtree_control') {
        faultPoint('cgroup: enable controllers');
        await enableControllers(p.path, w.value, p.leaf);
      }
      else await write(`${p.path}/${w.file}`, w.value);
    }
  }
}

/**
 * Creates the plan's directories with their writes, in one call, and then calls `created` for each, so
 * the caller can undo exactly what exists: the helper makes all or, removing again what it made, none.
 */
export async function createCgroups(plan: CgroupPlan, created: (dir: CgroupDir) => void): Promise<void> {
  await writeParents(plan);
  for (const dir of plan.dirs) {
    faultPoint(`cgroup: mkdir ${dir.hierarchy}`);
    for (const w of dir.writes) faultPoint(`cgroup: write ${w.file}`);
  }
  try {
    await hostOp('cgroup', 'cgroup-make', ...plan.dirs.flatMap((d) => [String(d.writes.length), d.path, ...d.writes.flatMap((w) => [w.file, w.value])]));
  } catch (e) {
    const errno = (e as { errno?: number }).errno;
    // No answer (given up on, or the helper gone): any of them may exist, and all are the caller's to undo.
    if (errno === undefined) for (const dir of plan.dirs) created(dir);
    const dir = e instanceof SetupError ? plan.dirs.find((d) => e.detail.startsWith(`creating ${d.path}:`)) : undefined;
    if (errno === ENOENT && dir) throw new SetupError('cgroup', `creating ${dir.path}: the parent cgroup ${dirname(dir.path)} does not exist`, { cause: e });
    throw e;
  }
  for (const dir of plan.dirs) created(dir);
}

/**
 * The writes of a plan into directories that already exist (a spare's, made by `made`): first each
 * parent write the spare's plan did not make — on v2 a controller this run needs that was not enabled
 * when the spare was made; enabled in the parent, its files appear in the spare's cgroup as in every
 * child — then the directories' own.
 */
export async function writeCgroups(plan: CgroupPlan, made: CgroupPlan): Promise<void> {
  await writeParents(plan, new Set(made.parentWrites.flatMap((p) => p.writes.map((w) => parentWrite(p.path, w)))));
  // Written here, not by the helper: this is on the way to the command's start, and a few writes take
  // less time than a round trip to the helper (0.4-0.7 ms measured, its waking included).
  for (const dir of plan.dirs) for (const w of dir.writes) await write(`${dir.path}/${w.file}`, w.value);
}

/**
 * Waits until no task is left (cgroup.procs empty — pids.current lags while
 * zombies wait for their reaper), killing what remains after `patienceMs`.
 */
export async function drainCgroups(driver: CgroupDriver, plan: CgroupPlan, patienceMs = 2000): Promise<void> {
  // Most often empty already: a look from here costs less than the helper's round trip.
  if ((await driver.procs(plan).catch(() => [])).length === 0) return;
  if (await emptied(driver, plan, patienceMs)) return;
  await driver.killAll(plan).catch(() => {});
  if (!(await emptied(driver, plan, 10_000))) throw new SetupError('teardown', `tasks are still in ${driver.tasksDir(plan)} 10 s after SIGKILL`);
}

/** Whether `dir` and every cgroup below it had no task left within `patienceMs`. */
async function emptied(driver: CgroupDriver, plan: CgroupPlan, patienceMs: number): Promise<boolean> {
  try {
    await hostOp('drain', 'cgroup-drain', String(patienceMs), driver.tasksDir(plan));
    return true;
  } catch (e) {
    if ((e as { errno?: number }).errno === ETIMEDOUT) return false;
    // The helper gone or given up on: watched from here instead, so that the kill still comes.
    return emptiedHere(driver, plan, patienceMs);
  }
}

async function emptiedHere(driver: CgroupDriver, plan: CgroupPlan, patienceMs: number): Promise<boolean> {
  const deadline = Date.now() + patienceMs;
  for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
    if ((await driver.procs(plan).catch(() => [])).length === 0) return true;
    if (Date.now() > deadline) return false;
    await sleep(delay);
  }
}

/**
 * How long a cgroup may stay busy after its last task left: its killed tasks' zombies hold it until
 * their reaper (the host's pid 1, for a sandbox whose init died) gets to them — about 2 s measured
 * on a quiet host, several times that on a loaded one.
 */
const REMOVE_PATIENCE_MS = 20_000;

/**
 * Removes a run's cgroups and any made below them, depth-first, in one call. rmdir is refused (EBUSY)
 * for a moment after the last task leaves: the helper retries with backoff. Each is tried; the first
 * failure is thrown.
 */
export async function removeCgroupDirs(paths: readonly string[]): Promise<void> {
  if (paths.length) await hostOp('teardown', 'cgroup-remove', String(REMOVE_PATIENCE_MS), ...paths);
}
