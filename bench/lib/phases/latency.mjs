// Start-up latency, one sandbox at a time: `rounds` rounds, each running every case once in
// turn (round-robin, so a noisy neighbour hits every case alike), each run timed from the call to
// its end. An untimed gap follows every run, as a suite's own code sits between its sandboxes:
// the work cgbox does after a run (its next spare) is then done before the next case starts.
import { block } from '../block.mjs';
import { sleep } from '../spawned.mjs';
import { summary } from '../stats.mjs';

export async function latency(cases, { rounds, gapMs, progress, failed }) {
  const ms = Object.fromEntries(cases.map((c) => [c.id, []]));
  const cpu = Object.fromEntries(cases.map((c) => [c.id, []]));
  const cold = Object.fromEntries(cases.map((c) => [c.id, 0]));
  for (let r = 0; r < rounds; r++) {
    for (const c of cases) {
      if (c.error) continue;
      try {
        const b = await block(c, 1, 1);
        ms[c.id].push(b.ms);
        cpu[c.id].push(b.cpuUs / 1000);
        cold[c.id] += b.cold ?? 0;
      } catch (e) {
        failed(c, e, 'start-up');
      }
      await sleep(gapMs);
    }
    progress(`start-up: round ${r + 1}/${rounds}`);
  }
  return Object.fromEntries(cases.filter((c) => !c.error).map((c) => [c.id, { ms: summary(ms[c.id]), cpuMs: summary(cpu[c.id]), coldRuns: cold[c.id] }]));
}
