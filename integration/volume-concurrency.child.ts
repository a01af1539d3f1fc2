// Started by volume-concurrency.test.ts, several at once: each wants the pool and the template.
import { btrfsTemplate } from '../src/index.js';

process.stdout.write(`${await btrfsTemplate(process.argv[2]!)}\n`);
