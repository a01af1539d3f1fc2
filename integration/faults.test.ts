/**
 * Fault injection at every step (src/host/faults.ts): a sandbox with limits,
 * a shaped network, a btrfs volume and a root filesystem is run once to
 * record every fault point it passes; then each setup point is made to fail
 * in turn — the run rejects with a SetupError naming that step, and nothing
 * of it is left — and each teardown point in turn, in a child process — the
 * run rejects with a TeardownError that names the step and carries the
 * complete result, and once the child is gone the reaper leaves nothing.
 *
 * Host tier only: hundreds of sandboxes and a child process per teardown step: minutes here, an hour
 * under the VM tier's emulation; v2's setup and teardown paths run there in teardown, started,
 * cgroup-subtree and caller-context.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armFault, disarmFaults, faultHit, pointName, recordedFaults, resetFaults } from '../src/host/faults.js';
import { hostCaps, reapAll, releaseStandby, sandbox, SetupError } from '../src/index.js';
import { readTable, tableBridges } from '../src/net/leases.js';
import { leftovers } from './leftovers.js';
import { busyboxRoot, NOTHING, settledVolumeObjects } from './volume-fixtures.js';

const CHILD = fileURLToPath(new URL('./faults.child.ts', import.meta.url));
let root: string;
/** What the child builds too: keep the two in step. */
const full = (rootDir: string) =>
  sandbox().memory('64m').pids(32).cpuQuota(0.5).net({ bandwidth: '10mbit' }).volume('/data', { size: '32m', driver: 'btrfs' }).rootfs(rootDir);

let setupPoints: string[] = [];
let teardownPoints: string[] = [];

async function leases(owner: number): Promise<string[]> {
  const out: string[] = [];
  for (const b of await tableBridges()) for (const run of Object.values((await readTable(b)).leases)) if (run.startsWith(`cgbox-${owner}-`)) out.push(`${b}: ${run}`);
  return out;
}

/** Nothing of `owner`'s runs: cgroups, netns, mounts, devices, volume objects, leases. */
async function nothingLeft(owner = process.pid): Promise<void> {
  await releaseStandby();
  if (owner === process.pid) expect(await leftovers()).toEqual([]);
  expect(await settledVolumeObjects(owner)).toEqual(NOTHING);
  expect(await leases(owner)).toEqual([]);
}

/** The fault points one run passes, split at the spawn into setup and teardown. */
async function record(): Promise<{ setup: string[]; teardown: string[]; all: string[] }> {
  resetFaults({ record: true });
  const r = await full(root).run('/bin/sh', ['-c', 'echo hi > /data/f']);
  expect(r.exitCode).toBe(0);
  const all = recordedFaults();
  disarmFaults();
  const spawnAt = all.indexOf('spawn#0');
  return { setup: all.slice(0, spawnAt + 1), teardown: all.filter((p, i) => i > spawnAt && p.startsWith('teardown ')), all };
}

/** Points only a process's first run passes (the pool and bridge it finds and checks once). */
let firstRunOnly: string[] = [];

beforeAll(async () => {
  root = busyboxRoot();
  process.env.CGBOX_STANDBY = '0'; // one path, the same each time: a spare would change which points run
  // What a machine makes once (the btrfs pool, the bridge) is made by a run in another process first:
  // then this process's first run passes what every process's first run passes, as the children's will.
  const warm = await inChild('');
  expect([warm.name, warm.hit], warm.out).toEqual(['none', false]);
  await nothingLeft(warm.pid);
  const first = await record();
  const steady = await record();
  setupPoints = steady.setup;
  teardownPoints = steady.teardown;
  firstRunOnly = first.setup.filter((p) => !steady.setup.includes(p));
  console.log(`fault points of a run: ${setupPoints.length} in setup, ${teardownPoints.length} teardown steps:\n  ${steady.all.join('\n  ')}`);
  console.log(`and of a process's first run only: ${firstRunOnly.join(', ') || 'none'}`);
}, 120_000);

/** Runs the full sandbox in a child process with CGBOX_TEST_FAULT=point; how it ended. */
async function inChild(point: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, root], { env: { ...process.env, CGBOX_TEST_FAULT: point }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  await new Promise((r) => child.on('exit', r));
  const report = JSON.parse(out) as { name: string; step?: string; steps: string[]; exitCode: number | null; stdout: string; hit: boolean };
  return { ...report, pid: child.pid!, out };
}

afterAll(() => {
  disarmFaults();
  delete process.env.CGBOX_STANDBY;
});

describe('a fault at each setup step', () => {
  it('passes enough points to mean something: cgroups, network, volume, rootfs, spawn', () => {
    for (const kind of [/^cgroup: mkdir/, /^cgroup: write memory/, /^net veth: ip/, /^net shaping: tc/, /^net address: lease/, /^volume: (snapshot|subvolume-create|qgroup-limit)/, /^volume: mount/, /^rootfs: /, /^spawn#0$/]) {
      expect(setupPoints.some((p) => kind.test(p)), String(kind)).toBe(true);
    }
  });

  it('rejects with a SetupError naming the step, and leaves nothing, at every one', async () => {
    const failed: string[] = [];
    for (const point of setupPoints) {
      armFault(point);
      const e = await full(root)
        .run('/bin/true')
        .catch((err: unknown) => err);
      expect(faultHit(), `${point} was passed`).toBe(true);
      disarmFaults();
      expect(e, point).toBeInstanceOf(SetupError);
      expect((e as SetupError).step, point).toBe(point.slice(0, point.indexOf(': ') < 0 ? point.indexOf('#') : point.indexOf(': ')));
      expect((e as SetupError).message).toContain('fault injected');
      expect((e as SetupError).teardownErrors ?? [], point).toEqual([]);
      await nothingLeft();
      failed.push(point);
    }
    expect(failed).toEqual(setupPoints);
  }, 600_000);

  it("at the steps of a process's first run too, in a fresh process each", async () => {
    for (const point of firstRunOnly) {
      const r = await inChild(point);
      expect(r.hit, point).toBe(true);
      expect([r.name, r.step], `${point}: ${r.out}`).toEqual(['SetupError', point.slice(0, point.indexOf(': '))]);
      await reapAll(hostCaps());
      await nothingLeft(r.pid);
    }
  }, 600_000);
});

describe('a fault at each teardown step', () => {
  it('rejects with a TeardownError naming the step and carrying the whole result; after the owner is gone, the reaper leaves nothing', async () => {
    expect(teardownPoints.length).toBeGreaterThanOrEqual(6);
    for (const point of teardownPoints) {
      const report = await inChild(point);
      const out = report.out;
      expect(report.hit, point).toBe(true);
      expect(report.name, `${point}: ${out}`).toBe('TeardownError');
      // The armed step fails first; a step that needs it (rmdir after a umount) may fail after it, and is named too.
      const steps = report.steps.map(pointName);
      expect(steps[0], point).toBe(point.slice('teardown '.length, point.lastIndexOf('#')));
      const later = teardownPoints.slice(teardownPoints.indexOf(point) + 1).map((p) => p.slice('teardown '.length, p.lastIndexOf('#')));
      for (const s of steps.slice(1)) expect(later, `${point}: then ${s}`).toContain(s);
      expect([report.exitCode, report.stdout], point).toEqual([0, 'hi\n']);
      await reapAll(hostCaps());
      await nothingLeft(report.pid);
    }
  }, 600_000);
});
