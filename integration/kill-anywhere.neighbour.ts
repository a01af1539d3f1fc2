// Started by kill-anywhere.test.ts: a live box of another process, answering "exec" lines on stdin with its output.
import { createInterface } from 'node:readline';
import { sandbox } from '../src/index.js';

const box = await sandbox().memory('64m').net({}).volume('/tmp/cgbox-kill-anywhere', { size: '8m', driver: 'tmpfs' }).start('sleep', ['600']);
process.stdout.write(`ready ${box.name}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'exec') {
    const r = await box.exec('sh', ['-c', 'echo alive; cat /proc/2/comm']).catch((e: Error) => ({ stdout: `failed: ${e.message}` }));
    process.stdout.write(`${r.stdout.replace(/\n/g, ' ').trim()}\n`);
  } else if (line === 'stop') {
    await box.stop({ graceMs: 100 });
    process.stdout.write('stopped\n');
    break;
  }
}
