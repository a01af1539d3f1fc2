// What `npm run bench:profile` runs under `node --cpu-prof`: one case's setup and warm-up, then
// `--runs` sandboxes with `--parallel` in flight (and 50 ms to settle, as the harness's blocks). It
// prints the window of those runs (its clock, wall time and Node CPU per sandbox) as one JSON line:
// the summary reads the profile's samples inside it only, without the loading and the warm-up.
import { CASES } from '../cases/index.mjs';
import { releaseCgbox } from '../cases/cgbox.mjs';
import { block } from '../block.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : process.argv[i + 1];
};
const id = arg('case', 'cgbox');
const runs = Number(arg('runs', 300));
const parallel = Number(arg('parallel', 1));
const c = CASES.find((x) => x.id === id);
if (!c || c.block) throw new Error(`bench:profile: no case ${id} to run in this process; the cases are ${CASES.filter((x) => !x.block).map((x) => x.id).join(', ')}`);
const why = await c.probe?.();
if (why) throw new Error(`bench:profile: ${id} cannot run here: ${why}`);
try {
  await c.setup?.();
  for (let i = 0; i < 3; i++) await c.run();
  // The profile's clock is the monotonic one hrtime reads, in µs: the summary keeps this window only.
  const fromUs = Number(process.hrtime.bigint() / 1000n);
  const b = await block(c, runs, parallel, { settle: 50 });
  const toUs = Number(process.hrtime.bigint() / 1000n);
  console.log(JSON.stringify({ case: id, runs, parallel, fromUs, toUs, ms: b.ms, cpuMsPerRun: b.cpuUs / 1000 / runs }));
} finally {
  await c.cleanup?.();
  await releaseCgbox();
}
