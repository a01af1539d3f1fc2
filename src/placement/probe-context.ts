/**
 * The caller's context, probed: the texts and facts callerContextFrom()
 * parses (src/host/caller-context.ts), and the delegation marks — xattrs,
 * which Node cannot read, so the init helper reads them.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync, statSync } from 'node:fs';
import { callerContextFrom, parseDelegateXattrs, type CallerContext } from '../host/caller-context.js';
import { initBinary } from '../host/init-binary.js';

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** The marks, from the init helper (Node has no getxattr); none when it cannot be run. */
function delegatedDirs(dirs: string[]): Set<string> {
  if (dirs.length === 0) return new Set();
  try {
    return parseDelegateXattrs(execFileSync(initBinary(), ['--delegate-xattrs', ...dirs], { encoding: 'utf8', timeout: 10_000 }));
  } catch {
    return new Set();
  }
}

/** The user's bus, as busctl --user and systemd-run --user find it: $DBUS_SESSION_BUS_ADDRESS, else $XDG_RUNTIME_DIR/bus. */
function userBusExists(env: NodeJS.ProcessEnv = process.env): boolean {
  const path = /^unix:path=([^,;]+)/.exec(env.DBUS_SESSION_BUS_ADDRESS ?? '')?.[1] ?? (env.XDG_RUNTIME_DIR ? `${env.XDG_RUNTIME_DIR}/bus` : undefined);
  try {
    return path !== undefined && statSync(path).isSocket();
  } catch {
    return false;
  }
}

export function probeCallerContext(): CallerContext {
  let link = '';
  try {
    link = readlinkSync('/proc/self/ns/cgroup');
  } catch {
    // No cgroup namespaces in this kernel (before 4.6): the initial one, then.
  }
  let runSystemdSystem = false;
  try {
    runSystemdSystem = statSync('/run/systemd/system').isDirectory();
  } catch {
    // Not booted with systemd.
  }
  return callerContextFrom({
    mountinfo: read('/proc/self/mountinfo'),
    procCgroup: read('/proc/self/cgroup'),
    pid1Comm: read('/proc/1/comm').trim(),
    runSystemdSystem,
    cgroupNsLink: link,
    uid: process.getuid?.() ?? -1,
    ...((process.getuid?.() ?? 0) !== 0 ? { userBus: userBusExists() } : {}),
    delegatedDirs,
  });
}
