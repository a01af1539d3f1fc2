/**
 * kill -9 of a runner at 20 random points of its setup, run and teardown —
 * sandboxes with cgroup limits, shaped networks, btrfs, loop and tmpfs
 * volumes, a root filesystem, a started box — while another process keeps a
 * live box beside it. After `cgbox reap` (or, every other time, after the next
 * process's first run) nothing of the dead runner's is left, and the
 * neighbour's box still answers exec().
 *
 * Host tier only: twenty runners started and killed: minutes here, far too long under the VM tier's
 * emulation; v2's reap and parent-death paths run there in parent-death and caller-context.
 */
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTable, tableBridges } from '../src/net/leases.js';
import { busyboxRoot, volumeObjects } from './volume-fixtures.js';

const RUNNER = fileURLToPath(new URL('./kill-anywhere.child.ts', import.meta.url));
const NEIGHBOUR = fileURLToPath(new URL('./kill-anywhere.neighbour.ts', import.meta.url));
const CLI = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const MOUNT_POINT = '/tmp/cgbox-kill-anywhere';
const KILLS = 20;

let neighbour: ChildProcessByStdio<Writable, Readable, null>;
let neighbourName = '';
const lines: string[] = [];

/** The next line the neighbour prints. */
async function neighbourSays(): Promise<string> {
  for (let i = 0; i < 600 && lines.length === 0; i++) await sleep(50);
  return lines.shift() ?? '(nothing)';
}

/** Every cgroup directory named for `owner`'s runs, anywhere in the mounted hierarchies. */
function cgroupsOf(owner: number, root = '/sys/fs/cgroup', depth = 8): string[] {
  const out: string[] = [];
  for (const e of readdirSync(root, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const p = join(root, e.name);
    if (e.name.startsWith(`cgbox-${owner}-`)) out.push(p);
    else if (depth > 0) out.push(...cgroupsOf(owner, p, depth - 1));
  }
  return out;
}

/**
 * Why `owner`'s cgroups are still busy, for the log: each one's tasks with their state and parent,
 * and the machine's zombies (a killed task holds its cgroups until its reaper — the host's pid 1,
 * once its parent is gone — collects it; cgroup.procs no longer lists it by then).
 */
function busyWith(owner: number): string {
  const task = (pid: string) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return `${pid} ${stat.slice(stat.indexOf('('), stat.lastIndexOf(')') + 1)} ${state} ppid ${ppid}`;
    } catch {
      return `${pid} (gone)`;
    }
  };
  const dirs = cgroupsOf(owner).map((d) => `${d}: [${readFileSync(join(d, 'cgroup.procs'), 'utf8').trim().split('\n').filter(Boolean).map(task).join(', ')}]`);
  const zombies = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(task).filter((t) => / Z ppid /.test(t));
  return `${dirs.join('; ') || 'no cgroup left'}; zombies on the machine: ${zombies.join(', ') || 'none'}`;
}

/** All that is left of `owner`'s runs, by kind. */
async function leftOf(owner: number) {
  const mine = (s: string) => s.includes(`cgbox-${owner}-`);
  const devices = readdirSync('/sys/class/net').filter((d) => {
    try {
      return mine(readFileSync(`/sys/class/net/${d}/ifalias`, 'utf8'));
    } catch {
      return false;
    }
  });
  const leases: string[] = [];
  for (const b of await tableBridges()) for (const run of Object.values((await readTable(b)).leases)) if (mine(run)) leases.push(run);
  return {
    cgroups: cgroupsOf(owner),
    netns: (existsSync('/run/netns') ? readdirSync('/run/netns') : []).filter(mine),
    devices,
    leases,
    ...(await volumeObjects(owner)),
  };
}

const NOTHING = { cgroups: [], netns: [], devices: [], leases: [], mounts: [], loops: [], images: [], subvolumes: [], runDirs: [] };

/** A small, seeded generator: a failure names its seed, and the same points can be tried again. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

beforeAll(async () => {
  mkdirSync(MOUNT_POINT, { recursive: true });
  neighbour = spawn(process.execPath, ['--import', 'tsx', NEIGHBOUR], { stdio: ['pipe', 'pipe', 'inherit'] });
  let rest = '';
  neighbour.stdout.on('data', (c: Buffer) => {
    const parts = (rest + c.toString()).split('\n');
    rest = parts.pop()!;
    lines.push(...parts);
  });
  const ready = await neighbourSays();
  expect(ready).toMatch(/^ready cgbox-\d+-[0-9a-f]+$/);
  neighbourName = ready.split(' ')[1]!;
}, 60_000);

afterAll(async () => {
  neighbour.stdin.write('stop\n');
  await neighbourSays();
  neighbour.stdin.end();
  try {
    rmdirSync(MOUNT_POINT);
  } catch {
    // a leftover mount would keep it: the test says so above
  }
});

describe('kill -9 of a runner anywhere', () => {
  it(`at ${KILLS} random points: nothing of it is left after a reap, and the neighbour lives on`, async () => {
    const root = busyboxRoot();
    const seed = Number(process.env.CGBOX_KILL_SEED ?? Date.now() % 100_000);
    const next = random(seed);
    console.log(`kill points seeded with ${seed} (CGBOX_KILL_SEED=${seed} repeats them)`);
    for (let k = 0; k < KILLS; k++) {
      const runner = spawn(process.execPath, ['--import', 'tsx', RUNNER, root], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      runner.stdout.on('data', (c: Buffer) => (out += c.toString()));
      runner.stderr.on('data', () => {});
      for (let i = 0; i < 600 && !out.includes('looping'); i++) await sleep(25);
      // Into its loop, then anywhere in it: the kinds take 30–300 ms each here.
      const afterMs = Math.round(50 + next() * 1500);
      await sleep(afterMs);
      runner.kill('SIGKILL');
      await new Promise((r) => runner.on('exit', r));
      const owner = runner.pid!;
      if (k % 2 === 0) {
        const reap = () => spawnSync(process.execPath, ['--import', 'tsx', CLI, 'reap'], { encoding: 'utf8' });
        let r = reap();
        // A cgroup stays busy until its killed tasks are collected, by the host's pid 1 once the runner
        // is gone — not cgbox's to hurry. Seen once in about a hundred kills here, busy for over a
        // minute, what held it not yet known: said with its tasks and the machine's zombies, then
        // reaped again — what is left at the end is asserted as always.
        for (let i = 0; i < 12 && r.status !== 0 && /EBUSY/.test(r.stderr); i++) {
          console.log(`kill ${k} (after ${afterMs} ms, seed ${seed}): the reap found busy cgroups — ${busyWith(owner)}`);
          await sleep(10_000);
          r = reap();
        }
        expect(r.status, r.stdout + r.stderr).toBe(0);
      } else {
        // The next process's first run reaps in the background, and stays until it is done.
        const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `const { sandbox } = await import(${JSON.stringify(fileURLToPath(new URL('../src/index.ts', import.meta.url)))}); await sandbox().run('true');`], { encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
      }
      let left = await leftOf(owner);
      // A loop device goes once every sandbox holding a copy of its mount has ended (the kernel's autoclear).
      for (let i = 0; i < 100 && JSON.stringify(left) !== JSON.stringify(NOTHING); i++) {
        await sleep(100);
        left = await leftOf(owner);
      }
      expect(left, `killed after ${afterMs} ms (point ${k}, seed ${seed})`).toEqual(NOTHING);
      neighbour.stdin.write('exec\n');
      expect(await neighbourSays(), `the neighbour ${neighbourName} after kill ${k}`).toBe('alive sleep');
    }
  }, 900_000);
});
