/**
 * A run's timeline as a standalone SVG: memory over time above, CPU
 * utilisation below, the limits the kernel applied as dashed lines, and the
 * way the run ended marked where it ended. Plain SVG 1.1 text, no scripts,
 * no external fonts: it opens in a browser, an image viewer or rsvg-convert.
 */
import { bytes, micros, millis } from './human.js';
import { cpuIntervals } from './timeline.js';
import type { RunResult } from './types.js';

const W = 880;
const H = 600;
const LEFT = 84;
const RIGHT = 28;
const MEMORY = { top: 84, height: 210 };
const CPU = { top: 352, height: 180 };
const COLOURS = { memory: '#1f6fb4', cpu: '#e07b10', limit: '#c62828', grid: '#e3e3e3', axis: '#555', text: '#222', end: '#888' };

/** Coordinates with one decimal: enough for a screen, short enough to read. */
const f = (n: number) => (Math.round(n * 10) / 10).toString();

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Round steps (1, 2, 2.5, 5 × 10^k) covering 0..max in about `n` ticks. */
export function niceTicks(max: number, n = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / n;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * p).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let i = 0; i * step < max + step * 1e-9; i++) ticks.push(+(i * step).toPrecision(12));
  if (ticks[ticks.length - 1]! < max) ticks.push(+(ticks.length * step).toPrecision(12));
  return ticks;
}

const BYTE_UNITS: Array<[string, number]> = [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10], ['B', 1]];

function outcome(r: RunResult): string {
  const how = r.signal ? `killed by ${r.signal}` : `exited with ${r.exitCode}`;
  const notes = [r.oomKilled ? 'OOM kill' : '', r.timedOut ? 'timed out' : ''].filter(Boolean);
  return notes.length ? `${how} (${notes.join(', ')})` : how;
}

interface Axis {
  /** Value → pixel. */
  at(v: number): number;
  ticks: number[];
  label(v: number): string;
}

function timeAxis(maxMs: number): Axis {
  const inSeconds = maxMs >= 2000;
  const div = inSeconds ? 1000 : 1;
  const ticks = niceTicks(maxMs / div, 8).map((t) => t * div);
  const top = ticks[ticks.length - 1]!;
  const width = W - LEFT - RIGHT;
  return { at: (ms) => LEFT + (ms / top) * width, ticks, label: (ms) => (inSeconds ? `${+(ms / 1000).toPrecision(6)} s` : `${+ms.toPrecision(6)} ms`) };
}

function valueAxis(max: number, box: { top: number; height: number }, unit: { name: string; size: number }): Axis {
  const ticks = niceTicks(max / unit.size, 5).map((t) => t * unit.size);
  const top = ticks[ticks.length - 1]!;
  return {
    at: (v) => box.top + box.height - (v / top) * box.height,
    ticks,
    label: (v) => `${+(v / unit.size).toPrecision(6)}${unit.name ? ' ' + unit.name : ''}`,
  };
}

/** Frame, grid lines and tick labels of one panel. */
function panel(cls: string, title: string, box: { top: number; height: number }, x: Axis, y: Axis): string[] {
  const bottom = box.top + box.height;
  const out = [`<text class="panel-title" x="${LEFT}" y="${box.top - 12}" font-size="14" font-weight="bold" fill="${COLOURS.text}">${esc(title)}</text>`];
  for (const v of y.ticks) {
    const py = f(y.at(v));
    out.push(`<line class="grid" x1="${LEFT}" y1="${py}" x2="${W - RIGHT}" y2="${py}" stroke="${COLOURS.grid}"/>`);
    out.push(`<text class="tick ${cls}-tick" x="${LEFT - 8}" y="${py}" dy="4" text-anchor="end" font-size="12" fill="${COLOURS.axis}">${esc(y.label(v))}</text>`);
  }
  for (const t of x.ticks) {
    const px = f(x.at(t));
    out.push(`<line class="grid" x1="${px}" y1="${box.top}" x2="${px}" y2="${bottom}" stroke="${COLOURS.grid}"/>`);
    out.push(`<text class="tick time-tick" x="${px}" y="${bottom + 18}" text-anchor="middle" font-size="12" fill="${COLOURS.axis}">${esc(x.label(t))}</text>`);
  }
  out.push(`<rect x="${LEFT}" y="${box.top}" width="${W - LEFT - RIGHT}" height="${box.height}" fill="none" stroke="${COLOURS.axis}"/>`);
  return out;
}

/** A dashed horizontal limit line with its label; off the scale it becomes a note at the top. */
function limitLine(cls: string, value: number, y: Axis, box: { top: number }, label: string): string[] {
  const py = y.at(value);
  if (py < box.top - 0.5) {
    return [`<text class="limit-note ${cls}" x="${LEFT + 8}" y="${box.top + 16}" font-size="12" fill="${COLOURS.limit}">${esc(label)} (above the scale)</text>`];
  }
  return [
    `<line class="limit ${cls}" x1="${LEFT}" y1="${f(py)}" x2="${W - RIGHT}" y2="${f(py)}" stroke="${COLOURS.limit}" stroke-width="2" stroke-dasharray="8 5"/>`,
    `<text class="limit-label ${cls}" x="${LEFT + 8}" y="${f(py - 6)}" font-size="12" fill="${COLOURS.limit}">${esc(label)}</text>`,
  ];
}

function legend(box: { top: number }, items: Array<[string, string, boolean]>): string[] {
  const out: string[] = [];
  let x = W - RIGHT;
  for (const [label, colour, dashed] of [...items].reverse()) {
    x -= label.length * 7.4 + 44;
    const y = box.top - 16;
    out.push(`<line x1="${f(x)}" y1="${y}" x2="${f(x + 22)}" y2="${y}" stroke="${colour}" stroke-width="2.5"${dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    out.push(`<text x="${f(x + 28)}" y="${y + 4}" font-size="12" fill="${COLOURS.text}">${esc(label)}</text>`);
  }
  return out;
}

/** The timeline of `r` (its `samples`, from `.sample()` or `cgbox run --plot`) as SVG text. */
export function toSVG(r: RunResult): string {
  const samples = r.samples ?? [];
  const u = r.usage;
  const command = r.command.map((a) => (/[\s"'$]/.test(a) ? JSON.stringify(a) : a)).join(' ');
  const head = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text class="title" x="${LEFT}" y="26" font-size="16" font-weight="bold" fill="${COLOURS.text}">${esc(command.length > 90 ? command.slice(0, 89) + '…' : command)}</text>`,
    `<text class="subtitle" x="${LEFT}" y="46" font-size="12" fill="${COLOURS.axis}">${esc(`${outcome(r)} · wall ${millis(r.durationMs)} · memory peak ${bytes(u.memory.peakBytes)} · CPU ${micros(u.cpu.usageUs)} · ${samples.length} samples`)}</text>`,
  ];

  const endMs = Math.max(r.durationMs, samples[samples.length - 1]?.tMs ?? 0, 1);
  const x = timeAxis(endMs);

  // Memory: the limit sets the scale unless it is far above what was used.
  const memLimit = typeof r.limits.memory?.value === 'number' ? r.limits.memory.value : undefined;
  const memTop = Math.max(1, ...samples.map((s) => s.memoryBytes));
  const memScale = Math.max(memTop, memLimit !== undefined && memLimit <= 4 * memTop ? memLimit : 0) * 1.05;
  const [unitName, unitSize] = BYTE_UNITS.find(([, size]) => memScale / size >= 2) ?? ['B', 1];
  const mem = valueAxis(memScale, MEMORY, { name: unitName, size: unitSize });

  // CPU: percent of one CPU, as top shows it (200 % = two CPUs busy).
  const intervals = cpuIntervals(samples);
  const quota = typeof r.limits.cpuQuota?.value === 'number' ? r.limits.cpuQuota.value : undefined;
  const cpuTop = Math.max(10, ...intervals.map((c) => c.cpus * 100), quota !== undefined ? quota * 100 : 0) * 1.1;
  const cpu = valueAxis(cpuTop, CPU, { name: '%', size: 1 });

  const body: string[] = [
    ...panel('memory', 'Memory (charged to the sandbox)', MEMORY, x, mem),
    ...panel('cpu', 'CPU (% of one CPU)', CPU, x, cpu),
    `<text class="axis-label" x="${f(LEFT + (W - LEFT - RIGHT) / 2)}" y="${CPU.top + CPU.height + 44}" text-anchor="middle" font-size="13" fill="${COLOURS.text}">time since start</text>`,
    ...legend(MEMORY, [['memory', COLOURS.memory, false], ...(memLimit !== undefined ? [['limit', COLOURS.limit, true] as [string, string, boolean]] : [])]),
    ...legend(CPU, [['CPU', COLOURS.cpu, false], ...(quota !== undefined ? [['quota', COLOURS.limit, true] as [string, string, boolean]] : [])]),
  ];

  if (samples.length > 0) {
    const pts = samples.map((s) => `${f(x.at(s.tMs))},${f(mem.at(s.memoryBytes))}`);
    const base = f(mem.at(0));
    body.push(`<polygon class="memory-area" points="${f(x.at(samples[0]!.tMs))},${base} ${pts.join(' ')} ${f(x.at(samples[samples.length - 1]!.tMs))},${base}" fill="${COLOURS.memory}" fill-opacity="0.12"/>`);
    body.push(`<polyline class="memory" points="${pts.join(' ')}" fill="none" stroke="${COLOURS.memory}" stroke-width="2.5" stroke-linejoin="round"/>`);
  } else {
    body.push(`<text class="no-samples" x="${f(LEFT + (W - LEFT - RIGHT) / 2)}" y="${MEMORY.top + MEMORY.height / 2}" text-anchor="middle" font-size="14" fill="${COLOURS.axis}">no samples: record them with .sample('100ms') (cgbox run --plot does)</text>`);
  }
  if (intervals.length > 0) {
    // A step per interval: the CPU time between two samples, spread over that interval.
    const pts = intervals.flatMap((c) => [`${f(x.at(c.fromMs))},${f(cpu.at(c.cpus * 100))}`, `${f(x.at(c.toMs))},${f(cpu.at(c.cpus * 100))}`]);
    body.push(`<polyline class="cpu" points="${pts.join(' ')}" fill="none" stroke="${COLOURS.cpu}" stroke-width="2" stroke-linejoin="round"/>`);
  }
  if (memLimit !== undefined) body.push(...limitLine('memory-limit', memLimit, mem, MEMORY, `limit ${bytes(memLimit)}`));
  if (quota !== undefined) body.push(...limitLine('cpu-limit', quota * 100, cpu, CPU, `quota ${quota} CPU (${+(quota * 100).toFixed(1)} %)`));

  // Where and how the run ended, across both panels.
  const ex = f(x.at(r.durationMs));
  const bad = r.oomKilled || r.timedOut || r.signal !== null || r.exitCode !== 0;
  const endLabel = r.oomKilled ? 'OOM kill' : r.timedOut ? 'timed out' : r.signal ? r.signal : `exit ${r.exitCode}`;
  body.push(`<line class="end" x1="${ex}" y1="${MEMORY.top}" x2="${ex}" y2="${CPU.top + CPU.height}" stroke="${bad ? COLOURS.limit : COLOURS.end}" stroke-dasharray="2 3"/>`);
  body.push(`<text class="end-label" x="${ex}" y="${MEMORY.top + 16}" dx="-5" text-anchor="end" font-size="12" font-weight="bold" fill="${bad ? COLOURS.limit : COLOURS.axis}">${esc(endLabel)}</text>`);

  return [...head, ...body, '</svg>', ''].join('\n');
}
