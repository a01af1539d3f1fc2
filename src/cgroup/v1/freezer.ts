import { setTimeout as sleep } from 'node:timers/promises';
import { signalEach } from '../../host/signal.js';
import { readOptional, writeExisting } from '../files.js';
import { subtreeProcs } from '../tree.js';
import type { V1ControllerDef } from './controller.js';

/** Always present: it is how v1 signals or kills a whole sandbox without a fork racing it. */
export const freezer: V1ControllerDef<'freezer'> = {
  name: 'freezer',
  needed: () => true,
  writes: () => [],
  limits: () => ({}),
  doctor: { neededBy: null, config: 'CONFIG_CGROUP_FREEZER' },
};

/**
 * v1's one way to signal a whole cgroup: freeze it (FREEZING until every task
 * is stopped: a frozen task cannot fork), signal every task of it and below,
 * thaw — the signal lands as they thaw. The thaw runs whatever happened, or
 * the tasks would stay frozen for good. A directory of a hierarchy without the
 * freezer (the reaper's walk of every hierarchy) can only have its tasks
 * signalled: the freezer hierarchy's pass stops any fork. `except`: a pid
 * spared (the sandbox's init, which reports how the command took the signal).
 */
export async function freezeAndSignal(dir: string, signal: NodeJS.Signals, except?: number): Promise<void> {
  const signalAll = async () => signalEach((await subtreeProcs(dir)).filter((p) => p !== except), signal);
  if ((await readOptional(`${dir}/freezer.state`)) === null) return signalAll();
  await writeExisting(`${dir}/freezer.state`, 'FROZEN');
  try {
    for (let i = 0; i < 200; i++) {
      const state = (await readOptional(`${dir}/freezer.state`))?.trim();
      if (state !== 'FREEZING') break;
      await sleep(5);
    }
    await signalAll();
  } finally {
    await writeExisting(`${dir}/freezer.state`, 'THAWED');
  }
}

/** SIGKILL to every task, as freezeAndSignal does it. */
export const freezeAndKill = (dir: string) => freezeAndSignal(dir, 'SIGKILL');
