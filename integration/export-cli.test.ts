/**
 * `cgbox export kubernetes` and `cgbox export oci` as a user runs them (the
 * built CLI): the Job on stdout as YAML or JSON, valid by the Kubernetes
 * models, what it cannot express on stderr and in its annotation; bad input
 * exits 125 with the builder's message. (runc running an exported bundle is
 * export-runc.test.ts.)
 */
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { Job, type IJob } from 'kubernetes-models/batch/v1/Job';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { UNEXPRESSED_ANNOTATION, type KubernetesJob, type Unexpressed } from '../src/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before the integration tests`);
const cgbox = (...args: string[]) => execa('node', [CLI, ...args], { cwd: ROOT, reject: false, timeout: 30_000 });
// Made in beforeAll, not at import: a run that collects this file and skips all of it runs no afterAll.
let dirs = '';
beforeAll(() => {
  dirs = mkdtempSync(join(tmpdir(), 'cgbox-test-export-cli-'));
});
afterAll(() => rmSync(dirs, { recursive: true, force: true }));

describe('cgbox export kubernetes', () => {
  it('prints a valid Job as YAML with the limits, and lists on stderr what it cannot express', async () => {
    const r = await cgbox('export', 'kubernetes', '--image', 'node:20', '--name', 'unit-tests', '--memory', '512m', '--cpu-quota', '1', '--pids', '64', '--timeout', '10m', '--volume', '/data:1g', '--', 'npm', 'test');
    expect(r.exitCode).toBe(0);
    const job = parse(r.stdout) as KubernetesJob;
    expect(() => new Job(job as IJob).validate()).not.toThrow();
    const c = job.spec.template.spec.containers[0]!;
    expect(c).toMatchObject({ image: 'node:20', command: ['npm'], args: ['test'] });
    expect(c.resources).toEqual({ limits: { cpu: '1000m', memory: '512Mi', 'ephemeral-storage': '1Gi' }, requests: { cpu: '1000m', memory: '512Mi', 'ephemeral-storage': '1Gi' } });
    expect(job.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 600 });
    const listed = JSON.parse(job.metadata.annotations![UNEXPRESSED_ANNOTATION]!) as Unexpressed[];
    expect(listed.map((u) => u.what)).toContain('.pids(64)');
    expect(r.stderr).toMatch(/^cgbox: \d+ parts of the sandbox are not expressed exactly in the Job:\n/);
    for (const u of listed) expect(r.stderr).toContain(`  - ${u.what} (${u.effect}): ${u.why}; instead: ${u.instead}`);
  });

  it('--json prints the same Job as JSON; the command may carry its own options without --', async () => {
    const yaml = await cgbox('export', 'kubernetes', '--image', 'debian:12', '--bandwidth', '10mbit', '--', 'ls', '-la');
    const json = await cgbox('export', 'kubernetes', '--image', 'debian:12', '--bandwidth', '10mbit', '--json', 'ls', '-la');
    expect(json.exitCode).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(parse(yaml.stdout));
    expect(JSON.parse(json.stdout).spec.template.metadata.annotations).toEqual({ 'kubernetes.io/egress-bandwidth': '10M', 'kubernetes.io/ingress-bandwidth': '10M' });
  });

  it('bad input exits 125 with what would be accepted, and prints no Job', async () => {
    const noImage = await cgbox('export', 'kubernetes', '--', 'true');
    expect(noImage).toMatchObject({ exitCode: 125, stdout: '' });
    expect(noImage.stderr).toBe('cgbox: --image(undefined): expected the container image the command runs in, one that holds it: --image debian:12, --image node:20');
    const badName = await cgbox('export', 'kubernetes', '--image', 'x', '--name', 'Not_A_Label', '--', 'true');
    expect(badName).toMatchObject({ exitCode: 125, stdout: '' });
    expect(badName.stderr).toContain('name: expected a DNS label');
    const badLimit = await cgbox('export', 'kubernetes', '--image', 'x', '--memory', 'lots', '--', 'true');
    expect(badLimit.exitCode).toBe(125);
    expect(badLimit.stderr).toContain('.memory("lots")');
  });
});

describe('cgbox export oci', () => {
  it('writes DIR/config.json and DIR/rootfs with the run flags applied; --rootfs is the root as it is', async () => {
    const dir = join(dirs, 'a');
    const r = await cgbox('export', 'oci', dir, '--memory', '64m', '--cpus', '0', '--hostname', 'box', '--env', 'A=1', '--', 'sh', '-c', 'echo hi');
    expect(r.exitCode).toBe(0);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ ociVersion: '1.0.2', hostname: 'box', root: { path: 'rootfs', readonly: true }, process: { args: ['sh', '-c', 'echo hi'] } });
    expect(config.process.env).toContain('A=1');
    expect(config.linux.resources).toMatchObject({ memory: { limit: 64 * 2 ** 20 }, cpu: { cpus: '0' } });
    expect(readlinkSync(join(dir, 'rootfs', 'bin'))).toBe(readlinkSync('/bin')); // the host's own, dangling until the config binds /usr
    // The isolation flags of `run` too.
    const iso = await cgbox('export', 'oci', join(dirs, 'iso'), '--cap-add', 'NET_ADMIN', '--cap-drop', 'KILL', '--bind', '/etc/hostname:/data/hostname:ro', '--', 'true');
    expect(iso.exitCode).toBe(0);
    const isoConfig = JSON.parse(readFileSync(join(dirs, 'iso', 'config.json'), 'utf8'));
    expect(isoConfig.process.capabilities.bounding).toContain('CAP_NET_ADMIN');
    expect(isoConfig.process.capabilities.bounding).not.toContain('CAP_KILL');
    expect(isoConfig.mounts).toContainEqual(expect.objectContaining({ destination: '/data/hostname', type: 'bind', source: '/etc/hostname', options: expect.arrayContaining(['ro']) }));
    const own = await cgbox('export', 'oci', join(dirs, 'b'), '--rootfs', ROOT, '--', '/bin/true');
    expect(own.exitCode).toBe(0);
    expect(JSON.parse(readFileSync(join(dirs, 'b', 'config.json'), 'utf8')).root).toEqual({ path: ROOT, readonly: true });
    expect(existsSync(join(dirs, 'b', 'rootfs'))).toBe(false);
    expect(own.stderr).toContain('.rootfs(');
  });

  it('refuses a directory that holds anything (exit 125), and writes nothing there', async () => {
    const dir = join(dirs, 'full');
    await cgbox('export', 'oci', dir, '--', 'true');
    writeFileSync(join(dir, 'mine'), 'keep me');
    const again = await cgbox('export', 'oci', dir, '--', 'true');
    expect(again.exitCode).toBe(125);
    expect(again.stderr).toContain('expected a new or empty directory for the bundle');
    expect(readFileSync(join(dir, 'mine'), 'utf8')).toBe('keep me');
  });

  it('a DIR it cannot write exits 125 with the fix, and leaves no directory behind', async () => {
    // sysfs makes no directories, for root either.
    const r = await cgbox('export', 'oci', '/sys/cgbox-export-cli-test/bundle', '--', 'true');
    expect(r).toMatchObject({ exitCode: 125, stdout: '' });
    expect(r.stderr).toMatch(/^cgbox: writing the bundle into \/sys\/cgbox-export-cli-test\/bundle: EPERM.*: name a directory this user may write/);
    expect(existsSync('/sys/cgbox-export-cli-test')).toBe(false);
  });
});
