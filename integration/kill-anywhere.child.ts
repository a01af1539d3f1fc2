// Started by kill-anywhere.test.ts: runs sandboxes with every kind of resource, one after another, until it is killed.
import { sandbox } from '../src/index.js';

const root = process.argv[2]!;
const kinds = [
  () => sandbox().memory('64m').pids(32).cpuQuota(0.5).run('true'),
  () => sandbox().memory('64m').net({ bandwidth: '10mbit' }).run('true'),
  () => sandbox().volume('/data', { size: '32m', driver: 'btrfs' }).rootfs(root).run('/bin/sh', ['-c', 'echo x > /data/f']),
  () => sandbox().volume('/tmp/cgbox-kill-anywhere', { size: '16m', driver: 'loop' }).net({}).run('true'),
  async () => {
    const box = await sandbox().net({}).volume('/tmp/cgbox-kill-anywhere', { size: '8m', driver: 'tmpfs' }).start('sleep', ['30']);
    await box.exec('true');
    await box.stop({ graceMs: 50 });
  },
];
process.stdout.write('looping\n');
for (let i = 0; ; i++) await kinds[i % kinds.length]!();
