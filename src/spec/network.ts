/** Parsing of .net({...}): addresses, bridge names and bandwidth. Pure. */
import type { Cidr } from './types.js';
import { parseBitRate } from './units.js';

/** "10.88.3.7/16" → { ip, prefix }; prefixes 8..30 leave room for a gateway and a sandbox. */
export function parseCidr(input: string): Cidr | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(input);
  if (!m) return null;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix < 8 || prefix > 30) return null;
  return { ip: octets.join('.'), prefix };
}

/** Linux interface names: 1..15 characters, no '/', no whitespace, not '.' or '..'. */
export function isInterfaceName(name: string): boolean {
  return /^[A-Za-z0-9_.-]{1,15}$/.test(name) && name !== '.' && name !== '..';
}

export type BandwidthInput = string | number | { egress?: string | number; ingress?: string | number };

/** One rate for both directions, or each on its own; null when malformed. */
export function parseBandwidth(input: BandwidthInput): { egressBits?: number; ingressBits?: number } | null {
  if (typeof input === 'object' && input !== null) {
    const out: { egressBits?: number; ingressBits?: number } = {};
    if (input.egress !== undefined) {
      const e = parseBitRate(input.egress);
      if (e === null) return null;
      out.egressBits = e;
    }
    if (input.ingress !== undefined) {
      const i = parseBitRate(input.ingress);
      if (i === null) return null;
      out.ingressBits = i;
    }
    return out.egressBits === undefined && out.ingressBits === undefined ? null : out;
  }
  const both = parseBitRate(input);
  return both === null ? null : { egressBits: both, ingressBits: both };
}
