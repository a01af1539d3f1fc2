import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hostCaps } from './host/probe.js';
import { SANDBOX_OPTIONS, SandboxBuilder, sandbox } from './sandbox.js';
import { InvalidSpecError, SandboxError } from './spec/errors.js';
import { emptySpec } from './spec/types.js';
import { formatCpuList } from './spec/units.js';

/**
 * Runs `fn`, which must throw an InvalidSpecError for `method`, and checks the
 * message names the method, shows the value (as `shown`, JSON for strings and
 * objects) and says what is accepted (each of `accepted`).
 */
function expectInvalid(fn: () => unknown, method: string, shown: string, accepted: string[]): InvalidSpecError {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error, `${method} should have thrown`).toBeInstanceOf(InvalidSpecError);
  expect(error).toBeInstanceOf(SandboxError);
  const e = error as InvalidSpecError;
  expect(e.name).toBe('InvalidSpecError');
  expect(e.method).toBe(method);
  expect(e.message.startsWith(`${method}(${shown}): `), e.message).toBe(true);
  for (const a of accepted) expect(e.message).toContain(a);
  return e;
}

const MiB = 2 ** 20;
const online = hostCaps().onlineCpus;
/** A whole disk of this host that /dev names (vda here), for the device tests. */
const disk = hostCaps().disks?.find((d) => !/^loop/.test(d.name) && existsSync(`/dev/${d.name}`));
const varTmpDev = statSync('/var/tmp').dev;
/** glibc's major()/minor() for the small device numbers seen here. */
const majMin = (dev: number) => `${(dev >> 8) & 0xfff}:${(dev & 0xff) | ((dev >> 12) & ~0xff)}`;

/** A partition of this host, if any: its sysfs name and the whole disk it belongs to. */
function findPartition(): { name: string; disk: string; dev: string } | undefined {
  for (const d of readdirSync('/sys/block')) {
    for (const p of readdirSync(`/sys/block/${d}`)) {
      if (existsSync(`/sys/block/${d}/${p}/partition`)) {
        return { name: p, disk: d, dev: readFileSync(`/sys/block/${d}/${p}/dev`, 'utf8').trim() };
      }
    }
  }
  return undefined;
}
const partition = findPartition();

describe('sandbox() builder: immutability', () => {
  it('starts from the empty spec', () => {
    expect(sandbox().spec).toEqual(emptySpec());
  });

  it('returns a new builder from every call and leaves the original spec unchanged', () => {
    const a = sandbox();
    const b = a.memory('64m');
    expect(b).not.toBe(a);
    expect(a.spec).toEqual(emptySpec());
    expect(b.spec.memoryBytes).toBe(64 * MiB);
  });

  it('can be reused in two branches without one seeing the other', () => {
    const base = sandbox().memory('64m').env({ A: '1' });
    const before = structuredClone(base.spec);
    const x = base.pids(5).env({ B: '2' }).timeout('1s');
    const y = base.pids(10).cpuQuota(0.5);
    expect(base.spec).toEqual(before);
    expect(x.spec).toMatchObject({ memoryBytes: 64 * MiB, pids: 5, env: { A: '1', B: '2' }, timeoutUs: 1_000_000 });
    expect(y.spec).toMatchObject({ memoryBytes: 64 * MiB, pids: 10, env: { A: '1' } });
    expect(y.spec.env).not.toHaveProperty('B');
    expect(y.spec.timeoutUs).toBeUndefined();
    expect(x.spec.cpuQuota).toBeUndefined();
  });

  it.skipIf(!disk)('does not share device lists between branches', () => {
    const base = sandbox().iops(`/dev/${disk!.name}`, { write: 100 });
    const x = base.iops(`/dev/${disk!.name}`, { read: 5 });
    const y = base.bps(`/dev/${disk!.name}`, '1m');
    expect(base.spec.iops).toEqual([{ device: expect.objectContaining({ name: disk!.name }), write: 100 }]);
    expect(base.spec.bps).toEqual([]);
    expect(x.spec.iops[0]).toMatchObject({ read: 5, write: 100 });
    expect(y.spec.iops[0]).toEqual(base.spec.iops[0]);
  });

  it('leaves the builder usable after a call it refused', () => {
    const base = sandbox().pids(3);
    expect(() => base.pids(0)).toThrow(InvalidSpecError);
    expect(base.spec.pids).toBe(3);
    expect(base.memory('1m').spec).toMatchObject({ pids: 3, memoryBytes: MiB });
  });
});

describe('sandbox() builder: parsed values', () => {
  it('parses memory into bytes', () => {
    expect(sandbox().memory('256m').spec.memoryBytes).toBe(268_435_456);
    expect(sandbox().memory('1.5m').spec.memoryBytes).toBe(1_572_864);
    expect(sandbox().memory(MiB).spec.memoryBytes).toBe(MiB);
  });

  it('parses swap on top of memory; 0 means none', () => {
    expect(sandbox().memory('256m').swap('64m').spec).toMatchObject({ memoryBytes: 256 * MiB, swapBytes: 64 * MiB });
    expect(sandbox().memory('256m').swap(0).spec.swapBytes).toBe(0);
    expect(sandbox().memory('256m').swap('0').spec.swapBytes).toBe(0);
  });

  it('turns a cpu quota into quota and period in µs', () => {
    expect(sandbox().cpuQuota(0.5).spec.cpuQuota).toEqual({ quotaUs: 50_000, periodUs: 100_000 });
    expect(sandbox().cpuQuota(0.01).spec.cpuQuota).toEqual({ quotaUs: 1_000, periodUs: 100_000 });
    expect(sandbox().cpuQuota(online.length).spec.cpuQuota).toEqual({ quotaUs: online.length * 100_000, periodUs: 100_000 });
  });

  it('keeps cpus as a sorted list', () => {
    expect(sandbox().cpus(formatCpuList(online)).spec.cpus).toEqual(online);
    expect(sandbox().cpus(String(online[0])).spec.cpus).toEqual([online[0]]);
  });

  it('takes shares on Docker scale, pids, net, hostname, cwd, cgroupParent as given', () => {
    const b = sandbox().cpuShares(512).pids(64).net('host').hostname('box-1.test').cwd('/tmp').cgroupParent('/ci/tests');
    expect(b.spec).toMatchObject({ cpuShares: 512, pids: 64, net: 'host', hostname: 'box-1.test', cwd: '/tmp', cgroupParent: '/ci/tests' });
    expect(sandbox().cpuShares(2).spec.cpuShares).toBe(2);
    expect(sandbox().cpuShares(262_144).spec.cpuShares).toBe(262_144);
  });

  it('parses a timeout and its grace into µs; a bare number is ms', () => {
    expect(sandbox().timeout('10s').spec).toMatchObject({ timeoutUs: 10_000_000, graceUs: 2_000_000 });
    expect(sandbox().timeout(250, { grace: '500ms' }).spec).toMatchObject({ timeoutUs: 250_000, graceUs: 500_000 });
    expect(sandbox().timeout('1s', { grace: '5s' }).timeout('2s').spec.graceUs).toBe(5_000_000);
  });

  it('merges env calls and keeps inherit until told otherwise', () => {
    const b = sandbox().env({ A: '1', B: '2' }, { inherit: false }).env({ B: '3', C: '' });
    expect(b.spec.env).toEqual({ A: '1', B: '3', C: '' });
    expect(b.spec.inheritEnv).toBe(false);
    expect(sandbox().env({ A: '1' }).spec.inheritEnv).toBe(true);
  });
});

describe('sandbox() builder: devices', () => {
  it.skipIf(statSync('/var/tmp').dev >> 8 === 0)('resolves a path to the whole disk its filesystem lives on', () => {
    const d = sandbox().iops('/var/tmp', 100).spec.iops;
    expect(d).toHaveLength(1);
    const { device, read, write } = d[0]!;
    expect({ read, write }).toEqual({ read: 100, write: 100 });
    expect(device.given).toBe('/var/tmp');
    // A directory under /sys/block is a whole disk; its dev is the path's st_dev or its parent's.
    expect(statSync(`/sys/block/${device.name}`).isDirectory()).toBe(true);
    expect(readFileSync(`/sys/block/${device.name}/dev`, 'utf8').trim()).toBe(`${device.major}:${device.minor}`);
    const stDev = majMin(varTmpDev);
    const partDevs = readdirSync(`/sys/block/${device.name}`)
      .filter((p) => existsSync(`/sys/block/${device.name}/${p}/partition`))
      .map((p) => readFileSync(`/sys/block/${device.name}/${p}/dev`, 'utf8').trim());
    expect([`${device.major}:${device.minor}`, ...partDevs]).toContain(stDev);
  });

  it.skipIf(!disk)('merges two calls on one disk into one entry', () => {
    const dev = `/dev/${disk!.name}`;
    const b = sandbox().iops(dev, { write: 100 }).iops(dev, { read: 5 });
    expect(b.spec.iops).toEqual([
      { device: { major: disk!.major, minor: disk!.minor, name: disk!.name, given: dev }, read: 5, write: 100 },
    ]);
  });

  it.skipIf(!disk)('merges a path and the device it lives on, keeps other disks apart', () => {
    const b = sandbox().iops('7:0', 10).iops(`${disk!.major}:${disk!.minor}`, { read: 1 }).iops('7:0', { write: 20 });
    expect(b.spec.iops.map((r) => [r.device.name, r.read, r.write])).toEqual([
      [disk!.name, 1, undefined],
      ['loop0', 10, 20],
    ]);
  });

  it.skipIf(statSync('/var/tmp').dev >> 8 === 0)('takes bytes per second in Docker units, both ways', () => {
    expect(sandbox().bps('/var/tmp', '10m').spec.bps[0]).toMatchObject({ read: 10_485_760, write: 10_485_760 });
    expect(sandbox().bps('/var/tmp', { read: 4096 }).spec.bps[0]).toMatchObject({ read: 4096 });
    expect(sandbox().bps('/var/tmp', { read: 4096 }).spec.bps[0]).not.toHaveProperty('write');
  });

  it.skipIf(!disk)('resolves "MAJ:MIN" of a disk to the disk', () => {
    const [d] = sandbox().iops(`${disk!.major}:${disk!.minor}`, 1).spec.iops;
    expect(d!.device).toEqual({ major: disk!.major, minor: disk!.minor, name: disk!.name, given: `${disk!.major}:${disk!.minor}` });
    if (disk!.name === 'vda') expect(d!.device).toMatchObject({ major: 254, minor: 0 });
  });

  it.skipIf(!existsSync('/sys/dev/block/7:0'))('resolves a loop device by "MAJ:MIN" and by path', () => {
    expect(sandbox().iops('7:0', 1).spec.iops[0]!.device).toEqual({ major: 7, minor: 0, name: 'loop0', given: '7:0' });
    expect(sandbox().iops('/dev/loop0', 1).spec.iops[0]!.device).toEqual({ major: 7, minor: 0, name: 'loop0', given: '/dev/loop0' });
  });

  it.skipIf(!partition)(`resolves a partition to its whole disk (this host has ${partition ? `${partition.name}` : 'no partition: /dev/vda is unpartitioned'})`, () => {
    const [d] = sandbox().iops(partition!.dev, 1).spec.iops;
    expect(d!.device.name).toBe(partition!.disk);
    expect(`${d!.device.major}:${d!.device.minor}`).toBe(readFileSync(`/sys/block/${partition!.disk}/dev`, 'utf8').trim());
    if (existsSync(`/dev/${partition!.name}`)) expect(sandbox().iops(`/dev/${partition!.name}`, 1).spec.iops[0]!.device.name).toBe(partition!.disk);
  });
});

describe('sandbox() builder: InvalidSpecError at the call', () => {
  it('memory: unknown unit, zero, negative, fractional bytes, under 1 MiB', () => {
    const accepted = ['1 MiB', 'Docker units', '"64m"'];
    const e = expectInvalid(() => sandbox().memory('10x'), '.memory', '"10x"', accepted);
    expect(e.value).toBe('10x');
    expectInvalid(() => sandbox().memory(0), '.memory', '0', accepted);
    expectInvalid(() => sandbox().memory(-5), '.memory', '-5', accepted);
    expectInvalid(() => sandbox().memory('-64m'), '.memory', '"-64m"', accepted);
    expectInvalid(() => sandbox().memory('1.3k'), '.memory', '"1.3k"', accepted);
    expectInvalid(() => sandbox().memory(1.5), '.memory', '1.5', accepted);
    expectInvalid(() => sandbox().memory('1023k'), '.memory', '"1023k"', accepted);
  });

  it('memory: every example the message offers is accepted', () => {
    const e = expectInvalid(() => sandbox().memory('10x'), '.memory', '"10x"', []);
    const examples = [...e.accepted.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
    expect(examples.length).toBeGreaterThan(0);
    for (const ex of examples) expect(() => sandbox().memory(ex), ex).not.toThrow();
  });

  it('pids: zero, negative, fractional', () => {
    const e = expectInvalid(() => sandbox().pids(0), '.pids', '0', ['an integer from 1']);
    expect(e.value).toBe(0);
    expectInvalid(() => sandbox().pids(-1), '.pids', '-1', ['an integer from 1']);
    expectInvalid(() => sandbox().pids(1.5), '.pids', '1.5', ['an integer from 1']);
  });

  it('cpuShares: zero, above 262144, fractional', () => {
    expectInvalid(() => sandbox().cpuShares(0), '.cpuShares', '0', ['1024 = default', '262144']);
    expectInvalid(() => sandbox().cpuShares(262_145), '.cpuShares', '262145', ['262144']);
    expectInvalid(() => sandbox().cpuShares(10.5), '.cpuShares', '10.5', ['262144']);
  });

  it('cpuShares(1) is refused: the minimum is 2', () => {
    expectInvalid(() => sandbox().cpuShares(1), '.cpuShares', '1', ['an integer from 2 to 262144']);
  });

  it('cpuQuota: zero, under 1 ms per period, more than the online CPUs, not a number', () => {
    const accepted = [`from 0.01 to ${online.length}`, 'e.g. 0.5'];
    expectInvalid(() => sandbox().cpuQuota(0), '.cpuQuota', '0', accepted);
    expectInvalid(() => sandbox().cpuQuota(0.001), '.cpuQuota', '0.001', accepted);
    expectInvalid(() => sandbox().cpuQuota(-1), '.cpuQuota', '-1', accepted);
    expectInvalid(() => sandbox().cpuQuota(online.length + 1), '.cpuQuota', String(online.length + 1), accepted);
    expectInvalid(() => sandbox().cpuQuota(Number.NaN), '.cpuQuota', 'NaN', accepted);
  });

  it('cpus: a list outside the online CPUs names the missing ones and the online ones', () => {
    const missing = Array.from({ length: 64 }, (_, i) => i).filter((c) => !online.includes(c));
    expectInvalid(() => sandbox().cpus('0-63'), '.cpus', '"0-63"', [
      `CPU ${formatCpuList(missing)} is not online on this host (online: ${formatCpuList(online)})`,
    ]);
    if (online.join() === '0,1') expect(() => sandbox().cpus('0-63')).toThrow('.cpus("0-63"): CPU 2-63 is not online on this host (online: 0-1)');
  });

  it.each(['a', '', '2-1', '0,,1', '-1'])('cpus: malformed %j', (list) => {
    expectInvalid(() => sandbox().cpus(list), '.cpus', JSON.stringify(list), ['expected a cpuset list', '"0-1,3"']);
  });

  it('swap: without .memory() first, or malformed', () => {
    expectInvalid(() => sandbox().swap('64m'), '.swap', '"64m"', ['call .memory() first']);
    expectInvalid(() => sandbox().memory('64m').swap('lots'), '.swap', '"lots"', ['expected 0', '"64m"']);
    expectInvalid(() => sandbox().memory('64m').swap(-1), '.swap', '-1', ['expected 0']);
  });

  it("swap('0m') means none, like swap(0)", () => {
    expect(sandbox().memory('64m').swap('0m').spec.swapBytes).toBe(0);
  });

  it('iops / bps: a device that does not exist, a character device, a tmpfs path', () => {
    const accepted = ['expected a block device (/dev/vda), a partition, "MAJ:MIN" or a path on a disk-backed filesystem'];
    const e = expectInvalid(() => sandbox().iops('/nope', 10), '.iops', '"/nope"', ['/nope does not exist', ...accepted]);
    expect(e.value).toBe('/nope');
    expectInvalid(() => sandbox().iops('/dev/null', 10), '.iops', '"/dev/null"', ['/dev/null is a character device, not a block device', ...accepted]);
    expectInvalid(() => sandbox().iops('/dev/shm', 10), '.iops', '"/dev/shm"', ['/dev/shm is on a filesystem with no block device', 'tmpfs', ...accepted]);
    expectInvalid(() => sandbox().bps('/dev/shm', '1m'), '.bps', '"/dev/shm"', ['no block device', ...accepted]);
    expectInvalid(() => sandbox().iops('999:999', 10), '.iops', '"999:999"', ['no block device 999:999', ...accepted]);
    expectInvalid(() => sandbox().iops('', 10), '.iops', '""', ['expected a block device']);
  });

  it('iops / bps: bad rates', () => {
    const ops = ['whole number of operations per second, at least 1'];
    expectInvalid(() => sandbox().iops('/var/tmp', 0), '.iops', '0', ops);
    expectInvalid(() => sandbox().iops('/var/tmp', 1.5), '.iops', '1.5', ops);
    expectInvalid(() => sandbox().iops('/var/tmp', { read: -1 }), '.iops', '{"read":-1}', ops);
    expectInvalid(() => sandbox().iops('/var/tmp', {}), '.iops', '{}', ['give read, write or both']);
    expectInvalid(() => sandbox().bps('/var/tmp', '10x'), '.bps', '"10x"', ['bytes per second', '"10m"']);
    expectInvalid(() => sandbox().bps('/var/tmp', { write: '1.3k' }), '.bps', '{"write":"1.3k"}', ['bytes per second']);
  });

  it.each([['soon'], [0], ['-1s'], ['0s'], [-100]])('timeout: %j', (after) => {
    expectInvalid(() => sandbox().timeout(after), '.timeout', JSON.stringify(after), ['expected a duration', '"10s"', 'milliseconds']);
  });

  it('timeout: a bad grace names the grace value', () => {
    const e = expectInvalid(() => sandbox().timeout('10s', { grace: 'x' }), '.timeout', '"x"', ['grace: expected a duration', '"2s"']);
    expect(e.value).toBe('x');
    expectInvalid(() => sandbox().timeout('10s', { grace: '-1s' }), '.timeout', '"-1s"', ['grace']);
  });

  it('timeout: a duration past what a Node timer can wait (2^31-1 ms) is refused', () => {
    expectInvalid(() => sandbox().timeout('600h'), '.timeout', '"600h"', ['expected a duration']);
  });

  it.each(['-bad', 'a b', 'x'.repeat(64), '', 'under_score', 'ä'])('hostname: %j', (name) => {
    expectInvalid(() => sandbox().hostname(name), '.hostname', JSON.stringify(name), ['1 to 63 letters, digits, dots and hyphens']);
  });

  it('hostname: 63 characters is the most', () => {
    expect(sandbox().hostname('x'.repeat(63)).spec.hostname).toBe('x'.repeat(63));
  });

  it("net: a string other than 'none' or 'host'", () => {
    expectInvalid(() => sandbox().net('bridge' as 'none'), '.net', '"bridge"', ["expected 'none', 'host' or {"]);
  });

  it('cwd: a relative path', () => {
    expectInvalid(() => sandbox().cwd('relative'), '.cwd', '"relative"', ['expected an absolute path']);
  });

  it.each(['../x', 'ci/tests', '/ci/../x', '/..'])('cgroupParent: %j', (path) => {
    expectInvalid(() => sandbox().cgroupParent(path), '.cgroupParent', JSON.stringify(path), ['absolute cgroup path', 'without ".."']);
  });

  it('env: a name with "=", an empty name, a NUL, a value that is not a string', () => {
    const e = expectInvalid(() => sandbox().env({ 'A=B': 'x' }), '.env', '{"A=B":"x"}', ['variable "A=B"', 'names are non-empty without "="']);
    expect(e.value).toEqual({ 'A=B': 'x' });
    expectInvalid(() => sandbox().env({ '': 'x' }), '.env', '{"":"x"}', ['variable ""']);
    expectInvalid(() => sandbox().env({ A: 'x\0y' }), '.env', JSON.stringify({ A: 'x\0y' }), ['without NUL']);
    expectInvalid(() => sandbox().env({ A: 1 as unknown as string }), '.env', '{"A":1}', ['values are strings']);
  });

  it('run: an empty command rejects without running anything', async () => {
    const p = sandbox().run('');
    await expect(p).rejects.toBeInstanceOf(InvalidSpecError);
    await expect(p).rejects.toMatchObject({ method: '.run', message: '.run(""): expected the command to run' });
    await expect(sandbox().run('true', [1 as unknown as string])).rejects.toMatchObject({ method: '.run' });
  });
});

describe('sandbox(defaults)', () => {
  it('equals the chained form', () => {
    expect(sandbox({ memory: '64m', pids: 10 }).spec).toEqual(sandbox().memory('64m').pids(10).spec);
  });

  it('applies every key through its method', () => {
    const fromDefaults: SandboxBuilder = sandbox({
      cpus: String(online[0]),
      cpuShares: 512,
      cpuQuota: 0.5,
      memory: '64m',
      swap: '16m',
      pids: 10,
      net: 'host',
      hostname: 'box',
      env: { A: '1' },
      cwd: '/tmp',
      timeout: '5s',
      cgroupParent: '/ci',
    });
    const chained = sandbox()
      .cpus(String(online[0]))
      .cpuShares(512)
      .cpuQuota(0.5)
      .memory('64m')
      .swap('16m')
      .pids(10)
      .net('host')
      .hostname('box')
      .env({ A: '1' })
      .cwd('/tmp')
      .timeout('5s')
      .cgroupParent('/ci');
    expect(fromDefaults.spec).toEqual(chained.spec);
  });

  it('validates defaults with the same checks', () => {
    expectInvalid(() => sandbox({ memory: 'x' }), '.memory', '"x"', ['Docker units']);
    expectInvalid(() => sandbox({ pids: 0 }), '.pids', '0', ['an integer from 1']);
    expectInvalid(() => sandbox({ cwd: 'rel' }), '.cwd', '"rel"', ['absolute']);
  });

  it('takes every builder option by its method name, the keyed and the two-argument ones too', () => {
    const fromDefaults = sandbox({
      swap: '16m', // applied after memory whatever the key order
      memory: '64m',
      iops: { '/tmp': 100 },
      bps: { '/tmp': { write: '1m' } },
      net: { bandwidth: '10mbit' },
      volume: { '/data': { size: '16m', driver: 'tmpfs' }, '/data/b': { size: '8m' } },
      rootfs: '/',
      sample: '100ms',
      env: [{ A: '1' }, { inherit: false }],
      timeout: ['5s', { grace: '100ms' }],
    });
    const chained = sandbox()
      .memory('64m')
      .swap('16m')
      .iops('/tmp', 100)
      .bps('/tmp', { write: '1m' })
      .net({ bandwidth: '10mbit' })
      .volume('/data', { size: '16m', driver: 'tmpfs' })
      .volume('/data/b', { size: '8m' })
      .rootfs('/')
      .sample('100ms')
      .env({ A: '1' }, { inherit: false })
      .timeout('5s', { grace: '100ms' });
    expect(fromDefaults.spec).toEqual(chained.spec);
  });

  it('knows every method that sets an option', () => {
    const setters = Object.getOwnPropertyNames(SandboxBuilder.prototype).filter((m) => !['constructor', 'with', 'run', 'start', '$', 'toOCI', 'toKubernetesJob'].includes(m));
    expect([...SANDBOX_OPTIONS].sort()).toEqual(setters.sort());
  });

  it('refuses an unknown key, naming it and the accepted ones, instead of dropping the limit', () => {
    const e = expectInvalid(() => sandbox({ memmory: '64m' } as never), 'sandbox', '{"memmory":"64m"}', ['unknown option memmory', 'memory', 'pids', 'volume']);
    expect(e.message).toContain(SANDBOX_OPTIONS.join(', '));
    expectInvalid(() => sandbox([] as never), 'sandbox', '[]', ['expected an object of builder options']);
    expectInvalid(() => sandbox({ iops: [['/tmp', 1]] } as never), 'sandbox({ iops })', '[["/tmp",1]]', ['keyed by the first argument of .iops()']);
  });
});
