import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { emptySpec } from '../spec/types.js';
import { armFault, disarmFaults } from '../host/faults.js';
import { drainCgroups, writeCgroups } from './apply.js';
import type { CgroupDriver } from './types.js';
import type { CgroupPlan } from './types.js';
import { cgroupV2 } from './v2/driver.js';
import { fakeCaps, fakeCgroupfs, type FakeTree } from './v2/fake-cgroupfs.js';

let tree: FakeTree | undefined;
afterEach(async () => {
  await tree?.remove();
  tree = undefined;
});

/** A v2 tree as a spare left it: the parent's subtree_control as `parentHolds`, the spare's cgroup with every file the run writes. */
async function spareTree(run: CgroupPlan, parentHolds: string) {
  const parent = run.parentWrites[0]!.path;
  const dir = run.dirs[0]!.path;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(parent, 'cgroup.subtree_control'), parentHolds);
  writeFileSync(join(parent, 'cgroup.procs'), '');
  for (const w of run.dirs[0]!.writes) writeFileSync(join(dir, w.file), '');
  return { subtree: () => readFileSync(join(parent, 'cgroup.subtree_control'), 'utf8'), file: (f: string) => readFileSync(join(dir, f), 'utf8') };
}

describe("writeCgroups (a run taking a spare's cgroups)", () => {
  it("enables in the parent what the run needs and the spare's plan did not (v2: cpuset for .cpus()), then writes the run's own values", async () => {
    tree = await fakeCgroupfs();
    const caps = fakeCaps({ v2: { ...fakeCaps().v2!, mount: tree.root, callerPath: '/caller' } });
    const spare = cgroupV2.plan(emptySpec(), caps, 'cgbox-1-a');
    const run = cgroupV2.plan({ ...emptySpec(), cpus: [0], memoryBytes: 64 * 2 ** 20 }, caps, 'cgbox-1-a');
    const fs = await spareTree(run, 'as the spare left it');
    await writeCgroups(run, spare);
    expect(fs.subtree().split(' ')).toContain('+cpuset');
    expect(fs.file('cpuset.cpus')).toBe('0');
    expect(fs.file('memory.max')).toBe(String(64 * 2 ** 20));
  });

  it('leaves the parent alone when the spare enabled all the run needs', async () => {
    tree = await fakeCgroupfs();
    const caps = fakeCaps({ v2: { ...fakeCaps().v2!, mount: tree.root, callerPath: '/caller' } });
    const spare = cgroupV2.plan({ ...emptySpec(), cpus: [0, 1, 2, 3] }, caps, 'cgbox-1-b');
    const run = cgroupV2.plan({ ...emptySpec(), cpus: [1] }, caps, 'cgbox-1-b');
    const fs = await spareTree(run, 'as the spare left it');
    await writeCgroups(run, spare);
    expect(fs.subtree()).toBe('as the spare left it');
    expect(fs.file('cpuset.cpus')).toBe('1');
  });
});

describe('drainCgroups', () => {
  afterEach(disarmFaults);

  it('watches from Node when the helper does not answer, and still kills what stays', async () => {
    let tasks = [4242];
    let killed = 0;
    const driver = {
      tasksDir: () => '/nonexistent/cgbox-test',
      procs: async () => tasks,
      killAll: async () => {
        killed++;
        tasks = [];
      },
    } as unknown as CgroupDriver;
    const plan = { dirs: [] } as unknown as CgroupPlan;
    armFault('drain: cgroup-drain'); // the helper's call fails before it is sent, as a dead helper's would
    await drainCgroups(driver, plan, 50);
    expect(killed).toBe(1);
  });
});
