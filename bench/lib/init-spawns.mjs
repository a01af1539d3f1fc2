// Counts the starts of cgbox's init helper by this Node process: with --standby (a spare made
// ahead) or without (a run that found no spare ready and started cold), whether spawned or asked
// of the fork server (`cgbox-init --zygote`, whose requests on its stdin are read as they go). The
// library is not changed for it: child_process.spawn is wrapped, and syncBuiltinESMExports() hands
// the wrapper to every ESM import of it. A block's cold starts over its runs is how often a run found no spare.
import { createRequire, syncBuiltinESMExports } from 'node:module';

const cp = createRequire(import.meta.url)('node:child_process');
export const initSpawns = { standby: 0, cold: 0 };

let installed = false;
export function countInitSpawns() {
  if (installed) return;
  installed = true;
  const spawn = cp.spawn;
  cp.spawn = function counted(file, args, ...rest) {
    const init = typeof file === 'string' && /\/cgbox-init[^/]*$/.test(file) && Array.isArray(args);
    // Exec mode is no sandbox's start.
    if (init && !args.includes('--zygote') && !args.includes('--enter')) args.includes('--standby') ? initSpawns.standby++ : initSpawns.cold++;
    const child = spawn.call(this, file, args, ...rest);
    if (init && args.includes('--zygote')) countRequests(child.stdin);
    return child;
  };
  syncBuiltinESMExports();
}

/** Each write to the fork server is one request, "ARGC\0ARG\0…ENVC\0…" (native/src/zygote.h). */
function countRequests(stdin) {
  const write = stdin.write;
  stdin.write = function counted(chunk, ...rest) {
    const request = String(chunk);
    if (!request.includes('\0--enter\0')) request.includes('\0--standby\0') ? initSpawns.standby++ : initSpawns.cold++;
    return write.call(this, chunk, ...rest);
  };
}
