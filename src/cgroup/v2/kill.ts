/**
 * Killing every task of a v2 cgroup without a fork racing the kill:
 * cgroup.kill (Linux 5.14) does it in the kernel; before that, freeze the
 * cgroup (cgroup.freeze, 5.2), SIGKILL every pid, and thaw it.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isMissing, readOptional, readProcs, writeExisting } from '../files.js';

export interface KillOptions {
  /** How long to wait for `frozen 1` in cgroup.events before killing anyway. */
  frozenTimeoutMs?: number;
}

export async function killCgroup(dir: string, { frozenTimeoutMs = 1000 }: KillOptions = {}): Promise<void> {
  try {
    // SIGKILL to every task in the cgroup and below, atomically with respect to fork.
    return await writeExisting(join(dir, 'cgroup.kill'), '1');
  } catch (err) {
    if (!isMissing(err)) throw err;
  }
  if ((await readOptional(join(dir, 'cgroup.procs'))) === null) return; // the cgroup is gone: nothing to kill
  const frozen = await setFrozen(dir, true, frozenTimeoutMs);
  try {
    // A frozen cgroup cannot fork, so one pass is enough; a fatal signal reaches frozen tasks.
    // Unfrozen (no freezer, or a task that would not freeze in time), repeat while tasks remain.
    for (let pass = 0; pass < (frozen ? 1 : 3); pass++) {
      const pids = await procsBelow(dir);
      if (pids.length === 0) break;
      for (const pid of pids) sigkill(pid);
    }
  } finally {
    await setFrozen(dir, false, 0);
  }
}

/** Pids of the cgroup and of any cgroup the sandbox made below it. */
async function procsBelow(dir: string): Promise<number[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const children = await Promise.all(entries.filter((e) => e.isDirectory()).map((e) => procsBelow(join(dir, e.name))));
  return [...(await readProcs(dir)), ...children.flat()];
}

/** Write cgroup.freeze and, when freezing, wait for the kernel to confirm. False when it did not. */
async function setFrozen(dir: string, frozen: boolean, timeoutMs: number): Promise<boolean> {
  try {
    await writeExisting(join(dir, 'cgroup.freeze'), frozen ? '1' : '0');
  } catch (err) {
    if (isMissing(err)) return false; // before 5.2
    throw err;
  }
  if (!frozen) return true;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = (await readOptional(join(dir, 'cgroup.events'))) ?? '';
    if (/^frozen 1$/m.test(events)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function sigkill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err; // already gone
  }
}
