/**
 * Where a sandbox's cgroups live and who owns the cgroup above them. Decided
 * once per process from the caller's context (src/host/caller-context.ts) by
 * the first strategy that applies (strategies.ts).
 */
import type { CallerContext } from '../host/caller-context.js';

export interface Placement {
  readonly kind: 'delegated' | 'systemd-scope' | 'caller';
  /** Absolute cgroupfs directory under which each sandbox's cgroup is made. */
  readonly parent: string;
  /** Where processes of `parent` may be moved so that it can enable controllers (the no-internal-process rule); absent: never move anything. */
  readonly leaf?: string;
  /** For doctor and errors: where sandboxes live, under which ceilings, and why. */
  readonly describe: string;
}

export interface PlacementStrategy {
  readonly name: Placement['kind'];
  /** Pure: whether this strategy is the one for this caller. */
  applies(ctx: CallerContext): boolean;
  /** Once per process; cached by the caller (strategies.ts). */
  acquire(ctx: CallerContext): Promise<Placement>;
  /**
   * For doctor: where sandboxes would live and why, without acquiring anything (doctor must not
   * start a scope). An addition to the interface first drawn: acquire() alone could not answer that.
   */
  explain(ctx: CallerContext): string;
}
