/**
 * Everything before the process: refuse what the host cannot do, then make
 * the resources and the cgroups, pushing each undo the moment its object
 * exists. On any failure the undos run and the error is rethrown: nothing is
 * left behind.
 */
import { createCgroups, drainCgroups, removeCgroupDirs, writeCgroups } from '../cgroup/apply.js';
import type { CgroupDriver, CgroupPlan } from '../cgroup/types.js';
import { driverFor } from '../cgroup/driver.js';
import { hostCaps } from '../host/probe.js';
import { placedCaps } from '../placement/placed-caps.js';
import type { HostCaps } from '../host/types.js';
import { UnsupportedError, withTeardownFailures } from '../spec/errors.js';
import { checkDelegated, checkRootless } from './rootless-checks.js';
import type { SandboxSpec } from '../spec/types.js';
import { newRunName } from '../host/owners.js';
import { keepAlive } from '../host/keep-alive.js';
import { reapInBackground } from './reap.js';
import type { AttachedResource } from '../resource/types.js';
import { RESOURCES } from './resources.js';
import { countRun, discardSpare, fits, missedSpare, noteRun, refill, spareOnItsWay, standbyEnabled, takeSpare, type Spare } from './standby-pool.js';
import type { Standby } from '../launch/standby.js';
import { Teardown } from '../resource/teardown.js';

export interface Prepared {
  spec: SandboxSpec;
  caps: HostCaps;
  driver: CgroupDriver;
  plan: CgroupPlan;
  name: string;
  teardown: Teardown;
  attached: AttachedResource[];
  /** When the run took a spare: the init already waiting in its cgroups. */
  standby?: Standby;
  /** Waits until no task is left in the run's cgroups (drainCgroups), once: the end of the run and its teardown share it. */
  drain(): Promise<void>;
  /** The run's outer saw no task left once its init was gone (native/src/run-end.h): the drain is done. */
  noteDrained(): void;
  /** The directories of the run's cgroups, as its teardown removes them (a spare's may be more than the plan's). */
  cgroupDirs: readonly string[];
  /** The run's outer removed them (native/src/run-end.h): the teardown does not. */
  noteRemoved(): void;
}

let reaped: Promise<unknown> | undefined;

/**
 * Once per process, at its first run: what runs of crashed processes left. It
 * goes on beside the run (nothing of a live run is touched: names carry their
 * owner's pid).
 */
function reapOnce(caps: HostCaps): void {
  // Not awaited by the run, but the process stays until it is done: a one-run script must not cut it short.
  reaped ??= keepAlive(reapInBackground(caps)).catch(() => []);
}

/** Devices named by resources ('volume') resolved in the spec's rates, now that they exist. */
function withResourceDevices(spec: SandboxSpec, attached: AttachedResource[]): SandboxSpec {
  const devices = Object.assign({}, ...attached.map((a) => a.devices ?? {}));
  const resolve = (rates: SandboxSpec['iops']) => rates.map((r) => ({ ...r, device: devices[r.device.given] ?? r.device }));
  return Object.keys(devices).length ? { ...spec, iops: resolve(spec.iops), bps: resolve(spec.bps) } : spec;
}

/**
 * The oldest spare whose cgroups are this run's and whose init is still in them. One killed from
 * outside (its fork server, its outer helper) is gone from them before this process hears of its
 * end, and its helper removes its cgroups meanwhile: it is dropped, and the next one tried.
 */
async function takeUsable(spec: SandboxSpec, caps: HostCaps, driver: CgroupDriver, input: boolean): Promise<Spare | undefined> {
  // Spares made before the process's first run with input have no stdin, nor will any made from now on lack one: they go.
  if (input) for (let s = takeSpare((x) => !x.stdin); s; s = takeSpare((x) => !x.stdin)) void discardSpare(s, driver);
  for (;;) {
    const spare = takeSpare((s) => fits(s, driver.plan(spec, caps, s.name), input));
    if (!spare || (await driver.procs(spare.plan).catch(() => [])).length > 0) return spare;
    void discardSpare(spare, driver);
  }
}

/** `input`: the run writes to the command's stdin (a spare must have one). */
export async function prepare(spec: SandboxSpec, { input = false } = {}): Promise<Prepared> {
  // A normal user's run: refused here, before anything exists, if it needs what only root has (rootless.ts).
  const rootless = !hostCaps().isRoot;
  if (rootless) checkRootless(spec);
  // Where this process's sandboxes live (src/placement/): decided and acquired at its first run, then
  // the same for every run. A parent named with .cgroupParent() is the user's to arrange.
  const caps = spec.cgroupParent === undefined ? await placedCaps() : hostCaps();
  if (rootless && caps.v2) checkDelegated(spec, caps.v2.controllers);
  const driver = driverFor(caps);
  // A rootless run's tmpfs volumes are mounted by its init's outer as it starts, and its rootfs overlaid
  // there: a spare, made before the run was known, has neither (src/launch/inner-volumes.ts).
  // Nor can it go back to the host's network namespace, which the user does not own: net('host') starts cold.
  const useStandby = standbyEnabled(spec) && !(rootless && (spec.volumes.length > 0 || spec.rootfs !== undefined || spec.net === 'host'));
  const wanted = RESOURCES.filter((r) => r.wanted(spec));
  // Refusals first, while nothing exists — including any part of the spec no driver claims.
  const claimed = (name: string) => wanted.some((r) => r.name === name);
  if (typeof spec.net === 'object' && !claimed('net')) throw new UnsupportedError('.net({...})', 'this build of cgbox has no network driver registered');
  if ((spec.volumes.length || spec.rootfs) && !claimed('volume')) throw new UnsupportedError('.volume() and .rootfs()', 'this build of cgbox has no volume driver registered');
  for (const r of wanted) r.check?.(spec, caps);
  driver.plan(spec, caps, 'cgbox-check');
  reapOnce(caps);

  if (useStandby) noteRun(spec, input);
  // A rootless spare takes longer to make (its user namespace, newuidmap): one on its way is waited for,
  // since it started before this run and a cold start would cost as much again. As root, a run that
  // finds none ready starts cold beside the one being made: back to back, the two overlap.
  if (useStandby && rootless) await spareOnItsWay();
  const spare = useStandby ? await takeUsable(spec, caps, driver, input) : undefined;
  if (useStandby && !spare) missedSpare();
  const name = spare?.name ?? newRunName();
  const teardown = new Teardown();
  // Last on the way down: the next spare is made once this run is over, not while it goes on — Node's
  // thread is the bottleneck of a short run, and a spawn for the next one there delays this one's end
  // (measured: start-up 2.1× unshare against 1.5×).
  if (useStandby && countRun() >= 2) teardown.push('next spare', async () => refill(caps, driver));
  // The run's drain, once it has drained (below): the spare's cgroups are then removed without waiting again.
  let drained: Promise<void> | undefined;
  let removed = false;
  if (spare) teardown.push('standby', () => discardSpare(spare, driver, drained, removed));
  try {
    const attached: AttachedResource[] = [];
    for (const r of wanted) attached.push(await r.setup({ spec, caps, name, teardown }));
    const plan = driver.plan(withResourceDevices(spec, attached), caps, name);
    for (const a of attached) Object.assign(plan.limits, a.limits);
    if (spare) await writeCgroups(plan, spare.plan);
    else {
      const made: string[] = [];
      teardown.push('cgroups', async () => {
        if (!removed) await removeCgroupDirs(made);
      });
      await createCgroups(plan, (dir) => made.push(dir.path));
    }
    // A drain that failed is not kept: the teardown's tries again (and kills again).
    const drain = () =>
      (drained ??= drainCgroups(driver, spare?.plan ?? plan).catch((e: unknown) => {
        drained = undefined;
        throw e;
      }));
    // First on the way down: no task may outlive the run's resources (a volume cannot be unmounted under one).
    teardown.push('drain', async () => {
      spare?.standby.discard();
      await drain();
    });
    const noteDrained = () => void (drained ??= Promise.resolve());
    const cgroupDirs = (spare?.plan ?? plan).dirs.map((d) => d.path);
    const noteRemoved = () => void (removed = true);
    return { spec, caps, driver, plan, name, teardown, attached, drain, noteDrained, cgroupDirs, noteRemoved, ...(spare ? { standby: spare.standby } : {}) };
  } catch (e) {
    throw withTeardownFailures(e, await teardown.run());
  }
}
