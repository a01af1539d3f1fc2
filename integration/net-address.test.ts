/**
 * Explicit addresses: honoured when free and inside the bridge's subnet,
 * refused with a clear error when taken (SetupError) or outside it
 * (InvalidSpecError) — and a refusal leaves nothing behind.
 *
 * Host tier only: a network of its own does not depend on the cgroup version (the VM tier runs
 * net-ovs for what this kernel lacks).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidSpecError, SetupError, sandbox } from '../src/index.js';
import { removeBridge } from '../src/net/bridge.js';
import { readTable } from '../src/net/leases.js';

const BRIDGE = `cgba${process.pid}`.slice(0, 15);
afterAll(() => removeBridge(BRIDGE));

describe('.net({ address })', () => {
  it('is honoured on a new bridge, which takes that subnet', async () => {
    const r = await sandbox().net({ bridge: BRIDGE, address: '10.201.3.7/16' }).run('ip', ['-4', '-o', 'addr', 'show', 'dev', 'eth0']);
    expect(r.stdout).toContain('inet 10.201.3.7/16');
    const route = await sandbox().net({ bridge: BRIDGE }).run('ip', ['route', 'show', 'default']);
    expect(route.stdout.trim()).toBe('default via 10.201.0.1 dev eth0');
  });

  it('is refused when another sandbox holds it', async () => {
    await using box = await sandbox().net({ bridge: BRIDGE, address: '10.201.3.8/16' }).start('sleep', ['30']);
    const e = await sandbox().net({ bridge: BRIDGE, address: '10.201.3.8/16' }).run('true').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SetupError);
    expect((e as Error).message).toMatch(/10\.201\.3\.8\/16 on bridge cgba\d+ is taken by cgbox-\d+-[0-9a-f]+/);
    expect(Object.entries((await readTable(BRIDGE)).leases)).toEqual([['10.201.3.8', box.name]]);
  });

  it('is refused outside the subnet, as the gateway, or with another prefix', async () => {
    for (const address of ['10.202.0.5/16', '10.201.0.1/16', '10.201.3.9/24', '10.201.255.255/16']) {
      const e = await sandbox().net({ bridge: BRIDGE, address }).run('true').catch((x: unknown) => x);
      expect(e, address).toBeInstanceOf(InvalidSpecError);
      expect((e as Error).message).toMatch(/10\.201\.0\.0\/16/);
    }
    expect((await readTable(BRIDGE)).leases).toEqual({});
  });
});
