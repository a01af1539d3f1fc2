export { flagWords, viewArgs } from './args.js';
export { cgroupfsOf } from './cgroupfs.js';
export { hostFs } from './host-fs.js';
export { planView, preparedView } from './plan.js';
export { keptPlanView, keptPreparedView } from './plan-memo.js';
export type { HostFs, MountFlag, ViewContext, ViewOp } from './types.js';
