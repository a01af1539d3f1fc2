// Started by standby.test.ts: two runs (so spares are made), then idles until killed.
// Plain JavaScript on the built package: under the VM tier's emulation a TypeScript loader costs minutes.
import { sandbox } from '../dist/index.js';

await sandbox().run('true');
await sandbox().run('true');
setTimeout(() => process.stdout.write('idle\n'), 300);
setTimeout(() => {}, 60_000);
