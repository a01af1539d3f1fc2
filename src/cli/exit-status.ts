/**
 * Exit statuses, as a shell and `docker run` give them: the command's code,
 * 128 + n for a signal, 126/127 when the command could not be executed or
 * found, 125 when cgbox itself failed and the command did not run.
 */
import { constants } from 'node:os';
import { SetupError, type RunResult } from '../index.js';

export const CGBOX_FAILED = 125;
const NOT_EXECUTABLE = 126;
const NOT_FOUND = 127;

export function exitStatus(r: Pick<RunResult, 'exitCode' | 'signal'>): number {
  if (r.exitCode !== null) return r.exitCode;
  const n = constants.signals[r.signal as keyof typeof constants.signals];
  return 128 + (n ?? 0);
}

/** The status for an error thrown by a run. */
export function errorStatus(e: unknown): number {
  if (e instanceof SetupError && e.step === 'exec') {
    // ENOENT is the one a shell calls "not found"; anything else (EACCES, ENOEXEC) is "cannot execute".
    return e.errno === constants.errno.ENOENT ? NOT_FOUND : NOT_EXECUTABLE;
  }
  return CGBOX_FAILED;
}
