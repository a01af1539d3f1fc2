// The harness's flags. Full mode is what BENCHMARKS.md is written from; --quick is for development.
import { ALL_PHASES } from './cases/index.mjs';

export const USAGE = `npm run bench -- [flags]
  --quick            fewer rounds and runs (minutes, not a quarter of an hour), for development
  --only a,b         these cases only (ids, or a prefix with *: --only 'cgbox*,unshare')
  --phases a,b       of ${ALL_PHASES.join(', ')} (default: all)
  --json             the results as one JSON document on stdout (progress stays on stderr)
  --write            write BENCHMARKS.md and bench/throughput.svg even for a --quick or partial run
  --out DIR          write the report and chart into DIR instead
  --wait-quiet L     first wait (up to 30 min) until the 1-minute load average is at most L
  --from FILE        write the report and chart again from an earlier --json output (no measuring)
  --topics           then run the per-topic benches too (bench/*.bench.mjs)
  --list             list the cases and exit`;

const FULL = { latencyRounds: 40, throughputRounds: 5, throughputRuns: 120, flatRounds: 3 };
const QUICK = { latencyRounds: 8, throughputRounds: 2, throughputRuns: 48, flatRounds: 1 };

export function parseArgs(argv) {
  const o = { quick: false, json: false, only: undefined, phases: ALL_PHASES, write: false, out: undefined, waitQuiet: undefined, from: undefined, topics: false, list: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === '--quick') o.quick = true;
    else if (a === '--json') o.json = true;
    else if (a === '--only') o.only = value();
    else if (a === '--phases') o.phases = value().split(',');
    else if (a === '--write') o.write = true;
    else if (a === '--out') o.out = value();
    else if (a === '--wait-quiet') o.waitQuiet = Number(value());
    else if (a === '--from') o.from = value();
    else if (a === '--topics') o.topics = true;
    else if (a === '--list') o.list = true;
    else if (a === '--help' || a === '-h') o.help = true;
    else throw new Error(`unknown flag ${a}\n${USAGE}`);
  }
  const bad = o.phases.filter((p) => !ALL_PHASES.includes(p));
  if (bad.length) throw new Error(`--phases: no phase ${bad.join(', ')}; the phases are ${ALL_PHASES.join(', ')}`);
  return { ...o, ...(o.quick ? QUICK : FULL), gapMs: 20, settleMs: 50, phasePauseMs: 3000 };
}
