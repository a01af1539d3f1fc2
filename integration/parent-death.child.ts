// Started by parent-death.test.ts: runs a sandbox that would live 60 s, says when it is up.
import { sandbox } from '../src/index.js';

const run = sandbox().run('sh', ['-c', 'sleep 60 & sleep 60 & echo up; wait'], { stdout: process.stdout });
setTimeout(() => process.stdout.write('running\n'), 300);
await run;
