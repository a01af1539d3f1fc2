/**
 * The thin I/O layer under both drivers' controllers: read a cgroup file (a
 * missing optional file is null, not an error), parse the kernel's flat-keyed
 * format, write a value to a file that must already exist.
 *
 * The calls are synchronous on purpose: cgroupfs files are tiny and answered
 * from memory in microseconds, while each fs/promises call is several trips
 * through libuv's threadpool — together most of a sandbox's start-up cost.
 * What every run does — its directories made with their limits, its report's
 * counters read, its removal — goes to the host-ops helper instead, a call
 * for all of them (apply.ts, read-ahead.ts); these serve the rest.
 */
import { closeSync, constants, openSync, readFileSync, writeSync } from 'node:fs';
import { fetchedText } from './read-ahead.js';

/** The file's text, or null when it does not exist (an older kernel, a controller not enabled). A report's files come fetched (read-ahead.ts). */
export async function readOptional(path: string): Promise<string | null> {
  const ahead = fetchedText(path);
  if (ahead !== undefined) return ahead;
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
}

/** A single-value file ("1234\n") as a number, or null when the file is missing. */
export async function readNumber(path: string): Promise<number | null> {
  const text = await readOptional(path);
  if (text === null) return null;
  const n = Number(text.trim());
  return Number.isFinite(n) ? n : null;
}

/** The flat-keyed format of cpu.stat, memory.events, memory.stat: "key value" per line. */
export function parseFlatKeyed(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && /^\d+$/.test(value)) out[key] = Number(value);
  }
  return out;
}

/** A flat-keyed file as a record; empty when the file is missing. */
export async function readFlatKeyed(path: string): Promise<Record<string, number>> {
  return parseFlatKeyed((await readOptional(path)) ?? '');
}

/**
 * Write to a file that must exist. No O_CREAT: cgroupfs cannot create files,
 * and a missing interface file (cgroup.kill before 5.14) must show as ENOENT.
 */
export async function writeExisting(path: string, value: string): Promise<void> {
  const fd = openSync(path, constants.O_WRONLY | constants.O_TRUNC);
  try {
    writeSync(fd, value);
  } finally {
    closeSync(fd);
  }
}

export function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

/** The pids of a cgroup.procs text, one per line; nothing else counts. */
export function parsePids(text: string | null): number[] {
  return (text ?? '')
    .split('\n')
    .filter((line) => /^\d+$/.test(line.trim()))
    .map(Number);
}

/** The pids in a cgroup's cgroup.procs; empty when the cgroup is gone. */
export async function readProcs(dir: string): Promise<number[]> {
  return parsePids(await readOptional(`${dir}/cgroup.procs`));
}

/**
 * The kernel's user/system split is tick-sampled (1–15 % off); the total is
 * exact. Scale the split so that user + system equals the exact total.
 */
export function splitExact(totalUs: number, user: number, system: number): { userUs: number; systemUs: number } {
  const sum = user + system;
  if (sum <= 0) return { userUs: totalUs, systemUs: 0 };
  const userUs = Math.round((totalUs * user) / sum);
  return { userUs, systemUs: totalUs - userUs };
}
