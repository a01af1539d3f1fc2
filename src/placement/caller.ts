/**
 * No systemd and nothing delegated (a plain host or container without a
 * manager of cgroups): nobody else owns the caller's cgroup, so sandboxes
 * nest beneath it as they always did, its processes moving into a leaf on
 * cgroup v2. On a v1 or hybrid host, v2's rules do not apply: nothing moves
 * (each v1 hierarchy is nested per controller by the v1 driver).
 */
import { cgroupDir, type CallerContext } from '../host/caller-context.js';
import { nestUnderCaller } from './delegated.js';
import type { Placement, PlacementStrategy } from './types.js';

export const caller: PlacementStrategy = {
  name: 'caller',
  applies: () => true,

  acquire: async (ctx) => callerPlacement(ctx),
  explain: (ctx) => callerPlacement(ctx).describe,
};

function callerPlacement(ctx: CallerContext): Placement {
  if (ctx.cgroupVersion !== 2) {
    const parent = ctx.mount ? (cgroupDir(ctx.mount, ctx.cgroup) ?? ctx.mount.dir) : '';
    return {
      kind: 'caller',
      parent,
      describe: `cgroup ${ctx.cgroupVersion === 1 ? 'v1' : 'v1 (hybrid)'}: sandboxes nest beneath the caller's own cgroup (${ctx.cgroup}) in each controller's hierarchy, and no process is moved`,
    };
  }
  const { parent, leaf } = nestUnderCaller(ctx);
  return {
    kind: 'caller',
    parent,
    leaf,
    describe: `no systemd, nothing delegated: sandboxes nest beneath the caller's own cgroup ${parent}, and its processes move into ${leaf.slice(parent.length + 1)} so that it can enable controllers`,
  };
}
