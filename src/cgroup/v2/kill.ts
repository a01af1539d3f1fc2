/**
 * Signalling every task of a v2 cgroup without a fork racing the signal:
 * freeze the cgroup (cgroup.freeze, 5.2), signal every pid of it and below,
 * thaw it. A kill is one write to cgroup.kill (5.14), in the kernel; before
 * that, the same freeze, SIGKILL, thaw.
 */
import { join } from 'node:path';
import { signalEach } from '../../host/signal.js';
import { isMissing, readOptional, writeExisting } from '../files.js';
import { subtreeProcs } from '../tree.js';

export interface FreezeOptions {
  /** How long to wait for `frozen 1` in cgroup.events before signalling anyway. */
  frozenTimeoutMs?: number;
}

/** `signal` to every task of the cgroup and below but `except` (the sandbox's init), frozen meanwhile. */
export async function freezeAndSignal(dir: string, signal: NodeJS.Signals, except?: number, { frozenTimeoutMs = 1000 }: FreezeOptions = {}): Promise<void> {
  if ((await readOptional(join(dir, 'cgroup.procs'))) === null) return; // the cgroup is gone: nothing to signal
  const frozen = await setFrozen(dir, true, frozenTimeoutMs);
  try {
    // A frozen cgroup cannot fork, so one pass is enough; a signal reaches frozen tasks as they thaw.
    // Unfrozen (no freezer, or a task that would not freeze in time), a kill repeats while tasks remain.
    for (let pass = 0; pass < (frozen || signal !== 'SIGKILL' ? 1 : 3); pass++) {
      const pids = (await subtreeProcs(dir)).filter((p) => p !== except);
      if (pids.length === 0) break;
      signalEach(pids, signal);
    }
  } finally {
    await setFrozen(dir, false, 0);
  }
}

export async function killCgroup(dir: string, opts: FreezeOptions = {}): Promise<void> {
  try {
    // SIGKILL to every task in the cgroup and below, atomically with respect to fork.
    return await writeExisting(join(dir, 'cgroup.kill'), '1');
  } catch (err) {
    if (!isMissing(err)) throw err;
  }
  await freezeAndSignal(dir, 'SIGKILL', undefined, opts);
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
