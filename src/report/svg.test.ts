import { describe, expect, it } from 'vitest';
import { niceTicks, toSVG } from './svg.js';
import { MiB, fakeResult, type FakeResult } from './fake-result.js';
import type { RunResult, Sample } from './types.js';

function run(samples: Sample[] | undefined, overrides: FakeResult = {}): RunResult {
  return fakeResult({
    command: ['fixtures/bin/alloc', '--step-ms', '10', '100'],
    durationMs: 1050,
    usage: {
      cpu: { usageUs: 250_000, userUs: 200_000, systemUs: 50_000, throttledPeriods: 0, throttledUs: 0 },
      memory: { peakBytes: 100 * MiB, swapPeakBytes: 0, oomKills: 0 },
    },
    limits: { memory: { value: 128 * MiB, enforced: true }, cpuQuota: { value: 0.5, enforced: true } },
    ...(samples ? { samples } : {}),
    ...overrides,
  });
}

/** 0 → 100 MiB in 21 samples 50 ms apart, a quarter of one CPU busy throughout. */
const growing: Sample[] = Array.from({ length: 21 }, (_, i) => ({ tMs: i * 50, cpuUs: i * 12_500, memoryBytes: i * 5 * MiB, tasks: 1 }));

type El = Record<string, string> & { text: string };

/** The <polyline>, <line> and <text> elements of an SVG with their attributes. */
function elements(svg: string, name: string, cls?: string): El[] {
  const re = new RegExp(`<${name}\\b([^>]*?)(?:/>|>([^<]*)</${name}>)`, 'g');
  const out: El[] = [];
  for (const m of svg.matchAll(re)) {
    const el = { text: m[2] ?? '' } as El;
    for (const a of m[1]!.matchAll(/([\w-]+)="([^"]*)"/g)) el[a[1]!] = a[2]!;
    if (!cls || (el.class ?? '').split(' ').includes(cls)) out.push(el);
  }
  return out;
}

/** Pixel y → bytes, from the memory axis's tick labels ("50 MiB"). */
function memoryScale(svg: string): (y: number) => number {
  const ticks = elements(svg, 'text', 'memory-tick').map((t) => ({ y: Number(t.y), v: Number(t.text.split(' ')[0]) * MiB }));
  const [a, b] = [ticks[0]!, ticks[ticks.length - 1]!];
  return (y) => a.v + ((y - a.y) * (b.v - a.v)) / (b.y - a.y);
}

const points = (pl: El) => pl.points!.split(' ').map((p) => p.split(',').map(Number) as [number, number]);

describe('toSVG', () => {
  it('draws the memory curve, rising to the peak, and the memory limit at its value', () => {
    const svg = toSVG(run(growing));
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    const toBytes = memoryScale(svg);
    const [memory] = elements(svg, 'polyline', 'memory');
    const pts = points(memory!);
    expect(pts).toHaveLength(21);
    expect(toBytes(pts[0]![1])).toBeCloseTo(0, -5);
    expect(toBytes(pts[20]![1]) / MiB).toBeCloseTo(100, 0);
    for (let i = 1; i < pts.length; i++) expect(pts[i]![0]).toBeGreaterThan(pts[i - 1]![0]); // time runs right
    const [limit] = elements(svg, 'line', 'memory-limit');
    expect(toBytes(Number(limit!.y1)) / MiB).toBeCloseTo(128, 0);
    expect(elements(svg, 'text', 'memory-limit')[0]!.text).toBe('limit 128.0 MiB');
  });

  it('draws CPU as utilisation between samples, with the quota as a line', () => {
    const svg = toSVG(run(growing));
    const ticks = elements(svg, 'text', 'cpu-tick').map((t) => ({ y: Number(t.y), v: parseFloat(t.text) }));
    for (const t of elements(svg, 'text', 'cpu-tick')) expect(t.text).toMatch(/^\d+(\.\d+)? %$/);
    const [a, b] = [ticks[0]!, ticks[ticks.length - 1]!];
    const toPercent = (y: number) => a.v + ((y - a.y) * (b.v - a.v)) / (b.y - a.y);
    const cpu = points(elements(svg, 'polyline', 'cpu')[0]!);
    expect(cpu).toHaveLength(40); // a step (two points) per interval
    for (const [, y] of cpu) expect(toPercent(y)).toBeCloseTo(25, 0);
    expect(toPercent(Number(elements(svg, 'line', 'cpu-limit')[0]!.y1))).toBeCloseTo(50, 0);
    expect(elements(svg, 'text', 'cpu-limit')[0]!.text).toBe('quota 0.5 CPU (50 %)');
  });

  it('labels the axes with units: MiB, %, and ms or s of time', () => {
    const svg = toSVG(run(growing));
    expect(elements(svg, 'text', 'memory-tick').map((t) => t.text)).toEqual(['0 MiB', '50 MiB', '100 MiB', '150 MiB']);
    expect(elements(svg, 'text', 'time-tick').map((t) => t.text).slice(0, 3)).toEqual(['0 ms', '200 ms', '400 ms']);
    const long = toSVG(run(growing.map((s) => ({ ...s, tMs: s.tMs * 10 })), { durationMs: 10_500 }));
    expect(elements(long, 'text', 'time-tick').map((t) => t.text).slice(0, 3)).toEqual(['0 s', '2 s', '4 s']);
  });

  it('marks how the run ended: an OOM kill in the limit colour', () => {
    const svg = toSVG(run(growing, { exitCode: null, signal: 'SIGKILL', oomKilled: true, ok: false }));
    expect(elements(svg, 'text', 'end-label')[0]!.text).toBe('OOM kill');
    expect(elements(svg, 'text', 'subtitle')[0]!.text).toMatch(/^killed by SIGKILL \(OOM kill\) · wall 1\.050 s · memory peak 100\.0 MiB/);
    expect(elements(toSVG(run(growing)), 'text', 'end-label')[0]!.text).toBe('exit 0');
  });

  it('keeps the scale on the data when the limit is far above it, and says so', () => {
    const svg = toSVG(run(growing, { limits: { memory: { value: 8 * 2 ** 30, enforced: true } } }));
    expect(elements(svg, 'line', 'memory-limit')).toEqual([]);
    expect(elements(svg, 'text', 'memory-limit')[0]!.text).toBe('limit 8.0 GiB (above the scale)');
    expect(elements(svg, 'text', 'memory-tick').at(-1)!.text).toBe('125 MiB');
    expect(elements(svg, 'polyline', 'cpu-limit')).toEqual([]);
  });

  it('without samples still draws a valid picture that says how to get them', () => {
    const svg = toSVG(run(undefined));
    expect(elements(svg, 'polyline')).toEqual([]);
    expect(elements(svg, 'text', 'no-samples')[0]!.text).toContain(".sample('100ms')");
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  });

  it('escapes the command for XML', () => {
    const svg = toSVG(run(growing, { command: ['sh', '-c', 'a < b && echo "x"'] }));
    expect(elements(svg, 'text', 'title')[0]!.text).toBe('sh -c &quot;a &lt; b &amp;&amp; echo \\&quot;x\\&quot;&quot;');
  });
});

describe('niceTicks', () => {
  it('covers 0..max in round steps', () => {
    expect(niceTicks(105)).toEqual([0, 25, 50, 75, 100, 125]);
    expect(niceTicks(134.4)).toEqual([0, 50, 100, 150]);
    expect(niceTicks(9, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(1.1, 8)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1, 1.2]);
    expect(niceTicks(0)).toEqual([0, 1]);
  });
});
