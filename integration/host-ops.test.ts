/**
 * The host-ops helper (src/host/host-ops.ts): each call does what the
 * tool it replaces did, a failure names the call, the path and the errno,
 * concurrent calls each get their own answer, and the helper neither keeps
 * Node alive nor outlives it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { hostOp } from '../src/host/host-ops.js';
import { SetupError } from '../src/spec/errors.js';
import { flagWords } from '../src/view/index.js';
import { ensurePool } from '../src/volume/btrfs-pool.js';
import { volumeConfig } from '../src/volume/config.js';
import { mountAt as mountAtHost } from '../src/volume/host.js';

const DIR = mkdtempSync('/tmp/cgbox-host-ops-test-');
afterAll(() => {
  // A test that failed half-way may have left its mount: detached first, never removed through.
  for (const m of readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4]).filter((t) => t?.startsWith(`${DIR}/`))) spawnSync('umount', ['--lazy', m!]);
  rmSync(DIR, { recursive: true, force: true });
});
const ROOT = fileURLToPath(new URL('..', import.meta.url));

const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('resolved'); }, (e: unknown) => e as SetupError);

describe('host ops', () => {
  it('mounts a tmpfs with its flags and data, and unmounts it', async () => {
    const target = join(DIR, 'm');
    mkdirSync(target);
    await hostOp('volume', 'mount', 'tmpfs', 'cgbox-host-ops-test', target, flagWords(['nosuid', 'nodev']), 'size=1048576,mode=0750');
    const line = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => l.split(' ')[4] === target);
    expect(line).toMatch(/ rw,nosuid,nodev[, ]/);
    expect(line).toMatch(/ - tmpfs cgbox-host-ops-test rw,.*size=1024k,mode=750/);
    await hostOp('volume', 'umount', target);
    expect(mountAtHost(target)).toBeUndefined();
  });

  it("takes the view's flag words: ro and noexec as mount flags, none as '-'", async () => {
    const target = join(DIR, 'ro');
    mkdirSync(target);
    const options = () => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => l.split(' ')[4] === target)?.split(' ')[5];
    await hostOp('volume', 'mount', 'tmpfs', 'cgbox-host-ops-test', target, flagWords(['ro', 'noexec']), '');
    expect(options()).toMatch(/^ro,.*noexec/);
    await hostOp('volume', 'umount', target);
    await hostOp('volume', 'mount', 'tmpfs', 'cgbox-host-ops-test', target, flagWords([]), '');
    expect(options()).not.toMatch(/nosuid|nodev|noexec|^ro/);
    await hostOp('volume', 'umount', target);
  });

  it('detaches a busy mount lazily', async () => {
    const target = join(DIR, 'busy');
    mkdirSync(target);
    await hostOp('volume', 'mount', 'tmpfs', 'cgbox-host-ops-test', target, '-', '');
    // A process with its cwd inside holds the mount busy: umount2 without MNT_DETACH says EBUSY.
    const holder = spawnSync('sh', ['-c', `cd ${target} && (sleep 30 >/dev/null 2>&1 & echo $!)`], { encoding: 'utf8' });
    const pid = Number(holder.stdout.trim());
    try {
      await hostOp('volume', 'umount', target);
      expect(mountAtHost(target)).toBeUndefined();
    } finally {
      process.kill(pid, 'SIGKILL');
    }
  });

  it('fails with the call, the path and the errno, as a SetupError of the step', async () => {
    const e = await failure(hostOp('volume', 'umount', join(DIR, 'not-a-mount-point')));
    expect(e).toBeInstanceOf(SetupError);
    expect(e.step).toBe('volume');
    expect(e.errno).toBe(2);
    expect(e.message).toContain(`umount ${join(DIR, 'not-a-mount-point')}: No such file or directory (ENOENT)`);
    mkdirSync(join(DIR, 'plain'));
    const notMounted = await failure(hostOp('volume', 'umount', join(DIR, 'plain')));
    expect(notMounted.errno).toBe(22); // EINVAL: not a mount point
    const bad = await failure(hostOp('volume', 'mount', 'no-such-fs', 'x', join(DIR, 'plain'), '-', ''));
    expect(bad.errno).toBe(19); // ENODEV
    expect(bad.message).toContain('mount -t no-such-fs x');
  });

  it('refuses an argument with a NUL byte before sending anything', async () => {
    const e = await failure(hostOp('volume', 'umount', `${DIR}/a\0b`));
    expect(e).toBeInstanceOf(SetupError);
    expect(e.message).toContain('NUL byte');
    // The helper is still in step: the next call gets its own answer.
    expect((await failure(hostOp('volume', 'umount', join(DIR, 'after-nul')))).message).toContain('after-nul');
  });

  it('gives each of many concurrent calls its own answer', async () => {
    const paths = Array.from({ length: 40 }, (_, i) => join(DIR, `concurrent-${i}`));
    const errors = await Promise.all(paths.map((p) => failure(hostOp('volume', 'umount', p))));
    errors.forEach((e, i) => expect(e.message).toContain(`umount ${paths[i]}:`));
  });

  it('makes, limits, measures, snapshots and deletes btrfs subvolumes', async () => {
    const pool = (await ensurePool(volumeConfig())).path;
    const sub = join(pool, `cgbox-${process.pid}-0fe1-hostops`);
    const snap = `${sub}-snap`;
    await hostOp('volume', 'subvolume-create', sub);
    try {
      await hostOp('volume', 'qgroup-limit', sub, String(8 * 2 ** 20));
      writeFileSync(join(sub, 'f'), Buffer.alloc(2 ** 20, 1));
      const ours = Number(await hostOp('volume', 'referenced', sub));
      // The same number the btrfs tool reads from the quota tree after its own commit.
      const line = execFileSync('btrfs', ['qgroup', 'show', '-f', '--raw', '--sync', sub], { encoding: 'utf8' }).split('\n').find((l) => /^0\/\d+\s/.test(l))!;
      expect(ours).toBe(Number(line.trim().split(/\s+/)[1]));
      expect(ours).toBeGreaterThanOrEqual(2 ** 20);
      const limit = execFileSync('btrfs', ['qgroup', 'show', '-r', '--raw', sub], { encoding: 'utf8' });
      expect(limit).toMatch(new RegExp(`\\s${8 * 2 ** 20}\\s`));
      await hostOp('volume', 'snapshot', sub, snap, '1');
      expect(readFileSync(join(snap, 'f')).length).toBe(2 ** 20);
      expect(() => writeFileSync(join(snap, 'g'), 'x')).toThrow(/EROFS|read-only/);
      await hostOp('volume', 'subvolume-delete', snap);
      // A subvolume with one inside cannot go: ENOTEMPTY, which deleteSubvolume() answers by deleting the inner first.
      await hostOp('volume', 'subvolume-create', join(sub, 'inner'));
      expect((await failure(hostOp('volume', 'subvolume-delete', sub))).errno).toBe(39);
      await hostOp('volume', 'subvolume-delete', join(sub, 'inner'));
    } finally {
      await hostOp('volume', 'subvolume-delete', snap).catch(() => {});
      await hostOp('volume', 'subvolume-delete', sub).catch(() => {});
    }
    expect(readdirSync(pool).filter((n) => n.includes('-hostops'))).toEqual([]);
  });

  it("commits a btrfs filesystem: the qgroup's figures count what was written before it", async () => {
    const pool = (await ensurePool(volumeConfig())).path;
    const sub = join(pool, `cgbox-${process.pid}-0fe2-hostops`);
    await hostOp('volume', 'subvolume-create', sub);
    try {
      const shown = () => Number(execFileSync('btrfs', ['qgroup', 'show', '-f', '--raw', sub], { encoding: 'utf8' }).split('\n').find((l) => /^0\/\d+\s/.test(l))!.trim().split(/\s+/)[1]);
      writeFileSync(join(sub, 'f'), Buffer.alloc(2 ** 20, 1));
      // `btrfs qgroup show` without --sync reads the quota tree as last committed: only a commit puts the file in it.
      await hostOp('volume', 'commit', sub);
      expect(shown()).toBeGreaterThanOrEqual(2 ** 20);
      expect((await failure(hostOp('volume', 'commit', DIR))).message).toMatch(new RegExp(`btrfs sync ${DIR}.*(ENOTTY|Inappropriate ioctl)`));
    } finally {
      await hostOp('volume', 'subvolume-delete', sub).catch(() => {});
    }
  });

  it('attaches an image to a free loop device with direct IO, and detaches it', async () => {
    // On the disk, not /tmp's tmpfs: a tmpfs file cannot do O_DIRECT, and the device would fall back to buffered IO.
    const dir = mkdtempSync('/var/tmp/cgbox-host-ops-test-');
    const image = join(dir, 'img');
    writeFileSync(image, Buffer.alloc(2 ** 20));
    try {
      const dev = await hostOp('volume', 'loop-attach', image);
      expect(dev).toMatch(/^\/dev\/loop\d+$/);
      const sys = `/sys/block/${dev.slice('/dev/'.length)}/loop`;
      try {
        expect(readFileSync(`${sys}/backing_file`, 'utf8').trim()).toBe(image);
        expect(readFileSync(`${sys}/dio`, 'utf8').trim()).toBe('1');
      } finally {
        await hostOp('volume', 'loop-detach', dev);
      }
      expect(() => readFileSync(`${sys}/backing_file`, 'utf8')).toThrow(/ENOENT/);
      const missing = await failure(hostOp('volume', 'loop-attach', join(dir, 'none')));
      expect(missing.errno).toBe(2);
      expect(missing.message).toContain(`open ${join(dir, 'none')}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not keep Node alive, and ends with it', async () => {
    // The child says which processes it started (the helper among them), then exits on its own.
    const script = `import { hostOp } from ${JSON.stringify(join(ROOT, 'src/host/host-ops.ts'))};
      import { readFileSync } from 'node:fs';
      await hostOp('volume', 'umount', '/nonexistent').catch(() => {});
      console.log(readFileSync('/proc/self/task/' + process.pid + '/children', 'utf8'));`;
    const file = join(DIR, 'alive.mts');
    writeFileSync(file, script);
    const r = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
    expect(r.status, r.stderr).toBe(0);
    const children = r.stdout.trim().split(/\s+/).filter(Boolean).map(Number);
    const helpers = children.filter((pid) => cmdline(pid).includes('--host-ops'));
    const stillHelpers = () => helpers.filter((pid) => cmdline(pid).includes('--host-ops'));
    for (let t = 0; t < 5_000 && stillHelpers().length; t += 50) await new Promise((ok) => setTimeout(ok, 50));
    expect(stillHelpers()).toEqual([]);
  });
});

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}
