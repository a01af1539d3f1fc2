/**
 * Unit parsing, once, at the builder call. Every function returns an integer
 * in the base unit or null when the text is not of the form; the builder
 * turns null into an InvalidSpecError that says what is accepted.
 */

const BINARY: Record<string, number> = { '': 1, b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/** Docker's byte units: 1024-based k, m, g, t, optional trailing b ("64mb"). */
export function parseBytes(input: string | number): number | null {
  if (typeof input === 'number') return Number.isSafeInteger(input) && input > 0 ? input : null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$/i.exec(input);
  if (!m) return null;
  const bytes = Number(m[1]) * BINARY[m[2]!.toLowerCase()]!;
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : null;
}

const RATE_BITS: Record<string, number> = { bit: 1, kbit: 1e3, mbit: 1e6, gbit: 1e9, bps: 8, kbps: 8e3, mbps: 8e6, gbps: 8e9 };

/** tc's rate units, in bits per second: "10mbit", "1gbit", "500kbps" (bytes). */
export function parseBitRate(input: string | number): number | null {
  if (typeof input === 'number') return Number.isSafeInteger(input) && input > 0 ? input : null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(bit|kbit|mbit|gbit|bps|kbps|mbps|gbps)\s*$/i.exec(input);
  if (!m) return null;
  const bits = Math.round(Number(m[1]) * RATE_BITS[m[2]!.toLowerCase()]!);
  return bits > 0 ? bits : null;
}

const DURATION_US: Record<string, number> = { us: 1, ms: 1e3, s: 1e6, m: 60e6, h: 3600e6 };

/** "10s", "250ms", "1.5s", "2m"; a bare number is milliseconds. Returns microseconds. */
export function parseDurationUs(input: string | number): number | null {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input <= 0) return null;
    const us = Math.round(input * 1e3);
    return us > 0 ? us : null;
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|m|h)\s*$/.exec(input);
  if (!m) return null;
  const us = Math.round(Number(m[1]) * DURATION_US[m[2]!]!);
  return us > 0 ? us : null;
}

/** The kernel's NR_CPUS ceiling: no list names a CPU beyond it. */
const MAX_CPUS = 8192;

/** A cpuset list, "0-1,3": sorted unique CPU numbers, or null when malformed. */
export function parseCpuList(input: string): number[] | null {
  const cpus = new Set<number>();
  for (const part of input.split(',')) {
    const m = /^\s*(\d+)(?:\s*-\s*(\d+))?\s*$/.exec(part);
    if (!m) return null;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo || hi >= MAX_CPUS) return null;
    for (let c = lo; c <= hi; c++) cpus.add(c);
  }
  return [...cpus].sort((a, b) => a - b);
}

/** The canonical cpuset text of a list of CPUs: [0,1,3] → "0-1,3". */
export function formatCpuList(cpus: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < cpus.length; ) {
    let j = i;
    while (j + 1 < cpus.length && cpus[j + 1] === cpus[j]! + 1) j++;
    out.push(i === j ? `${cpus[i]}` : `${cpus[i]}-${cpus[j]}`);
    i = j + 1;
  }
  return out.join(',');
}
