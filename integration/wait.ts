/**
 * Waiting for something that must happen, without betting on how soon: a
 * busy machine can take seconds for what takes milliseconds on an idle one.
 * The deadline only stops a test that would otherwise wait for ever; it is
 * far beyond anything a working mechanism needs, and hitting it is a failure
 * that names what never happened.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** Long enough for any start-up or cleanup on a loaded 2-core machine, and well inside the 60 s test timeout. */
export const PATIENCE_MS = 30_000;

/** Resolves with the first truthy value of `probe`, polled every `everyMs`; throws after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, { timeoutMs = PATIENCE_MS, everyMs = 25 } = {}): Promise<NonNullable<T>> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v as NonNullable<T>;
    if (performance.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}: it never happened`);
    await sleep(everyMs);
  }
}

/**
 * The bound for "it ended quickly" when the test itself made the slow case
 * slow: a command that would run `wouldRunMs` (sleep 30) and was ended early
 * must end well before that — half of it — however busy the machine is.
 */
export function wellBefore(wouldRunMs: number): number {
  return wouldRunMs / 2;
}
