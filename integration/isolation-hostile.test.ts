/**
 * Hostile actions from a default sandbox — what a buggy test could do to the
 * host — each contained, and checked from the host where it could do harm
 * (a canary directory, a scratch loop device on a sparse file); and each
 * allowed again where an opt-in says so.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostCaps, sandbox, type RunResult } from '../src/index.js';
import { busyboxRoot } from './volume-fixtures.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const sh = (b: ReturnType<typeof sandbox>, script: string) => b.run('sh', ['-c', script]);
const failed = (r: RunResult, why: RegExp) => {
  expect(r.exitCode, r.stdout + r.stderr).not.toBe(0);
  expect(r.stderr + r.stdout).toMatch(why);
};
// Syscall numbers for perl's syscall(): init_module, ptrace.
const NR = process.arch === 'arm64' ? { init_module: 105, ptrace: 117 } : { init_module: 175, ptrace: 101 };
const v2 = hostCaps().driver === 2;
const SYS_MODULE = 16;
/** Whether capability `bit` is set in a /proc/PID/status line such as "CapBnd:\t00000000a80425fb". */
const capBit = (status: string, field: string, bit: number) => ((BigInt(`0x${new RegExp(`${field}:\\s*([0-9a-f]+)`).exec(status)![1]}`) >> BigInt(bit)) & 1n) === 1n;

let canary: string; // a host directory the sandbox sees read-only (under /var/lib: /tmp is the view's own)
let image: string;
let loop: string;
let server: Server;
let port: number;
const hostMarker = `/tmp/cgbox-hostile-${process.pid}`; // in the host's /tmp, which the view does not show

beforeAll(async () => {
  canary = mkdtempSync('/var/lib/cgbox-canary-');
  writeFileSync(join(canary, 'keep'), 'original\n');
  writeFileSync(hostMarker, 'host\n');
  image = join(canary, 'disk.img');
  writeFileSync(image, 'DISK-ORIGINAL\n');
  execFileSync('truncate', ['-s', '8M', image]);
  loop = execFileSync('losetup', ['--find', '--show', image], { encoding: 'utf8' }).trim();
  server = createServer((s) => s.end('host-secret\n'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  if (loop) execFileSync('losetup', ['-d', loop]);
  rmSync(canary, { recursive: true, force: true });
  rmSync(hostMarker, { force: true });
  await new Promise((r) => server.close(r));
});

const diskHead = () => readFileSync(image).subarray(0, 14).toString();
const core = () => readFileSync('/proc/sys/kernel/core_pattern', 'utf8');

describe('a default sandbox cannot harm the host', () => {
  const rows: [string, () => Promise<void>][] = [
    ['delete a host file (rm -rf)', async () => {
      failed(await sh(sandbox(), `rm -rf ${canary}`), /Read-only file system/);
      expect(readFileSync(join(canary, 'keep'), 'utf8')).toBe('original\n');
    }],
    ['write a host file', async () => {
      failed(await sh(sandbox(), `echo evil >> ${canary}/keep`), /Read-only file system/);
      expect(readFileSync(join(canary, 'keep'), 'utf8')).toBe('original\n');
    }],
    ["write a host block device (a scratch loop device): it is not in the sandbox's /dev", async () => {
      const r = await sh(sandbox(), `test -b ${loop} && echo DEVICE || echo ABSENT; printf EVIL | dd of=${loop} conv=notrunc 2>/dev/null; true`);
      expect(r.stdout).toBe('ABSENT\n'); // what dd wrote is a plain file in the sandbox's own /dev tmpfs
      expect(diskHead()).toBe('DISK-ORIGINAL\n');
    }],
    ['mknod the same disk and write it (CAP_MKNOD is kept: every writable place is nodev)', async () => {
      const [major, minor] = execFileSync('stat', ['-c', '%t %T', loop], { encoding: 'utf8' }).trim().split(' ').map((h) => parseInt(h, 16));
      const r = await sh(sandbox(), `for d in /tmp /dev /dev/shm /run /var/tmp; do mknod $d/disk b ${major} ${minor} && printf EVIL | dd of=$d/disk conv=notrunc 2>&1; done; exit 1`);
      expect(r.stdout).toMatch(/Permission denied/);
      expect(r.stdout).not.toMatch(/records out/);
      expect(diskHead()).toBe('DISK-ORIGINAL\n');
    }],
    ['write /proc/sys/kernel/core_pattern', async () => {
      const before = core();
      failed(await sh(sandbox(), 'echo "|/tmp/evil" > /proc/sys/kernel/core_pattern'), /Read-only file system/);
      expect(core()).toBe(before);
    }],
    ['write /proc/sysrq-trigger', async () => {
      // Kernels without CONFIG_MAGIC_SYSRQ (this project's host) have no such file, inside or out.
      const exists = existsSync('/proc/sysrq-trigger');
      failed(await sh(sandbox(), 'echo h > /proc/sysrq-trigger'), exists ? /Read-only file system/ : /nonexistent|No such file/);
    }],
    ['write a /sys file', async () => failed(await sh(sandbox(), 'cat /sys/class/net/lo/mtu > /sys/class/net/lo/mtu'), /Read-only file system/)],
    ['change a host sysctl (vm.swappiness, written with its own value)', async () => {
      failed(await sh(sandbox(), 'cat /proc/sys/vm/swappiness > /proc/sys/vm/swappiness'), /Read-only file system/);
    }],
    ['mount a cgroupfs to reach the host hierarchy', async () => failed(await sh(sandbox(), 'mkdir /tmp/c && mount -t cgroup2 none /tmp/c || mount -t cgroup -o pids none /tmp/c'), /permission denied|not permitted/i)],
    ['mount a procfs', async () => failed(await sh(sandbox(), 'mkdir /tmp/p && mount -t proc proc /tmp/p'), /permission denied|not permitted/i)],
    ["unmount /proc to see the host's", async () => {
      const r = await sh(sandbox(), 'umount /proc; umount -l /proc; ls /proc | grep -c "^[0-9]"');
      expect(r.stderr).toMatch(/must be superuser|not permitted|permission denied/i);
      expect(Number(r.stdout.trim())).toBeLessThanOrEqual(4);
    }],
    ['raise its own memory limit through /sys/fs/cgroup', async () => {
      const file = v2 ? '/sys/fs/cgroup/memory.max' : '/sys/fs/cgroup/memory/memory.limit_in_bytes';
      const r = await sh(sandbox().memory('64m'), `echo 1073741824 > ${file}; cat ${file}`);
      expect(r.stderr).toMatch(/Read-only file system/);
      expect(r.stdout.trim()).toBe(String(64 * 2 ** 20));
    }],
    ['load a kernel module (init_module): CAP_SYS_MODULE is not in its bounding set', async () => {
      const r = await sh(sandbox(), `grep CapBnd /proc/self/status; perl -e 'my $args = ""; syscall(${NR.init_module}, 0, 0, $args) == -1 and print "$!\\n"'`);
      expect(capBit(r.stdout, 'CapBnd', SYS_MODULE)).toBe(false);
      // A kernel without module support (this project's host) says ENOSYS before any capability check.
      expect(r.stdout).toMatch(/Operation not permitted|Function not implemented/);
    }],
    ['set the clock', async () => failed(await sh(sandbox(), 'date -s "$(date -R)"'), /not permitted/i)],
    ["see the host's processes", async () => {
      const r = await sh(sandbox(), `ls /proc | grep -c "^[0-9]"; test -e /proc/${process.pid}/cwd && readlink /proc/${process.pid}/cwd`);
      expect(Number(r.stdout.split('\n')[0])).toBeLessThanOrEqual(4);
      expect(r.stdout).not.toContain(ROOT);
    }],
    ["reach the host's network with net('none')", async () => {
      const r = await sandbox().run('bash', ['-c', `cat < /dev/tcp/127.0.0.1/${port}`]);
      expect(r.stdout).not.toContain('host-secret');
      failed(r, /Connection refused/);
      const control = await sandbox().net('host').run('bash', ['-c', `cat < /dev/tcp/127.0.0.1/${port}`]);
      expect(control.stdout).toBe('host-secret\n');
    }],
    ['ptrace the init, read its environment and memory, write its status pipe', async () => {
      const r = await sh(sandbox(), `perl -e 'syscall(${NR.ptrace}, 16, 1, 0, 0) == -1 and print "ptrace: $!\\n"'; cat /proc/1/environ; head -c1 /proc/1/mem; echo forged > /proc/1/fd/3; ls /proc/self/fd`);
      expect(r.stdout).toMatch(/ptrace: Operation not permitted/);
      expect(r.stderr).toMatch(/\/proc\/1\/environ: Permission denied/);
      expect(r.stderr).toMatch(/\/proc\/1\/mem.*Permission denied/);
      expect(r.stderr).toMatch(/\/proc\/1\/fd\/3: Permission denied/);
      expect(r.stdout.trim().split('\n').slice(-4)).toEqual(['0', '1', '2', '3']); // 3: ls's own directory; no status pipe inherited
    }],
    ['escape through a symlink in a writable bind', async () => {
      const w = mkdtempSync('/var/lib/cgbox-writable-');
      try {
        const r = await sh(sandbox().writable(w), `ln -s /etc ${w}/up && echo evil > ${w}/up/cgbox-escape`);
        failed(r, /Read-only file system/);
        expect(existsSync('/etc/cgbox-escape')).toBe(false);
      } finally {
        rmSync(w, { recursive: true, force: true });
      }
    }],
    ['escape with ".." in a bind', async () => {
      expect(() => sandbox().bind(canary, '/tmp/../../etc')).toThrow(/without "\.\."/);
    }],
    ['escape a rootfs through its own absolute symlink', async () => {
      const tpl = mkdtempSync('/var/lib/cgbox-rootfs-');
      try {
        execFileSync('cp', ['-a', `${busyboxRoot()}/.`, tpl]);
        symlinkSync(canary, join(tpl, 'escape'));
        const r = await sandbox().rootfs(tpl).run('/bin/sh', ['-c', 'echo evil > /escape/keep']);
        failed(r, /can't create|No such file/);
        expect(readFileSync(join(canary, 'keep'), 'utf8')).toBe('original\n');
      } finally {
        rmSync(tpl, { recursive: true, force: true });
      }
    }],
    ['break out of a chroot (CAP_SYS_CHROOT is kept): the top is the view, not the host', async () => {
      const r = await sh(sandbox(), `perl -e 'mkdir "/tmp/j"; chroot "/tmp/j" or die "chroot: $!"; chdir ".." for 1..64; chroot "." or die; print -e "${hostMarker}" ? "HOST\\n" : "VIEW\\n"'`);
      expect(r.stdout.trim()).toBe('VIEW');
    }],
    ["fill the host's disk through /tmp: it is a tmpfs charged to, and bounded by, the sandbox's memory", async () => {
      const r = await sh(sandbox().memory('48m'), 'dd if=/dev/zero of=/tmp/fill bs=1M count=128 2>&1; echo done');
      expect(r.oomKilled || /No space|Cannot allocate|Killed/.test(r.stdout + r.stderr) || r.exitCode !== 0).toBe(true);
      expect(existsSync('/tmp/fill')).toBe(false);
    }],
    ["inject into the caller's terminal (TIOCSTI): the command has no controlling terminal", async () => {
      const child = join(canary, 'tty-child.mjs');
      writeFileSync(child, `import { sandbox } from ${JSON.stringify(join(ROOT, 'dist/index.js'))};
const r = await sandbox().run('perl', ['-e', 'open(T, "+<", "/dev/tty") or die "no tty: $!\\\\n"; ioctl(T, 0x5412, "x") or die "TIOCSTI: $!\\\\n"; print "INJECTED\\\\n"']);
process.stdout.write('[' + r.stdout + r.stderr + ']');`);
      // The control: the caller itself has a terminal (script(1) gives it one), and opens it.
      const control = spawnSync('script', ['-qec', `sh -c 'exec 3<>/dev/tty && echo HAS_TTY'`, '/dev/null'], { encoding: 'utf8' });
      expect(control.stdout).toContain('HAS_TTY');
      const out = spawnSync('script', ['-qec', `node ${child}`, '/dev/null'], { encoding: 'utf8', timeout: 60_000 });
      expect(out.stdout).toMatch(/no tty: No such device or address/);
      expect(out.stdout).not.toContain('INJECTED');
    }],
    ["see the host's processes through a copy of its /proc under a host directory (a chroot's, say)", async () => {
      const at = join(canary, 'chroot-proc');
      mkdirSync(at);
      execFileSync('mount', ['-t', 'proc', 'proc', at]);
      try {
        const look = (dir: string) => `ls ${dir} | grep -c "^[0-9]" || true`;
        expect(Number((await sh(sandbox(), look(at))).stdout)).toBe(0); // detached from the view's copy of /var
        expect(Number((await sh(sandbox().bind(canary, '/data', { readonly: true }), look('/data/chroot-proc'))).stdout)).toBe(0);
        expect(Number((await sh(sandbox().privileged(), look(at))).stdout)).toBeGreaterThan(10); // the control: it is there
      } finally {
        execFileSync('umount', [at]);
        rmSync(at, { recursive: true });
      }
    }],
    ['gain capabilities in a user namespace of its own and remount the view read-write (no seccomp: unshare works)', async () => {
      const r = await sh(sandbox(), `unshare -Urm sh -c 'id -u; mount -o remount,bind,rw /usr; touch /usr/cgbox-x; mount -t proc proc /tmp'`);
      expect(r.stdout.trim()).toBe('0'); // root in its own user namespace
      expect(r.stderr).toMatch(/\/usr: permission denied/); // the kernel keeps mounts locked read-only there
      expect(r.stderr).toMatch(/\/usr\/cgbox-x.*Read-only file system/);
      expect(r.stderr).toMatch(/\/tmp: permission denied/); // no procfs of a pid namespace it does not own
      expect(existsSync('/usr/cgbox-x')).toBe(false);
    }],
    ['create a mount point on the host for a volume', async () => {
      const at = `${canary}/new/mountpoint`;
      const r = await sh(sandbox().volume(at, { size: '8m', driver: 'tmpfs' }), `touch ${at}/f && echo ok`);
      expect(r.stdout.trim()).toBe('ok');
      expect(existsSync(`${canary}/new`)).toBe(false);
    }],
  ];
  it.each(rows)('%s', async (_name, body) => body(), 60_000);
});

describe('and each is allowed again where an opt-in says so', () => {
  it('.privileged(): the host root writable, every capability, the host /dev; the report says so', async () => {
    const before = core();
    const r = await sh(sandbox().privileged(), `rm ${canary}/keep && cat /proc/sys/kernel/core_pattern > /proc/sys/kernel/core_pattern && test -b ${loop} && grep NoNewPrivs /proc/self/status`);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('NoNewPrivs:\t0');
    expect(r.privileged).toBe(true);
    expect(existsSync(join(canary, 'keep'))).toBe(false);
    expect(core()).toBe(before);
    writeFileSync(join(canary, 'keep'), 'original\n');
    expect((await sandbox().run('true')).privileged).toBe(false);
  });

  it('.writable(path): that host path, and only it, is written', async () => {
    const r = await sh(sandbox().writable(canary), `echo written > ${canary}/new && echo evil > /etc/cgbox-escape`);
    expect(r.stderr).toMatch(/\/etc\/cgbox-escape: Read-only file system/);
    expect(readFileSync(join(canary, 'new'), 'utf8')).toBe('written\n');
    rmSync(join(canary, 'new'));
  });

  it('.bind(host, inside, { readonly }): seen elsewhere, read-only when asked', async () => {
    const r = await sh(sandbox().bind(canary, '/data', { readonly: true }), 'cat /data/keep; echo x > /data/keep');
    expect(r.stdout).toBe('original\n');
    expect(r.stderr).toMatch(/Read-only file system/);
    const rw = await sh(sandbox().bind(canary, '/data'), 'echo bound > /data/bound');
    expect(rw.exitCode, rw.stderr).toBe(0);
    expect(readFileSync(join(canary, 'bound'), 'utf8')).toBe('bound\n');
    rmSync(join(canary, 'bound'));
  });

  it('.device(loop): the host device node passed through, read-write', async () => {
    expect(() => sandbox().device(loop, { readonly: true })).toThrow(/read-write only/);
    const rw = await sh(sandbox().device(loop), `printf 'DISK-WRITTEN!\\n' | dd of=${loop} conv=notrunc,fsync`);
    expect(rw.exitCode, rw.stderr).toBe(0);
    expect(diskHead()).toBe('DISK-WRITTEN!\n');
  });

  it(".capAdd('SYS_ADMIN'), .capAdd('CAP_SYS_MODULE'): mounts inside the view, holds CAP_SYS_MODULE; .capDrop('ALL'): none at all", async () => {
    const r = await sh(sandbox().capAdd('SYS_ADMIN'), 'mkdir /tmp/m && mount -t tmpfs none /tmp/m && echo mounted');
    expect(r.stdout.trim()).toBe('mounted');
    const mod = await sh(sandbox().capAdd('CAP_SYS_MODULE'), 'grep CapEff /proc/self/status');
    expect(capBit(mod.stdout, 'CapEff', SYS_MODULE)).toBe(true);
    const none = await sh(sandbox().capDrop('ALL'), 'grep -E "Cap(Eff|Bnd)" /proc/self/status');
    expect(none.stdout).toMatch(/CapEff:\t0000000000000000/);
    expect(none.stdout).toMatch(/CapBnd:\t0000000000000000/);
  });

  it("exec() into a started box gets the same capabilities, no_new_privs and view", async () => {
    await using box = await sandbox().start('sleep', ['30']);
    const e = await box.exec('sh', ['-c', `grep -E "CapBnd|NoNewPrivs" /proc/self/status; touch ${canary}/x`]);
    expect(e.stdout).toBe('CapBnd:\t00000000a80425fb\nNoNewPrivs:\t1\n');
    expect(e.stderr).toMatch(/Read-only file system/);
  });

  it('tmpfs pages are charged to the sandbox: 64 MiB in /tmp shows in its memory peak', async () => {
    const r = await sh(sandbox(), 'dd if=/dev/zero of=/tmp/fill bs=1M count=64 2>/dev/null && echo ok');
    expect(r.stdout.trim()).toBe('ok');
    expect(r.usage.memory.peakBytes).toBeGreaterThanOrEqual(64 * 2 ** 20);
  });

  it('a spare builds the view ahead (its /tmp was mounted before the run was asked for), the same view as a cold run', async () => {
    const look = 'echo $(( $(date +%s) - $(stat -c %Y /tmp) )); cut -d" " -f5 /proc/self/mountinfo | sort | tr "\\n" " "';
    process.env.CGBOX_STANDBY = '0';
    const cold = await sh(sandbox(), look).finally(() => delete process.env.CGBOX_STANDBY);
    await sandbox().run('true');
    await sandbox().run('true'); // from the second run on, a spare is made in the background
    await new Promise((r) => setTimeout(r, 2500));
    const spare = await sh(sandbox(), look);
    const [coldAge, coldMounts] = cold.stdout.split('\n');
    const [spareAge, spareMounts] = spare.stdout.split('\n');
    expect(Number(coldAge)).toBeLessThanOrEqual(1);
    expect(Number(spareAge)).toBeGreaterThanOrEqual(2);
    expect(spareMounts).toBe(coldMounts);
  });

  it('before mount_setattr (Linux 5.12): each submount remounted read-only from mountinfo, the same view', async () => {
    const look = `cut -d" " -f5,6 /proc/self/mountinfo | sort | tr "\\n" " "; touch /var/lib/cgbox/x /usr/x 2>&1 | sort`;
    process.env.CGBOX_STANDBY = '0';
    try {
      const modern = await sh(sandbox(), look);
      process.env.CGBOX_NO_MOUNT_SETATTR = '1';
      const old = await sh(sandbox(), look);
      expect(old.exitCode, old.stderr).toBe(0);
      expect(old.stdout).toBe(modern.stdout);
      expect(old.stdout).toMatch(/\/usr ro,nosuid,nodev/);
    } finally {
      delete process.env.CGBOX_STANDBY;
      delete process.env.CGBOX_NO_MOUNT_SETATTR;
    }
  });

  it('a default pids ceiling, said so in the report; .pids(n) overrides it', async () => {
    const r = await sandbox().run('true');
    expect(r.limits.pids).toMatchObject({ value: 4096, enforced: true });
    expect(r.limits.pids?.reason).toMatch(/default/);
    expect((await sandbox().pids(50).run('true')).limits.pids?.value).toBe(50);
  });
});

