// Where the report goes: the repository's BENCHMARKS.md and bench/throughput.svg from a full run
// of every case (or with --write); a directory of its own for a --quick or partial run, so that a
// development run never overwrites the published one by accident.
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { markdown } from './markdown.mjs';
import { throughputSvg } from './svg.mjs';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export function writeReport(results, cases) {
  const o = results.meta.options;
  const complete = !o.quick && !o.only && o.phases.length === 3;
  const dir = o.out ?? (complete || o.write ? ROOT : join(tmpdir(), `cgbox-bench-${results.meta.date.replace(/[:.]/g, '-')}`));
  mkdirSync(dir, { recursive: true });
  const md = join(dir, 'BENCHMARKS.md');
  const svg = dir === ROOT ? join(ROOT, 'bench', 'throughput.svg') : join(dir, 'throughput.svg');
  const m = results.meta;
  const subtitle = `${m.machine.cpu}, ${m.machine.cores} cores; Linux ${m.machine.kernel}; load ${m.loadBefore[0]} → ${m.loadAfter[0]}; ${m.date.slice(0, 16).replace('T', ' ')} UTC`;
  if (results.throughput) writeFileSync(svg, throughputSvg(results, cases, subtitle));
  writeFileSync(md, markdown(results, cases, { svgPath: results.throughput ? relative(dir, svg) : undefined, command: m.command }));
  return results.throughput ? [md, svg] : [md];
}
