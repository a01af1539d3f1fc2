/**
 * Every host object of a run is named cgbox-<owner pid>-<random> (volumes and
 * devices add a suffix or carry it as an alias), so that a reaper can tell a
 * crashed owner's leftovers from a live run's. The one place that knows the
 * form; run/, net/ and volume/ all ask here.
 */
import { randomUUID } from 'node:crypto';

export const PREFIX = 'cgbox-';

export function newRunName(): string {
  // A UUID's first 8 hex digits are 32 random bits, from a pool Node fills in bulk: randomBytes(4) asked the system every time.
  return `${PREFIX}${process.pid}-${randomUUID().slice(0, 8)}`;
}

/** The owner pid of a run name; undefined for any other name. */
export function ownerPid(name: string): number | undefined {
  const m = /^cgbox-(\d+)-[0-9a-f]+$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** Whether no process has this pid (a crashed owner): signal 0 reaches a live one, or is refused (EPERM). */
export function pidGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'EPERM';
  }
}

/** A run whose owner process is gone: what a reaper removes. */
export function ownerGone(runName: string): boolean {
  const pid = ownerPid(runName);
  return pid !== undefined && pidGone(pid);
}
