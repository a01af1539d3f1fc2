// The per-topic benches, each in its own process: every bench/*.bench.mjs in turn. Each measures
// its own baseline in the same run and prints ratios; none fails on a number.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const dir = new URL('.', import.meta.url);
let failed = 0;
for (const file of readdirSync(dir).filter((f) => f.endsWith('.bench.mjs')).sort()) {
  console.log(`\n## ${file}`);
  const r = spawnSync(process.execPath, [new URL(file, dir).pathname], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
