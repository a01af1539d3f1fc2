// Started by volume-spares.test.ts: two btrfs volumes of one kind (so a spare is made), then a normal exit.
import { sandbox } from '../src/index.js';

const [mnt] = process.argv.slice(2) as [string];
for (let i = 0; i < 3; i++) await sandbox().volume(mnt, { size: '16m', driver: 'btrfs' }).run('true');
await new Promise((r) => setTimeout(r, 500)); // the spare made (one still being made at exit is the reaper's)
process.stdout.write('done\n');
