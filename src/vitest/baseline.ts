/**
 * toMatchResourceBaseline: a run's chosen metrics kept in a file beside the
 * test (__baselines__/<test file>.json, keyed by the test's full name), the
 * way vitest keeps snapshots. The first run writes it; a later run fails when
 * a metric went above baseline × (1 + tolerance); `vitest -u` rewrites it; in
 * CI a missing baseline fails instead of being written — vitest's own update
 * modes ('new', 'all', 'none'), read from its snapshot state.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { MatcherState } from 'vitest';
import type { RunResult } from '../index.js';
import { METRICS, human, isMetric, runResultOf, type Kind, type Metric, type SyncExpectationResult } from './metrics.js';

export interface BaselineOptions {
  /** How far above its baseline a metric may go: 0.1 = 10 % (the default); or per metric. */
  tolerance?: number | Partial<Record<Metric, number>>;
  /** Which metrics to keep and compare (default: DEFAULT_METRICS). */
  metrics?: Metric[];
  /** Tells apart several baselines in one test. */
  name?: string;
}

export const DEFAULT_METRICS: Metric[] = ['memory.peakBytes', 'cpu.usageUs', 'io.writeBytes', 'pids.peak'];
const DEFAULT_TOLERANCE = 0.1;

/**
 * Above its baseline, a metric also passes within this much: noise that a
 * percentage of a small baseline would not absorb (a page table, a tick of CPU).
 */
export const SLACK: Record<Kind, number> = { bytes: 2 * 2 ** 20, us: 20_000, ms: 20, count: 0 };

/** vitest's update mode: 'new' writes missing baselines, 'all' (-u) rewrites them, 'none' (CI) writes nothing. */
export type UpdateMode = 'new' | 'all' | 'none';

type Entry = Partial<Record<Metric, number>>;
type BaselineFile = Record<string, Entry>;

function updateMode(state: MatcherState): UpdateMode {
  const snapshot = (state as MatcherState & { snapshotState?: { snapshotUpdateState?: UpdateMode } }).snapshotState;
  // Outside vitest's runner there is no snapshot state: vitest's own default.
  return snapshot?.snapshotUpdateState ?? (process.env.CI ? 'none' : 'new');
}

export function baselinePath(testPath: string): string {
  return join(dirname(testPath), '__baselines__', `${basename(testPath)}.json`);
}

function readBaselines(file: string): BaselineFile {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as BaselineFile;
  } catch (e) {
    throw new Error(`toMatchResourceBaseline: ${file} is not valid JSON (${(e as Error).message}): fix it, or delete it and run again`);
  }
}

/** Sorted keys, so that the file diffs well; written whole and renamed into place. */
function writeBaselines(file: string, data: BaselineFile): void {
  const sorted = Object.fromEntries(
    Object.keys(data)
      .sort()
      .map((k) => [k, Object.fromEntries(Object.entries(data[k]!).sort(([a], [b]) => a.localeCompare(b)))]),
  );
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(sorted, null, 2) + '\n');
  renameSync(tmp, file);
}

function toleranceOf(opts: BaselineOptions, m: Metric): number {
  const t = typeof opts.tolerance === 'object' ? (opts.tolerance[m] ?? DEFAULT_TOLERANCE) : (opts.tolerance ?? DEFAULT_TOLERANCE);
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) throw new TypeError(`toMatchResourceBaseline: tolerance of ${m}: expected a fraction such as 0.1 (10 %), got ${String(t)}`);
  return t;
}

/**
 * One line per metric above its allowance: "memory.peakBytes 142.0 MiB > baseline 120.0 MiB + 10 %".
 * Pure: the comparison, without files.
 */
export function compareToBaseline(current: Entry, baseline: Entry, metrics: readonly Metric[], tolerance: (m: Metric) => number): string[] {
  const over: string[] = [];
  for (const m of metrics) {
    const { kind } = METRICS[m];
    const [now, base] = [current[m], baseline[m]];
    if (now === undefined || base === undefined) continue;
    const t = tolerance(m);
    const byTolerance = base * (1 + t);
    const bySlack = base + SLACK[kind];
    if (now <= Math.max(byTolerance, bySlack)) continue;
    const allowance = byTolerance >= bySlack ? `${+(t * 100).toFixed(1)} %` : human(kind, SLACK[kind]);
    over.push(`${m} ${human(kind, now)} > baseline ${human(kind, base)} + ${allowance}`);
  }
  return over;
}

function measure(r: RunResult, metrics: readonly Metric[]): Entry {
  const out: Entry = {};
  for (const m of metrics) {
    const v = METRICS[m].read(r);
    if (v === null) throw new TypeError(`toMatchResourceBaseline: ${m} was not measured in this run (no network or volume of its own): leave it out of metrics`);
    out[m] = Math.round(v);
  }
  return out;
}

export async function toMatchResourceBaseline(this: MatcherState, value: unknown, opts: BaselineOptions = {}): Promise<SyncExpectationResult> {
  if (this.isNot) throw new TypeError('toMatchResourceBaseline cannot be used with .not: a baseline is a ceiling to stay under');
  const r = runResultOf(value);
  if (!r) throw new TypeError('toMatchResourceBaseline: expected a RunResult (from run(), stop() or the output of b.$)');
  const metrics = opts.metrics ?? DEFAULT_METRICS;
  const bad = metrics.filter((m) => !isMetric(m));
  if (!Array.isArray(metrics) || metrics.length === 0 || bad.length) {
    throw new TypeError(`toMatchResourceBaseline: metrics: expected some of ${Object.keys(METRICS).join(', ')}${bad.length ? `; unknown: ${bad.join(', ')}` : ''}`);
  }
  const tolerance = (m: Metric) => toleranceOf(opts, m);
  metrics.forEach(tolerance); // bad tolerances fail now, not only on a regression
  if (!this.testPath || !this.currentTestName) throw new Error('toMatchResourceBaseline: call it inside a running test (it keys baselines by the test file and name)');

  const file = baselinePath(this.testPath);
  const shown = join('__baselines__', basename(file));
  const key = opts.name ? `${this.currentTestName} > ${opts.name}` : this.currentTestName;
  const mode = updateMode(this);
  const current = measure(r, metrics);

  // Read, decide and write synchronously: concurrent tests of one file cannot interleave here.
  const data = readBaselines(file);
  const stored = data[key] ?? {};
  const missing = metrics.filter((m) => stored[m] === undefined);
  if (mode === 'all' || missing.length > 0) {
    if (mode === 'none') {
      const what = missing.length === metrics.length ? 'no resource baseline' : `no baseline of ${missing.join(', ')}`;
      return {
        pass: false,
        message: () => `${what} for "${key}" in ${shown}, and CI does not write one: run the test where CI is not set (or with vitest -u) and commit ${shown}`,
      };
    }
    data[key] = mode === 'all' ? current : { ...stored, ...Object.fromEntries(missing.map((m) => [m, current[m]])) };
    writeBaselines(file, data);
    return { pass: true, message: () => `wrote the resource baseline for "${key}" in ${shown}` };
  }
  const over = compareToBaseline(current, stored, metrics, tolerance);
  return {
    pass: over.length === 0,
    message: () => [`resource use of "${key}" is above its baseline in ${shown}:`, ...over.map((l) => `  ${l}`), 'if this is intended, update the baseline: vitest -u'].join('\n'),
  };
}
