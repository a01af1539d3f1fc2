/** The host's pid_max, read once: the default pids ceiling is derived from it (src/spec/view.ts defaultPids). */
import { readFileSync } from 'node:fs';

let pidMax: number | undefined;

/** /proc/sys/kernel/pid_max; undefined when it cannot be read (the ceiling is then a fixed default). */
export function hostPidMax(): number | undefined {
  try {
    pidMax ??= Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
  } catch {
    // unknown: the fixed default
  }
  return pidMax;
}
