/**
 * A run's cgroup calls, made by the host-ops helper (native/src/cgroup-ops.h): directories made with
 * their writes all or none, files read byte for byte, a wait for the tasks to leave
 * and a removal, each failure naming its call, path and errno. Most of it on a plain directory tree
 * (the calls are mkdir, open, read, write and rmdir); what only cgroupfs does — an rmdir refused while
 * a task is inside — on a real cgroup.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createCgroups, removeCgroupDirs } from '../src/cgroup/apply.js';
import type { CgroupPlan } from '../src/cgroup/types.js';
import { hostOp } from '../src/host/host-ops.js';
import { hostCaps } from '../src/host/probe.js';
import type { SetupError } from '../src/spec/errors.js';
import { waitFor } from './wait.js';

const DIR = mkdtempSync('/tmp/cgbox-cgroup-ops-test-');
const ROOT = fileURLToPath(new URL('..', import.meta.url));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('resolved'); }, (e: unknown) => e as SetupError & { errno?: number });
const fresh = (name: string) => {
  const d = join(DIR, name);
  mkdirSync(d);
  return d;
};

describe('cgroup calls', () => {
  it('makes each directory with its writes, and on a failure none of them', async () => {
    const base = fresh('make');
    await hostOp('cgroup', 'cgroup-make', '0', join(base, 'a'), '0', join(base, 'b'));
    expect([existsSync(join(base, 'a')), existsSync(join(base, 'b'))]).toEqual([true, true]);
    // A fresh directory of a plain filesystem has none of the files a cgroup's has: the write is ENOENT.
    const e = await failure(hostOp('cgroup', 'cgroup-make', '0', join(base, 'c'), '1', join(base, 'd'), 'pids.max', '7'));
    expect([e.step, e.detail, e.errno]).toEqual(['cgroup', `writing "7" to ${base}/d/pids.max: No such file or directory (ENOENT)`, 2]);
    expect([existsSync(join(base, 'c')), existsSync(join(base, 'd'))]).toEqual([false, false]);
    expect((await failure(hostOp('cgroup', 'cgroup-make', '2', join(base, 'e'), 'f', 'v'))).detail).toMatch(/"2" is not a count of the writes that follow/);
    expect(existsSync(join(base, 'e'))).toBe(false);
  });

  it('says which parent is missing, and leaves nothing for the caller to undo', async () => {
    const base = fresh('parent');
    const plan: CgroupPlan = {
      version: 1,
      parentWrites: [],
      dirs: [
        { hierarchy: 'pids', path: join(base, 'ok'), writes: [] },
        { hierarchy: 'memory', path: join(base, 'gone', 'run'), writes: [] },
      ],
      procsFiles: [],
      limits: {},
    };
    const made: string[] = [];
    const e = await failure(createCgroups(plan, (d) => made.push(d.path)));
    expect(e.detail).toBe(`creating ${base}/gone/run: the parent cgroup ${base}/gone does not exist`);
    expect([made, existsSync(join(base, 'ok'))]).toEqual([[], false]);
  });

  it('reads files byte for byte, "-" for one missing; another error fails the call', async () => {
    const base = fresh('read');
    const text = 'user 12\nsystem 3\n  spaced — ünïcode\n\n';
    writeFileSync(join(base, 'stat'), text);
    writeFileSync(join(base, 'empty'), '');
    writeFileSync(join(base, 'big'), 'x'.repeat(100_000));
    const reply = await hostOp('cgroup', 'cgroup-read', join(base, 'stat'), join(base, 'missing'), join(base, 'empty'), join(base, 'big'));
    const [stat, missing, empty, big] = reply.split(' ');
    expect([Buffer.from(stat!, 'base64').toString('utf8'), missing, empty, Buffer.from(big!, 'base64').length]).toEqual([text, '-', '', 100_000]);
    const e = await failure(hostOp('cgroup', 'cgroup-read', join(base, 'stat'), base));
    expect(e.detail).toBe(`reading ${base}: Is a directory (EISDIR)`);
  });

  it('waits for the tasks of a cgroup and those below it to leave, for its patience at most', async () => {
    const base = fresh('drain');
    mkdirSync(join(base, 'sub', 'deeper'), { recursive: true });
    for (const d of ['', 'sub', 'sub/deeper']) writeFileSync(join(base, d, 'cgroup.procs'), '');
    await hostOp('drain', 'cgroup-drain', '0', base);
    writeFileSync(join(base, 'sub', 'deeper', 'cgroup.procs'), '4242\n');
    const t0 = performance.now();
    const e = await failure(hostOp('drain', 'cgroup-drain', '150', base));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(150);
    expect([e.detail, e.errno]).toEqual([`tasks are still in ${base} after 150 ms: Connection timed out (ETIMEDOUT)`, 110]);
    // The task leaves while the helper waits: the answer comes then.
    const waiting = hostOp('drain', 'cgroup-drain', '10000', base);
    setTimeout(() => writeFileSync(join(base, 'sub', 'deeper', 'cgroup.procs'), ''), 100);
    await waiting;
    // Gone altogether counts as empty.
    await hostOp('drain', 'cgroup-drain', '0', join(base, 'never-was'));
  });

  it('removes each directory with those below it, children first; every one is tried', async () => {
    const base = fresh('remove');
    mkdirSync(join(base, 'a', 'b', 'c'), { recursive: true });
    mkdirSync(join(base, 'a', 'd'));
    mkdirSync(join(base, 'kept'));
    writeFileSync(join(base, 'kept', 'file'), '');
    mkdirSync(join(base, 'e'));
    const e = await failure(removeCgroupDirs([join(base, 'kept'), join(base, 'a'), join(base, 'gone'), join(base, 'e')]));
    expect(e.detail).toBe(`removing ${base}/kept: Directory not empty (ENOTEMPTY)`);
    expect(['a', 'e', 'kept'].map((d) => existsSync(join(base, d)))).toEqual([false, false, true]);
  });

  it('gives a call up after CGBOX_TOOL_TIMEOUT seconds, and one that waits on purpose after its patience', async () => {
    const base = fresh('timeout');
    writeFileSync(join(base, 'cgroup.procs'), '4242\n');
    await hostOp('cgroup', 'cgroup-read', join(base, 'cgroup.procs')); // the helper is up
    const helpers = execFileSync('pgrep', ['-P', String(process.pid), '-f', '--', '--host-ops'], { encoding: 'utf8' }).trim().split('\n').map(Number);
    expect(helpers).toHaveLength(1);
    const made: string[] = [];
    process.env.CGBOX_TOOL_TIMEOUT = '1';
    try {
      // A drain's own patience is longer than the tool timeout: its answer is waited for.
      const e = await failure(hostOp('drain', 'cgroup-drain', '1500', base));
      expect(e.errno).toBe(110);
      // A helper that does not answer (stopped here) is given up on.
      process.kill(helpers[0]!, 'SIGSTOP');
      const t0 = performance.now();
      const late = await failure(hostOp('cgroup', 'cgroup-read', join(base, 'cgroup.procs')));
      expect(late.detail).toBe(`cgroup-read ${base}/cgroup.procs: no answer after 1 s (CGBOX_TOOL_TIMEOUT)`);
      expect(performance.now() - t0).toBeLessThan(3500);
      // A make given up on may still be carried out: every directory of it is the caller's to undo.
      const plan: CgroupPlan = { version: 1, parentWrites: [], dirs: ['x', 'y'].map((d) => ({ hierarchy: d, path: join(base, d), writes: [] })), procsFiles: [], limits: {} };
      await expect(createCgroups(plan, (d) => made.push(d.path))).rejects.toThrow(/no answer after 1 s/);
      expect(made).toEqual([join(base, 'x'), join(base, 'y')]);
    } finally {
      process.kill(helpers[0]!, 'SIGCONT');
      delete process.env.CGBOX_TOOL_TIMEOUT;
    }
    // The helper is still in step: the late answers to the calls given up are dropped; what the late make made goes.
    expect(Buffer.from(await hostOp('cgroup', 'cgroup-read', join(base, 'cgroup.procs')), 'base64').toString()).toBe('4242\n');
    await removeCgroupDirs(made);
    expect(made.map((d) => existsSync(d))).toEqual([false, false]);
  });
});

describe('the helper', () => {
  it("outlives a terminal's ^C and hangup, and a SIGTERM from another process, to serve the teardowns that follow", async () => {
    const base = fresh('signals');
    writeFileSync(join(base, 'f'), 'x');
    await hostOp('cgroup', 'cgroup-read', join(base, 'f'));
    const helper = () => execFileSync('pgrep', ['-P', String(process.pid), '-f', '--', '--host-ops'], { encoding: 'utf8' }).trim();
    const pid = helper();
    for (const signal of ['SIGINT', 'SIGQUIT', 'SIGHUP'] as const) process.kill(Number(pid), signal);
    // A SIGTERM sent by anyone but Node (a CI cancelling the process group) is not Node's death.
    execFileSync('kill', ['-TERM', pid]);
    await new Promise((r) => setTimeout(r, 100));
    expect(Buffer.from(await hostOp('cgroup', 'cgroup-read', join(base, 'f')), 'base64').toString()).toBe('x');
    expect(helper()).toBe(pid);
  });
});

describe('on a real cgroup', () => {
  const caps = hostCaps();
  const parent = caps.driver === 1 ? caps.v1.pids?.mount : caps.v2?.mount;

  /** A Node process that makes `dirs` through its helper, says so, and then exits or waits to be killed. */
  function maker(mode: 'exit' | 'wait', dirs: string[]): { child: ReturnType<typeof spawn>; made: Promise<void> } {
    const script = `import { hostOp } from ${JSON.stringify(join(ROOT, 'dist/host/host-ops.js'))};
      for (const d of process.argv.slice(1)) await hostOp('cgroup', 'cgroup-make', '0', d);
      console.log('made');
      if (${JSON.stringify(mode)} === 'exit') process.exit(0);
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, ...dirs], { stdio: ['ignore', 'pipe', 'inherit'] });
    const made = new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('made') && resolve());
      child.on('exit', (code) => reject(new Error(`the maker exited with ${code} before it made its cgroups`)));
    });
    return { child, made };
  }

  it.runIf(parent !== undefined)("removes what it made and Node had not removed once Node is gone, exited or killed, but not a cgroup with a task in it", async () => {
    const dir = (n: string) => join(parent!, `cgbox-${process.pid}-made${n}`);
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    const all = [dir('a'), dir('b'), dir('c')];
    try {
      // Exited: its helper sees EOF.
      const exited = maker('exit', [dir('a')]);
      await exited.made;
      expect(existsSync(dir('a')), `${dir('a')} made`).toBe(true);
      await waitFor(`${dir('a')} removed after its maker exited`, () => !existsSync(dir('a')));
      // Killed with SIGKILL: its helper's parent-death signal; the one with a task in it is its outer's.
      const killed = maker('wait', [dir('b'), dir('c')]);
      await killed.made;
      writeFileSync(join(dir('c'), 'cgroup.procs'), String(sleeper.pid));
      killed.child.kill('SIGKILL');
      await waitFor(`${dir('b')} removed after its maker was killed`, () => !existsSync(dir('b')));
      await new Promise((r) => setTimeout(r, 300));
      expect(existsSync(dir('c'))).toBe(true);
      expect(readFileSync(join(dir('c'), 'cgroup.procs'), 'utf8')).toBe(`${sleeper.pid}\n`);
    } finally {
      sleeper.kill('SIGKILL');
      await removeCgroupDirs(all.filter(existsSync)).catch(() => {});
    }
  });

  it.runIf(parent !== undefined)('writes its limits, and waits out an rmdir refused while a task is inside', async () => {
    const dir = join(parent!, `cgbox-${process.pid}-opstest`);
    await hostOp('cgroup', 'cgroup-make', caps.driver === 1 ? '1' : '0', dir, ...(caps.driver === 1 ? ['pids.max', '7'] : []));
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      if (caps.driver === 1) expect(readFileSync(join(dir, 'pids.max'), 'utf8')).toBe('7\n');
      writeFileSync(join(dir, 'cgroup.procs'), String(sleeper.pid));
      expect(readFileSync(join(dir, 'cgroup.procs'), 'utf8')).toBe(`${sleeper.pid}\n`);
      const [procs] = (await hostOp('cgroup', 'cgroup-read', join(dir, 'cgroup.procs'))).split(' ');
      expect(Buffer.from(procs!, 'base64').toString()).toBe(`${sleeper.pid}\n`);
      const e = await failure(hostOp('teardown', 'cgroup-remove', '200', dir));
      expect([e.detail, e.errno]).toEqual([`removing ${dir}: Device or resource busy (EBUSY)`, 16]);
      const gone = hostOp('teardown', 'cgroup-remove', '10000', dir);
      sleeper.kill('SIGKILL');
      await gone;
      expect(existsSync(dir)).toBe(false);
    } finally {
      sleeper.kill('SIGKILL');
      await removeCgroupDirs([dir]).catch(() => {});
    }
  });
});
