import { accessSync, constants } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SetupError } from '../spec/errors.js';

/** native/ sits two levels above both src/launch and dist/launch. */
const INIT = fileURLToPath(new URL('../../native/bin/cgbox-init', import.meta.url));

export function initBinary(): string {
  try {
    accessSync(INIT, constants.X_OK);
  } catch {
    throw new SetupError(
      'init',
      `${INIT} is missing: it is built at install from native/src/*.c with the system compiler (apt-get install gcc), then \`npm rebuild cgbox\` — or \`npm run build\` in a checkout of cgbox`,
    );
  }
  return INIT;
}
