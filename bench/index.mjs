// `npm run bench`: cgbox against its peers in one run — start-up one at a time, throughput at 1,
// 4 and 16 in flight, cost per sandbox at 10, 100 and 1,000 in a row, Node's own CPU and heap per
// sandbox — with the cases alternating in every round, medians and spreads, the goals judged,
// and BENCHMARKS.md and bench/throughput.svg written. `--help` for the flags.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs, USAGE } from './lib/args.mjs';
import { CASES, inPhase, select } from './lib/cases/index.mjs';
import { releaseCgbox } from './lib/cases/cgbox.mjs';
import { stopRootlessWorker } from './lib/cases/rootless.mjs';
import { load, machine } from './lib/machine.mjs';
import { latency } from './lib/phases/latency.mjs';
import { throughput } from './lib/phases/throughput.mjs';
import { flatness } from './lib/phases/flatness.mjs';
import { judge } from './lib/goals.mjs';
import { printText } from './lib/report/text.mjs';
import { writeReport } from './lib/report/write.mjs';
import { sleep } from './lib/spawned.mjs';
import { countInitSpawns } from './lib/init-spawns.mjs';

// Heap per sandbox needs a forced GC: run again with --expose-gc when started without it.
if (typeof globalThis.gc !== 'function') {
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const o = parseArgs(process.argv.slice(2));
const log = (s) => process.stderr.write(`${s}\n`);
if (o.help) {
  console.log(USAGE);
  process.exit(0);
}
if (o.list) {
  for (const c of CASES) console.log(`${c.id.padEnd(18)} ${c.label}`);
  process.exit(0);
}

/** The report of an earlier --json run, written again (the tables and chart, no new measurement). */
function fromFile(path) {
  const results = JSON.parse(readFileSync(path, 'utf8'));
  if (o.out) results.meta.options.out = o.out;
  return { results, cases: results.cases };
}

/** Waits until the 1-minute load is at most `below`, up to 30 minutes: the quietest moment it can find. */
async function waitQuiet(below) {
  const until = Date.now() + 30 * 60_000;
  while (load()[0] > below && Date.now() < until) {
    log(`waiting for the load to fall to ${below}: now ${load().join(', ')}`);
    await sleep(15_000);
  }
}

/** A case that failed (not one the host cannot run): said loudly, and left out from then on. */
function failed(c, e, where) {
  c.error = `${where}: ${e.message.split('\n')[0]}`;
  log(`FAILED ${c.id} (${where}): ${e.message}`);
}

async function prepare(c) {
  c.reason = (await c.probe?.()) ?? undefined;
  if (c.reason) return log(`not measured: ${c.id}: ${c.reason}`);
  try {
    await c.setup?.();
    for (let i = 0; i < 3; i++) await c.run(); // first uses: pools, templates, the bridge, the first spare
    c.versionText = await c.version?.();
  } catch (e) {
    failed(c, e, 'setup');
  }
}

async function measure(cases) {
  countInitSpawns();
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    for (const c of cases) await c.cleanup?.().catch((e) => log(`cleanup of ${c.id}: ${e.message}`));
    await releaseCgbox().catch((e) => log(`releasing cgbox's spares: ${e.message}`));
    stopRootlessWorker();
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  if (o.waitQuiet !== undefined) await waitQuiet(o.waitQuiet);
  const args = process.argv.slice(2).filter((a) => a !== '--write' && a !== '--json');
  const command = `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`;
  const results = { meta: { date: new Date().toISOString(), command, machine: machine(), loadBefore: load(), options: o, versions: {} } };
  try {
    for (const c of cases) await prepare(c);
    const live = (phase) => cases.filter((c) => !c.reason && !c.error && inPhase(c, phase));
    const ctx = { gapMs: o.gapMs, settleMs: o.settleMs, progress: log, failed };
    // A pause between phases: one phase's aftermath (btrfs's cleaner, loop devices detaching,
    // netns deletions) falls on no measurement of the next.
    const pause = () => sleep(o.phasePauseMs);
    if (o.phases.includes('latency')) results.latency = await latency(live('latency'), { ...ctx, rounds: o.latencyRounds });
    if (o.phases.includes('throughput')) await pause(), (results.throughput = await throughput(live('throughput'), { ...ctx, rounds: o.throughputRounds, runs: o.throughputRuns }));
    if (o.phases.includes('flatness')) await pause(), (results.flatness = await flatness(live('flatness'), { ...ctx, rounds: o.flatRounds }));
  } finally {
    await cleanup();
  }
  results.meta.loadAfter = load();
  for (const c of cases) if (c.versionText) results.meta.versions[c.id] = c.versionText;
  results.goals = judge(results);
  results.cases = cases.map(({ id, label, kind, what, reason, error }) => ({ id, label, kind, what, ...(reason ? { reason } : {}), ...(error ? { error } : {}) }));
  return { results, cases: results.cases };
}

const { results, cases } = o.from ? fromFile(o.from) : await measure(select(o.only));
const written = writeReport(results, cases);
if (o.json) process.stdout.write(`${JSON.stringify(results, null, 1)}\n`);
else printText(results, cases);
log(`\nwrote ${written.join(' and ')}`);

if (o.topics) {
  const r = spawnSync(process.execPath, [fileURLToPath(new URL('./topics.mjs', import.meta.url))], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = 1;
}
if (cases.some((c) => c.error)) process.exitCode = 1;
