/**
 * The bundle a sandbox exports, run by Debian's runc: the same outcome as
 * cgbox's own run of the same builder — a 64 MiB allocation OOM-killed at a
 * 32m limit and 16 MiB passing, a fork bomb held at the pids limit, the CPU
 * quota as a ceiling. Each container runs under a runc root of this file's
 * own, with runc's cgroupfs driver (no --systemd-cgroup), `run --keep` so
 * that its cgroup can be read after the command ended: the OOM kill is the
 * memory cgroup's own counter (v1 memory.oom_control, v2 memory.events
 * oom_kill), as cgbox reads it. Every container, bundle, runc root and cgroup
 * is removed, and checked gone at the end.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostCaps } from '../src/host/probe.js';
import { which } from '../src/host/tools.js';
import { cpuSharesToWeight } from '../src/cgroup/v2/cpu.js';
import { sandbox, writeOCIBundle, type OciExport, type SandboxBuilder } from '../src/index.js';
import { MiB, fixture } from './fixtures.js';
import { leftovers } from './leftovers.js';
import { couldHave, idleNeed, quotaCeiling, roomFor, runWatched, watchCpu, type CpuSample } from './load.js';
import { requires } from './requires.js';

const RUNC = which('runc');
if (!RUNC) throw new Error('runc is not installed: apt-get install runc (scripts/setup.sh and vagrant/provision.sh install it)');
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const CGROUPFS = '/sys/fs/cgroup';
// Not cgbox-…: a reaper (another test run's, `cgbox reap`) kills and removes a cgroup of that prefix whose
// name carries no live owner's pid — a container of runc's is none of cgbox's runs.
const PREFIX = `export-runc-test-${process.pid}-`;

// Made in beforeAll, not at import: a run that collects this file and skips all of it runs no afterAll.
let runcRoot = '';
let bundles = '';
const v2 = () => hostCaps().driver === 2;

/**
 * Where the container's cgroup goes, beside the sandboxes cgbox makes: on v1 a relative path, which
 * runc's fs driver puts beneath its own (this process's) cgroup in each hierarchy; on v2 beside
 * cgbox.leaf when this process sits in it (a cgroup with processes cannot enable controllers for
 * children: the no-internal-process rule), else beneath its own cgroup.
 */
function cgroupsPath(id: string): string {
  if (!v2()) return id;
  const own = /^0::(.*)$/m.exec(readFileSync('/proc/self/cgroup', 'utf8'))![1]!;
  const base = own.endsWith('/cgbox.leaf') ? dirname(own) : own;
  return `${base === '/' ? '' : base}/${id}`;
}

/** The container's cgroup directory of one controller (v2: the one directory). */
function cgroupDir(path: string, controller: string): string {
  if (v2()) return join(CGROUPFS, path);
  const h = hostCaps().v1[controller]!;
  return join(h.mount, h.callerPath, path);
}

const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8').trim();
const keyed = (text: string, key: string) => Number(new RegExp(`^${key} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);

interface RuncRun {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  /** The memory cgroup's OOM kills: the same counter cgbox's report reads. */
  oomKills: number;
  /** Files of the container's cgroups, read after the command ended. */
  files: Record<string, string>;
  /** The machine, and the container's CPU time, every quarter second while its command ran. */
  machine: CpuSample[];
}

/**
 * The container's CPU time so far, from its cgroup, once a task named `comm` runs there; throws
 * before (runc's own init, a Go program, runs in the cgroup before runc writes its limits — for
 * seconds under the VM tier's emulated CPU) and once its tasks are gone, so that only the command's
 * own span is watched.
 */
async function containerCpuUs(path: string, comm: string | undefined): Promise<number> {
  const dir = cgroupDir(path, v2() ? 'cpu' : 'cpuacct');
  const pids = read(dir, 'cgroup.procs').split('\n').filter(Boolean);
  if (!pids.length) throw new Error('ended');
  if (comm !== undefined && !pids.some((pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === comm)) throw new Error(`no ${comm} yet`);
  return v2() ? keyed(read(dir, 'cpu.stat'), 'usage_usec') : Number(read(dir, 'cpuacct.usage')) / 1000;
}

/** The files each test reads of the container's cgroups, per version. */
const FILES = {
  1: { memory: ['memory.limit_in_bytes', 'memory.memsw.limit_in_bytes', 'memory.oom_control'], pids: ['pids.max'], cpu: ['cpu.cfs_quota_us', 'cpu.cfs_period_us', 'cpu.shares', 'cpu.stat'] },
  2: { memory: ['memory.max', 'memory.swap.max', 'memory.events'], pids: ['pids.max'], cpu: ['cpu.max', 'cpu.weight', 'cpu.stat'] },
};

/**
 * Runs the bundle in `dir` (its config given a cgroupsPath of this file's), reads its cgroups,
 * removes it all; `watch` names the task whose span the machine is watched over.
 */
async function runBundleDir(dir: string, watchComm?: string): Promise<RuncRun> {
  const id = `${PREFIX}${randomBytes(4).toString('hex')}`;
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as OciExport['config'];
  const path = (config.linux.cgroupsPath = cgroupsPath(id));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  try {
    // Before the container starts its cgroup is not there: those samples have no usage, and are dropped.
    const watch = watchCpu(() => containerCpuUs(path, watchComm));
    const r = await execa(RUNC!, ['--root', runcRoot, 'run', '--keep', '--bundle', dir, id], { reject: false, stdin: 'ignore', timeout: 60_000 });
    const machine = (await watch.stop()).filter((s) => s.usageUs !== undefined);
    const files: Record<string, string> = {};
    for (const [controller, names] of Object.entries(FILES[v2() ? 2 : 1])) {
      for (const name of names) files[name] = read(cgroupDir(path, controller), name);
    }
    const oomKills = keyed(files[v2() ? 'memory.events' : 'memory.oom_control']!, 'oom_kill');
    return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, oomKills, files, machine };
  } finally {
    await execa(RUNC!, ['--root', runcRoot, 'delete', '--force', id], { reject: false });
    rmSync(dir, { recursive: true, force: true });
  }
}

const runBundle = (exported: OciExport, watchComm?: string) => {
  const dir = mkdtempSync(join(bundles, 'b-'));
  writeOCIBundle(dir, exported);
  return runBundleDir(dir, watchComm);
};

/** Cgroup directories of this file's containers still on the host, in any hierarchy. */
function leftCgroups(dir = CGROUPFS, depth = 6): string[] {
  if (depth < 0) return [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.filter((e) => e.isDirectory()).flatMap((e) => (e.name.startsWith(PREFIX) ? [join(dir, e.name)] : leftCgroups(join(dir, e.name), depth - 1)));
}

const burnRatio = (stdout: string) => {
  const [cpu, wall] = [/cpu_ms=(\d+)/, /wall_ms=(\d+)/].map((re) => Number(re.exec(stdout)![1]));
  return cpu! / wall!;
};

beforeAll(async () => {
  runcRoot = mkdtempSync('/run/cgbox-test-runc-');
  bundles = mkdtempSync(join(tmpdir(), 'cgbox-test-bundle-'));
  // Where this process's sandboxes live is settled at its first run (on v2 it may move into cgbox.leaf).
  await sandbox().run('true');
});

afterAll(async () => {
  const containers = await execa(RUNC!, ['--root', runcRoot, 'list', '--quiet'], { reject: false });
  rmSync(bundles, { recursive: true, force: true });
  rmSync(runcRoot, { recursive: true, force: true });
  expect(containers.stdout.trim()).toBe('');
  expect(leftCgroups()).toEqual([]);
  expect(await leftovers()).toEqual([]);
});

describe('an exported bundle under runc: the outcome of cgbox\'s own run', () => {
  it('memory(32m): 64 MiB is OOM-killed (runc exits 137, the cgroup counts one OOM kill), 16 MiB passes', async () => {
    const b: SandboxBuilder = sandbox().memory('32m');
    const [own, big, small] = [await b.run(fixture('alloc'), ['64']), await runBundle(b.toOCI(fixture('alloc'), ['64'])), await runBundle(b.toOCI(fixture('alloc'), ['16']))];
    expect(own).toMatchObject({ oomKilled: true, signal: 'SIGKILL' });
    expect(big.exitCode).toBe(137); // 128 + SIGKILL
    expect(big.oomKills).toBe(1);
    expect((await b.run(fixture('alloc'), ['16'])).stdout).toBe('allocated 16 MiB\n');
    expect(small).toMatchObject({ exitCode: 0, stdout: 'allocated 16 MiB', oomKills: 0 });
    if (v2()) expect([small.files['memory.max'], small.files['memory.swap.max']]).toEqual([`${32 * MiB}`, '0']);
    else expect([small.files['memory.limit_in_bytes'], small.files['memory.memsw.limit_in_bytes']]).toEqual([`${32 * MiB}`, `${32 * MiB}`]);
  });

  it('pids(32): a fork bomb is held at 32 tasks — the bomb and 31 children, in both', async () => {
    const b = sandbox().pids(32).timeout('20s');
    const own = await b.run(fixture('forkbomb'), ['1000']);
    const bundle = await runBundle(b.toOCI(fixture('forkbomb'), ['1000']));
    expect(own.stdout).toMatch(/^forked=31 failed=[1-9]/);
    expect(bundle, bundle.stderr).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(/^forked=31 failed=[1-9]/) });
    // cgbox writes 33 (its init is one of them); the bundle has no init of cgbox's.
    expect(bundle.files['pids.max']).toBe('32');
  });

  it('cpuQuota(0.5): at most half a CPU over 3 s of spinning, throttled by the container\'s own cgroup', async () => {
    const b = sandbox().cpuQuota(0.5);
    // burn's CPU clock counts from its process's creation: as pid 1 of a bundle that is runc's init
    // (Go, seconds of CPU under the VM tier's emulation, before exec). A child of a shell starts at 0.
    // 3 s, not 2: a window of 30 periods may touch 31 of them (a period's 50 ms more), and exec and
    // the dynamic loader cost tens of ms under emulation — 0.549 measured over 2 s in the VM tier.
    const command = ['-c', `exec ${fixture('burn')} --wall 3000 & wait $!`];
    const own = await runWatched(b, 'sh', command);
    const bundle = await runBundle(b.toOCI('sh', command), 'burn');
    expect(own.result.exitCode).toBe(0);
    expect(bundle.exitCode).toBe(0);
    if (v2()) expect(bundle.files['cpu.max']).toBe('50000 100000');
    else expect([bundle.files['cpu.cfs_quota_us'], bundle.files['cpu.cfs_period_us']]).toEqual(['50000', '100000']);
    for (const [who, stdout, machine, throttled] of [
      ['cgbox', own.result.stdout, own.machine, own.result.usage.cpu.throttledPeriods],
      ['runc', bundle.stdout, bundle.machine, keyed(bundle.files['cpu.stat']!, 'nr_throttled')],
    ] as const) {
      const ratio = burnRatio(stdout);
      const { could, got } = couldHave(machine, 0.5);
      console.log(`${who}: cpuQuota(0.5) gave ${ratio.toFixed(3)} of wall time; sampled: got ${got.toFixed(3)} of the ${could.toFixed(3)} CPUs it could have had; throttled ${throttled} periods`);
      // The quota is a ceiling, strictly: a busy machine can only lower the share, never raise it.
      expect(ratio).toBeLessThan(quotaCeiling(0.5));
      const tight = roomFor(`${who}: cpuQuota(0.5) share`, [idleNeed(machine)], {
        tight: 'share > 0.45, throttled every period',
        relaxed: 'at least half of what it could have had, moment by moment',
      });
      if (tight) {
        expect(ratio).toBeGreaterThan(0.45);
        expect(throttled).toBeGreaterThan(10);
      } else expect(got).toBeGreaterThanOrEqual(could / 2);
    }
  });

  it('`cgbox export oci DIR` writes a bundle that runc runs: the CLI\'s limits hold there too', async () => {
    const dir = join(bundles, 'cli');
    const r = await execa('node', [CLI, 'export', 'oci', dir, '--memory', '32m', '--pids', '16', '--', fixture('alloc'), '64'], { reject: false });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain(`cgbox: bundle written: ${dir}/config.json and ${dir}/rootfs/`);
    expect(r.stderr).toMatch(/not expressed exactly in the bundle:\n {2}- cgbox's init/);
    const run = await runBundleDir(dir);
    expect(run).toMatchObject({ exitCode: 137, oomKills: 1 });
  });
});

describe.runIf(requires('cgroup2'))('on cgroup v2', () => {
  it("runc converts the bundle's shares to cpu.weight by its own formula, which the export says", async () => {
    const b = sandbox().cpuShares(512);
    const bundle = await runBundle(b.toOCI('true'));
    const version = /runc version (\d+)\.(\d+)\.(\d+)/.exec((await execa(RUNC!, ['--version'])).stdout)!.slice(1).map(Number);
    const modern = version[0]! > 1 || version[1]! > 3 || (version[1] === 3 && version[2]! >= 2);
    // runc ≥ 1.3.2 as cgbox converts (59 for 512); before it, linearly: 1 + (512 − 2) × 9999 / 262142 = 20.
    expect(Number(bundle.files['cpu.weight'])).toBe(modern ? cpuSharesToWeight(512) : 1 + Math.floor((510 * 9999) / 262_142));
    expect(b.toOCI('true').unexpressed.map((u) => u.what)).toContain('.cpuShares() on cgroup v2');
  });
});
