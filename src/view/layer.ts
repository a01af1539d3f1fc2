import type { ViewTree } from './tree.js';
import type { ViewContext, ViewOp } from './types.js';

/** One layer of the view: its steps, given what the layers before it made. */
export interface Layer {
  readonly name: string;
  readonly modes: readonly ViewContext['mode'][];
  /**
   * Independent of the run's orders, given net('none') and the host's cgroup layout (the root, /proc,
   * the host's tree, /dev, the tmpfs dirs, /sys, the cgroupfs): a spare builds it ahead. These layers
   * come first in LAYERS.
   */
  readonly ahead?: boolean;
  ops(ctx: ViewContext, tree: ViewTree): ViewOp[];
}

export const HARDENED: readonly ViewContext['mode'][] = ['default', 'rootfs'];
export const ALL_MODES: readonly ViewContext['mode'][] = ['default', 'rootfs', 'privileged'];
