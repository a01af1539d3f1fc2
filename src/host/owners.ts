/**
 * Every host resource of a run is named cgbox-<owner pid>-<random>, so that a
 * reaper can tell a crashed owner's leftovers from a live run's.
 */
import { randomBytes } from 'node:crypto';

export const PREFIX = 'cgbox-';

export function newRunName(): string {
  return `${PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`;
}

export function ownerPid(name: string): number | undefined {
  const m = /^cgbox-(\d+)-[0-9a-f]+$/.exec(name);
  return m ? Number(m[1]) : undefined;
}
