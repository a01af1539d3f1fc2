/**
 * Pressure stall information (PSI, Linux 4.20; per cgroup on v2): cpu.pressure,
 * memory.pressure and io.pressure hold "some" and "full" lines whose total= is
 * the stall time in µs since the cgroup was made — a fresh cgroup per run, so
 * the run's own. "full" on cpu.pressure counts since 5.13 (before, it reads 0).
 * Absent files (no CONFIG_PSI, or psi=0 on the command line) read as null.
 */
import type { Stall } from '../../report/types.js';
import { readOptional } from '../files.js';

export function parsePressure(text: string): Stall | null {
  const total = (kind: 'some' | 'full') => {
    const m = new RegExp(`^${kind} .*\\btotal=(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const some = total('some');
  return some === undefined ? null : { someUs: some, fullUs: total('full') ?? 0 };
}

export async function readPressure(dir: string, resource: 'cpu' | 'memory' | 'io'): Promise<Stall | null> {
  // A kernel built with PSI but booted psi=0 answers the read with EOPNOTSUPP.
  const text = await readOptional(`${dir}/${resource}.pressure`).catch(() => null);
  return text === null ? null : parsePressure(text);
}
