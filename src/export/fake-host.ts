/** A machine for the export tests: the view planner's Debian-like tree, a caller in /home/me/proj, fixed limits. */
import { DEBIAN, fakeHost } from '../view/fake-host.js';
import type { ExportHost } from './host.js';

export function fakeExportHost(o: Partial<ExportHost> = {}): ExportHost {
  return {
    fs: fakeHost({ ...DEBIAN, '/dev/kvm': 'file', '/srv': 'dir', '/srv/data': 'dir', '/etc/hostname': 'file' }),
    cwd: '/home/me/proj',
    path: '/usr/local/bin:/usr/bin:/bin',
    envCount: 12,
    pidMax: 4_194_304,
    rlimits: [
      { type: 'RLIMIT_NOFILE', soft: 1_048_576, hard: 1_048_576 },
      { type: 'RLIMIT_STACK', soft: 8_388_608, hard: Infinity },
    ],
    device: () => ({ type: 'c', major: 10, minor: 232, fileMode: 0o660, uid: 0, gid: 108 }),
    ...o,
  };
}
