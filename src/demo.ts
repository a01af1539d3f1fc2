/**
 * `npm run demo`: one sandbox with memory, CPU and task limits running
 * fixtures with known behaviour, and its usage report; then the same
 * allocation past the memory limit, to show an OOM kill reported exactly.
 */
import { fileURLToPath } from 'node:url';
import { formatReport, sandbox } from './index.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/bin/${name}`, import.meta.url));

const box = sandbox().memory('128m').cpuQuota(0.5).pids(32).timeout('30s');

console.log("sandbox().memory('128m').cpuQuota(0.5).pids(32): allocate 100 MiB, then spin for 1 s of wall time");
const ok = await box.run('sh', ['-c', `${fixture('alloc')} 100 && ${fixture('burn')} --wall 1000`]);
process.stdout.write(ok.stdout + formatReport(ok));

console.log("\nsandbox().memory('64m'): allocate 100 MiB");
const oom = await sandbox().memory('64m').run(fixture('alloc'), ['100']);
process.stdout.write(formatReport(oom));

if (!ok.ok || !oom.oomKilled) {
  console.error('demo: the sandbox did not behave as expected');
  process.exit(1);
}
