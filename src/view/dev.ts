/**
 * A minimal /dev: a tmpfs (nodev: a node made in it with CAP_MKNOD opens
 * nothing) holding the usual character devices bound from the host's, the
 * fd links, and a fresh devpts instance with its own ptmx. No host disk
 * unless .device() passes one through. Privileged: the host's /dev.
 */
import type { Layer } from './layer.js';
import type { ViewOp } from './types.js';

export const NODES = ['null', 'zero', 'full', 'random', 'urandom', 'tty'];
const LINKS: [string, string][] = [['/proc/self/fd', 'fd'], ['/proc/self/fd/0', 'stdin'], ['/proc/self/fd/1', 'stdout'], ['/proc/self/fd/2', 'stderr'], ['pts/ptmx', 'ptmx']];

export const devLayer: Layer = {
  name: 'dev',
  modes: ['default', 'rootfs'],
  ahead: true,
  ops(_ctx, tree) {
    const ops: ViewOp[] = [{ op: 'mkdir', path: '/dev' }, { op: 'tmpfs', target: '/dev', options: 'mode=755,size=64k', flags: ['nosuid', 'noexec', 'nodev'] }];
    tree.made('/dev');
    for (const n of NODES) {
      ops.push({ op: 'file', path: `/dev/${n}` }, { op: 'bind', source: `/dev/${n}`, target: `/dev/${n}`, flags: ['nosuid'] });
      tree.file(`/dev/${n}`);
    }
    for (const [target, name] of LINKS) {
      ops.push({ op: 'symlink', target, path: `/dev/${name}` });
      tree.symlink(`/dev/${name}`, target);
    }
    ops.push({ op: 'mkdir', path: '/dev/pts' }, { op: 'mount', fstype: 'devpts', target: '/dev/pts', flags: ['nosuid', 'noexec'], data: 'newinstance,ptmxmode=0666,mode=0620' });
    tree.kernel('/dev/pts');
    return ops;
  },
};
