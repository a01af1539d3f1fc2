/**
 * Address leases, shared by every cgbox process on the host: one JSON file
 * per bridge in /run/cgbox/, read and written only under one lock
 * (proper-lockfile: an mkdir lock whose mtime it refreshes, so the lock of a
 * process that died is taken over once stale). The lock is held for
 * milliseconds — while an address is chosen or returned, and while a bridge
 * is created — never for a sandbox's life: the lease, not the lock, marks an
 * address as taken until teardown (or the reaper, when the owner died).
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { withLock } from '../host/lock.js';
import { defaultRunDir, removeDeadWrites, writeFileAtomic } from '../host/state-dir.js';
import { faultPoint } from '../host/faults.js';
import { InvalidSpecError, SetupError } from '../spec/errors.js';
import type { Cidr } from '../spec/types.js';
import { contains, formatSubnet, gatewayOf, hostRange, toInt, toIp, type Subnet } from './ipv4.js';

/** /run/cgbox (CGBOX_RUN_DIR); a normal user has no bridge networks, only its own run directory (src/host/state-dir.ts). */
export const STATE_DIR = defaultRunDir();

/** What one bridge's file holds: which run has which address, and where the next search starts. */
export interface LeaseTable {
  /** The bridge's subnet when last leased from (for the reaper: an address's class number on the uplink). */
  subnet?: string;
  /** Address → run name. */
  leases: Record<string, string>;
  /** Round-robin cursor: a released address is not handed out again at once (peers may still cache its MAC). */
  next?: number;
}

/** Runs `fn` holding the host-wide network lock. */
export function withNetLock<T>(fn: () => Promise<T>): Promise<T> {
  return withLock(STATE_DIR, 'net', { step: 'net lock', staleMs: 5_000, updateMs: 2_000, retries: { retries: 500, factor: 1.2, minTimeout: 1, maxTimeout: 20 } }, fn);
}

function tablePath(bridge: string): string {
  return `${STATE_DIR}/net-${bridge}.json`;
}

/** The table; only a missing file is an empty one — a table that cannot be read is an error, never "no leases". */
export async function readTable(bridge: string): Promise<LeaseTable> {
  const path = tablePath(bridge);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { leases: {} };
    throw new SetupError('net address', `reading the lease table ${path}: ${(e as Error).message}`, { cause: e });
  }
  try {
    const t = JSON.parse(text) as LeaseTable;
    if (typeof t !== 'object' || t === null || typeof t.leases !== 'object' || t.leases === null) throw new Error('no "leases" object');
    return t;
  } catch (e) {
    throw new SetupError(
      'net address',
      `the lease table ${path} is not one cgbox wrote (${(e as Error).message}): addresses could be handed out twice, so cgbox stops; remove the file when no sandbox with a network of its own is running (\`cgbox reap\` and the next runs make it again)`,
    );
  }
}

/** Written whole and renamed into place: a reader never sees half a file. Under the lock. */
export async function writeTable(bridge: string, t: LeaseTable): Promise<void> {
  await removeDeadTableWrites(bridge);
  await writeFileAtomic(tablePath(bridge), JSON.stringify(t));
}

/** A lease table's writes cut short (src/host/state-dir.ts removeDeadWrites): call under the lock. */
export const removeDeadTableWrites = (bridge: string): Promise<string[]> => removeDeadWrites(tablePath(bridge));

/** Bridges that have a lease table. */
export async function tableBridges(): Promise<string[]> {
  const files = await readdir(STATE_DIR).catch(() => [] as string[]);
  return files.flatMap((f) => /^net-(.+)\.json$/.exec(f)?.[1] ?? []);
}

export async function removeTable(bridge: string): Promise<void> {
  await rm(tablePath(bridge), { force: true });
}

/**
 * The address for `run` in `subnet`: the requested one when it is free and
 * fits, else the next free one after the cursor. Pure: changes `t` in place.
 */
export function allocate(t: LeaseTable, subnet: Subnet, run: string, bridge: string, requested?: Cidr): string {
  const { first, last } = hostRange(subnet);
  if (requested) {
    const ip = toInt(requested.ip);
    const where = `bridge ${bridge}'s subnet is ${formatSubnet(subnet)}`;
    const given = `${requested.ip}/${requested.prefix}`;
    if (!contains(subnet, ip) || requested.prefix !== subnet.prefix) throw new InvalidSpecError('.net', given, `address: ${where}; give an address in it with /${subnet.prefix}, or use another bridge`);
    if (ip === gatewayOf(subnet)) throw new InvalidSpecError('.net', given, `address: ${requested.ip} is the bridge's own address (the gateway); ${where}`);
    if (ip < first || ip > last) throw new InvalidSpecError('.net', given, `address: the network and broadcast addresses cannot be given to a sandbox; ${where}`);
    const holder = t.leases[requested.ip];
    if (holder && holder !== run) throw new SetupError('net address', `${given} on bridge ${bridge} is taken by ${holder}; choose another address or leave it out to get a free one`);
    t.leases[requested.ip] = run;
    return requested.ip;
  }
  const span = last - first + 1;
  const start = t.next !== undefined && t.next >= first && t.next <= last ? t.next : first;
  for (let i = 0; i < span; i++) {
    const ip = first + ((start - first + i) % span);
    const text = toIp(ip);
    if (t.leases[text]) continue;
    t.leases[text] = run;
    t.next = ip === last ? first : ip + 1;
    return text;
  }
  throw new SetupError('net address', `no free address left on bridge ${bridge} (${formatSubnet(subnet)}): ${span} sandboxes hold one each`);
}

/** Drops every lease of `run`; true when there was one. */
export function releaseRun(t: LeaseTable, run: string): boolean {
  let found = false;
  for (const [ip, holder] of Object.entries(t.leases)) {
    if (holder === run) {
      delete t.leases[ip];
      found = true;
    }
  }
  return found;
}

/** Takes an address for `run` on `bridge` (under the lock). */
export function leaseAddress(bridge: string, subnet: Subnet, run: string, requested?: Cidr): Promise<string> {
  return withNetLock(async () => {
    faultPoint('net address: lease');
    const t = await readTable(bridge);
    const ip = allocate(t, subnet, run, bridge, requested);
    t.subnet = formatSubnet(subnet);
    await writeTable(bridge, t);
    return ip;
  });
}

/** Gives back every address `run` holds on `bridge`. */
export function releaseAddress(bridge: string, run: string): Promise<void> {
  return withNetLock(async () => {
    const t = await readTable(bridge);
    if (releaseRun(t, run)) await writeTable(bridge, t);
  });
}
