import { setTimeout as sleep } from 'node:timers/promises';
import { signalEach } from '../../host/signal.js';
import { parsePids, readOptional, writeExisting } from '../files.js';
import type { V1ControllerDef } from './controller.js';

/** Always present: it is how v1 kills a whole sandbox without a fork racing the kill. */
export const freezer: V1ControllerDef<'freezer'> = {
  name: 'freezer',
  needed: () => true,
  writes: () => [],
  limits: () => ({}),
  doctor: { neededBy: null, config: 'CONFIG_CGROUP_FREEZER' },
};

/** Freeze, SIGKILL every task, thaw: frozen tasks cannot fork, and a kill lands once they thaw. */
export async function freezeAndKill(dir: string): Promise<void> {
  await writeExisting(`${dir}/freezer.state`, 'FROZEN');
  for (let i = 0; i < 200; i++) {
    const state = (await readOptional(`${dir}/freezer.state`))?.trim();
    if (state !== 'FREEZING') break;
    await sleep(5);
  }
  signalEach(parsePids(await readOptional(`${dir}/cgroup.procs`)), 'SIGKILL');
  await writeExisting(`${dir}/freezer.state`, 'THAWED');
}
