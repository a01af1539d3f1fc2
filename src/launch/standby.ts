/**
 * A standby init: spawned ahead of time, it joins its cgroups at once — on
 * cgroup v1 the first task migration waits for an RCU grace period, several
 * milliseconds that would otherwise sit in the sandbox's start-up — and then
 * waits for its orders, which come on its status socket (native/src/standby.h); its stdin is a socket
 * only when asked for (a run with input). An idle standby does not
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
import { SetupError } from '../spec/errors.js';
import type { Readable, Writable } from 'node:stream';
import { isDeepStrictEqual } from 'node:util';
import { follow, type InitChild, type Launched } from './follow.js';
import { forkInit, forkServer, initEnv } from './zygote.js';
import { envEntries, nulTokens } from '../host/nul-tokens.js';
import { initBinary } from '../host/init-binary.js';
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

/**
 * The rest of `view` after the `prepared` steps, or undefined when it does not start with them; by view
 * and prepared plan: both are kept plans (src/view/plan-memo.ts), the same arrays run after run, and so
 * is the rest (its arguments are then made once too: view/args.ts).
 */
const restSeen = new WeakMap<readonly ViewOp[], WeakMap<readonly ViewOp[], readonly ViewOp[] | null>>();

function restAfter(view: readonly ViewOp[], prepared: readonly ViewOp[]): readonly ViewOp[] | undefined {
  let byView = restSeen.get(prepared);
  if (!byView) restSeen.set(prepared, (byView = new WeakMap()));
  let rest = byView.get(view);
  if (rest === undefined) {
    const starts = prepared.length > 0 && view.length >= prepared.length && prepared.every((op, i) => isDeepStrictEqual(op, view[i]));
    byView.set(view, (rest = starts ? view.slice(prepared.length) : null));
  }
  return rest ?? undefined;
}

/** The orders' view: the rest of the prepared one when the run's starts with it, else the whole (built afresh). */
function restOfView(req: Omit<LaunchRequest, 'procsFiles'>, prepared: readonly ViewOp[]): { req: Omit<LaunchRequest, 'procsFiles'>; prepared: boolean } {
  const view = req.view ?? [];
  // Built in a net namespace of its own: for net('none') only (/sys shows the namespace it was mounted in).
  const rest = req.net === 'none' ? restAfter(view, prepared) : undefined;
  return rest ? { req: { ...req, view: rest }, prepared: true } : { req, prepared: false };
}

function orders(given: Omit<LaunchRequest, 'procsFiles'>, preparedOps: readonly ViewOp[]): string {
  const { req, prepared } = restOfView(given, preparedOps);
  const args = orderArgs(req);
  if (prepared) args.unshift('--view-prepared');
  return nulTokens([String(args.length), ...args, ...envEntries(req.env)], 'standby');
}

/** The standby's process: forked by this process's fork server (zygote.ts), else spawned; without stdin its fd 0 is /dev/null. */
async function startInit(binary: string, argv: (parent: number) => string[], stdin: boolean): Promise<InitChild> {
  // The command's environment comes with the orders: the init itself needs none but a PATH.
  const server = forkServer(binary);
  const forked = server && (await forkInit(server, argv, initEnv(), stdin ? [0, 1, 2, 3] : [1, 2, 3]));
  return forked ?? spawn(binary, argv(process.pid), { stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe'], env: initEnv() });
}

/** `stdin`: a socket for the command's input, which only a run with input needs (src/run/standby-pool.ts). */
export async function spawnStandby(procsFiles: readonly string[], { stdin = true } = {}): Promise<Standby> {
  const binary = initBinary();
  const caps = hostCaps();
  const driver = driverFor(caps);
  const prepared = keptPreparedView(hostFs, cgroupfsOf(driver.version, driver.hierarchies(caps)));
  // A rootless spare makes its user namespace ahead too; a run with tmpfs volumes or a rootfs never takes one (src/run/prepare.ts).
  const rest = [...outerArgs([]).args, ...viewArgs(prepared), '--standby'];
  const child = await startInit(binary, (parent) => [...procsFiles.flatMap((f) => ['--cgroup', f]), '--parent', String(parent), ...rest], stdin);
  // Without stdin, its slot is empty.
  const pipes = (child.stdio as unknown as (Refable | null | undefined)[]).filter((p): p is Refable => !!p);
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
      // The pool gives a run with input only a spare that has a stdin (fits()).
      if (req.input !== undefined && !stdin) throw new SetupError('spawn', 'a spare without stdin was given a run with input');
      hold(true);
      const message = orders(req, prepared);
      const launched = followed.output(req);
      // Our side of the status socket ends once the orders are sent: the init reads them to EOF, and its statuses still come back.
      (child.stdio[3] as unknown as Writable).end(message);
      return launched;
    },
    discard() {
      const orders = child.stdio[3] as unknown as Writable;
      if (!orders.writableEnded) orders.end('0\0');
      (child.stdio[3] as Readable).resume();
    },
  };
}
