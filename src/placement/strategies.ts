/**
 * The placements, in order of preference: a cgroup delegated to the caller,
 * else a transient systemd scope of its own, else (no systemd) the caller's
 * own cgroup. Never a cgroup systemd owns and did not delegate: systemd stops
 * a unit when anything beneath it is OOM-killed (OOMPolicy=stop, its
 * default), and may undo what others write there.
 *
 * acquirePlacement() is the once-per-process entry: the first call decides and
 * acquires, every later one gets the same promise — off each sandbox's start-up
 * path. A scope whose holder ended (killed by someone) is dropped, so the next
 * call makes a new one; a failed acquire is not kept either.
 */
import type { CallerContext } from '../host/caller-context.js';
import { probeCallerContext } from './probe-context.js';
import { caller } from './caller.js';
import { delegated } from './delegated.js';
import { systemdScope } from './systemd-scope.js';
import type { Placement, PlacementStrategy } from './types.js';

let cached: Promise<Placement> | undefined;

export const STRATEGIES: readonly PlacementStrategy[] = [
  delegated,
  systemdScope({
    onEnded: (ended) => {
      void cached?.then((p) => {
        if (p === ended) cached = undefined;
      });
    },
  }),
  caller,
];

/** The first strategy that applies; the last one always does. */
export function chooseStrategy(ctx: CallerContext, strategies: readonly PlacementStrategy[] = STRATEGIES): PlacementStrategy {
  const s = strategies.find((x) => x.applies(ctx));
  if (s === undefined) throw new Error('no placement strategy applies: the list must end with one that always does');
  return s;
}

export function acquirePlacement(ctx: () => CallerContext = probeCallerContext): Promise<Placement> {
  if (cached === undefined) {
    const c = ctx();
    const p = chooseStrategy(c).acquire(c);
    cached = p;
    p.catch(() => {
      if (cached === p) cached = undefined;
    });
  }
  return cached;
}
