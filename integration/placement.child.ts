// Started by placement.test.ts, under a unit it chose: acquires this process's placement, makes a
// sandbox-like cgroup in it with memory.max = 64 MiB, prints both as one JSON line, and lives on.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { probeCallerContext } from '../src/placement/probe-context.js';
import { acquirePlacement } from '../src/placement/strategies.js';

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
setInterval(() => {}, 1 << 30);
