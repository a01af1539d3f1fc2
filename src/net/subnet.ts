/**
 * Which subnet a new bridge gets: CGBOX_SUBNET when set, else the first /16
 * from 10.88.0.0/16 upward that nothing on this host uses (no address, no
 * route in any table), so a sandbox never shadows a network the host reaches.
 */
import { SetupError } from '../spec/errors.js';
import { mustRun } from '../host/run-tool.js';
import { formatSubnet, overlaps, parseSubnet, type Subnet } from './ipv4.js';

export const SUBNET_ENV = 'CGBOX_SUBNET';

/** Never chosen automatically: the VM tier's management network (vagrant-libvirt's default). */
const RESERVED: readonly Subnet[] = [parseSubnet('192.168.121.0/24')!];

/** 10.88.0.0/16, 10.89.0.0/16, … 10.255.0.0/16, then 10.0.0.0/16 … 10.87.0.0/16. */
export function* defaultCandidates(): Generator<Subnet> {
  for (let i = 0; i < 256; i++) yield { network: ((10 << 24) | (((88 + i) % 256) << 16)) >>> 0, prefix: 16 };
}

/** The first candidate that overlaps nothing in use; default routes (prefix 0) do not count. */
export function chooseSubnet(candidates: Iterable<Subnet>, used: readonly Subnet[]): Subnet | undefined {
  const taken = [...used.filter((u) => u.prefix > 0), ...RESERVED];
  for (const c of candidates) if (!taken.some((u) => overlaps(c, u))) return c;
  return undefined;
}

/** Every IPv4 network this host has an address in or a route to. */
export async function hostNetworks(): Promise<Subnet[]> {
  const [addrs, routes] = await Promise.all([
    mustRun('net subnet', 'ip', ['-4', '-j', 'addr', 'show']),
    mustRun('net subnet', 'ip', ['-4', '-j', 'route', 'show', 'table', 'all']),
  ]);
  const out: Subnet[] = [];
  for (const link of JSON.parse(addrs || '[]') as Array<{ addr_info?: Array<{ local: string; prefixlen: number }> }>) {
    for (const a of link.addr_info ?? []) {
      const s = parseSubnet(`${a.local}/${a.prefixlen}`);
      if (s) out.push(s);
    }
  }
  for (const r of JSON.parse(routes || '[]') as Array<{ dst: string; type?: string }>) {
    if (r.dst === 'default' || r.type === 'broadcast') continue;
    const s = parseSubnet(r.dst.includes('/') ? r.dst : `${r.dst}/32`);
    if (s) out.push(s);
  }
  return out;
}

/** The subnet a new bridge gets; `skip` is what the host already uses. */
export function pickSubnet(used: readonly Subnet[], env: string | undefined = process.env[SUBNET_ENV]): Subnet {
  if (env !== undefined && env !== '') {
    const s = parseSubnet(env);
    if (!s || s.prefix < 8 || s.prefix > 30) throw new SetupError('net subnet', `${SUBNET_ENV}=${env}: expected an IPv4 subnet such as 10.88.0.0/16 (prefix 8 to 30)`);
    const clash = used.find((u) => u.prefix > 0 && overlaps(s, u));
    if (clash) throw new SetupError('net subnet', `${SUBNET_ENV}=${env} overlaps ${formatSubnet(clash)}, which this host already uses: choose another`);
    return s;
  }
  const s = chooseSubnet(defaultCandidates(), used);
  if (!s) throw new SetupError('net subnet', `no free /16 in 10.0.0.0/8 on this host: set ${SUBNET_ENV}`);
  return s;
}

