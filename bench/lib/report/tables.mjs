// The report's tables, as rows of cells: one source for the console and for BENCHMARKS.md.
import { PARALLEL } from '../phases/throughput.mjs';
import { SIZES } from '../phases/flatness.mjs';
import { ratio } from '../stats.mjs';
import { verdict } from '../goals.mjs';

const ms = (v) => (v == null || !Number.isFinite(v) ? '–' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const rate = (v) => (v == null || !Number.isFinite(v) ? '–' : v >= 100 ? v.toFixed(0) : v.toFixed(1));
const times = (v) => (v == null ? '–' : `${v.toFixed(2)}×`);
const bytes = (v) => (v == null || !Number.isFinite(v) ? '–' : Math.abs(v) >= 1024 ? `${(v / 1024).toFixed(1)} KiB` : `${v.toFixed(0)} B`);
const spread = (s, f) => (s ? `${f(s.min)}–${f(s.max)}` : '–');
const iqr = (s, f) => (s ? `${f(s.q1)}–${f(s.q3)}` : '–');

export function latencyTable(results, cases) {
  const L = results.latency ?? {};
  const base = (id) => L[id]?.ms.median;
  const rows = cases.filter((c) => L[c.id]).map((c) => {
    const s = L[c.id].ms;
    const cold = c.kind === 'cgbox' && !c.rootless ? `${L[c.id].coldRuns}/${s.n}` : '';
    return [c.label, ms(s.median), iqr(s, ms), spread(s, ms), times(ratio(s.median, base('unshare'))), times(ratio(s.median, base('runc'))), ms(L[c.id].cpuMs.median), cold];
  });
  return { head: ['case', 'median ms', 'IQR', 'min–max', '× unshare', '× runc', 'Node CPU ms', 'cold starts'], rows };
}

export function throughputTable(results, cases) {
  const T = results.throughput ?? {};
  const at = (id, k) => T[id]?.[k]?.runsPerSec.median;
  const rows = cases.filter((c) => T[c.id]).map((c) => [
    c.label,
    ...PARALLEL.map((k) => `${rate(at(c.id, k))} (${spread(T[c.id][k].runsPerSec, rate)})`),
    ...[1, 16].map((k) => times(ratio(at(c.id, k), at('unshare', k)))),
    ...[1, 16].map((k) => times(ratio(at(c.id, k), at('runc', k)))),
    ...[1, 16].map((k) => ms(T[c.id][k].cpuMsPerRun.median)),
    c.kind === 'cgbox' && !c.rootless ? PARALLEL.map((k) => `${Math.round((T[c.id][k].coldShare ?? 0) * 100)} %`).join(' · ') : '',
  ]);
  return {
    head: ['case', ...PARALLEL.map((k) => `${k} in flight, runs/s (min–max)`), '× unshare @1', '× unshare @16', '× runc @1', '× runc @16', 'Node CPU ms/run @1', '@16', 'cold starts @1 · 4 · 16'],
    rows,
  };
}

export function flatnessTable(results, cases) {
  const F = results.flatness ?? {};
  const rows = cases.filter((c) => F[c.id]).map((c) => {
    const f = F[c.id];
    return [
      c.label,
      ...SIZES.map((n) => `${ms(f[n].msPerRun.median)} (${spread(f[n].msPerRun, ms)})`),
      `${ms(f[1000].firstTenthMs.median)} → ${ms(f[1000].lastTenthMs.median)}`,
      ...SIZES.map((n) => ms(f[n].cpuMsPerRun.median)),
      bytes(f[1000].heapBytesPerRun.median),
    ];
  });
  return {
    head: ['case', ...SIZES.map((n) => `${n.toLocaleString('en')} in a row, ms/sandbox`), '1,000: first → last tenth, ms', ...SIZES.map((n) => `Node CPU ms @${n.toLocaleString('en')}`), 'heap kept/sandbox @1,000'],
    rows,
  };
}

/** What each option adds to a cgbox run (its start-up median minus cgbox's own). */
export function addsTable(results, cases) {
  const L = results.latency ?? {};
  const b = L.cgbox?.ms.median;
  const rows = cases.filter((c) => c.kind === 'cgbox' && c.id !== 'cgbox' && !c.rootless && L[c.id] && b != null).map((c) => [c.label, `${L[c.id].ms.median - b >= 0 ? '+' : ''}${ms(L[c.id].ms.median - b)}`]);
  return { head: ['case', 'adds to a run, ms'], rows };
}

export function goalsTable(goals) {
  return { head: ['goal', 'verdict', 'measured'], rows: goals.map((g) => [g.name, verdict(g), g.shown]), left: 3 };
}

/** Cases not measured (the host lacks what they need) and cases that failed, each with why. */
export function absentRows(cases) {
  return cases.filter((c) => c.reason || c.error).map((c) => [c.id, c.error ? `FAILED: ${c.error}` : `not measured: ${c.reason}`]);
}

/** Padded columns for a terminal. */
export function textTable({ head, rows, left = 1 }) {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => (i < left ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

const cell = (c) => String(c).replace(/\|/g, '\\|');

export function markdownTable({ head, rows, left = 1 }) {
  return [`| ${head.map(cell).join(' | ')} |`, `|${head.map((_, i) => (i < left ? '---' : '--:')).join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}
