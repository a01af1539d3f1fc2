import { accessSync, constants } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SetupError } from '../spec/errors.js';

/** native/ sits two levels above both src/launch and dist/launch. */
const INIT = fileURLToPath(new URL('../../native/bin/cgbox-init', import.meta.url));

export function initBinary(): string {
  try {
    accessSync(INIT, constants.X_OK);
  } catch {
    throw new SetupError('init', `${INIT} is missing: it is built at install from native/cgbox-init.c; run \`npm run build\` (needs a C compiler: apt-get install gcc)`);
  }
  return INIT;
}
