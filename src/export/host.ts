/**
 * What an export reads of the machine it runs on: the host's tree (for the
 * view's binds), the caller's directory, PATH and resource limits (what a
 * sandbox inherits), pid_max (cgbox's default pids ceiling) and the device
 * nodes .device() names. A fake stands in for it in the unit tests.
 */
import { readFileSync, statSync } from 'node:fs';
import { major, minor } from '../host/block-device.js';
import { hostPidMax } from '../host/pid-max.js';
import { InvalidSpecError } from '../spec/errors.js';
import { hostFs, type HostFs } from '../view/index.js';
import type { OciRlimit } from './oci-spec.js';

export interface DeviceNode {
  type: 'c' | 'b';
  major: number;
  minor: number;
  fileMode: number;
  uid: number;
  gid: number;
}

export interface ExportHost {
  fs: HostFs;
  cwd: string;
  /** The caller's PATH: what a sandbox's command is looked up in. */
  path: string | undefined;
  /** How many variables of the caller's environment a sandbox would inherit. */
  envCount: number;
  pidMax: number | undefined;
  /** The caller's limits; Infinity for unlimited. */
  rlimits: readonly { type: string; soft: number; hard: number }[];
  device(path: string): DeviceNode;
}

/** /proc/self/limits' rows, by the kernel's words, to the spec's RLIMIT_ names. */
const LIMIT_NAMES: Record<string, string> = {
  'Max cpu time': 'RLIMIT_CPU', 'Max file size': 'RLIMIT_FSIZE', 'Max data size': 'RLIMIT_DATA', 'Max stack size': 'RLIMIT_STACK',
  'Max core file size': 'RLIMIT_CORE', 'Max resident set': 'RLIMIT_RSS', 'Max processes': 'RLIMIT_NPROC', 'Max open files': 'RLIMIT_NOFILE',
  'Max locked memory': 'RLIMIT_MEMLOCK', 'Max address space': 'RLIMIT_AS', 'Max file locks': 'RLIMIT_LOCKS', 'Max pending signals': 'RLIMIT_SIGPENDING',
  'Max msgqueue size': 'RLIMIT_MSGQUEUE', 'Max nice priority': 'RLIMIT_NICE', 'Max realtime priority': 'RLIMIT_RTPRIO', 'Max realtime timeout': 'RLIMIT_RTTIME',
};

export function parseLimits(text: string): OciRlimit[] {
  const value = (v: string) => (v === 'unlimited' ? Infinity : Number(v));
  return text
    .split('\n')
    .slice(1)
    .flatMap((line) => {
      const m = /^(.+?)\s{2,}(\S+)\s+(\S+)/.exec(line);
      const type = m && LIMIT_NAMES[m[1]!];
      return type ? [{ type, soft: value(m[2]!), hard: value(m[3]!) }] : [];
    })
    .filter((r) => !Number.isNaN(r.soft) && !Number.isNaN(r.hard));
}

function readOr<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

export function realExportHost(): ExportHost {
  return {
    fs: hostFs,
    cwd: process.cwd(),
    path: process.env.PATH,
    envCount: Object.keys(process.env).length,
    pidMax: hostPidMax(),
    rlimits: readOr(() => parseLimits(readFileSync('/proc/self/limits', 'utf8')), []),
    device(path) {
      // The builder checked it is a device node when .device() was called; it may be gone since.
      let st;
      try {
        st = statSync(path);
      } catch (e) {
        throw new InvalidSpecError('.device', path, `expected an existing device node (${(e as Error).message})`);
      }
      return { type: st.isBlockDevice() ? 'b' : 'c', major: major(st.rdev), minor: minor(st.rdev), fileMode: st.mode & 0o777, uid: st.uid, gid: st.gid };
    },
  };
}
