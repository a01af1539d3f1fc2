/** .writable(path) and .bind(host, inside, { readonly }): host paths seen inside, nosuid and nodev. */
import type { ViewContext, PlacedMount } from './types.js';

export function bindMounts(ctx: ViewContext): PlacedMount[] {
  return ctx.binds.map((b) => {
    const shape = ctx.host.kind(b.source) === 'dir' ? 'dir' : 'file';
    return { source: b.source, target: b.target, shape, flags: ['rec', 'nosuid', 'nodev', ...(b.readonly ? (['ro'] as const) : [])], writable: !b.readonly && shape === 'dir' };
  });
}
