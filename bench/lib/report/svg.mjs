// The throughput chart: runs/s against the number in flight (1, 4, 16), one line per case, the
// median with a bar from the rounds' min to max, on log axes. Plain SVG 1.1 text in the style of
// src/report/svg.ts (no scripts, no external fonts): it opens in a browser or rsvg-convert.
import { PARALLEL } from '../phases/throughput.mjs';

const W = 920;
const H = 560;
const PLOT = { left: 78, top: 92, width: 470, height: 380 };
const LEGEND_X = PLOT.left + PLOT.width + 40;
const C = { grid: '#e3e3e3', axis: '#555', text: '#222' };
// Peers dashed, cgbox's cases solid; cgbox itself the thickest.
const STYLE = {
  spawn: ['#9e9e9e', '6 4'],
  unshare: ['#222222', '6 4'],
  bwrap: ['#8e44ad', '6 4'],
  runc: ['#c62828', '6 4'],
  'systemd-run': ['#795548', '6 4'],
  'unshare-rootless': ['#546e7a', '6 4'],
  cgbox: ['#1f6fb4', ''],
  'cgbox-cold': ['#7986cb', ''],
  'cgbox-net': ['#e07b10', ''],
  'cgbox-btrfs': ['#2e7d32', ''],
  'cgbox-loop': ['#00838f', ''],
  'cgbox-rootfs': ['#ad1457', ''],
  'cgbox-privileged': ['#a1887f', ''],
  'cgbox-rootless': ['#0d47a1', ''],
};

const f = (n) => (Math.round(n * 10) / 10).toString();
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** 1, 2, 5 × 10^k from below `min` to above `max`: a log axis's ticks. */
function logTicks(min, max) {
  const ticks = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) for (const m of [1, 2, 5]) ticks.push(+(m * 10 ** e).toPrecision(12));
  const lo = ticks.findLast((t) => t <= min) ?? ticks[0];
  const hi = ticks.find((t) => t >= max) ?? ticks[ticks.length - 1];
  return ticks.filter((t) => t >= lo && t <= hi);
}

export function throughputSvg(results, cases, subtitle) {
  const T = results.throughput ?? {};
  const shown = cases.filter((c) => T[c.id]);
  // Both axes logarithmic: 1, 4, 16 evenly; runs/s so that a ratio between two cases is one
  // distance wherever it is (the goals are ratios), and the slow cases do not pile up at the bottom.
  const values = shown.flatMap((c) => PARALLEL.flatMap((k) => [T[c.id][k].runsPerSec.min, T[c.id][k].runsPerSec.max])).filter((v) => Number.isFinite(v) && v > 0);
  const ticks = logTicks(values.length ? Math.min(...values) : 1, values.length ? Math.max(...values) : 10);
  const [lo, hi] = [Math.log10(ticks[0]), Math.log10(ticks[ticks.length - 1])];
  const x = (i) => PLOT.left + 30 + (i / (PARALLEL.length - 1)) * (PLOT.width - 60);
  const y = (v) => PLOT.top + PLOT.height - ((Math.log10(Math.max(v, ticks[0])) - lo) / (hi - lo)) * PLOT.height;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${PLOT.left}" y="34" font-size="18" font-weight="bold" fill="${C.text}">Sandboxes per second against the number in flight</text>`,
    `<text x="${PLOT.left}" y="58" font-size="12" fill="${C.axis}">${esc(subtitle)}</text>`,
  ];
  for (const t of ticks) {
    out.push(`<line x1="${PLOT.left}" y1="${f(y(t))}" x2="${PLOT.left + PLOT.width}" y2="${f(y(t))}" stroke="${C.grid}"/>`);
    out.push(`<text x="${PLOT.left - 8}" y="${f(y(t))}" dy="4" text-anchor="end" font-size="12" fill="${C.axis}">${t}</text>`);
  }
  PARALLEL.forEach((k, i) => out.push(`<text x="${f(x(i))}" y="${PLOT.top + PLOT.height + 22}" text-anchor="middle" font-size="13" fill="${C.axis}">${k}</text>`));
  out.push(`<line x1="${PLOT.left}" y1="${PLOT.top + PLOT.height}" x2="${PLOT.left + PLOT.width}" y2="${PLOT.top + PLOT.height}" stroke="${C.axis}"/>`);
  out.push(`<line x1="${PLOT.left}" y1="${PLOT.top}" x2="${PLOT.left}" y2="${PLOT.top + PLOT.height}" stroke="${C.axis}"/>`);
  out.push(`<text x="${PLOT.left + PLOT.width / 2}" y="${PLOT.top + PLOT.height + 46}" text-anchor="middle" font-size="13" fill="${C.text}">sandboxes in flight</text>`);
  out.push(`<text transform="translate(22 ${PLOT.top + PLOT.height / 2}) rotate(-90)" text-anchor="middle" font-size="13" fill="${C.text}">runs of \`true\` per second, log scale (median; bar: min–max)</text>`);

  // The legend in the order of the lines' ends at 16 in flight, highest first, as they are read.
  const order = [...shown].sort((a, b) => T[b.id][16].runsPerSec.median - T[a.id][16].runsPerSec.median);
  for (const c of order) {
    const [colour, dash] = STYLE[c.id] ?? ['#666', ''];
    const width = c.id === 'cgbox' ? 3.5 : 2;
    const pts = PARALLEL.map((k, i) => [x(i), y(T[c.id][k].runsPerSec.median)]);
    out.push(`<g class="case" data-case="${esc(c.id)}">`);
    PARALLEL.forEach((k, i) => {
      const s = T[c.id][k].runsPerSec;
      out.push(`<line x1="${f(x(i))}" y1="${f(y(s.min))}" x2="${f(x(i))}" y2="${f(y(s.max))}" stroke="${colour}" stroke-width="1.2" opacity="0.7"/>`);
    });
    out.push(`<polyline points="${pts.map(([a, b]) => `${f(a)},${f(b)}`).join(' ')}" fill="none" stroke="${colour}" stroke-width="${width}"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
    for (const [a, b] of pts) out.push(`<circle cx="${f(a)}" cy="${f(b)}" r="${c.id === 'cgbox' ? 4.5 : 3.5}" fill="${colour}"/>`);
    out.push('</g>');
  }
  out.push(`<text x="${LEGEND_X}" y="${PLOT.top - 4}" font-size="12" fill="${C.axis}">runs/s at 1 · 4 · 16 in flight</text>`);
  order.forEach((c, i) => {
    const [colour, dash] = STYLE[c.id] ?? ['#666', ''];
    const ly = PLOT.top + 20 + i * 26;
    const v = PARALLEL.map((k) => Math.round(T[c.id][k].runsPerSec.median)).join(' · ');
    out.push(`<line x1="${LEGEND_X}" y1="${ly}" x2="${LEGEND_X + 26}" y2="${ly}" stroke="${colour}" stroke-width="${c.id === 'cgbox' ? 3.5 : 2}"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
    out.push(`<text x="${LEGEND_X + 34}" y="${ly}" dy="4" font-size="12" fill="${C.text}"${c.id === 'cgbox' ? ' font-weight="bold"' : ''}>${esc(c.label)}</text>`);
    out.push(`<text x="${LEGEND_X + 34}" y="${ly + 13}" dy="0" font-size="10" fill="${C.axis}">${v}</text>`);
  });
  out.push(`<text x="${LEGEND_X}" y="${H - 20}" font-size="11" fill="${C.axis}">dashed: peers · solid: cgbox</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
