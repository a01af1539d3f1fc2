/**
 * The bundle's filesystem, derived from the same plan the sandbox's init
 * carries out (src/view/): the view is planned from the spec as for a run,
 * and each primitive step becomes what an OCI runtime does for it — a bind,
 * a tmpfs, proc, devpts, sysfs and cgroup mounts, masked and read-only
 * paths, the root read-only at the end. What a runtime makes by itself (the
 * default device nodes and /dev links, mount points) is left to it; what it
 * cannot do (detach, a symlink in a mirror) is listed.
 *
 * Without .rootfs() the bundle's root is a directory of its own, `rootfs/`,
 * holding only the host's top-level symlinks (bin → usr/bin); every host
 * directory is bound into it read-only, recursively (rro), as the sandbox's
 * view binds them: runc needs a root.path, and a bind of `/` itself would
 * bring the host's /proc, /sys, /dev and /tmp along.
 */
import { basename } from 'node:path';
import type { SandboxSpec } from '../spec/types.js';
import { NODES } from '../view/dev.js';
import { planView, type ViewOp } from '../view/index.js';
import type { MountFlag, ViewContext } from '../view/types.js';
import type { ExportHost } from './host.js';
import type { OciMount, OciRoot } from './oci-spec.js';
import type { Unexpressed } from './unexpressed.js';

/** A volume's source in the planned view: in the bundle it becomes a tmpfs of its size. */
const VOLUME_SOURCE = 'cgbox-volume:';
/** The root directory a bundle of the host's tree has, beside its config.json. */
export const BUNDLE_ROOTFS = 'rootfs';

/** The bundle's root directory: the one writeOCIBundle() makes, or a .rootfs() directory used as it is. */
export interface OciRootfs {
  /** root.path: the bundle's own `rootfs` directory, or the .rootfs() directory as it is. */
  path: string;
  /** Whether the bundle's writer makes it (with these symlinks in it); false for a .rootfs() directory. */
  inBundle: boolean;
  /** The host's top-level symlinks (bin → usr/bin): a mount cannot make a symlink, so the root directory holds them. */
  symlinks: { path: string; target: string }[];
}

export interface OciView {
  root: OciRoot;
  rootfs: OciRootfs;
  mounts: OciMount[];
  maskedPaths: string[];
  readonlyPaths: string[];
  unexpressed: Unexpressed[];
}

const RECURSIVE: readonly MountFlag[] = ['ro', 'nosuid', 'nodev', 'noexec'];

/** The view's flags as mount options; a recursive bind gets them recursively too (rro, rnosuid…: mount_setattr). */
function options(flags: readonly MountFlag[], bind: boolean): string[] {
  const rec = flags.includes('rec');
  const plain = RECURSIVE.filter((f) => flags.includes(f));
  return [...(bind ? [rec ? 'rbind' : 'bind'] : []), ...plain, ...(bind && rec ? plain.map((f) => `r${f}`) : [])];
}

const CGROUP: OciMount = { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid', 'nodev', 'noexec'] };

const HOST_TREE_NOTE: Unexpressed = {
  what: "the host's root, read-only",
  effect: 'approximated',
  why: "a bundle's root is a directory: this one holds the exporting host's top-level symlinks, and the config binds each of its top-level directories and files read-only (rro, rnosuid, rnodev)",
  instead:
    'it shows the root of the machine that runs the bundle, as this host laid it out: a top-level entry missing there fails the start (the sandbox skips it), copies of pseudo filesystems mounted inside the bound trees (a chroot\'s /proc) stay visible, read-only (the sandbox detaches them); export with --rootfs for a root that travels',
};

const ROOTFS_NOTE = (dir: string): Unexpressed => ({
  what: `.rootfs(${dir}), copy-on-write`,
  effect: 'approximated',
  why: 'an OCI root is a directory used in place: the runtime makes no copy-on-write layer of it',
  instead: `root.path is ${dir} itself, read-only, so that the bundle never writes it (the sandbox's copy is writable, and gone afterwards); the runtime still makes missing mount points in it; writable places are the tmpfs dirs and volumes — give the bundle an overlay or a snapshot of its own (containerd's snapshotters do) for a writable root`,
});

function volumeMount(v: SandboxSpec['volumes'][number], target: string): { mount: OciMount; unexpressed: Unexpressed[] } {
  const unexpressed: Unexpressed[] = [];
  if (v.driver !== 'tmpfs') {
    unexpressed.push({
      what: `.volume(${v.path}, { size: ${v.sizeBytes}, driver: '${v.driver}' })`,
      effect: 'approximated',
      why: `OCI has no sized disk volume: a ${v.driver === 'auto' ? 'btrfs subvolume or loop image' : v.driver} volume is made by cgbox, not by a runtime`,
      instead: `a tmpfs of the same size: ENOSPC at ${v.sizeBytes} bytes as the volume's own filesystem would give, but its pages count against the memory limit; mount a volume of your own there for a disk`,
    });
  }
  if (v.from) {
    unexpressed.push({ what: `.volume(${v.path}, { from: ${v.from} })`, effect: 'dropped', why: 'a mount cannot be filled from a template', instead: 'the tmpfs starts empty: copy the template in first, or bind it read-only with .bind()' });
  }
  return { mount: { destination: target, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=755', `size=${v.sizeBytes}`] }, unexpressed };
}

/** Privileged: the host's tree as it is, read-write (the sandbox's view keeps it, in a mount namespace of its own). */
function hostTreeReadWrite(host: ExportHost, symlinks: OciRootfs['symlinks']): OciMount[] {
  const mounts: OciMount[] = [];
  for (const name of host.fs.list('/').sort()) {
    if (name === 'proc') continue; // fresh, from the plan
    const path = `/${name}`;
    const kind = host.fs.kind(path);
    if (kind === 'dir') mounts.push({ destination: path, type: 'bind', source: path, options: ['rbind'] });
    else if (kind === 'file') mounts.push({ destination: path, type: 'bind', source: path, options: ['bind'] });
    else if (kind === 'symlink') symlinks.push({ path, target: host.fs.readlink(path) });
  }
  return mounts;
}

function viewContext(spec: SandboxSpec, host: ExportHost): ViewContext {
  return {
    mode: spec.rootfs ? 'rootfs' : spec.privileged ? 'privileged' : 'default',
    ...(spec.rootfs ? { rootfs: spec.rootfs } : {}),
    // One cgroup mount in the bundle, whatever the version: the runtime lays it out (v1: one per hierarchy).
    cgroupfs: ['cgroup2'],
    volumes: spec.volumes.map((v, i) => ({ source: `${VOLUME_SOURCE}${i}`, target: v.path })),
    binds: spec.binds,
    devices: spec.devices,
    host: host.fs,
  };
}

export function ociView(spec: SandboxSpec, host: ExportHost): OciView {
  const ctx = viewContext(spec, host);
  const view: OciView = {
    root: { path: BUNDLE_ROOTFS },
    rootfs: { path: BUNDLE_ROOTFS, inBundle: true, symlinks: [] },
    mounts: [],
    maskedPaths: [],
    readonlyPaths: [],
    unexpressed: ctx.mode === 'default' ? [HOST_TREE_NOTE] : [],
  };
  if (ctx.mode === 'privileged') view.mounts.push(...hostTreeReadWrite(host, view.rootfs.symlinks));
  const devices = new Set(spec.devices.map((d) => d.path));
  for (const op of planView(ctx)) translate(op, spec, devices, view);
  return view;
}

function translate(op: ViewOp, spec: SandboxSpec, devices: ReadonlySet<string>, view: OciView): void {
  switch (op.op) {
    case 'root':
      if (op.kind === 'bind' || op.kind === 'overlay') {
        const source = op.kind === 'bind' ? op.source : op.lower;
        view.root = { path: source, readonly: true };
        view.rootfs = { path: source, inBundle: false, symlinks: [] };
        view.unexpressed.push(ROOTFS_NOTE(source));
      }
      // The fresh /proc the init mounts with the root, before its pivot (src/view/root.ts); the sysfs
      // of its early list comes as the sys layer's own op.
      if (op.early.includes('proc')) view.mounts.push({ destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'nodev', 'noexec'] });
      return;
    case 'symlink':
      if (op.path.lastIndexOf('/') === 0) view.rootfs.symlinks.push({ path: op.path, target: op.target });
      // /dev's links (fd, stdin, stdout, stderr, ptmx) are the runtime's own.
      else if (!op.path.startsWith('/dev/')) {
        view.unexpressed.push({
          what: `the symlink ${op.path} → ${op.target}`,
          effect: 'dropped',
          why: `it is an entry of a host directory the view mirrors in a tmpfs (to make a mount point in it), and a mount cannot make a symlink`,
          instead: 'the mirror lacks it: mount below a directory that exists on the host',
        });
      }
      return;
    case 'tmpfs': {
      // runc makes the default device nodes in /dev with mknod: a nodev /dev would make them unusable. The
      // devices cgroup (resources.ts) allows only those, so a node made there opens nothing else, as nodev does.
      const flags = op.target === '/dev' ? op.flags.filter((f) => f !== 'nodev') : op.flags;
      view.mounts.push({ destination: op.target, type: 'tmpfs', source: 'tmpfs', options: [...options(flags, false), ...op.options.split(',')] });
      return;
    }
    case 'bind': {
      if (op.source.startsWith(VOLUME_SOURCE)) {
        const { mount, unexpressed } = volumeMount(spec.volumes[Number(op.source.slice(VOLUME_SOURCE.length))]!, op.target);
        view.mounts.push(mount);
        view.unexpressed.push(...unexpressed);
        return;
      }
      // The default nodes are the runtime's to make; a .device() is a linux.devices entry (resources.ts).
      if (op.source === op.target && op.target.startsWith('/dev/') && NODES.includes(basename(op.target))) return;
      if (devices.has(op.source)) return;
      view.mounts.push({ destination: op.target, type: 'bind', source: op.source, options: options(op.flags.filter((f) => f !== 'try'), true) });
      return;
    }
    case 'mount':
      if (op.fstype === 'cgroup' || op.fstype === 'cgroup2') {
        if (!view.mounts.some((m) => m.destination === CGROUP.destination && m.type === 'cgroup')) view.mounts.push({ ...CGROUP, options: [...CGROUP.options!] });
        return;
      }
      view.mounts.push({ destination: op.target, type: op.fstype, source: op.fstype, options: [...options(op.flags, false), ...(op.data ? op.data.split(',') : [])] });
      return;
    case 'sysfs':
      view.mounts.push({ destination: op.target, type: 'sysfs', source: 'sysfs', options: options(op.flags, false) });
      return;
    case 'mask':
      view.maskedPaths.push(op.path);
      return;
    case 'readonly':
      view.readonlyPaths.push(op.path);
      return;
    case 'setattr':
      if (op.path === '/') view.root.readonly = true;
      else if (op.path !== CGROUP.destination) {
        view.unexpressed.push({
          what: `the mirror of ${op.path}, read-only`,
          effect: 'approximated',
          why: 'the view replaces that host directory by a tmpfs of its entries to make a mount point in it, then makes the tmpfs read-only; a runtime cannot remount it after the mounts below it',
          instead: 'the tmpfs stays writable (its entries, bound from the host, stay read-only)',
        });
      }
      return;
    case 'mkdir':
    case 'file':
    case 'detach':
    case 'detach-pseudo':
    case 'join':
      // Mount points are the runtime's to make; the rest is the init's own (said in HOST_TREE_NOTE).
      return;
  }
}

/**
 * Where the command starts: .cwd(), else the caller's directory where the
 * view shows it (the sandbox's soft default: "/" when it is not there), "/"
 * in a .rootfs() copy; privileged, the caller's directory.
 */
export function ociCwd(spec: SandboxSpec, host: ExportHost, mounts: readonly OciMount[]): string {
  if (spec.cwd !== undefined) return spec.cwd;
  if (spec.rootfs) return '/';
  if (spec.privileged) return host.cwd;
  const within = (dir: string) => host.cwd === dir || host.cwd.startsWith(`${dir}/`);
  const top = `/${host.cwd.split('/')[1] ?? ''}`;
  const bound = mounts.some((m) => m.type === 'bind' && m.destination === top);
  const hidden = mounts.some((m) => m.type !== 'bind' && within(m.destination));
  return bound && !hidden ? host.cwd : '/';
}
