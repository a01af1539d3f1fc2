// BENCHMARKS.md: the tables, the goals, the machine, what was not measured and why, how it was
// measured, and the one command that makes it again.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PARALLEL } from '../phases/throughput.mjs';
import { absentRows, addsTable, flatnessTable, goalsTable, latencyTable, markdownTable, throughputTable } from './tables.mjs';

/**
 * bench/NOTES.md, when present: what the numbers cannot say themselves — where the time goes for
 * each goal not met, from profiles — written by hand beside a run and kept with it.
 */
function notes() {
  const path = fileURLToPath(new URL('../../NOTES.md', import.meta.url));
  return existsSync(path) ? [readFileSync(path, 'utf8').trim(), ''] : [];
}

export function markdown(results, cases, { svgPath, command }) {
  const m = results.meta;
  const o = m.options;
  const absent = absentRows(cases);
  const sections = [
    '# Benchmarks',
    '',
    `Written by \`${command}\` (bench/index.mjs) on ${m.date}; every number below is from that one run. ` +
      'The machine is shared (other test runs and VMs): the cases alternate in every round, so a busy moment hits them alike, and each figure is a median with its spread. ' +
      'Ratios are of medians from the same run; a figure from another run or machine is not comparable.',
    '',
    '## The machine',
    '',
    markdownTable({
      head: ['', ''],
      left: 2,
      rows: [
        ['CPU', `${m.machine.cpu}, ${m.machine.cores} cores, ${m.machine.memoryGiB} GiB`],
        ['kernel', `Linux ${m.machine.kernel} (${m.machine.os})`],
        ['cgroups', m.machine.cgroups],
        ['systemd', m.machine.systemd ? 'running' : 'not running (pid 1 is not systemd)'],
        ['Node', m.machine.node],
        ['load average (1, 5, 15 min)', `before ${m.loadBefore.join(', ')}; after ${m.loadAfter.join(', ')}`],
        ['cgbox', `commit ${m.machine.commit}`],
        ['peers', Object.entries(m.versions).map(([k, v]) => `${k}: ${v}`).join('; ')],
        ['mode', `${o.quick ? 'quick' : 'full'}: start-up ${o.latencyRounds} rounds; throughput ${o.throughputRounds} rounds of ${o.throughputRuns} runs at each of ${PARALLEL.join(', ')} in flight; in a row ${o.flatRounds} round(s) of 10, 100 and 1,000`],
      ],
    }),
    '',
    '## Goals',
    '',
    'Judged on this run\'s ratios; never a failure.',
    '',
    markdownTable(goalsTable(results.goals)),
    '',
    ...notes(),
  ];
  if (results.latency) {
    sections.push(
      '## Start-up: one sandbox at a time',
      '',
      `Each case runs \`true\` once per round, in turn, ${o.latencyRounds} rounds; a run is timed from the call to its end (the sandbox gone). ` +
        `An untimed ${o.gapMs} ms follows each run, as a suite's own code sits between its sandboxes. IQR: the middle half of the runs. ` +
        'Node CPU: what this Node process spent on the run (below). Cold starts: the runs that found no spare sandbox ready and made their cgroups and init on the clock (counted by wrapping `child_process.spawn` in the bench: the starts of cgbox\'s init without `--standby`).',
      '',
      markdownTable(latencyTable(results, cases)),
      '',
    );
    const adds = addsTable(results, cases);
    if (adds.rows.length) sections.push('What each option adds to a cgbox run (its median minus that of cgbox with no network):', '', markdownTable(adds), '');
  }
  if (results.throughput) {
    sections.push(
      '## Throughput: back to back, 1, 4 and 16 in flight',
      '',
      `${o.throughputRuns} runs per block, each worker starting the next run as its last ends; runs/s = runs ÷ the block's wall time. ${o.throughputRounds} rounds of every case and parallelism in turn: the median and the min–max of the rounds. ` +
        `Node CPU per run includes ${o.settleMs} ms after the block (off the clock), so work a run leaves behind is counted with it. Cold starts: the share of cgbox's runs that found no spare ready (a process keeps one, up to three for runs back to back; the next is made once a run is over).`,
      '',
      markdownTable(throughputTable(results, cases)),
      '',
      svgPath ? `![runs per second against the number in flight](${svgPath})\n` : '',
    );
  }
  if (results.flatness) {
    sections.push(
      '## Cost per sandbox: 10, 100 and 1,000 in a row',
      '',
      'One at a time, back to back. ms/sandbox = the block\'s wall time ÷ its runs; first → last tenth: the median run of the first and of the last 100 of the 1,000. ' +
        'Heap kept: `heapUsed` after a forced GC (`--expose-gc`), after the block minus before it, per sandbox. unshare is the reference for what the machine itself drifts.',
      '',
      markdownTable(flatnessTable(results, cases)),
      '',
    );
  }
  sections.push('## The cases', '', markdownTable({ head: ['case', 'what it runs'], left: 2, rows: cases.map((c) => [`\`${c.id}\`: ${c.label}`, c.what]) }), '');
  if (absent.length) sections.push('## Not measured here, and why', '', markdownTable({ head: ['case', 'why'], left: 2, rows: absent }), '');
  sections.push(
    '## How it is measured',
    '',
    '- Node-side CPU is `process.cpuUsage()`, i.e. `getrusage(RUSAGE_SELF)`: every thread of the Node process that runs the sandboxes (its main thread, libuv\'s threadpool, V8\'s GC and compiler threads), and none of its children — the sandboxes\' own processes, `ip`, `tc`, `btrfs`, the init helper are children, counted by the kernel in `RUSAGE_CHILDREN`, which `cpuUsage` does not read.',
    '- Rootless cases run in a worker Node process started as uid 65534 (`setpriv`), which times its own runs and reports its own CPU.',
    '- Where Node\'s time goes, function by function: `npm run bench:profile` (a `--cpu-prof` run of N sandboxes, its top self-time functions and categories).',
    '- The per-topic benches (`bench/net.bench.mjs`, `bench/volume.bench.mjs`, `bench/view.bench.mjs`) measure each part against its raw commands: `npm run bench -- --topics`.',
    '',
    '## Reproduce',
    '',
    '```sh',
    'bash scripts/setup.sh   # bubblewrap, runc and the rest',
    command,
    '```',
    '',
  );
  return sections.join('\n');
}
