import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidSpecError } from '../spec/errors.js';
import { emptySpec, type SandboxSpec, type VolumeSpec } from '../spec/types.js';
import { volumeConfig } from './config.js';
import { chooseAuto, mountOrder, parentVolume, planVolumes } from './plan.js';

const MiB = 2 ** 20;
const dir = mkdtempSync(join(tmpdir(), 'cgbox-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const vol = (path: string, o: Partial<VolumeSpec> = {}): VolumeSpec => ({ path, sizeBytes: 16 * MiB, driver: 'tmpfs', fs: 'ext4', ...o });
const spec = (o: Partial<SandboxSpec>): SandboxSpec => ({ ...emptySpec(), ...o });
// A configured pool that is not btrfs: the answer does not depend on this host's btrfs.
const noPool = volumeConfig({ CGBOX_BTRFS_POOL: dir });

describe('planning volumes', () => {
  it("auto: loop when there is no pool, saying why; loop for fs 'xfs' whatever the pool", () => {
    expect(chooseAuto(vol('/a', { driver: 'auto' }), noPool)).toEqual({ backend: 'loop', why: `auto chose loop: no btrfs pool (CGBOX_BTRFS_POOL=${dir} is not a mounted btrfs filesystem)` });
    expect(chooseAuto(vol('/a', { driver: 'auto', fs: 'xfs' }), volumeConfig({}))).toMatchObject({ backend: 'loop', why: 'auto chose loop: fs xfs is made on a loop image' });
  });

  it('mounts parents before children, and finds the volume a path is inside', () => {
    const vs = ['/d/b/c', '/d', '/e', '/d/b'].map((p) => ({ spec: vol(p) }));
    expect(mountOrder(vs as never).map((v) => (v as { spec: VolumeSpec }).spec.path)).toEqual(['/d', '/d/b', '/d/b/c', '/e']);
    expect(parentVolume('/d/b/c', vs)?.spec.path).toBe('/d/b');
    expect(parentVolume('/dx', vs)).toBeUndefined();
  });

  it('takes a mount point missing on the host (the view makes it inside); refuses one only when privileged, and not inside another volume or a rootfs', () => {
    expect(planVolumes(spec({ volumes: [vol(join(dir, 'missing'))] }), noPool)).toHaveLength(1);
    const privileged = { privileged: true };
    expect(() => planVolumes(spec({ ...privileged, volumes: [vol(join(dir, 'missing'))] }), noPool)).toThrow(InvalidSpecError);
    expect(() => planVolumes(spec({ ...privileged, volumes: [vol(join(dir, 'missing'))] }), noPool)).toThrow(/mkdir -p/);
    expect(planVolumes(spec({ ...privileged, volumes: [vol(dir), vol(join(dir, 'missing'))] }), noPool)).toHaveLength(2);
    expect(planVolumes(spec({ ...privileged, volumes: [vol('/no/such/dir')], rootfs: dir }), noPool)).toHaveLength(1);
  });

  it("refuses .iops('volume') without a volume, or when the first is a tmpfs; a rootfs path overlayfs cannot take", () => {
    const rate = { device: { major: 0, minor: 0, given: 'volume', name: 'volume' }, write: 100 };
    expect(() => planVolumes(spec({ iops: [rate] }), noPool)).toThrow(/add a \.volume\(\) first/);
    expect(() => planVolumes(spec({ bps: [rate], volumes: [vol(dir)] }), noPool)).toThrow(/^\.bps\("volume"\).*no block device/);
    expect(() => planVolumes(spec({ rootfs: '/a,b' }), noPool)).toThrow(/overlayfs option syntax/);
  });

  it('refuses what a backend cannot take, before anything exists', () => {
    expect(() => planVolumes(spec({ volumes: [vol(dir, { driver: 'tmpfs', fs: 'xfs' })] }), noPool)).toThrow(/applies to loop and lvm volumes only/);
    expect(() => planVolumes(spec({ volumes: [vol(dir, { driver: 'btrfs' })] }), noPool)).toThrow(/not a mounted btrfs filesystem/);
    expect(() => planVolumes(spec({ volumes: [vol(dir, { driver: 'loop', fs: 'xfs' })] }), noPool)).toThrow(/300 MiB/);
  });
});
