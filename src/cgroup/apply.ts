/**
 * The dumb writer: makes a plan's directories and writes its values in order,
 * and removes them again once they are empty. The only cgroup code that
 * writes to /sys. Synchronous for speed, as files.ts explains.
 */
import { mkdirSync, rmdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { faultPoint } from '../host/faults.js';
import { SetupError } from '../spec/errors.js';
import { writeExisting } from './files.js';
import { subtreeDirs } from './tree.js';
import { enableControllers } from './v2/leaf.js';
import type { CgroupDir, CgroupDriver, CgroupPlan, CgroupWrite } from './types.js';

async function write(path: string, value: string): Promise<void> {
  try {
    faultPoint(`cgroup: write ${path.slice(path.lastIndexOf('/') + 1)}`);
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

/** Creates each directory and calls `created` right after, so the caller can undo exactly what exists. */
export async function createCgroups(plan: CgroupPlan, created: (dir: CgroupDir) => void): Promise<void> {
  await writeParents(plan);
  for (const dir of plan.dirs) {
    try {
      faultPoint(`cgroup: mkdir ${dir.hierarchy}`);
      mkdirSync(dir.path);
    } catch (e) {
      if (e instanceof SetupError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? `the parent cgroup ${dirname(dir.path)} does not exist` : (e as Error).message;
      throw new SetupError('cgroup', `creating ${dir.path}: ${why}`, { cause: e });
    }
    created(dir);
    for (const w of dir.writes) await write(`${dir.path}/${w.file}`, w.value);
  }
}

/**
 * The writes of a plan into directories that already exist (a spare's, made by `made`): first each
 * parent write the spare's plan did not make — on v2 a controller this run needs that was not enabled
 * when the spare was made; enabled in the parent, its files appear in the spare's cgroup as in every
 * child — then the directories' own.
 */
export async function writeCgroups(plan: CgroupPlan, made: CgroupPlan): Promise<void> {
  await writeParents(plan, new Set(made.parentWrites.flatMap((p) => p.writes.map((w) => parentWrite(p.path, w)))));
  for (const dir of plan.dirs) for (const w of dir.writes) await write(`${dir.path}/${w.file}`, w.value);
}

/**
 * Waits until no task is left (cgroup.procs empty — pids.current lags while
 * zombies wait for their reaper), killing what remains after `patienceMs`.
 */
export async function drainCgroups(driver: CgroupDriver, plan: CgroupPlan, patienceMs = 2000): Promise<void> {
  const deadline = Date.now() + patienceMs;
  let killed = false;
  for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
    if ((await driver.procs(plan).catch(() => [])).length === 0) return;
    if (!killed && Date.now() > deadline) {
      await driver.killAll(plan).catch(() => {});
      killed = true;
    } else if (killed && Date.now() > deadline + 10_000) {
      throw new SetupError('teardown', `tasks are still in ${plan.dirs[0]?.path} 10 s after SIGKILL`);
    }
    await sleep(delay);
  }
}

/**
 * Removes a run's cgroup and any made below it, depth-first. rmdir is refused
 * (EBUSY) for a moment after the last task leaves: retry with backoff.
 */
export async function removeCgroupDir(path: string): Promise<void> {
  for (const below of await subtreeDirs(path)) await removeOneDir(below);
  await removeOneDir(path);
}

/**
 * How long a cgroup may stay busy after its last task left: its killed tasks' zombies hold it until
 * their reaper (the host's pid 1, for a sandbox whose init died) gets to them — about 2 s measured
 * on a quiet host, several times that on a loaded one.
 */
const REMOVE_PATIENCE_MS = 20_000;

async function removeOneDir(path: string): Promise<void> {
  const deadline = Date.now() + REMOVE_PATIENCE_MS;
  for (let delay = 1; ; delay = Math.min(delay * 2, 100)) {
    try {
      rmdirSync(path);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || Date.now() > deadline) throw new SetupError('teardown', `removing ${path}: ${(e as Error).message}`, { cause: e });
      await sleep(delay);
    }
  }
}
