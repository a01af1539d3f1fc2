/**
 * What each feature of cgbox runs on the host, and the Debian package that
 * installs each program (the same names on Ubuntu) — as data, for `cgbox
 * doctor` and the README's Install section. Every sandbox needs only the
 * kernel (cgroups, namespaces) and cgbox's init helper, which the package
 * ships prebuilt; the rest is per feature. runtime-packages.test.ts checks
 * that every program the source runs is listed here.
 */

export interface RuntimeNeed {
  /** The feature, as the API or the CLI names it. */
  feature: string;
  /** Each host program the feature runs → the Debian package that has it. */
  tools: Readonly<Record<string, string>>;
  /** When the feature needs more than its programs. */
  note?: string;
}

/**
 * mount(8) mounts the btrfs pool, once; losetup(8) attaches loop devices on kernels before 5.8 only.
 * A run's own mounts, unmounts and loop devices are calls of the init helper (src/host/host-ops.ts).
 */
const MOUNT = { mount: 'mount', losetup: 'mount' } as const;
const MKFS = { 'mkfs.ext4': 'e2fsprogs', 'mkfs.xfs': 'xfsprogs', 'mkfs.btrfs': 'btrfs-progs' } as const;
/** Volume commands go through long-lived shells (src/volume/shell.ts) when one is free. */
const SHELL = { sh: 'dash' } as const;

export const RUNTIME_PACKAGES: readonly RuntimeNeed[] = [
  {
    feature: 'the init helper, built from source',
    tools: { cc: 'gcc' },
    note: 'only where no prebuilt helper fits (not linux-x64 or linux-arm64) or with CGBOX_BUILD_FROM_SOURCE=1; gcc needs libc6-dev beside it',
  },
  { feature: 'b.$`…` (zx)', tools: { bash: 'bash' }, note: 'and the npm package zx, an optional peer dependency' },
  {
    feature: 'a scope of its own on a systemd host whose caller was not delegated',
    tools: { 'systemd-run': 'systemd' },
    note: 'made once per process; a caller in a unit with Delegate=yes, or in a container, needs none',
  },
  {
    feature: "a normal user's sandboxes (rootless), from a login session",
    tools: { busctl: 'systemd', systemctl: 'systemd', cp: 'coreutils' },
    note: "asks the user's own systemd manager for a delegated scope; newuidmap/newgidmap (uidmap) map a subordinate id range where /etc/subuid gives one",
  },
  { feature: '.net({...}) on a Linux bridge', tools: { ip: 'iproute2', tc: 'iproute2', nft: 'nftables' } },
  { feature: ".net({ bridge: { ovs: … } }) on Open vSwitch", tools: { ip: 'iproute2', 'ovs-vsctl': 'openvswitch-switch' }, note: 'with ovs-vswitchd running and the openvswitch kernel module' },
  { feature: ".volume() on tmpfs", tools: {}, note: "mounted and unmounted by cgbox's init helper; a template is copied in with cp (below)" },
  { feature: ".volume() on a loop device (ext4, xfs, btrfs)", tools: { ...SHELL, ...MOUNT, ...MKFS } },
  { feature: ".volume() and .rootfs() in the btrfs pool", tools: { ...SHELL, ...MOUNT, btrfs: 'btrfs-progs', 'mkfs.btrfs': 'btrfs-progs' } },
  {
    feature: ".volume() on LVM thin volumes",
    tools: {
      ...SHELL,
      ...MOUNT,
      ...MKFS,
      pvcreate: 'lvm2',
      vgcreate: 'lvm2',
      vgchange: 'lvm2',
      lvcreate: 'lvm2',
      lvremove: 'lvm2',
      lvs: 'lvm2',
      thin_check: 'thin-provisioning-tools',
    },
    note: 'and device-mapper with dm-thin in the kernel',
  },
  { feature: ".volume(…, { from }) templates", tools: { ...SHELL, cp: 'coreutils' } },
  { feature: '.rootfs() as an overlay', tools: {}, note: "overlayfs in the kernel; mounted by cgbox's init helper" },
];

/** Every Debian package some feature needs, sorted: one `apt-get install` line for all of cgbox. */
export function allRuntimePackages(needs: readonly RuntimeNeed[] = RUNTIME_PACKAGES): string[] {
  return [...new Set(needs.flatMap((n) => Object.values(n.tools)))].sort();
}

/** The package that has `tool`, or undefined when no feature lists it. */
export function packageOf(tool: string, needs: readonly RuntimeNeed[] = RUNTIME_PACKAGES): string | undefined {
  return needs.flatMap((n) => Object.entries(n.tools)).find(([t]) => t === tool)?.[1];
}
