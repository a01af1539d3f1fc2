/**
 * Fault injection, for cgbox's own tests: every setup and teardown step
 * passes a named fault point, and a test can make the n-th passage of one
 * point fail, to show that each failure leaves nothing behind and names its
 * step. Inert unless a test arms it — one boolean test per point — or the
 * environment of a child process does: CGBOX_TEST_FAULT="<point>#<n>".
 *
 * Point names carry no run-specific part (run names, loop device numbers),
 * so the points recorded in one run name the same steps in the next.
 */
import { SetupError } from '../spec/errors.js';

interface Armed {
  point: string;
  /** Which passage fails, counting from 0. */
  occurrence: number;
  hit: boolean;
}

let active = false;
let armed: Armed | undefined;
let recording: string[] | undefined;
const passages = new Map<string, number>();

const RUN_NAME = /cgbox-\d+-[0-9a-f]+/g;
const LOOP_DEVICE = /\/dev\/loop\d+/g;

/** A point's stable name: run names and loop devices written generically. */
export function pointName(name: string): string {
  return name.replace(RUN_NAME, '<run>').replace(LOOP_DEVICE, '/dev/loopN');
}

/** The step a point belongs to, as a SetupError names it: the text before ': ', or the point itself. */
function stepOf(point: string): string {
  const i = point.indexOf(': ');
  return i < 0 ? point : point.slice(0, i);
}

/** Passed by every step before it acts: throws when a test armed this passage. */
export function faultPoint(name: string): void {
  if (!active) return;
  const point = pointName(name);
  const n = passages.get(point) ?? 0;
  passages.set(point, n + 1);
  recording?.push(`${point}#${n}`);
  if (armed && !armed.hit && armed.point === point && armed.occurrence === n) {
    armed.hit = true;
    throw new SetupError(stepOf(point), `fault injected at ${point} (passage ${n})`);
  }
}

/** Starts counting passages afresh; `record` keeps the list of `point#n` passed, for recordedFaults(). */
export function resetFaults(opts: { record?: boolean } = {}): void {
  active = true;
  armed = undefined;
  passages.clear();
  recording = opts.record ? [] : undefined;
}

/** Makes passage `occurrence` of `point` fail (a `point#n` string is read as both). */
export function armFault(point: string, occurrence = 0): void {
  resetFaults();
  const m = /^(.*)#(\d+)$/.exec(point);
  armed = m ? { point: m[1]!, occurrence: Number(m[2]), hit: false } : { point, occurrence, hit: false };
}

/** Whether the armed fault fired. */
export function faultHit(): boolean {
  return armed?.hit ?? false;
}

export function recordedFaults(): string[] {
  return [...(recording ?? [])];
}

/** Back to inert. */
export function disarmFaults(): void {
  active = false;
  armed = undefined;
  recording = undefined;
  passages.clear();
}

const fromEnv = process.env.CGBOX_TEST_FAULT;
if (fromEnv) armFault(fromEnv);
