import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { hostCaps, sandbox } from '../src/index.js';
import { waitFor } from './wait.js';

describe('isolation', () => {
  it('sees only its own processes, as pid 1 and children', async () => {
    const r = await sandbox().run('sh', ['-c', 'echo $$; ls /proc | grep -c "^[0-9]"']);
    const [pid, count] = r.stdout.trim().split('\n').map(Number);
    expect(pid).toBe(2); // the command is the first child of cgbox's init (pid 1)
    expect(count).toBeLessThanOrEqual(4); // init, sh, ls, grep
  });

  it('has its own hostname, by default the run name', async () => {
    const named = await sandbox().hostname('boxy').run('hostname');
    expect(named.stdout.trim()).toBe('boxy');
    const dflt = await sandbox().run('hostname');
    expect(dflt.stdout.trim()).toMatch(/^cgbox-\d+-[0-9a-f]+$/);
    expect(hostname()).not.toMatch(/^cgbox-/);
  });

  it("net('none') (the default) has only lo, and lo is up", async () => {
    const r = await sandbox().run('cat', ['/proc/net/dev']);
    const ifaces = r.stdout.split('\n').slice(2).filter(Boolean).map((l) => l.split(':')[0]!.trim());
    expect(ifaces).toEqual(['lo']);
    const ping = await sandbox().run('sh', ['-c', 'ip -o addr show lo | grep -c 127.0.0.1']);
    expect(ping.stdout.trim()).toBe('1');
  });

  it("net('host') sees the host's interfaces", async () => {
    const r = await sandbox().net('host').run('cat', ['/proc/net/dev']);
    for (const name of Object.keys(networkInterfaces())) expect(r.stdout).toContain(`${name}:`);
  });

  it('a mount inside does not appear on the host', async () => {
    const dir = mkdtempSync('/tmp/cgbox-test-mnt-');
    const flag = `${dir}.mounted`;
    const seen = `${dir}.seen`;
    try {
      // Mounting needs CAP_SYS_ADMIN, and the host's /tmp is the view's own tmpfs by default: privileged only.
      // The sandbox keeps its mount until the test has looked (at most a minute).
      const hold = `for i in $(seq 3000); do [ -e ${seen} ] && break; sleep 0.02; done`;
      const run = sandbox().privileged().run('sh', ['-c', `mount -t tmpfs cgboxisolation ${dir} && touch ${flag} && ${hold}; grep -c cgboxisolation /proc/self/mounts`]);
      await waitFor('the mount inside', () => existsSync(flag));
      expect(readFileSync('/proc/self/mounts', 'utf8')).not.toContain('cgboxisolation');
      writeFileSync(seen, '');
      const r = await run;
      expect(r.stdout.trim()).toBe('1'); // it was mounted, inside
    } finally {
      rmSync(flag, { force: true });
      rmSync(seen, { force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has a fresh /proc and its own cgroup namespace', async () => {
    const r = await sandbox().run('cat', ['/proc/self/cgroup']);
    for (const line of r.stdout.trim().split('\n')) expect(line).toMatch(/:\/$/);
  });

  it('passes environment, cwd and input', async () => {
    const r = await sandbox().env({ GREETING: 'hi' }).cwd('/tmp').run('sh', ['-c', 'echo $GREETING $PWD; cat'], { input: 'from stdin' });
    expect(r.stdout).toBe('hi /tmp\nfrom stdin');
    const clean = await sandbox().env({ ONLY: '1' }, { inherit: false }).run('/usr/bin/env');
    expect(clean.stdout.trim()).toBe('ONLY=1');
  });
});

describe('its own cgroups, from inside', () => {
  const v2 = hostCaps().driver === 2;
  const memoryFile = v2 ? '/sys/fs/cgroup/memory.max' : '/sys/fs/cgroup/memory/memory.limit_in_bytes';
  const pidsFile = v2 ? '/sys/fs/cgroup/pids.max' : '/sys/fs/cgroup/pids/pids.max';

  it('/sys/fs/cgroup shows the sandbox\'s own cgroup as the root, with its limits', async () => {
    const r = await sandbox().memory('256m').run('cat', [memoryFile]);
    expect(r.stdout.trim()).toBe(String(256 * 2 ** 20));
  });

  it('and it is read-only: the command cannot raise its own limits through it', async () => {
    const r = await sandbox().pids(10).run('sh', ['-c', `echo 9999 > ${pidsFile}`]);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/Read-only file system/);
  });
});
