// Started by parent-death.test.ts: runs a sandbox that would live 60 s, says when it is up.
// Plain JavaScript on the built package: under the VM tier's emulation a TypeScript loader costs minutes.
import { sandbox } from '../dist/index.js';

const run = sandbox().run('sh', ['-c', 'sleep 60 & sleep 60 & echo up; wait'], { stdout: process.stdout });
setTimeout(() => process.stdout.write('running\n'), 300);
await run;
