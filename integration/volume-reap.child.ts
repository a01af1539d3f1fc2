// Started by volume-reap.test.ts: a sandbox with a volume of every kind and a rootfs, that would live 60 s.
import { sandbox } from '../src/index.js';

const [mnt, root] = process.argv.slice(2) as [string, string];
const box = await sandbox()
  .volume(mnt, { size: '16m', driver: 'loop' })
  .volume(`${mnt}/t`, { size: '8m', driver: 'tmpfs' })
  .volume(`${mnt}/b`, { size: '16m', driver: 'btrfs' })
  .start('sleep', ['60']);
const boxRoot = await sandbox().rootfs(root).start('/bin/sleep', ['60']);
process.stdout.write(`running ${box.name} ${boxRoot.name}\n`);
await box.result;
