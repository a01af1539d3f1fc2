import { setTimeout as sleep } from 'node:timers/promises';
import { signalEach } from '../../host/signal.js';
import { readOptional, readProcs, writeExisting } from '../files.js';
import type { V1ControllerDef } from './controller.js';

/** Always present: it is how v1 kills a whole sandbox without a fork racing the kill. */
export const freezer: V1ControllerDef<'freezer'> = {
  name: 'freezer',
  needed: () => true,
  writes: () => [],
  limits: () => ({}),
  doctor: { neededBy: null, config: 'CONFIG_CGROUP_FREEZER' },
};

/**
 * v1's one killer of a whole cgroup: freeze, SIGKILL every task, thaw — frozen
 * tasks cannot fork, and a kill lands once they thaw. The thaw runs whatever
 * happened, or the tasks would stay frozen for good. A directory of a
 * hierarchy without the freezer (the reaper's walk of every hierarchy) can only
 * have its tasks signalled: the freezer hierarchy's pass stops any fork.
 */
export async function freezeAndKill(dir: string): Promise<void> {
  if ((await readOptional(`${dir}/freezer.state`)) === null) return signalEach(await readProcs(dir), 'SIGKILL');
  await writeExisting(`${dir}/freezer.state`, 'FROZEN');
  try {
    for (let i = 0; i < 200; i++) {
      const state = (await readOptional(`${dir}/freezer.state`))?.trim();
      if (state !== 'FREEZING') break;
      await sleep(5);
    }
    signalEach(await readProcs(dir), 'SIGKILL');
  } finally {
    await writeExisting(`${dir}/freezer.state`, 'THAWED');
  }
}
