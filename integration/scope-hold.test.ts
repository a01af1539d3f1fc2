/**
 * The transient scope's holder (native/src/scope-hold.h), on a real cgroup2 hierarchy, in a cgroup
 * laid out as cgbox lays out its scope: once Node's end of its pipe closes, it waits for the
 * sandboxes' tasks to leave, removes their cgroups, moves into the scope, removes its leaf and
 * exits: the scope's cgroup is left empty and childless, systemd's to remove. The VM tier's scope
 * context checks the whole: nothing of cgbox left on the host after the runner ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { initBinary } from '../src/host/init-binary.js';

/** The first cgroup2 mount (the unified hierarchy of a v1 host, or v2's /sys/fs/cgroup). */
const mount = readFileSync('/proc/self/mounts', 'utf8')
  .split('\n')
  .map((l) => l.split(' '))
  .find((f) => f[2] === 'cgroup2')?.[1];
const runs = mount !== undefined && process.getuid?.() === 0;
if (!runs) console.warn(`scope-hold: NOT RUN — it needs root and a cgroup2 mount (${mount ?? 'none'})`);

let n = 0;
const started: ChildProcess[] = [];
const scopes: string[] = [];

/** A scope as cgbox arranges one: a leaf for the holder, a sandbox's cgroup with a child, a task in it. */
function scope() {
  const dir = join(mount!, `cgbox-${process.pid}-holdtest-${++n}`);
  scopes.push(dir);
  const leaf = join(dir, 'cgbox.leaf');
  const box = join(dir, `cgbox-${process.pid}-box`);
  mkdirSync(dir);
  // Where the hierarchy has controllers (v2), the scope enables one for its children, as cgbox's does.
  const pids = readFileSync(join(dir, 'cgroup.controllers'), 'utf8').split(/\s+/).includes('pids');
  if (pids) writeFileSync(join(dir, 'cgroup.subtree_control'), '+pids');
  mkdirSync(leaf);
  mkdirSync(join(box, 'inner'), { recursive: true });
  const task = spawn('sleep', ['60'], { stdio: 'ignore' });
  started.push(task);
  writeFileSync(join(box, 'inner', 'cgroup.procs'), String(task.pid));
  return { dir, leaf, box, task };
}

function holder(leaf: string) {
  const child = spawn(initBinary(), ['--hold-scope'], { stdio: ['pipe', 'ignore', 'inherit'] });
  started.push(child);
  writeFileSync(join(leaf, 'cgroup.procs'), String(child.pid));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited };
}

async function within<T>(ms: number, p: Promise<T>): Promise<T> {
  return Promise.race([p, sleep(ms).then(() => { throw new Error(`not within ${ms} ms`); })]);
}

afterEach(async () => {
  for (const c of started.splice(0)) c.kill('SIGKILL');
  await sleep(50);
  // Children first; a test that failed may have left any of them.
  for (const dir of scopes.splice(0)) {
    for (const d of [join(dir, `cgbox-${process.pid}-box`, 'inner'), join(dir, `cgbox-${process.pid}-box`), join(dir, 'cgbox.leaf'), dir]) {
      try {
        rmdirSync(d);
      } catch {
        /* gone, as it should be */
      }
    }
  }
});

describe.runIf(runs)('the scope holder, once Node is gone', () => {
  it('waits for the sandboxes to end, removes their cgroups and its leaf, and leaves the scope empty', async () => {
    const s = scope();
    const h = holder(s.leaf);
    h.child.stdin!.end(`${s.leaf}\0`);
    // The sandbox's task is still there: nothing is removed, and the holder waits.
    await sleep(400);
    expect([h.child.exitCode, existsSync(join(s.box, 'inner')), existsSync(s.leaf)]).toEqual([null, true, true]);
    s.task.kill('SIGKILL');
    expect(await within(10_000, h.exited)).toBe(0);
    expect([existsSync(s.box), existsSync(s.leaf), existsSync(s.dir)]).toEqual([false, false, true]);
    // It enables no controller for children any more (a process could then sit in it), and none does now.
    expect(readFileSync(join(s.dir, 'cgroup.subtree_control'), 'utf8').trim()).toBe('');
    expect(readFileSync(join(s.dir, 'cgroup.procs'), 'utf8')).toBe('');
  });

  it('told nothing (the scope was never arranged): exits at once and removes nothing', async () => {
    const s = scope();
    const h = holder(s.leaf);
    h.child.stdin!.end();
    expect(await within(5_000, h.exited)).toBe(0);
    expect([existsSync(s.box), existsSync(s.leaf)]).toEqual([true, true]);
  });
});
