/**
 * .rootfs(dir): the sandbox runs in a copy-on-write copy of dir — an overlay,
 * or a btrfs snapshot when dir is a template in the pool — pivoted into,
 * with a fresh /proc and a minimal /dev. The fixture is a busybox root.
 *
 * Host tier only: volumes do not depend on the cgroup version, but for IO throttling, which
 * io.test.ts runs in the VM tier on v2 (and volume-lvm what this kernel lacks).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sandbox } from '../src/index.js';
import { btrfsTemplate } from '../src/volume/template.js';
import { busyboxRoot, NOTHING, settledVolumeObjects } from './volume-fixtures.js';

let ROOT: string;
beforeAll(() => {
  ROOT = busyboxRoot(); // fixtures/rootfs/build.sh, cached
});

const LOOK = 'cat /etc/cgbox-fixture; ls / | tr "\\n" " "; echo; for f in /etc/os-release /usr/lib /work /var/lib/cgbox; do test -e $f && echo "visible: $f"; done; mount | grep " on / "; echo written > /written; mkdir -p /etc/new';

describe('.rootfs() with the busybox fixture', () => {
  it("overlay: / inside is the template, the host's files are not visible, and the template is not written", async () => {
    const listing = readdirSync(ROOT).sort();
    const r = await sandbox().rootfs(ROOT).hostname('inside').run('/bin/sh', ['-c', `${LOOK}; hostname; cat /proc/1/comm; ls /dev | tr "\\n" " "`]);
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(readFileSync(join(ROOT, 'etc/cgbox-fixture'), 'utf8').trim());
    expect(lines[1]!.trim().split(' ').sort()).toEqual(listing);
    expect(r.stdout).not.toMatch(/visible:/);
    expect(r.stdout).toMatch(/^cgbox-\d+-[0-9a-f]+-root on \/ type overlay/m);
    expect(r.stdout).toContain('inside\ncgbox-init\n'); // its own hostname; pid 1 of a fresh /proc is the init
    expect(lines.at(-1)).toMatch(/^fd full null ptmx pts random shm stderr stdin stdout tty urandom zero/); // a fresh devpts and /dev/shm too
    expect(r.limits.rootfs).toMatchObject({ value: ROOT, enforced: false });
    expect(existsSync(join(ROOT, 'written'))).toBe(false);
    expect(existsSync(join(ROOT, 'etc/new'))).toBe(false);
    expect(readdirSync(ROOT).sort()).toEqual(listing);
    expect(await settledVolumeObjects()).toEqual(NOTHING);
  });

  it('with volumes: mount points missing from the template are made in the copy only, symlinks resolved inside it', async () => {
    // The fixture's /var/run -> /run is absolute: followed on the host, it would make the host's /run/<x>.
    const x = `voltest-${process.pid}`;
    const r = await sandbox()
      .rootfs(ROOT)
      .volume('/data', { size: '16m', driver: 'loop' })
      .volume('/data/scratch', { size: '8m', driver: 'tmpfs' })
      .volume(`/var/run/${x}`, { size: '16m', driver: 'btrfs' })
      .run('/bin/sh', ['-c', `mount | grep -E " on /(data|run)" | cut -d" " -f3,5 | tr "\\n" " "; echo hi > /data/scratch/f && cat /data/scratch/f /var/run/${x}/../${x}/missing 2>&1`]);
    // /run is the view's own tmpfs (listed after: mounts are listed by when each was made, and volumes are cloned first).
    expect(r.stdout).toBe(`/data ext4 /data/scratch tmpfs /run/${x} btrfs /run tmpfs hi\ncat: can't open '/var/run/${x}/../${x}/missing': No such file or directory\n`);
    for (const p of ['data', 'run/' + x]) expect(existsSync(join(ROOT, p))).toBe(false);
    expect(existsSync(`/run/${x}`)).toBe(false);
    expect(await settledVolumeObjects()).toEqual(NOTHING);
  });

  it('btrfs: a template in the pool runs on a snapshot of it', async () => {
    const template = await btrfsTemplate(ROOT);
    const r = await sandbox().rootfs(template).run('/bin/sh', ['-c', LOOK]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(readFileSync(join(ROOT, 'etc/cgbox-fixture'), 'utf8').trim());
    expect(r.stdout).not.toMatch(/visible:/);
    expect(r.stdout).toMatch(/ on \/ type btrfs/);
    expect(r.limits.rootfs?.reason).toMatch(/btrfs snapshot/);
    expect(existsSync(join(template, 'written'))).toBe(false);
    expect(await settledVolumeObjects()).toEqual(NOTHING);
  });
});
