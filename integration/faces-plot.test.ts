/**
 * The timeline plot of a real run: a fixture growing to 100 MiB under a 128m
 * limit, drawn by toSVG and by `cgbox run --plot`. The SVG is read as text:
 * the memory curve's points mapped back through the axis's own tick labels.
 *
 * Host tier only: the faces call the public API only: what they show does not depend on the cgroup
 * version.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { formatReport, sandbox, toSVG } from '../src/index.js';
import { MiB, fixture } from './fixtures.js';
import { idleNeed, roomFor, runWatched, watchCpu } from './load.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'cgbox-faces-plot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type El = Record<string, string> & { text: string };

function elements(svg: string, name: string, cls: string): El[] {
  const re = new RegExp(`<${name}\\b([^>]*?)(?:/>|>([^<]*)</${name}>)`, 'g');
  const out: El[] = [];
  for (const m of svg.matchAll(re)) {
    const el = { text: m[2] ?? '' } as El;
    for (const a of m[1]!.matchAll(/([\w-]+)="([^"]*)"/g)) el[a[1]!] = a[2]!;
    if ((el.class ?? '').split(' ').includes(cls)) out.push(el);
  }
  return out;
}

/** What the plot shows: the memory curve in MiB (through the tick labels) and the limit line's value. */
function readPlot(svg: string) {
  const ticks = elements(svg, 'text', 'memory-tick').map((t) => {
    const [v, unit] = t.text.split(' ');
    expect(unit).toBe('MiB');
    return { y: Number(t.y), mib: Number(v) };
  });
  expect(ticks.length).toBeGreaterThanOrEqual(3);
  const [a, b] = [ticks[0]!, ticks[ticks.length - 1]!];
  const mib = (y: number) => a.mib + ((y - a.y) * (b.mib - a.mib)) / (b.y - a.y);
  const [line] = elements(svg, 'polyline', 'memory');
  const curve = line!.points!.split(' ').map((p) => mib(Number(p.split(',')[1])));
  const limits = elements(svg, 'line', 'memory-limit').map((l) => mib(Number(l.y1)));
  return { curve, limits };
}

describe('plots', () => {
  it('toSVG of alloc growing to 100 MiB under 128m: the rising curve and the limit line', async () => {
    const { result: r, machine } = await runWatched(sandbox().memory('128m').sample('50ms'), fixture('alloc'), ['--step-ms', '10', '100']);
    expect(r.exitCode).toBe(0);
    const svg = toSVG(r);
    const { curve, limits } = readPlot(svg);
    // ~1 s at 50 ms: the fixture sleeps 10 ms a step, so the run lasts at least that long, and the sampler
    // takes one every 50 ms at most — as often as this process gets the CPU to, on a busy machine.
    const room = roomFor('toSVG timeline', [idleNeed(machine)], { tight: 'at least 15 points', relaxed: 'at least 3 points' });
    expect(curve.length).toBeGreaterThanOrEqual(room ? 15 : 3);
    expect(curve[0]!).toBeLessThan(15);
    expect(Math.max(...curve)).toBeGreaterThan(90);
    expect(Math.max(...curve)).toBeLessThan(104);
    // It rises to the peak: every point at least where the one before was (1 MiB of noise allowed).
    // After it, the process exits — at once on an idle machine, over a few samples on a busy one:
    // the curve only falls there.
    const peak = curve.indexOf(Math.max(...curve));
    for (let i = 1; i <= peak; i++) expect(curve[i]!).toBeGreaterThanOrEqual(curve[i - 1]! - 1);
    for (let i = peak + 1; i < curve.length; i++) expect(curve[i]!).toBeLessThanOrEqual(curve[i - 1]! + 1);
    expect(limits).toHaveLength(1);
    expect(limits[0]!).toBeCloseTo(128, 0);
    expect(elements(svg, 'polyline', 'cpu')).toHaveLength(1);
    expect(formatReport(r)).toMatch(/\tTimeline: \d+ samples over \d\.\d{3} s: memory up to (9\d|10\d)\.\d MiB/);
  });

  it('cgbox run --plot writes the same picture of the run, sampled every 50ms', async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before the integration tests`);
    const out = join(dir, 'alloc.svg');
    const watch = watchCpu();
    const r = await execa('node', [CLI, 'run', '--memory', '128m', '--plot', out, '--', fixture('alloc'), '--step-ms', '10', '100'], { reject: false });
    const machine = await watch.stop();
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain(`cgbox: timeline plot written to ${out}`);
    expect(r.stderr).toMatch(/\tTimeline: \d+ samples/);
    const { curve, limits } = readPlot(readFileSync(out, 'utf8'));
    const room = roomFor('cgbox run --plot timeline', [idleNeed(machine)], { tight: 'at least 15 points', relaxed: 'at least 3 points' });
    expect(curve.length).toBeGreaterThanOrEqual(room ? 15 : 3);
    expect(Math.max(...curve)).toBeGreaterThan(90);
    expect(limits[0]!).toBeCloseTo(128, 0);
  });

  it('an OOM-killed run is marked where it ended', async () => {
    const r = await sandbox().memory('64m').sample('20ms').run(fixture('alloc'), ['--step-ms', '5', '100']);
    expect(r.oomKilled).toBe(true);
    const svg = toSVG(r);
    expect(elements(svg, 'text', 'end-label')[0]!.text).toBe('OOM kill');
    const { curve, limits } = readPlot(svg);
    expect(Math.max(...curve)).toBeLessThanOrEqual(64.5);
    expect(limits[0]!).toBeCloseTo(64, 0);
  });
});
