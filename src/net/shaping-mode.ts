/**
 * A shaping mode: how what a sandbox SENDS is held to its egress rate on a
 * Linux bridge (what it receives is always tbf on its host veth's egress).
 * Each mode is one file; shaping-modes.ts lists them, and `.net({ shaping })`
 * and `--shaping` take their names.
 */
import type { NetNames } from './names.js';

export interface EgressContext {
  names: NetNames;
  /** The Linux bridge the sandbox's veth joins. */
  bridge: string;
  /** The sandbox's address's offset in the bridge's subnet: unique on the bridge. */
  minor: number;
  ip: string;
  bits: number;
}

/** What a mode adds to the run's network setup; every undo removes only what exists. */
export interface EgressShaping {
  /** Host `ip -batch` lines, run with the veth's. */
  ip: string[];
  /** `tc -batch` lines, run after the host veth exists. */
  tc: string[];
  /** One nft transaction after the tc batch. */
  nft: string[];
  /** Pushed before the batches run. */
  undos: Array<{ step: string; undo: () => Promise<void> }>;
  /** What the shaper dropped of what the sandbox sent, read at the end of the run. */
  drops(): Promise<number>;
  /** For limits.bandwidth.reason: where the shaping happens. */
  describe: string;
}

export interface ShapingMode<N extends string = string> {
  readonly name: N;
  /** Throws a SetupError for what this mode cannot shape (before anything is made). */
  egress(ctx: EgressContext): EgressShaping;
}
