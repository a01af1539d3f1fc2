/** IPv4 arithmetic on 32-bit unsigned integers. Pure. */
import type { Cidr } from '../spec/types.js';

export function toInt(ip: string): number {
  return ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

export function toIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** A subnet: its network address and prefix length. */
export interface Subnet {
  network: number;
  prefix: number;
}

export function subnetOf(c: Cidr): Subnet {
  return { network: (toInt(c.ip) & maskOf(c.prefix)) >>> 0, prefix: c.prefix };
}

export function formatSubnet(s: Subnet): string {
  return `${toIp(s.network)}/${s.prefix}`;
}

/** "10.88.0.0/16" (host bits allowed) → Subnet; null when malformed. */
export function parseSubnet(text: string): Subnet | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text.trim());
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) return null;
  const prefix = Number(m[5]);
  return { network: (toInt(m.slice(1, 5).join('.')) & maskOf(prefix)) >>> 0, prefix };
}

export function size(s: Subnet): number {
  return 2 ** (32 - s.prefix);
}

export function contains(s: Subnet, ip: number): boolean {
  return ((ip & maskOf(s.prefix)) >>> 0) === s.network;
}

export function overlaps(a: Subnet, b: Subnet): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return ((a.network & maskOf(p)) >>> 0) === ((b.network & maskOf(p)) >>> 0);
}

/** The bridge's own address: the first host of the subnet. */
export function gatewayOf(s: Subnet): number {
  return s.network + 1;
}

/** Addresses a sandbox may get: after the gateway, before the broadcast address. */
export function hostRange(s: Subnet): { first: number; last: number } {
  return { first: s.network + 2, last: s.network + size(s) - 2 };
}

