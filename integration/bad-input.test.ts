/**
 * The bad-input catalogue: invalid specs and calls, each refused with the
 * right typed error whose message says what would be accepted (or the fix),
 * and nothing created on the host — no cgroup, netns, device, mount, volume
 * object, lease or state file of this process.
 *
 * Host tier only: refusals before anything exists, which do not depend on the cgroup version (v2's
 * own refusals are in cgroup-v2 and the placement tests, in the VM tier).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidSpecError,
  PermissionError,
  releaseStandby,
  sandbox,
  SandboxError,
  SetupError,
  UnsupportedError,
  type StartedSandbox,
} from '../src/index.js';
import { readTable, tableBridges } from '../src/net/leases.js';
import { leftovers } from './leftovers.js';
import { volumeObjects } from './volume-fixtures.js';

type ErrorClass = typeof InvalidSpecError | typeof UnsupportedError | typeof SetupError | typeof PermissionError;

interface Case {
  what: string;
  call: () => unknown;
  error: ErrorClass;
  /** Fragments the message must hold: what would be accepted, or the fix. */
  says: Array<string | RegExp>;
}

const b = () => sandbox();
let holder: StartedSandbox | undefined;
/** A directory whose name overlayfs' option syntax cannot carry. */
const commaRoot = mkdtempSync('/tmp/cgbox-bad,root-');
let heldAddress = '';

/** What this process has on the host, to compare before and after each refusal. */
async function footprint() {
  await releaseStandby();
  const mine = `cgbox-${process.pid}-`;
  const leases: string[] = [];
  for (const br of await tableBridges()) for (const [ip, run] of Object.entries((await readTable(br)).leases)) if (run.startsWith(mine)) leases.push(`${br} ${ip}`);
  const runDirs = existsSync('/run/cgbox') ? readdirSync('/run/cgbox').filter((n) => n.startsWith(mine)) : [];
  return { leftovers: await leftovers(), volumes: await volumeObjects(), leases, runDirs };
}

const CASES: Case[] = [
  // Units and ranges, refused by the builder at the call.
  { what: 'memory in an unknown unit', call: () => b().memory('64 parsecs'), error: InvalidSpecError, says: ['.memory', 'Docker units'] },
  { what: 'memory under 1 MiB', call: () => b().memory('512k'), error: InvalidSpecError, says: ['at least 1 MiB'] },
  { what: 'negative memory', call: () => b().memory(-1), error: InvalidSpecError, says: ['.memory(-1)'] },
  { what: 'swap without memory', call: () => b().swap('64m'), error: InvalidSpecError, says: ['call .memory() first'] },
  { what: 'swap malformed', call: () => b().memory('64m').swap('lots'), error: InvalidSpecError, says: ['Docker units'] },
  { what: 'cpu quota of zero', call: () => b().cpuQuota(0), error: InvalidSpecError, says: ['from 0.01 to'] },
  { what: 'cpu quota past the online CPUs', call: () => b().cpuQuota(4096), error: InvalidSpecError, says: ["this host's online CPUs"] },
  { what: 'cpu quota as a string', call: () => b().cpuQuota('0.5' as never), error: InvalidSpecError, says: ['e.g. 0.5'] },
  { what: 'cpu shares under the kernel minimum', call: () => b().cpuShares(1), error: InvalidSpecError, says: ['from 2 to 262144'] },
  { what: 'fractional cpu shares', call: () => b().cpuShares(1.5), error: InvalidSpecError, says: ['an integer'] },
  { what: 'pids of zero', call: () => b().pids(0), error: InvalidSpecError, says: ['an integer from 1'] },
  { what: 'a malformed cpu list', call: () => b().cpus('0-'), error: InvalidSpecError, says: ['"0-1,3"'] },
  { what: 'an offline CPU', call: () => b().cpus('4000'), error: InvalidSpecError, says: ['is not online', 'online:'] },
  { what: 'a sample interval under 10 ms', call: () => b().sample('5ms'), error: InvalidSpecError, says: ['at least 10ms'] },
  { what: 'a timeout in an unknown unit', call: () => b().timeout('10 fortnights'), error: InvalidSpecError, says: ['"10s", "250ms"'] },
  { what: 'a timeout past what a timer can wait', call: () => b().timeout('30d'), error: InvalidSpecError, says: ['up to 24 days'] },
  { what: 'a bad grace', call: () => b().timeout('1s', { grace: 'soon' }), error: InvalidSpecError, says: ['grace:'] },
  { what: 'a hostname starting with a hyphen', call: () => b().hostname('-box'), error: InvalidSpecError, says: ['starting with a letter or digit'] },
  { what: 'a hostname of 64 characters', call: () => b().hostname('a'.repeat(64)), error: InvalidSpecError, says: ['1 to 63'] },
  { what: 'an env value that is not a string', call: () => b().env({ A: 1 as never }), error: InvalidSpecError, says: ['values are strings'] },
  { what: 'an env name with "="', call: () => b().env({ 'A=B': 'x' }), error: InvalidSpecError, says: ['without "="'] },
  { what: 'a relative cwd', call: () => b().cwd('src'), error: InvalidSpecError, says: ['absolute path'] },
  { what: 'a cgroup parent with ".."', call: () => b().cgroupParent('/ci/../..'), error: InvalidSpecError, says: ['without ".."'] },
  // Devices.
  { what: 'iops on a missing device', call: () => b().iops('/dev/no-such-disk', 100), error: InvalidSpecError, says: ['does not exist', 'block device'] },
  { what: 'iops on a character device', call: () => b().iops('/dev/null', 100), error: InvalidSpecError, says: ['character device'] },
  { what: 'iops on a tmpfs path', call: () => b().iops('/dev/shm', 100), error: InvalidSpecError, says: ['no block device'] },
  { what: 'iops of zero', call: () => b().iops('/tmp', 0), error: InvalidSpecError, says: ['at least 1'] },
  { what: 'iops with an unknown key', call: () => b().iops('/tmp', { reed: 10 } as never), error: InvalidSpecError, says: ['unknown key reed'] },
  { what: 'bps in an unknown unit', call: () => b().bps('/tmp', '10 lightyears'), error: InvalidSpecError, says: ['"10m"'] },
  // Networks.
  { what: 'a network mode that does not exist', call: () => b().net('bridged' as never), error: InvalidSpecError, says: ["'none', 'host'"] },
  { what: 'an unknown .net() key', call: () => b().net({ adress: '10.88.0.9/16' } as never), error: InvalidSpecError, says: ['unknown option adress'] },
  { what: 'an address with a bad prefix', call: () => b().net({ address: '10.88.0.9/33' }), error: InvalidSpecError, says: ['prefix length from 8 to 30'] },
  { what: 'an address with a bad octet', call: () => b().net({ address: '300.1.1.1/16' }), error: InvalidSpecError, says: ['IPv4 address'] },
  { what: 'a bridge name of 16 characters', call: () => b().net({ bridge: 'b'.repeat(16) }), error: InvalidSpecError, says: ['1 to 15 characters'] },
  { what: 'a bandwidth in an unknown unit', call: () => b().net({ bandwidth: '10 pigeons' }), error: InvalidSpecError, says: ['"10mbit"'] },
  { what: 'an unknown shaping mode', call: () => b().net({ shaping: 'cake' as never }), error: InvalidSpecError, says: ["'veth' or 'bridge'"] },
  { what: 'bridge shaping on an OVS bridge', call: () => b().net({ bridge: { ovs: 'br0' }, shaping: 'bridge' }), error: InvalidSpecError, says: ['own ingress policing'] },
  // Volumes and root filesystems.
  { what: 'a relative volume path', call: () => b().volume('data', { size: '64m' }), error: InvalidSpecError, says: ['absolute path'] },
  { what: 'a volume at /', call: () => b().volume('/', { size: '64m' }), error: InvalidSpecError, says: ['other than "/"'] },
  { what: 'two volumes at one path', call: () => b().volume('/data', { size: '64m' }).volume('/data', { size: '64m' }), error: InvalidSpecError, says: ['already mounted there'] },
  { what: 'a volume under 1 MiB', call: () => b().volume('/data', { size: '4k' }), error: InvalidSpecError, says: ['at least 1 MiB'] },
  { what: 'an unknown volume driver', call: () => b().volume('/data', { size: '64m', driver: 'zfs' as never }), error: InvalidSpecError, says: ['auto, tmpfs, loop, btrfs, lvm'] },
  { what: 'an unknown filesystem', call: () => b().volume('/data', { size: '64m', fs: 'ntfs' as never }), error: InvalidSpecError, says: ['ext4, xfs, btrfs'] },
  { what: 'an unknown volume option', call: () => b().volume('/data', { size: '64m', sise: 1 } as never), error: InvalidSpecError, says: ['unknown option sise'] },
  { what: 'a template that does not exist', call: () => b().volume('/data', { size: '64m', from: '/no/such/template' }), error: InvalidSpecError, says: ['existing directory'] },
  { what: 'a root filesystem that does not exist', call: () => b().rootfs('/no/such/root'), error: InvalidSpecError, says: ['existing directory'] },
  // The defaults object and the command.
  { what: 'an unknown key in sandbox({...})', call: () => sandbox({ memmory: '64m' } as never), error: InvalidSpecError, says: ['unknown option memmory', 'memory, swap, pids'] },
  { what: 'iops in sandbox({...}) as a list', call: () => sandbox({ iops: [['/tmp', 1]] } as never), error: InvalidSpecError, says: ['keyed by the first argument'] },
  { what: 'an empty command', call: () => b().run(''), error: InvalidSpecError, says: ['expected the command to run'] },
  { what: 'arguments that are not strings', call: () => b().run('echo', [1 as never]), error: InvalidSpecError, says: ['array of string arguments'] },
  { what: 'a NUL in the command', call: () => b().start('ec\0ho'), error: InvalidSpecError, says: ['without NUL bytes'] },
  // Refused when the run is built: before anything exists.
  { what: 'a tmpfs volume with a filesystem', call: () => b().volume('/tmp/x', { size: '64m', driver: 'tmpfs', fs: 'xfs' }).run('true'), error: InvalidSpecError, says: ['applies to loop and lvm volumes only'] },
  { what: "iops on 'volume' without a volume", call: () => b().iops('volume', 100).run('true'), error: InvalidSpecError, says: ['add a .volume() first'] },
  { what: "iops on 'volume' when it is a tmpfs", call: () => b().volume('/tmp', { size: '8m', driver: 'tmpfs' }).iops('volume', 100).run('true'), error: InvalidSpecError, says: ['no block device to throttle'] },
  { what: 'a root filesystem path overlayfs cannot take', call: () => b().rootfs(commaRoot).run('true'), error: InvalidSpecError, says: ['may not contain ","'] },
  { what: 'an address outside the bridge subnet', call: () => b().net({ address: '10.1.2.3/16' }).run('true'), error: InvalidSpecError, says: ["bridge cgbox0's subnet is"] },
  { what: 'an address another sandbox holds', call: () => b().net({ address: heldAddress }).run('true'), error: SetupError, says: ['is taken by cgbox-', 'leave it out to get a free one'] },
  // What this host lacks.
  { what: 'an LVM volume without device-mapper', call: () => b().volume('/tmp', { size: '64m', driver: 'lvm' }).run('true'), error: UnsupportedError, says: ['CONFIG_BLK_DEV_DM', 'lvm2'] },
  { what: 'an OVS bridge without Open vSwitch', call: () => b().net({ bridge: { ovs: 'br0' } }).run('true'), error: UnsupportedError, says: ['openvswitch-switch'] },
];

beforeAll(async () => {
  holder = await sandbox().net({}).start('sleep', ['60']);
  const ip = (await holder.exec('ip', ['-4', '-o', 'addr', 'show', 'eth0'])).stdout.split(/\s+/)[3]!;
  heldAddress = ip;
}, 60_000);

afterAll(async () => {
  await holder?.stop({ graceMs: 100 });
  rmSync(commaRoot, { recursive: true, force: true });
});

describe('the bad-input catalogue', () => {
  it('has at least 40 entries', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(CASES.map((c) => [c.what, c] as const))('%s: the right error, the fix in its message, nothing created', async (_, c) => {
    const before = await footprint();
    let error: unknown;
    try {
      await c.call();
    } catch (e) {
      error = e;
    }
    expect(error, `${c.what} was accepted`).toBeInstanceOf(c.error);
    expect(error).toBeInstanceOf(SandboxError);
    for (const s of c.says) expect((error as Error).message).toMatch(typeof s === 'string' ? new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : s);
    expect(await footprint()).toEqual(before);
  });

  it('not root, on a host where a user cannot run sandboxes: refused, naming what is needed, leaving nothing', async () => {
    // The built package (npm test builds it first): nobody can read it, and needs no TypeScript loader.
    const index = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    const code = `const { sandbox } = await import(${JSON.stringify(index)}); await sandbox().memory('64m').run('true').then(() => console.log('ran'), (e) => console.log(e.name + ': ' + e.message));`;
    const r = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, '--input-type=module', '-e', code], {
      encoding: 'utf8',
      env: { ...process.env, HOME: '/tmp', XDG_CACHE_HOME: '/tmp/cgbox-nobody-cache' },
      cwd: '/tmp',
    });
    expect(r.stdout, r.stderr).toMatch(/^(PermissionError|UnsupportedError): .*(root|delegat|user namespace)/);
    expect(await volumeObjects(r.pid)).toEqual({ mounts: [], loops: [], images: [], subvolumes: [], runDirs: [] });
  });
});
