import { describe, expect, it } from 'vitest';
import { cgroupLayout, parseCgroupMounts, parseProcCgroup } from './cgroup-mounts.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

/** (a) This host (Linux 6.18, hybrid): every v1 controller on its own hierarchy, cpu and cpuacct apart. */
const HOST_MOUNTINFO = lines(
  '22 27 0:21 / /proc rw,relatime - proc proc rw',
  '23 27 0:22 / /sys rw,relatime - sysfs sysfs rw',
  '24 27 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw,size=12334432k,nr_inodes=3083608,mode=755',
  '25 24 0:23 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24683656k',
  '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard,resv_strict,resuid=65534,resgid=65534',
  '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
  '33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct',
  '34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset',
  '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
  '36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices',
  '37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer',
  '38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio',
  '39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids',
  '40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd',
  '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
);
const HOST_CGROUP = lines(
  '9:name=systemd:/',
  '8:pids:/',
  '7:blkio:/',
  '6:freezer:/',
  '5:devices:/',
  '4:memory:/process_api/abc',
  '3:cpuset:/',
  '2:cpuacct:/',
  '1:cpu:/',
  '0::/',
);

/** (b) A classic systemd hybrid host (Ubuntu 18.04/20.04): cpu,cpuacct co-mounted, optional fields present. */
const CLASSIC_MOUNTINFO = lines(
  '25 20 0:23 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755',
  '26 25 0:24 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate',
  '27 25 0:25 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,xattr,name=systemd',
  '30 25 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,cpu,cpuacct',
  '31 25 0:29 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,net_cls,net_prio',
  '32 25 0:30 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,memory',
  '33 25 0:31 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,pids',
  '34 25 0:32 / /sys/fs/cgroup/blkio rw,nosuid,nodev,noexec,relatime shared:18 - cgroup cgroup rw,blkio',
  '35 25 0:33 / /sys/fs/cgroup/cpuset rw,nosuid,nodev,noexec,relatime shared:19 - cgroup cgroup rw,cpuset,clone_children',
  '36 25 0:34 / /sys/fs/cgroup/freezer rw,nosuid,nodev,noexec,relatime shared:20 - cgroup cgroup rw,freezer',
  '37 25 0:35 / /sys/fs/cgroup/devices rw,nosuid,nodev,noexec,relatime shared:21 - cgroup cgroup rw,devices',
);
const SESSION = '/user.slice/user-1000.slice/session-2.scope';
const CLASSIC_CGROUP = lines(
  '12:cpuset:/',
  '11:net_cls,net_prio:/',
  `10:memory:${SESSION}`,
  '9:freezer:/',
  '8:devices:/user.slice',
  `7:pids:${SESSION}`,
  '6:blkio:/user.slice',
  '4:cpu,cpuacct:/user.slice',
  `1:name=systemd:${SESSION}`,
  `0::${SESSION}`,
);

/** (c) Pure cgroup v2 (systemd unified). */
const V2_MOUNTINFO = lines(
  '26 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw,errors=remount-ro',
  '27 26 0:25 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw',
  '35 27 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot',
);
const V2_CGROUP = '0::/user.slice/user-0.slice/session-1.scope\n';

/** (d) Inside a Docker container on a v1 host, without a cgroup namespace: each mount shows the container's subtree. */
const CONTAINER_MOUNTINFO = lines(
  '1140 1138 0:127 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw,mode=755',
  '1141 1140 0:25 /docker/abc /sys/fs/cgroup/systemd ro,nosuid,nodev,noexec,relatime master:11 - cgroup cgroup rw,xattr,name=systemd',
  '1143 1140 0:28 /docker/abc /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime master:14 - cgroup cgroup rw,cpu,cpuacct',
  '1144 1140 0:30 /docker/abc /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime master:16 - cgroup cgroup rw,memory',
  '1145 1140 0:31 /docker/abc /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime master:17 - cgroup cgroup rw,pids',
);
const CONTAINER_CGROUP = lines(
  '10:memory:/docker/abc',
  '7:pids:/docker/abc/jobs/7',
  '4:cpu,cpuacct:/docker/abc',
  '1:name=systemd:/docker/abc',
);

describe('parseCgroupMounts', () => {
  it('lists only cgroup and cgroup2 mounts, with every v1 controller of each', () => {
    const mounts = parseCgroupMounts(HOST_MOUNTINFO);
    expect(mounts.map((m) => m.mount)).toEqual([
      '/sys/fs/cgroup/cpu',
      '/sys/fs/cgroup/cpuacct',
      '/sys/fs/cgroup/cpuset',
      '/sys/fs/cgroup/memory',
      '/sys/fs/cgroup/devices',
      '/sys/fs/cgroup/freezer',
      '/sys/fs/cgroup/blkio',
      '/sys/fs/cgroup/pids',
      '/sys/fs/cgroup/systemd',
      '/sys/fs/cgroup/unified',
    ]);
    expect(mounts[0]).toEqual({ mount: '/sys/fs/cgroup/cpu', root: '/', version: 1, controllers: ['cpu'] });
    // devices is a controller cgbox does not use, reported all the same; name=systemd holds none.
    expect(mounts[4]!.controllers).toEqual(['devices']);
    expect(mounts[8]!.controllers).toEqual([]);
    expect(mounts[9]).toEqual({ mount: '/sys/fs/cgroup/unified', root: '/', version: 2, controllers: [] });
  });

  it('reads co-mounted controllers and skips mount options and optional fields', () => {
    const mounts = parseCgroupMounts(CLASSIC_MOUNTINFO);
    expect(mounts.find((m) => m.mount === '/sys/fs/cgroup/cpu,cpuacct')).toEqual({
      mount: '/sys/fs/cgroup/cpu,cpuacct',
      root: '/',
      version: 1,
      controllers: ['cpu', 'cpuacct'],
    });
    expect(mounts.find((m) => m.mount === '/sys/fs/cgroup/cpuset')!.controllers).toEqual(['cpuset']);
    expect(mounts.find((m) => m.mount === '/sys/fs/cgroup/net_cls,net_prio')!.controllers).toEqual(['net_cls', 'net_prio']);
  });

  it('reads the root field of a mount that shows a subtree', () => {
    const mem = parseCgroupMounts(CONTAINER_MOUNTINFO).find((m) => m.mount === '/sys/fs/cgroup/memory');
    expect(mem).toEqual({ mount: '/sys/fs/cgroup/memory', root: '/docker/abc', version: 1, controllers: ['memory'] });
  });

  it('unescapes \\040 (space) and other octal escapes in mount points and roots', () => {
    const mounts = parseCgroupMounts(
      lines(
        '50 31 0:40 / /mnt/my\\040cgroups/memory rw,relatime - cgroup cgroup rw,memory',
        '51 31 0:41 /a\\040b /mnt/a\\040-\\040b rw,relatime shared:3 - cgroup cgroup rw,pids',
        '52 31 0:42 / /mnt/back\\134slash rw,relatime - cgroup2 cgroup2 rw',
      ),
    );
    expect(mounts).toEqual([
      { mount: '/mnt/my cgroups/memory', root: '/', version: 1, controllers: ['memory'] },
      { mount: '/mnt/a - b', root: '/a b', version: 1, controllers: ['pids'] },
      { mount: '/mnt/back\\slash', root: '/', version: 2, controllers: [] },
    ]);
  });

  it('ignores blank and malformed lines', () => {
    expect(parseCgroupMounts('')).toEqual([]);
    expect(parseCgroupMounts('\n\ngarbage\n35 31 0:32 / /sys/fs/cgroup/memory rw\n')).toEqual([]);
  });
});

describe('parseProcCgroup', () => {
  it('maps each controller of a line to its path; the v2 line is keyed ""', () => {
    const paths = parseProcCgroup(CLASSIC_CGROUP);
    expect(paths.get('cpu')).toBe('/user.slice');
    expect(paths.get('cpuacct')).toBe('/user.slice');
    expect(paths.get('net_cls')).toBe('/');
    expect(paths.get('net_prio')).toBe('/');
    expect(paths.get('memory')).toBe(SESSION);
    expect(paths.get('name=systemd')).toBe(SESSION);
    expect(paths.get('')).toBe(SESSION);
    expect([...paths.keys()].sort()).toEqual(
      ['', 'blkio', 'cpu', 'cpuacct', 'cpuset', 'devices', 'freezer', 'memory', 'name=systemd', 'net_cls', 'net_prio', 'pids'],
    );
  });

  it('keeps colons inside a path and skips lines that are not "N:controllers:path"', () => {
    const paths = parseProcCgroup('4:memory:/a:b\nnonsense\n:memory:/x\n\n');
    expect([...paths]).toEqual([['memory', '/a:b']]);
  });

  it('reads the lone v2 line', () => {
    expect([...parseProcCgroup(V2_CGROUP)]).toEqual([['', '/user.slice/user-0.slice/session-1.scope']]);
  });
});

describe('cgroupLayout', () => {
  it('(a) this host: hybrid, cpu and cpuacct on separate hierarchies, memory caller in a sub-cgroup', () => {
    expect(cgroupLayout(HOST_MOUNTINFO, HOST_CGROUP)).toEqual({
      v1: {
        cpu: { mount: '/sys/fs/cgroup/cpu', callerPath: '/', controllers: ['cpu'] },
        cpuacct: { mount: '/sys/fs/cgroup/cpuacct', callerPath: '/', controllers: ['cpuacct'] },
        cpuset: { mount: '/sys/fs/cgroup/cpuset', callerPath: '/', controllers: ['cpuset'] },
        memory: { mount: '/sys/fs/cgroup/memory', callerPath: '/process_api/abc', controllers: ['memory'] },
        devices: { mount: '/sys/fs/cgroup/devices', callerPath: '/', controllers: ['devices'] },
        freezer: { mount: '/sys/fs/cgroup/freezer', callerPath: '/', controllers: ['freezer'] },
        blkio: { mount: '/sys/fs/cgroup/blkio', callerPath: '/', controllers: ['blkio'] },
        pids: { mount: '/sys/fs/cgroup/pids', callerPath: '/', controllers: ['pids'] },
      },
      v2: { mount: '/sys/fs/cgroup/unified', callerPath: '/', controllers: [] },
    });
  });

  it('(b) classic co-mounted cpu,cpuacct: both controllers map to the one mount', () => {
    const layout = cgroupLayout(CLASSIC_MOUNTINFO, CLASSIC_CGROUP);
    const cpuHierarchy = { mount: '/sys/fs/cgroup/cpu,cpuacct', callerPath: '/user.slice', controllers: ['cpu', 'cpuacct'] };
    expect(layout.v1.cpu).toEqual(cpuHierarchy);
    expect(layout.v1.cpuacct).toEqual(cpuHierarchy);
    expect(layout.v1.memory).toEqual({ mount: '/sys/fs/cgroup/memory', callerPath: SESSION, controllers: ['memory'] });
    expect(layout.v1.pids).toEqual({ mount: '/sys/fs/cgroup/pids', callerPath: SESSION, controllers: ['pids'] });
    expect(layout.v1.blkio).toEqual({ mount: '/sys/fs/cgroup/blkio', callerPath: '/user.slice', controllers: ['blkio'] });
    expect(layout.v1.cpuset).toEqual({ mount: '/sys/fs/cgroup/cpuset', callerPath: '/', controllers: ['cpuset'] });
    expect(layout.v1.freezer).toEqual({ mount: '/sys/fs/cgroup/freezer', callerPath: '/', controllers: ['freezer'] });
    expect(Object.keys(layout.v1).sort()).toEqual(['blkio', 'cpu', 'cpuacct', 'cpuset', 'devices', 'freezer', 'memory', 'net_cls', 'net_prio', 'pids']);
    expect(layout.v2).toEqual({ mount: '/sys/fs/cgroup/unified', callerPath: SESSION, controllers: [] });
  });

  it('(c) pure cgroup v2: no v1 hierarchies, the caller in its session scope', () => {
    expect(cgroupLayout(V2_MOUNTINFO, V2_CGROUP)).toEqual({
      v1: {},
      v2: { mount: '/sys/fs/cgroup', callerPath: '/user.slice/user-0.slice/session-1.scope', controllers: [] },
    });
  });

  it('(c) a caller in cgbox.leaf (moved there by cgbox) nests in the cgroup above it', () => {
    const leaf = '0::/system.slice/ci.service/cgbox.leaf\n';
    expect(cgroupLayout(V2_MOUNTINFO, leaf).v2?.callerPath).toBe('/system.slice/ci.service');
    expect(cgroupLayout(V2_MOUNTINFO, '0::/cgbox.leaf\n').v2?.callerPath).toBe('/');
    expect(cgroupLayout(V2_MOUNTINFO, '0::/a/not-cgbox.leaf\n').v2?.callerPath).toBe('/a/not-cgbox.leaf');
  });

  it('(d) a container view: the caller path is relative to the subtree the mount shows', () => {
    const layout = cgroupLayout(CONTAINER_MOUNTINFO, CONTAINER_CGROUP);
    expect(layout.v1.memory).toEqual({ mount: '/sys/fs/cgroup/memory', callerPath: '/', controllers: ['memory'] });
    expect(layout.v1.cpu).toEqual({ mount: '/sys/fs/cgroup/cpu,cpuacct', callerPath: '/', controllers: ['cpu', 'cpuacct'] });
    expect(layout.v1.cpuacct).toEqual(layout.v1.cpu);
    // Below the subtree's root: the rest of the path.
    expect(layout.v1.pids).toEqual({ mount: '/sys/fs/cgroup/pids', callerPath: '/jobs/7', controllers: ['pids'] });
    // Not mounted in the container: absent, not guessed.
    expect(layout.v1.blkio).toBeUndefined();
    expect(layout.v1.freezer).toBeUndefined();
    expect(layout.v2).toBeUndefined();
  });

  it('(d) a container with a v2 cgroup namespace sees itself at the root', () => {
    const mountinfo = '800 790 0:33 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate\n';
    expect(cgroupLayout(mountinfo, '0::/\n')).toEqual({ v1: {}, v2: { mount: '/sys/fs/cgroup', callerPath: '/', controllers: [] } });
  });

  it('(d) a root that is a name prefix but not a parent is not stripped', () => {
    const mountinfo = '1144 1140 0:30 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n';
    expect(cgroupLayout(mountinfo, '10:memory:/docker/abcdef\n').v1.memory!.callerPath).toBe('/docker/abcdef');
  });

  it('(e) mount points with an escaped space', () => {
    const mountinfo = lines(
      '50 31 0:40 / /run/my\\040cgroups/memory rw,relatime - cgroup cgroup rw,memory',
      '51 31 0:41 / /run/my\\040cgroups/unified rw,relatime - cgroup2 cgroup2 rw',
    );
    expect(cgroupLayout(mountinfo, '4:memory:/a b\n0::/\n')).toEqual({
      v1: { memory: { mount: '/run/my cgroups/memory', callerPath: '/a b', controllers: ['memory'] } },
      v2: { mount: '/run/my cgroups/unified', callerPath: '/', controllers: [] },
    });
  });

  it('omits a mounted controller the caller has no line for, and keeps the first of two mounts', () => {
    const mountinfo = lines(
      '35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory',
      '36 31 0:33 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids',
      '90 27 0:32 / /mnt/memory-again rw - cgroup cgroup rw,memory',
    );
    const layout = cgroupLayout(mountinfo, '4:memory:/x\n');
    expect(layout.v1).toEqual({ memory: { mount: '/sys/fs/cgroup/memory', callerPath: '/x', controllers: ['memory'] } });
  });
});
