import { Job, type IJob } from 'kubernetes-models/batch/v1/Job';
import { describe, expect, it } from 'vitest';
import { InvalidSpecError } from '../spec/errors.js';
import { emptySpec, type SandboxSpec } from '../spec/types.js';
import { fakeExportHost } from './fake-host.js';
import { bitQuantity, toKubernetesJob, type KubernetesExport } from './kubernetes.js';
import { byteQuantity, millicoresToShares, sharesToMillicores } from './kubernetes-resources.js';
import type { KubernetesJob } from './kubernetes-types.js';
import { UNEXPRESSED_ANNOTATION } from './unexpressed.js';

const MiB = 2 ** 20;
const disk = { major: 254, minor: 0, given: '/dev/vda', name: 'vda' };
const spec = (o: Partial<SandboxSpec> = {}): SandboxSpec => ({ ...emptySpec(), ...o });
const job = (o: Partial<SandboxSpec> = {}, name?: string): KubernetesExport =>
  toKubernetesJob(spec(o), 'fixtures/bin/alloc', ['64'], { image: 'debian:12', ...(name ? { name } : {}) }, fakeExportHost());
const container = (e: KubernetesExport) => e.job.spec.template.spec.containers[0]!;
const entry = (e: KubernetesExport, what: string) => e.unexpressed.find((u) => u.what.startsWith(what));

/** The API's own schema, from the kubernetes-models package: throws on any field of the wrong shape. */
const validate = (j: KubernetesJob) => new Job(JSON.parse(JSON.stringify(j)) as IJob).validate();

// The Job's types fit the Kubernetes models' IJob (checked by tsc with the tests).
const fits: (j: KubernetesJob) => IJob = (j) => j;

const limited: Partial<SandboxSpec> = {
  cpus: [0],
  cpuShares: 512,
  cpuQuota: { quotaUs: 50_000, periodUs: 100_000 },
  memoryBytes: 32 * MiB,
  swapBytes: 16 * MiB,
  pids: 32,
  iops: [{ device: disk, write: 100 }],
  bps: [{ device: disk, read: 10 * MiB }],
  volumes: [
    { path: '/data', sizeBytes: 64 * MiB, driver: 'btrfs', fs: 'ext4' },
    { path: '/scratch', sizeBytes: 8 * MiB, driver: 'tmpfs', fs: 'ext4' },
  ],
  net: { bridge: { kind: 'linux', name: 'cgbox0' }, shaping: 'veth', bandwidth: { egressBits: 10e6, ingressBits: 500e3 } },
  env: { A: '1' },
  cwd: '/data',
  timeoutUs: 90_500_000,
  hostname: 'box',
};

describe('toKubernetesJob', () => {
  const e = job(limited);
  const c = container(e);

  it('is a valid batch/v1 Job by the Kubernetes models: one container, run once, never retried', () => {
    expect(() => validate(e.job)).not.toThrow();
    expect(fits(e.job).kind).toBe('Job');
    expect(e.job.metadata.name).toBe('cgbox-alloc');
    expect(e.job.spec.backoffLimit).toBe(0);
    expect(e.job.spec.template.spec.restartPolicy).toBe('Never');
    expect(c).toMatchObject({ image: 'debian:12', command: ['fixtures/bin/alloc'], args: ['64'], workingDir: '/data', env: [{ name: 'A', value: '1' }] });
    expect(e.job.spec.template.spec).toMatchObject({ hostname: 'box', automountServiceAccountToken: false, enableServiceLinks: false, terminationGracePeriodSeconds: 2 });
  });

  it('cpu from the quota as millicores, the shares as the cpu request, memory in binary units, ephemeral storage from the disk volumes', () => {
    expect(c.resources.limits).toEqual({ cpu: '500m', memory: '32Mi', 'ephemeral-storage': '64Mi' });
    expect(c.resources.requests).toEqual({ cpu: '500m', memory: '32Mi', 'ephemeral-storage': '64Mi' });
    expect(entry(e, '.cpuShares(512)')).toMatchObject({ effect: 'approximated', instead: 'requests.cpu 500m, which the scheduler also reserves on the node' });
    const shares = job({ cpuShares: 256, cpuQuota: { quotaUs: 100_000, periodUs: 100_000 } });
    expect(container(shares).resources).toEqual({ limits: { cpu: '1000m' }, requests: { cpu: '250m' } });
    // A request above the limit is refused by the API server: held to the limit, and said so.
    const over = job({ cpuShares: 4096, cpuQuota: { quotaUs: 50_000, periodUs: 100_000 } });
    expect(container(over).resources.requests).toEqual({ cpu: '500m' });
    expect(entry(over, '.cpuShares(4096) above .cpuQuota()')).toMatchObject({ instead: 'requests.cpu is the limit, 500m: shares 512' });
    // One millicore gives the kernel's least weight, 2 shares, not 1, whichever way the request came.
    const tiny = { quotaUs: 1_000, periodUs: 1_000_000 };
    expect(entry(job({ cpuShares: 4096, cpuQuota: tiny }), '.cpuShares(4096) above .cpuQuota()')).toMatchObject({ instead: 'requests.cpu is the limit, 1m: shares 2' });
    expect(entry(job({ cpuQuota: tiny }), 'the default CPU weight')).toMatchObject({ instead: expect.stringContaining('shares 2;') });
    expect(() => validate(over.job)).not.toThrow();
    // A quota alone: the request the API server would default, said where its weight is not Docker's 1024.
    expect(entry(job({ cpuQuota: { quotaUs: 50_000, periodUs: 100_000 } }), "the default CPU weight")).toMatchObject({ instead: expect.stringContaining('shares 512') });
    expect(entry(job({ cpuQuota: { quotaUs: 100_000, periodUs: 100_000 } }), "the default CPU weight")).toBeUndefined();
  });

  it('volumes: tmpfs dirs and tmpfs volumes as memory emptyDirs of their size, disk volumes by sizeLimit (said to be eviction)', () => {
    const volumes = e.job.spec.template.spec.volumes!;
    expect(volumes).toContainEqual({ name: 'tmpfs-tmp', emptyDir: { medium: 'Memory' } });
    expect(volumes).toContainEqual({ name: 'volume-0-data', emptyDir: { sizeLimit: '64Mi' } });
    expect(volumes).toContainEqual({ name: 'volume-1-scratch', emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } });
    expect(c.volumeMounts).toContainEqual({ name: 'volume-0-data', mountPath: '/data' });
    expect(c.volumeMounts!.map((m) => m.mountPath)).toEqual(['/tmp', '/var/tmp', '/dev/shm', '/run', '/data', '/scratch']);
    expect(entry(e, ".volume(/data, { size: 67108864, driver: 'btrfs' })")).toMatchObject({ effect: 'approximated', instead: expect.stringMatching(/eviction/) });
    expect(entry(e, '.volume(/scratch')).toBeUndefined();
  });

  it("bandwidth as the CNI bandwidth plugin's pod annotations, the timeout as the Job's deadline", () => {
    expect(e.job.spec.template.metadata.annotations).toEqual({ 'kubernetes.io/egress-bandwidth': '10M', 'kubernetes.io/ingress-bandwidth': '500k' });
    expect(entry(e, '.net({ bandwidth })')).toMatchObject({ effect: 'approximated' });
    expect(e.job.spec.activeDeadlineSeconds).toBe(91);
    expect(entry(e, '.timeout(90500 ms)')).toMatchObject({ effect: 'approximated' });
  });

  it('lists what a pod cannot hold: cpus, swap, pids, block IO, the network of its own', () => {
    for (const what of [".cpus('0')", `.swap(${16 * MiB})`, '.pids(32)', ".iops('/dev/vda'", ".bps('/dev/vda'"]) expect(entry(e, what)).toMatchObject({ effect: 'dropped' });
    expect(entry(e, ".net({ bridge: 'cgbox0' })")).toMatchObject({ effect: 'approximated' });
    expect(entry(job(), "cgbox's default pids ceiling")).toMatchObject({ effect: 'dropped' });
    expect(entry(job(), ".net('none')")).toMatchObject({ effect: 'approximated' });
    expect(job({ net: 'host' }).job.spec.template.spec.hostNetwork).toBe(true);
  });

  it('carries the list in the Job annotation, every entry saying why and what instead', () => {
    expect(JSON.parse(e.job.metadata.annotations![UNEXPRESSED_ANNOTATION]!)).toEqual(e.unexpressed);
    expect(e.unexpressed.every((u) => u.why && u.instead && (u.effect === 'dropped' || u.effect === 'approximated'))).toBe(true);
  });

  it("securityContext: root, the sandbox's capabilities exactly (drop ALL, add them), no privilege escalation, a read-only root", () => {
    expect(c.securityContext).toEqual({
      runAsUser: 0,
      runAsGroup: 0,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'], add: ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP', 'NET_BIND_SERVICE', 'NET_RAW', 'SYS_CHROOT', 'MKNOD', 'AUDIT_WRITE', 'SETFCAP'] },
    });
    expect(entry(e, "the host's root, read-only")).toMatchObject({ instead: expect.stringContaining('debian:12') });
    const admin = job({ capAdd: ['SYS_ADMIN'] });
    expect(container(admin).securityContext.allowPrivilegeEscalation).toBeUndefined();
    expect(entry(admin, 'no_new_privs beside CAP_SYS_ADMIN')).toMatchObject({ effect: 'dropped' });
  });

  it('.privileged() is a privileged container; .rootfs() is the image, writable; binds are hostPath volumes, said to be the node\'s', () => {
    const p = job({ privileged: true });
    expect(container(p).securityContext).toEqual({ runAsUser: 0, runAsGroup: 0, privileged: true });
    expect(() => validate(p.job)).not.toThrow();
    const r = job({ rootfs: '/srv/data' });
    expect(container(r).securityContext.readOnlyRootFilesystem).toBe(false);
    expect(container(r).workingDir).toBe('/');
    expect(entry(r, '.rootfs(/srv/data)')).toMatchObject({ effect: 'approximated' });
    const b = job({ binds: [{ source: '/srv/data', target: '/in', readonly: true }, { source: '/etc/hostname', target: '/etc/hostname', readonly: false }] });
    expect(b.job.spec.template.spec.volumes).toContainEqual({ name: 'bind-0-in', hostPath: { path: '/srv/data', type: 'Directory' } });
    expect(b.job.spec.template.spec.volumes).toContainEqual({ name: 'bind-1-etc-hostname', hostPath: { path: '/etc/hostname', type: 'File' } });
    expect(container(b).volumeMounts).toContainEqual({ name: 'bind-0-in', mountPath: '/in', readOnly: true });
    expect(entry(b, '.writable(/etc/hostname)')).toMatchObject({ effect: 'approximated' });
    expect(() => validate(b.job)).not.toThrow();
  });

  it('refuses a Job name that is not a DNS label, and a missing image, naming what is accepted', () => {
    expect(job({}, 'ci-run-1').job.metadata.name).toBe('ci-run-1');
    expect(() => job({}, 'CI_Run')).toThrow(InvalidSpecError);
    expect(() => job({}, 'CI_Run')).toThrow(/DNS label/);
    expect(() => toKubernetesJob(spec(), 'true', [], { image: '' }, fakeExportHost())).toThrow(/expected \{ image/);
  });

  it('the validator is not a formality: a Job of the wrong shape is refused', () => {
    const broken = JSON.parse(JSON.stringify(e.job)) as KubernetesJob;
    (broken.spec.template.spec.containers[0]!.resources.limits as Record<string, string>).cpu = 'half';
    expect(() => validate(broken)).toThrow(/limits\/cpu/);
  });
});

describe('quantities', () => {
  it('bytes in the largest binary unit that holds them, bits in decimal units, shares as the least millicores that give them', () => {
    expect(byteQuantity(32 * MiB)).toBe('32Mi');
    expect(byteQuantity(2 ** 30)).toBe('1Gi');
    expect(byteQuantity(1536 * 1024)).toBe('1536Ki');
    expect(byteQuantity(1000)).toBe('1000');
    expect(bitQuantity(10e6)).toBe('10M');
    expect(bitQuantity(2.5e6)).toBe('2500k');
    expect(bitQuantity(1e9)).toBe('1G');
    expect(sharesToMillicores(1024)).toBe(1000);
    expect(sharesToMillicores(100)).toBe(98);
    // The kubelet's MilliCPUToShares gives the shares back; below 2 millicores' worth it gives the kernel's least.
    for (const s of [2, 100, 256, 512, 1024, 4096]) expect(millicoresToShares(sharesToMillicores(s))).toBe(s);
    expect(millicoresToShares(1)).toBe(2);
    expect(millicoresToShares(1000)).toBe(1024);
  });
});
