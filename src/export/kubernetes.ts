/**
 * A sandbox as a Kubernetes batch/v1 Job: one container running the command
 * once (restartPolicy Never, backoffLimit 0), its limits as the container's
 * resources, its writable places as volumes, its capabilities, root user and
 * no_new_privs as the securityContext, its bandwidth as the CNI bandwidth
 * plugin's pod annotations, its timeout as the Job's deadline. What a Job
 * cannot express is listed in the result and in the Job's
 * `cgbox.dev/unexpressed` annotation.
 */
import { basename } from 'node:path';
import { InvalidSpecError } from '../spec/errors.js';
import type { SandboxSpec } from '../spec/types.js';
import { keptCapabilities } from '../spec/view.js';
import type { ExportHost } from './host.js';
import { containerResources } from './kubernetes-resources.js';
import type { KubernetesJob, KubernetesSecurityContext } from './kubernetes-types.js';
import { podVolumes } from './kubernetes-volumes.js';
import { envNote, initNote } from './process.js';
import { unexpressedAnnotation, type Unexpressed } from './unexpressed.js';

/** builder.toKubernetesJob()'s third argument. */
export interface KubernetesJobOptions {
  /** The container image the command runs in: the Job's root filesystem. */
  image: string;
  /** The Job's name, a DNS label (default: cgbox- and the command's name). */
  name?: string;
}

/** What builder.toKubernetesJob() returns: the Job, and what it does not express. */
export interface KubernetesExport {
  /** Print it with JSON.stringify or a YAML library, as `cgbox export kubernetes` does. */
  job: KubernetesJob;
  /** Every part of the sandbox the Job does not express exactly (also in its annotation). */
  unexpressed: Unexpressed[];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const MANAGED = { 'app.kubernetes.io/managed-by': 'cgbox' };

function checkOptions(opts: unknown, file: string): { image: string; name: string } {
  const o = (typeof opts === 'object' && opts !== null ? opts : {}) as Partial<KubernetesJobOptions>;
  if (typeof o.image !== 'string' || !/^\S+$/.test(o.image)) throw new InvalidSpecError('.toKubernetesJob', opts, "expected { image: 'debian:12', name? }: the image the command runs in");
  const fallback = `cgbox-${basename(file).toLowerCase().replace(/[^a-z0-9]+/g, '-')}`.slice(0, 63).replace(/-+$/, '');
  const name = o.name ?? fallback;
  if (typeof name !== 'string' || !DNS_LABEL.test(name)) throw new InvalidSpecError('.toKubernetesJob', o.name, 'name: expected a DNS label: 1 to 63 lowercase letters, digits and hyphens, starting and ending with a letter or digit');
  return { image: o.image, name };
}

/** tc's bits per second as a quantity of bits per second, as the bandwidth plugin reads it: 10000000 → '10M'. */
export function bitQuantity(bits: number): string {
  for (const [size, unit] of [[1e9, 'G'], [1e6, 'M'], [1e3, 'k']] as const) if (bits % size === 0) return `${bits / size}${unit}`;
  return `${bits}`;
}

function network(spec: SandboxSpec): { hostNetwork?: boolean; annotations: Record<string, string>; unexpressed: Unexpressed[] } {
  const net = spec.net;
  if (net === 'host') return { hostNetwork: true, annotations: {}, unexpressed: [] };
  if (net === 'none') {
    return {
      annotations: {},
      unexpressed: [{ what: ".net('none')", effect: 'approximated', why: "a pod always has the cluster's network", instead: 'the pod has eth0 on the cluster network; a NetworkPolicy with no ingress and no egress rules would cut it to loopback (none is made here)' }],
    };
  }
  const unexpressed: Unexpressed[] = [
    {
      what: `.net({ bridge: ${net.bridge.kind === 'ovs' ? `{ ovs: '${net.bridge.name}' }` : `'${net.bridge.name}'`}${net.address ? `, address: '${net.address.ip}/${net.address.prefix}'` : ''} })`,
      effect: 'approximated',
      why: "a pod's interface, address and routes are the cluster network's (its CNI plugin's)",
      instead: "eth0 with an address the cluster assigns, and the cluster's routes out (a NetworkPolicy limits them); no host bridge",
    },
  ];
  const annotations: Record<string, string> = {};
  if (net.bandwidth) {
    const { egressBits, ingressBits } = net.bandwidth;
    if (egressBits !== undefined) annotations['kubernetes.io/egress-bandwidth'] = bitQuantity(egressBits);
    if (ingressBits !== undefined) annotations['kubernetes.io/ingress-bandwidth'] = bitQuantity(ingressBits);
    unexpressed.push({
      what: '.net({ bandwidth })',
      effect: 'approximated',
      why: "a pod spec has no bandwidth: the CNI bandwidth plugin reads it from the pod's annotations",
      instead: `kubernetes.io/egress-bandwidth and ingress-bandwidth annotations: shaped on the pod's host veth (tbf, and an ifb for what it sends, as shaping 'veth') where the cluster's CNI config chains the bandwidth plugin, and ignored where it does not`,
    });
  }
  return { annotations, unexpressed };
}

function rootNote(spec: SandboxSpec, image: string): Unexpressed {
  if (spec.rootfs) {
    return { what: `.rootfs(${spec.rootfs})`, effect: 'approximated', why: "a pod's root filesystem is an image", instead: `the image ${image} stands in for it, writable in the container's own layer: build it from the directory (tar -C ${spec.rootfs} -c . | docker import - ${image})` };
  }
  if (spec.privileged) {
    return { what: ".privileged(): the host's root read-write", effect: 'approximated', why: "a container's root is its image", instead: `privileged: true gives every capability and the node's devices; the root is the image ${image}, writable; a hostPath volume of / would show the node's tree` };
  }
  return {
    what: "the host's root, read-only",
    effect: 'approximated',
    why: "a container's root is its image, not a machine's tree",
    instead: `the image ${image}, read-only (readOnlyRootFilesystem): choose one that holds the command and what it reads`,
  };
}

function securityContext(spec: SandboxSpec): { context: KubernetesSecurityContext; unexpressed: Unexpressed[] } {
  if (spec.privileged) return { context: { runAsUser: 0, runAsGroup: 0, privileged: true }, unexpressed: [] };
  const kept = keptCapabilities(spec);
  // The API server refuses allowPrivilegeEscalation: false beside CAP_SYS_ADMIN.
  const sysAdmin = kept.includes('SYS_ADMIN');
  return {
    context: {
      runAsUser: 0,
      runAsGroup: 0,
      ...(sysAdmin ? {} : { allowPrivilegeEscalation: false }),
      readOnlyRootFilesystem: !spec.rootfs,
      // Drop all, add back exactly the sandbox's: the runtime's own default set does not matter.
      capabilities: { drop: ['ALL'], ...(kept.length ? { add: kept } : {}) },
    },
    unexpressed: sysAdmin
      ? [{ what: 'no_new_privs beside CAP_SYS_ADMIN', effect: 'dropped', why: 'Kubernetes refuses allowPrivilegeEscalation: false with CAP_SYS_ADMIN added', instead: 'the container may gain privileges through setuid binaries and file capabilities' }]
      : [],
  };
}

function otherNotes(spec: SandboxSpec): Unexpressed[] {
  const out: Unexpressed[] = [
    {
      what: 'no seccomp filter',
      effect: 'approximated',
      why: 'a sandbox filters no system calls, and a pod left without a seccompProfile gets the cluster\'s default',
      instead: "Unconfined, as in the sandbox, unless the kubelet's seccompDefault is on: then RuntimeDefault, which refuses a few calls a test may make (unshare of a user namespace, keyctl)",
    },
  ];
  if (!spec.privileged) {
    for (const d of spec.devices) {
      out.push({ what: `.device(${d.path})`, effect: 'dropped', why: "a pod reaches the node's devices only through a device plugin, or when privileged", instead: 'the container has no such device' });
    }
  }
  if (spec.hostname !== undefined && !DNS_LABEL.test(spec.hostname)) {
    out.push({ what: `.hostname('${spec.hostname}')`, effect: 'dropped', why: "a pod's hostname is a DNS label: lowercase letters, digits and hyphens", instead: "the pod's name is its hostname" });
  }
  if (spec.cwd === undefined && !spec.rootfs) {
    out.push({ what: "the caller's directory as the working directory", effect: 'approximated', why: "a sandbox starts where its caller is, which an image does not have", instead: "the image's WORKDIR; give .cwd() to choose" });
  }
  if (spec.timeoutUs !== undefined) {
    out.push({
      what: `.timeout(${spec.timeoutUs / 1000} ms)`,
      effect: 'approximated',
      why: "a Job's deadline is in whole seconds, counted from the Job's start",
      instead: `activeDeadlineSeconds ${Math.ceil(spec.timeoutUs / 1e6)}, which includes scheduling and pulling the image; then SIGTERM, and SIGKILL after terminationGracePeriodSeconds`,
    });
  }
  if (spec.sampleUs !== undefined) out.push({ what: '.sample()', effect: 'dropped', why: "a timeline is cgbox's report, not a pod setting", instead: "the cluster's metrics (metrics-server, cAdvisor) sample the same cgroup counters" });
  if (spec.cgroupParent !== undefined) out.push({ what: `.cgroupParent('${spec.cgroupParent}')`, effect: 'dropped', why: 'the kubelet places every pod in its own hierarchy (kubepods)', instead: "the pod's cgroup is the kubelet's choice" });
  return out;
}

export function toKubernetesJob(spec: SandboxSpec, file: string, args: readonly string[], opts: KubernetesJobOptions, host: ExportHost): KubernetesExport {
  const { image, name } = checkOptions(opts, file);
  const vols = podVolumes(spec, (path) => host.fs.kind(path) === 'dir');
  const res = containerResources(spec, vols.diskBytes);
  const net = network(spec);
  const sec = securityContext(spec);
  // The .env() variables only: the caller's PATH is this machine's, the image has its own.
  const env = Object.entries(spec.env);
  const unexpressed = [
    initNote("Job's container runtime"),
    rootNote(spec, image),
    ...envNote(spec, host, "the container's environment is the image's and the .env() variables (the caller's PATH too is not copied)"),
    ...res.unexpressed,
    ...vols.unexpressed,
    ...net.unexpressed,
    ...sec.unexpressed,
    ...otherNotes(spec),
  ];
  const hostname = spec.hostname !== undefined && DNS_LABEL.test(spec.hostname) ? spec.hostname : undefined;
  const job: KubernetesJob = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, labels: { ...MANAGED }, annotations: unexpressedAnnotation(unexpressed) },
    spec: {
      backoffLimit: 0,
      ...(spec.timeoutUs !== undefined ? { activeDeadlineSeconds: Math.ceil(spec.timeoutUs / 1e6) } : {}),
      template: {
        metadata: { labels: { ...MANAGED }, ...(Object.keys(net.annotations).length ? { annotations: net.annotations } : {}) },
        spec: {
          restartPolicy: 'Never',
          ...(hostname ? { hostname } : {}),
          ...(net.hostNetwork ? { hostNetwork: true } : {}),
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: Math.ceil(spec.graceUs / 1e6),
          containers: [
            {
              name: 'sandbox',
              image,
              command: [file],
              args: [...args],
              ...(spec.cwd !== undefined ? { workingDir: spec.cwd } : spec.rootfs ? { workingDir: '/' } : {}),
              ...(env.length ? { env: env.map(([k, v]) => ({ name: k, value: v })) } : {}),
              resources: res.resources,
              securityContext: sec.context,
              ...(vols.mounts.length ? { volumeMounts: vols.mounts } : {}),
            },
          ],
          ...(vols.volumes.length ? { volumes: vols.volumes } : {}),
        },
      },
    },
  };
  return { job, unexpressed };
}
