/** .device(path): a host device node at the same path in the view's /dev, read-write unless asked otherwise. */
import type { ViewContext, PlacedMount } from './types.js';

export function deviceMounts(ctx: ViewContext): PlacedMount[] {
  // No nodev here: passing the node through is the point.
  return ctx.devices.map((d) => ({ source: d.path, target: d.path, shape: 'file', flags: ['nosuid', ...(d.readonly ? (['ro'] as const) : [])], writable: false }));
}
