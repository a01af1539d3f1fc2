// Counts the starts of cgbox's init helper by this Node process: with --standby (a spare made
// ahead, when no zygote makes it) or without (a run that found no spare ready and started cold). The library is not changed for
// it: child_process.spawn is wrapped, and syncBuiltinESMExports() hands the wrapper to every ESM
// import of it. A block's cold starts over its runs is how often a run found no spare.
import { createRequire, syncBuiltinESMExports } from 'node:module';

const cp = createRequire(import.meta.url)('node:child_process');
export const initSpawns = { standby: 0, cold: 0 };

let installed = false;
export function countInitSpawns() {
  if (installed) return;
  installed = true;
  const spawn = cp.spawn;
  cp.spawn = function counted(file, args, ...rest) {
    // The zygote (started once) and exec mode are no sandbox's start; spares made by the zygote are not spawned by Node at all.
    if (typeof file === 'string' && /\/cgbox-init[^/]*$/.test(file) && Array.isArray(args) && !args.includes('--zygote') && !args.includes('--enter'))
      args.includes('--standby') ? initSpawns.standby++ : initSpawns.cold++;
    return spawn.call(this, file, args, ...rest);
  };
  syncBuiltinESMExports();
}
