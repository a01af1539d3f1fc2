/** The view's layers, in the order the init carries them out: adding a layer is a file and an entry here. */
import { cgroupfsLayer } from './cgroupfs.js';
import { devLayer } from './dev.js';
import { finishLayer } from './finish.js';
import { hostLayer } from './host.js';
import type { Layer } from './layer.js';
import { mountsLayer } from './mounts.js';
import { procLayer } from './proc.js';
import { rootLayer } from './root.js';
import { sysLayer } from './sys.js';
import { tmpfsDirsLayer } from './tmpfs-dirs.js';

// /sys before the tmpfs dirs: the init joins the sandbox's cgroups just before those (plan.ts), so the
// fresh sysfs and its masks are cgbox's cost too, not the run's.
export const LAYERS: readonly Layer[] = [rootLayer, procLayer, hostLayer, devLayer, sysLayer, tmpfsDirsLayer, cgroupfsLayer, mountsLayer, finishLayer];
