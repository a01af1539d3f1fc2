/**
 * A systemd host whose caller's unit was not delegated (a login session's
 * scope, a CI runner's service): the sandboxes get a transient scope of their
 * own with Delegate=yes, asked for once per process — systemd's "continents"
 * layout, as runc's systemd driver does it — instead of cgroups beneath a unit
 * systemd owns. Inside the scope the holder moves into a leaf, the scope
 * enables its controllers for its children, and each sandbox's cgroup is made
 * beside the leaf. The scope sits beside the caller's unit, so it gets the
 * caller's ceilings copied (ceilings.ts).
 *
 * A normal user asks its own manager (user@UID.service, over its bus at
 * $XDG_RUNTIME_DIR/bus): from under that manager, with the holder, as root
 * does; from a login session's scope (root's), by moving itself into the
 * scope (user-scope.ts), since no sandbox started there could join it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { posix } from 'node:path';
import { CALLER_LEAF } from '../host/cgroup-mounts.js';
import { cgroupDir, unitOf, type CallerContext } from '../host/caller-context.js';
import { initBinary } from '../host/init-binary.js';
import { SetupError } from '../spec/errors.js';
import { ceilingProperties, describeCeilings, readCeilings } from './ceilings.js';
import { refusedOomPolicy, scopeCommand, scopeUnitName, type ScopeManager, type ScopeRequest } from './scope-command.js';
import { startHolder, type Holder } from './scope-holder.js';
import type { Placement, PlacementStrategy } from './types.js';
import { adoptIntoScope } from './user-scope.js';

export interface SystemdScopeOptions {
  /** Which manager to ask; default: the system's for root, else the user's own. */
  readonly manager?: ScopeManager;
  /** Told when the holder has ended (the scope is gone or going): the cached placement is stale. */
  readonly onEnded?: (placement: Placement) => void;
}

const FIX =
  'cgbox gives its sandboxes a scope of their own because the caller\'s unit was not delegated; instead, run the caller in a unit with ' +
  'Delegate=yes (systemd-run --scope -p Delegate=yes -- <command>, or Delegate=yes in its service), or name a parent with .cgroupParent()';

async function start(req: ScopeRequest): Promise<Holder> {
  try {
    try {
      return await startHolder(scopeCommand(req), req.unit);
    } catch (e) {
      if (req.oomPolicy && e instanceof SetupError && refusedOomPolicy(e.detail)) return await startHolder(scopeCommand({ ...req, oomPolicy: false }), req.unit);
      throw e;
    }
  } catch (e) {
    throw e instanceof SetupError ? new SetupError('placement', `${e.detail}. ${FIX}`, { cause: e }) : e;
  }
}

/** The scope is ours: its process goes into the leaf, its controllers to its children. */
function arrange(scopeDir: string, holder: Holder): string {
  const leaf = posix.join(scopeDir, CALLER_LEAF);
  mkdirSync(leaf);
  writeFileSync(posix.join(leaf, 'cgroup.procs'), String(holder.pid));
  // The holder must outlive any OOM kill the copied MemoryMax causes among the sandboxes. A normal user
  // may not lower it (CAP_SYS_RESOURCE): a process of a few hundred KiB is the OOM killer's last choice anyway.
  try {
    writeFileSync(`/proc/${holder.pid}/oom_score_adj`, '-1000');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EACCES') throw e;
  }
  const controllers = readFileSync(posix.join(scopeDir, 'cgroup.controllers'), 'utf8').trim().split(/\s+/).filter(Boolean);
  if (controllers.length) writeFileSync(posix.join(scopeDir, 'cgroup.subtree_control'), controllers.map((c) => `+${c}`).join(' '));
  return leaf;
}

/** Which manager, and (the system's) the slice beside the caller's unit: the slice's own limits and accounting hold for both. */
function where(ctx: CallerContext, options: SystemdScopeOptions): { manager: ScopeManager; slice?: string } {
  const manager = options.manager ?? (ctx.uid === 0 ? 'system' : 'user');
  return manager === 'system' ? { manager, slice: unitOf(ctx.cgroup).slice } : { manager };
}

/** The user's manager's own subtree holds the caller: the sandboxes' inits can move from there into its scope. */
export function underUserManager(ctx: CallerContext): boolean {
  return ctx.cgroup.split('/').includes(`user@${ctx.uid}.service`);
}

/** From a login session (outside the user manager's subtree), the caller moves into the scope itself. */
const adopts = (ctx: CallerContext, manager: ScopeManager) => manager === 'user' && !underUserManager(ctx);

function why(ctx: CallerContext): string {
  return `the caller's ${ctx.unit ?? 'cgroup'} (${ctx.cgroup}) is systemd's and was not delegated`;
}

export function systemdScope(options: SystemdScopeOptions = {}): PlacementStrategy {
  return {
    name: 'systemd-scope',
    // A normal user's own manager is reached over its bus: none without a login session (or lingering).
    applies: (ctx) => ctx.cgroupVersion === 2 && ctx.systemd && ctx.mount !== undefined && (where(ctx, options).manager === 'system' || ctx.userBus === true),

    explain(ctx) {
      const { manager, slice } = where(ctx, options);
      const how = adopts(ctx, manager)
        ? `, into which this process moves itself (a login session's scope is root's: no sandbox started there could join the user's cgroups)`
        : '';
      return (
        `sandboxes would live in a transient scope with Delegate=yes of this process's own (cgbox-<pid>-….scope, made at its first run, ended with it)${how}, ` +
        `asked of the ${manager} manager because ${why(ctx)}; in ${slice ?? "the manager's default slice"}, under the caller's ceilings: ${describeCeilings(readCeilings(ctx))}`
      );
    },

    async acquire(ctx: CallerContext): Promise<Placement> {
      const { manager, slice } = where(ctx, options);
      const ceilings = readCeilings(ctx);
      const unit = scopeUnitName();
      if (adopts(ctx, manager)) return adopted(ctx, unit, ceilings);
      const holder = await start({
        manager,
        unit,
        ...(slice ? { slice } : {}),
        description: `cgbox sandboxes of process ${process.pid}`,
        properties: ceilingProperties(ceilings),
        oomPolicy: true,
        holder: [initBinary(), '--hold-scope'],
      });
      try {
        const parent = cgroupDir(ctx.mount!, holder.cgroup);
        if (parent === undefined) throw new SetupError('placement', `the scope's cgroup ${holder.cgroup} is not under the cgroup2 mount ${ctx.mount!.dir}`);
        const leaf = arrange(parent, holder);
        holder.arranged(leaf);
        const placement: Placement = {
          kind: 'systemd-scope',
          parent,
          leaf,
          describe:
            `sandboxes live in ${unit} (${parent}), a transient scope with Delegate=yes that ends with process ${process.pid}, ` +
            `asked of the ${manager} manager because ${why(ctx)}; ` +
            `it sits in ${slice ?? "the manager's default slice"} under the caller's ceilings: ${describeCeilings(ceilings)}`,
        };
        void holder.exited.then(() => options.onEnded?.(placement));
        return placement;
      } catch (e) {
        holder.kill();
        await holder.exited;
        throw e instanceof SetupError ? e : new SetupError('placement', `arranging the transient scope ${unit}: ${(e as Error).message}`, { cause: e });
      }
    },
  };
}

/** The caller in the user's scope: sandboxes nest beside it, once it moved into the scope's leaf (cgroup/v2/leaf.ts). */
async function adopted(ctx: CallerContext, unit: string, ceilings: ReturnType<typeof readCeilings>): Promise<Placement> {
  const cgroup = await adoptIntoScope(unit, `cgbox sandboxes of process ${process.pid}`, ceilings);
  const parent = cgroupDir(ctx.mount!, cgroup);
  if (parent === undefined) throw new SetupError('placement', `the scope's cgroup ${cgroup} is not under the cgroup2 mount ${ctx.mount!.dir}`);
  return {
    kind: 'systemd-scope',
    parent,
    leaf: posix.join(parent, CALLER_LEAF),
    describe:
      `sandboxes live in ${unit} (${parent}), a transient scope with Delegate=yes of the user's manager, into which process ${process.pid} moved itself ` +
      `because ${why(ctx)} and is root's: no sandbox started there could join the user's cgroups; it ends with this process, and copies the caller's ceilings: ${describeCeilings(ceilings)}`,
  };
}
