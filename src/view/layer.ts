import type { ViewTree } from './tree.js';
import type { ViewContext, ViewOp } from './types.js';

/** One layer of the view: its steps, given what the layers before it made. */
export interface Layer {
  readonly name: string;
  readonly modes: readonly ViewContext['mode'][];
  /** Independent of the run's orders (the default view's root, /proc, the host's tree, /dev, the tmpfs dirs): a spare builds it ahead. */
  readonly ahead?: boolean;
  ops(ctx: ViewContext, tree: ViewTree): ViewOp[];
}

export const HARDENED: readonly ViewContext['mode'][] = ['default', 'rootfs'];
export const ALL_MODES: readonly ViewContext['mode'][] = ['default', 'rootfs', 'privileged'];
