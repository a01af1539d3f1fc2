// The console report: the same tables as BENCHMARKS.md, padded for a terminal.
import { absentRows, addsTable, flatnessTable, goalsTable, latencyTable, textTable, throughputTable } from './tables.mjs';

export function printText(results, cases) {
  const m = results.meta;
  const out = [
    `cgbox against its peers — ${m.machine.cpu}, ${m.machine.cores} cores, Linux ${m.machine.kernel}, ${m.machine.cgroups}, Node ${m.machine.node}`,
    `load average before ${m.loadBefore.join(' ')}, after ${m.loadAfter.join(' ')}; ${m.date}`,
  ];
  if (results.latency) out.push('', 'start-up, one at a time (ms):', textTable(latencyTable(results, cases)));
  const adds = addsTable(results, cases);
  if (adds.rows.length) out.push('', textTable(adds));
  if (results.throughput) out.push('', 'throughput, back to back:', textTable(throughputTable(results, cases)));
  if (results.flatness) out.push('', 'cost per sandbox, in a row:', textTable(flatnessTable(results, cases)));
  out.push('', 'goals:', textTable(goalsTable(results.goals)));
  const absent = absentRows(cases);
  if (absent.length) out.push('', 'not measured / failed:', textTable({ head: ['case', 'why'], rows: absent, left: 2 }));
  console.log(out.join('\n'));
}
