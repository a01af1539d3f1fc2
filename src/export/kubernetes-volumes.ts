/**
 * The sandbox's writable places as a pod's volumes: its private tmpfs dirs
 * and tmpfs volumes as memory-backed emptyDirs (a tmpfs of their size,
 * charged to the pod's memory, as in the sandbox), its disk volumes as
 * emptyDirs with a sizeLimit (held by eviction, not by ENOSPC), its binds as
 * hostPath volumes of the node.
 */
import type { SandboxSpec } from '../spec/types.js';
import { TMPFS_DIRS } from '../view/tmpfs-dirs.js';
import { byteQuantity } from './kubernetes-resources.js';
import type { KubernetesVolume, KubernetesVolumeMount } from './kubernetes-types.js';
import type { Unexpressed } from './unexpressed.js';

export interface PodVolumes {
  volumes: KubernetesVolume[];
  mounts: KubernetesVolumeMount[];
  /** Bytes of disk-backed emptyDirs: the container's ephemeral-storage. */
  diskBytes: number;
  unexpressed: Unexpressed[];
}

const label = (path: string) => path.replace(/^\//, '').replace(/[^a-z0-9]+/gi, '-').toLowerCase().slice(0, 40).replace(/-+$/, '') || 'root';

/** `isDirectory` tells a bound directory from a bound file (hostPath's type). */
export function podVolumes(spec: SandboxSpec, isDirectory: (path: string) => boolean): PodVolumes {
  const out: PodVolumes = { volumes: [], mounts: [], diskBytes: 0, unexpressed: [] };
  const add = (name: string, path: string, volume: Omit<KubernetesVolume, 'name'>, readOnly?: boolean) => {
    out.volumes.push({ name, ...volume } as KubernetesVolume);
    out.mounts.push({ name, mountPath: path, ...(readOnly ? { readOnly } : {}) });
  };
  // The sandbox's own /tmp, /var/tmp, /dev/shm and /run: memory, bounded by its memory limit. Privileged, it has the host's.
  if (!spec.privileged || spec.rootfs) for (const [dir] of TMPFS_DIRS) add(`tmpfs-${label(dir)}`, dir, { emptyDir: { medium: 'Memory' } });
  spec.volumes.forEach((v, i) => {
    const name = `volume-${i}-${label(v.path)}`;
    if (v.driver === 'tmpfs') add(name, v.path, { emptyDir: { medium: 'Memory', sizeLimit: byteQuantity(v.sizeBytes) } });
    else {
      add(name, v.path, { emptyDir: { sizeLimit: byteQuantity(v.sizeBytes) } });
      out.diskBytes += v.sizeBytes;
      out.unexpressed.push({
        what: `.volume(${v.path}, { size: ${v.sizeBytes}, driver: '${v.driver}' })`,
        effect: 'approximated',
        why: "a disk-backed emptyDir's sizeLimit is not a filesystem's size: the kubelet measures it now and then and evicts the pod past it",
        instead: `an emptyDir with sizeLimit ${byteQuantity(v.sizeBytes)}, and the container's ephemeral-storage request and limit (its logs count there too): writing past the size ends the pod by eviction instead of failing the write with ENOSPC`,
      });
    }
    if (v.from) out.unexpressed.push({ what: `.volume(${v.path}, { from: ${v.from} })`, effect: 'dropped', why: 'an emptyDir starts empty', instead: 'copy the template in with an init container, or build it into the image' });
  });
  spec.binds.forEach((b, i) => {
    add(`bind-${i}-${label(b.target)}`, b.target, { hostPath: { path: b.source, type: isDirectory(b.source) ? 'Directory' : 'File' } }, b.readonly);
    out.unexpressed.push({
      what: b.readonly ? `.bind(${b.source}, ${b.target}, { readonly: true })` : b.source === b.target ? `.writable(${b.source})` : `.bind(${b.source}, ${b.target})`,
      effect: 'approximated',
      why: "a pod sees the node's files, not this machine's",
      instead: `a hostPath volume of ${b.source} on whichever node runs the pod (Pod Security's baseline level refuses hostPath): a ConfigMap, a PersistentVolumeClaim or the image is the usual way to bring files`,
    });
  });
  return out;
}
