/**
 * A standby init: spawned ahead of time, it joins its cgroups at once — on
 * cgroup v1 the first task migration waits for an RCU grace period, several
 * milliseconds that would otherwise sit in the sandbox's start-up — and then
 * waits for its orders on fd 4 (native/src/standby.h). An idle standby does not
 * keep Node alive, and if Node exits its outer helper removes the cgroups.
 *
 * It also builds, in namespaces of its own, the part of the default view that
 * does not depend on the orders (src/view/plan.ts preparedView): the root,
 * /proc, the host's tree read-only, /dev, the tmpfs dirs, /sys and the
 * cgroupfs, in a net namespace of its own. A net('none') run whose view starts
 * with exactly those steps sends only the rest; any other (privileged, a
 * rootfs, another network, a mirror needed early) has the init go back to the
 * host's namespaces and build its view afresh.
 */
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { isDeepStrictEqual } from 'node:util';
import { follow, type InitChild, type Launched } from './follow.js';
import { forkInit, forkServer, initEnv } from './zygote.js';
import { envEntries, nulTokens } from './nul-tokens.js';
import { initBinary } from './init-binary.js';
import { orderArgs, outerArgs, type LaunchRequest } from './spawn.js';
import { hostCaps } from '../host/probe.js';
import { driverFor } from '../cgroup/driver.js';
import { cgroupfsOf, hostFs, keptPreparedView, viewArgs, type ViewOp } from '../view/index.js';

export interface Standby {
  /** Resolves once the init has joined its cgroups; rejects if it failed or died. */
  readonly ready: Promise<void>;
  /** Resolves when the standby's process has ended (used or discarded). */
  readonly ended: Promise<void>;
  launch(req: Omit<LaunchRequest, 'procsFiles'>): Launched;
  /** Tells the init it will not be used: it exits without running anything. */
  discard(): void;
}

type Refable = { ref?(): void; unref?(): void };

/** Whether `view` starts with the `prepared` steps, by view and prepared plan: both are kept plans (src/view/plan-memo.ts), the same arrays run after run. */
const startsWithSeen = new WeakMap<readonly ViewOp[], WeakMap<readonly ViewOp[], boolean>>();

function startsWith(view: readonly ViewOp[], prepared: readonly ViewOp[]): boolean {
  let byView = startsWithSeen.get(prepared);
  if (!byView) startsWithSeen.set(prepared, (byView = new WeakMap()));
  let verdict = byView.get(view);
  if (verdict === undefined) {
    verdict = prepared.length > 0 && view.length >= prepared.length && prepared.every((op, i) => isDeepStrictEqual(op, view[i]));
    byView.set(view, verdict);
  }
  return verdict;
}

/** The orders' view: the rest of the prepared one when the run's starts with it, else the whole (built afresh). */
function restOfView(req: Omit<LaunchRequest, 'procsFiles'>, prepared: readonly ViewOp[]): { req: Omit<LaunchRequest, 'procsFiles'>; prepared: boolean } {
  const view = req.view ?? [];
  // Built in a net namespace of its own: for net('none') only (/sys shows the namespace it was mounted in).
  const fits = req.net === 'none' && startsWith(view, prepared);
  return fits ? { req: { ...req, view: view.slice(prepared.length) }, prepared: true } : { req, prepared: false };
}

function orders(given: Omit<LaunchRequest, 'procsFiles'>, preparedOps: readonly ViewOp[]): string {
  const { req, prepared } = restOfView(given, preparedOps);
  const args = orderArgs(req);
  if (prepared) args.unshift('--view-prepared');
  return nulTokens([String(args.length), ...args, ...envEntries(req.env)], 'standby');
}

/** The standby's process: forked by this process's fork server (zygote.ts), else spawned. */
async function startInit(binary: string, argv: (parent: number) => string[]): Promise<InitChild> {
  // The command's environment comes with the orders: the init itself needs none but a PATH.
  const server = forkServer(binary);
  return (server && (await forkInit(server, argv, initEnv()))) ?? spawn(binary, argv(process.pid), { stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'], env: initEnv() });
}

export async function spawnStandby(procsFiles: readonly string[]): Promise<Standby> {
  const binary = initBinary();
  const caps = hostCaps();
  const driver = driverFor(caps);
  const prepared = keptPreparedView(hostFs, cgroupfsOf(driver.version, driver.hierarchies(caps)));
  // A rootless spare makes its user namespace ahead too; a run with tmpfs volumes or a rootfs never takes one (src/run/prepare.ts).
  const rest = [...outerArgs([]).args, ...viewArgs(prepared), '--standby'];
  const child = await startInit(binary, (parent) => [...procsFiles.flatMap((f) => ['--cgroup', f]), '--parent', String(parent), ...rest]);
  const pipes = child.stdio as unknown as Refable[];
  const hold = (on: boolean) => {
    for (const p of [child as Refable, ...pipes]) on ? p.ref?.() : p.unref?.();
  };
  hold(false);
  const followed = follow(child, binary);
  const ended = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return {
    ready: followed.standby,
    ended,
    launch(req) {
      hold(true);
      const message = orders(req, prepared);
      const launched = followed.output(req);
      (child.stdio[4] as Writable).end(message);
      return launched;
    },
    discard() {
      const orders = child.stdio[4] as Writable;
      if (!orders.writableEnded) orders.end('0\0');
      (child.stdio[3] as Readable).resume();
    },
  };
}
