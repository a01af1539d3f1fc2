/**
 * What a test file needs of the host, declared where its tests are:
 *
 *   describe.runIf(requires('device-mapper'))('LVM thin volumes', () => { … });
 *
 * On a host that lacks it, the tests are skipped (vitest counts them as
 * skipped) and a loud warning says they were LEFT TO THE VM TIER — never a
 * quiet pass. `npm run test:vm` runs them in qemu VMs that have everything
 * (integration/vm/), as vagrant/ does on a laptop. Inside the VM tier
 * (CGBOX_VM_TIER set by its job) a missing need is an error instead: the VM
 * was built to have it, so a skip there would hide a broken VM.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { hostCaps } from '../src/host/probe.js';
import { onPath } from '../src/host/tools.js';

export type Need =
  /** The cgroup v2 driver: a host whose controllers are on the unified hierarchy. */
  | 'cgroup2'
  /** The cgroup v1 driver. */
  | 'cgroup1'
  /** Swap accounting: v1 memory.memsw.* (swapaccount=1), or v2 memory.swap.*. */
  | 'swap'
  /** device-mapper with thin provisioning, and the lvm2 + thin-provisioning-tools commands. */
  | 'device-mapper'
  /** Open vSwitch: the kernel module and a running ovs-vswitchd, reached by ovs-vsctl. */
  | 'openvswitch'
  /** A normal user (not root) in a login session on cgroup v2: its systemd manager answers on its bus. */
  | 'rootless';


function quietly(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** null when the host has it; otherwise why not, in words a person can act on. */
const WHY_MISSING: Record<Need, () => string | null> = {
  cgroup2: () => {
    const caps = hostCaps();
    return caps.driver === 2 ? null : `this host's cgroup controllers are on v1 (cgroup mode ${caps.cgroupMode})`;
  },
  cgroup1: () => (hostCaps().driver === 1 ? null : 'this host runs cgroup v2 only'),
  swap: () => {
    const caps = hostCaps();
    if (caps.swapAccounting) return null;
    return caps.driver === 1 ? 'no swap accounting (no memory.memsw.*): the kernel was not booted with swapaccount=1' : 'no swap accounting (no memory.swap.*)';
  },
  'device-mapper': () => {
    const tools = ['lvm', 'dmsetup', 'thin_check'].filter((c) => !onPath(c));
    if (tools.length) return `${tools.join(', ')} not installed (apt-get install lvm2 thin-provisioning-tools)`;
    const dm = () => existsSync('/dev/mapper/control') || readFileSync('/proc/misc', 'utf8').includes('device-mapper');
    if (!dm() && !(quietly('modprobe', ['-q', 'dm_mod']) && dm())) return 'no device-mapper in this kernel (/dev/mapper/control is missing and dm_mod cannot be loaded)';
    if (!existsSync('/sys/module/dm_thin_pool') && !quietly('modprobe', ['-q', 'dm_thin_pool'])) return 'no dm-thin-pool target in this kernel';
    return null;
  },
  rootless: () => {
    if (process.getuid?.() === 0) return "this process runs as root; the rootless tests run as a normal user in a login session (the VM tier's user context: runuser -l tester)";
    if (hostCaps().driver !== 2) return "cgroup v1: a normal user has a delegated subtree only on cgroup v2";
    const bus = process.env.XDG_RUNTIME_DIR ? `${process.env.XDG_RUNTIME_DIR}/bus` : undefined;
    if (!bus || !existsSync(bus)) return "no user systemd manager on the bus ($XDG_RUNTIME_DIR/bus): not a login session (log in, runuser -l USER, or loginctl enable-linger USER)";
    return null;
  },
  openvswitch: () => {
    if (!onPath('ovs-vsctl')) return 'ovs-vsctl not installed (apt-get install openvswitch-switch)';
    if (!existsSync('/sys/module/openvswitch') && !quietly('modprobe', ['-q', 'openvswitch'])) return 'no openvswitch module in this kernel';
    if (!quietly('ovs-vsctl', ['--timeout=5', 'show'])) return 'ovs-vswitchd is not running (systemctl start openvswitch-switch)';
    return null;
  },
};

const known = new Map<Need, string | null>();
const warned = new Set<string>();

/** The test file that called requires(), from the stack: for the warning. */
function callerFile(): string {
  const line = (new Error().stack ?? '').split('\n').find((l) => /integration\/(?!requires\.ts)[^:)]*\.test\.ts/.test(l));
  return /(integration\/[^:)]*\.test\.ts)/.exec(line ?? '')?.[1] ?? 'a test file';
}

/** True when the host has every need. Otherwise false and a loud warning, or, in the VM tier, an error. */
export function requires(...needs: Need[]): boolean {
  const missing = needs
    .map((need) => {
      if (!known.has(need)) known.set(need, WHY_MISSING[need]());
      const why = known.get(need);
      return why === null || why === undefined ? null : `${need} (${why})`;
    })
    .filter((m): m is string => m !== null);
  if (missing.length === 0) return true;
  const file = callerFile();
  const tier = process.env.CGBOX_VM_TIER;
  if (tier) {
    throw new Error(`${file} needs ${missing.join(' and ')}, which the VM tier's ${tier} VM was built to have: the VM is broken`);
  }
  const key = `${file}\0${missing.join()}`;
  if (!warned.has(key)) {
    warned.add(key);
    console.warn(
      [
        '',
        `⚠ cgbox: LEFT TO THE VM TIER — ${file} needs ${missing.join(' and ')}.`,
        '  Its tests are SKIPPED on this host, not passed. Run them with `npm run test:vm`',
        '  (qemu VMs with cgroup v2, cgroup v1 + swapaccount=1, device-mapper and openvswitch)',
        '  or on a laptop with vagrant/ (see the README, "The VM tier").',
        '',
      ].join('\n'),
    );
  }
  return false;
}

/** Which VM of the VM tier runs this ('v1' or 'v2'), or undefined on an ordinary host. */
export function vmTier(): 'v1' | 'v2' | undefined {
  const tier = process.env.CGBOX_VM_TIER;
  return tier === 'v1' || tier === 'v2' ? tier : undefined;
}
