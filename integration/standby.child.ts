// Started by standby.test.ts: two runs (so a spare is made), then idles until killed.
import { sandbox } from '../src/index.js';

await sandbox().run('true');
await sandbox().run('true');
setTimeout(() => process.stdout.write('idle\n'), 300);
setTimeout(() => {}, 60_000);
