/** The run's volumes, read-write (nosuid, nodev: a node made in one opens nothing). */
import type { ViewContext, PlacedMount } from './types.js';

export function volumeMounts(ctx: ViewContext): PlacedMount[] {
  return ctx.volumes.map((v) => ({ source: v.source, target: v.target, shape: 'dir', flags: ['rec', 'nosuid', 'nodev'], writable: true }));
}
