/**
 * The caller's cgroup is its own to arrange: a unit with Delegate=yes (a CI
 * runner or container manager configured so, the VM tier's job), a scope a
 * user's manager delegated, or the root of a container's own cgroup
 * namespace without a systemd inside. Sandboxes nest beneath the caller's own
 * cgroup, and its processes may move into a leaf so that it can enable
 * controllers; the limits of that cgroup and its ancestors hold for the
 * sandboxes as they do for the caller.
 */
import { posix } from 'node:path';
import { CALLER_LEAF } from '../host/cgroup-mounts.js';
import { cgroupDir, type CallerContext } from '../host/caller-context.js';
import { SetupError } from '../spec/errors.js';
import type { Placement, PlacementStrategy } from './types.js';

/** A caller already in the leaf (moved there by this or a parent process) nests in the cgroup above it. */
export function aboveLeaf(path: string): string {
  return posix.basename(path) === CALLER_LEAF ? posix.dirname(path) : path;
}

export function nestUnderCaller(ctx: CallerContext): { parent: string; leaf: string } {
  const parent = ctx.mount && cgroupDir(ctx.mount, aboveLeaf(ctx.cgroup));
  if (parent === undefined) throw new SetupError('placement', `the caller's cgroup ${ctx.cgroup} is not under the cgroup2 mount${ctx.mount ? ` ${ctx.mount.dir}` : ''}`);
  return { parent, leaf: posix.join(parent, CALLER_LEAF) };
}

export const delegated: PlacementStrategy = {
  name: 'delegated',
  applies: (ctx) => ctx.cgroupVersion === 2 && ctx.mount !== undefined && (ctx.delegatedAt !== undefined || (ctx.cgroupNamespace && !ctx.systemd)),

  acquire: async (ctx) => delegatedPlacement(ctx),
  explain: (ctx) => delegatedPlacement(ctx).describe,
};

function delegatedPlacement(ctx: CallerContext): Placement {
  const { parent, leaf } = nestUnderCaller(ctx);
  const why =
    ctx.delegatedAt !== undefined
      ? `delegated at ${ctx.delegatedAt}${ctx.unit ? ` (${ctx.unit} has Delegate=yes)` : ''}`
      : "the root of this container's own cgroup namespace, with no systemd inside";
  return {
    kind: 'delegated',
    parent,
    leaf,
    describe: `sandboxes nest beneath the caller's cgroup ${parent}, ${why}; its processes move into ${CALLER_LEAF} so that it can enable controllers, and its limits and its ancestors' hold for the sandboxes`,
  };
}
