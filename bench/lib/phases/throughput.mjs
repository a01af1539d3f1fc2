// Throughput: `runs` sandboxes back to back with 1, 4 and 16 in flight, runs/s over the block.
// `rounds` rounds, each a block per case and parallelism in turn, for a median and a spread.
import { block } from '../block.mjs';
import { summary } from '../stats.mjs';

export const PARALLEL = [1, 4, 16];

export async function throughput(cases, { rounds, runs, settleMs, progress, failed }) {
  const rate = {};
  const cpu = {};
  const cold = {};
  for (const c of cases) for (const k of PARALLEL) ((rate[c.id] ??= {})[k] = []), ((cpu[c.id] ??= {})[k] = []), ((cold[c.id] ??= {})[k] = 0);
  for (let r = 0; r < rounds; r++) {
    for (const c of cases) {
      for (const k of PARALLEL) {
        if (c.error) continue;
        try {
          const b = await block(c, runs, k, { settle: settleMs });
          rate[c.id][k].push(runs / (b.ms / 1000));
          cpu[c.id][k].push(b.cpuUs / 1000 / runs);
          cold[c.id][k] += b.cold ?? 0;
        } catch (e) {
          failed(c, e, `throughput at ${k} in flight`);
        }
      }
    }
    progress(`throughput: round ${r + 1}/${rounds}`);
  }
  const out = {};
  for (const c of cases.filter((c) => !c.error)) {
    out[c.id] = Object.fromEntries(PARALLEL.map((k) => [k, { runsPerSec: summary(rate[c.id][k]), cpuMsPerRun: summary(cpu[c.id][k]), coldShare: cold[c.id][k] / (runs * rate[c.id][k].length) }]));
  }
  return out;
}
