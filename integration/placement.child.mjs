// Started by placement.test.ts, under a unit it chose: acquires this process's placement, makes a
// sandbox-like cgroup in it with memory.max = 64 MiB, prints both as one JSON line, and lives on.
// Each `oom` line on stdin then runs a sandbox that is OOM-killed, gives systemd time to react to
// it, and prints the result; with the argument `oom` it does that once, at once, and exits 0.
// Plain JavaScript on the built package: under the VM tier's emulation a TypeScript loader costs minutes.
import { createInterface } from 'node:readline';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { probeCallerContext } from '../dist/placement/probe-context.js';
import { acquirePlacement } from '../dist/placement/strategies.js';

async function oomRun() {
  const { sandbox } = await import('../dist/index.js');
  const r = await sandbox().memory('64m').run('tail', ['/dev/zero']);
  // systemd reads memory.events as the kernel raises them: a unit it stops for the OOM kill gets SIGTERM within this.
  await new Promise((resolve) => setTimeout(resolve, 5000));
  return `${JSON.stringify({ oomKilled: r.oomKilled, signal: r.signal })}\n`;
}

if (process.argv[2] === 'oom') {
  process.stdout.write(await oomRun());
  process.exit(0);
}

const t0 = performance.now();
const ctx = probeCallerContext();
const probeMs = Math.round(performance.now() - t0);
const placement = await acquirePlacement(() => ctx);
const acquireMs = Math.round(performance.now() - t0) - probeMs;
const sandbox = join(placement.parent, `cgbox-${process.pid}-5a4d`);
mkdirSync(sandbox);
writeFileSync(join(sandbox, 'memory.max'), String(64 * 2 ** 20));
const memoryMax = readFileSync(join(sandbox, 'memory.max'), 'utf8').trim();
process.stdout.write(`${JSON.stringify({ ctx, placement, sandbox, memoryMax, probeMs, acquireMs })}\n`);
for await (const line of createInterface({ input: process.stdin })) if (line === 'oom') process.stdout.write(await oomRun());
setInterval(() => {}, 1 << 30);
