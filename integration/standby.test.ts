/**
 * Spare sandboxes: from a process's second run on, the next run's cgroups and
 * init are made ahead of time. A run from a spare must be indistinguishable
 * from a cold one: its own limits, fresh counters, nothing left behind.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { hostCaps } from '../src/host/probe.js';
import { initBinary } from '../src/host/init-binary.js';
import { forkServer } from '../src/launch/zygote.js';
import { spareCount } from '../src/run/standby-pool.js';
import { releaseStandby, sandbox } from '../src/index.js';
import { MiB, fixture } from './fixtures.js';
import { leftovers } from './leftovers.js';
import { waitFor } from './wait.js';

const CHILD = fileURLToPath(new URL('./standby.child.mjs', import.meta.url));

function dirsOf(owner: number): string[] {
  const h = hostCaps().v1.freezer ?? hostCaps().v2!;
  return readdirSync(h.mount + h.callerPath).filter((n) => n.startsWith(`cgbox-${owner}-`));
}

const parentOf = (pid: number) => Number(/^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

/** The most spares a process keeps unless CGBOX_SPARES says otherwise. */
const KEPT = 3;

const procsOf = (name: string) => {
  const h = hostCaps().v1.freezer ?? hostCaps().v2!;
  return `${h.mount}${h.callerPath}/${name}/cgroup.procs`;
};

/** The inits of `owner`'s spares, once `count` spares (else at least one) are made and each init has joined its cgroup. */
async function spareInits(count?: number, owner = process.pid): Promise<{ init: number; procs: string }[]> {
  const made = (n: number) => (count === undefined ? n >= 1 : n === count);
  const names = await waitFor(`${count ?? 'a'} spare(s), made in the background`, () => (made(dirsOf(owner).length) ? dirsOf(owner) : undefined));
  return Promise.all(
    names.map(async (name) => {
      const procs = procsOf(name);
      const init = await waitFor("a spare's init in its cgroup", () => readFileSync(procs, 'utf8').split('\n').filter(Boolean).map(Number)[0]);
      return { init, procs };
    }),
  );
}

/** Runs back to back until this process keeps its most spares, all ready: runs coming faster than spares are made ask for more. */
async function fillSpares(): Promise<void> {
  for (let i = 0; i < 40 && dirsOf(process.pid).length < KEPT; i++) await sandbox().run('true');
  await waitFor(`${KEPT} spares ready`, () => spareCount().ready === KEPT);
}

/** Who started the outer helpers of this process's spares, once every spare on its way is ready: their inits' grandparents, each once. */
async function spareStarters(): Promise<number[]> {
  await waitFor('the spares made, all ready', () => spareCount().making === 0 && spareCount().ready >= 1);
  return [...new Set((await spareInits()).map(({ init }) => parentOf(parentOf(init))))];
}

/** Runs `fn` with an environment variable of cgbox's set, removed again whatever happens. */
async function withEnv(name: string, value: string, fn: () => Promise<void>): Promise<void> {
  process.env[name] = value;
  try {
    await fn();
  } finally {
    delete process.env[name];
  }
}

describe('spare sandboxes', () => {
  it('runs one after another, each from a spare, keep their own limits and fresh counters', async () => {
    await sandbox().run('true');
    await sandbox().run('true');
    await waitFor('a spare ready', () => spareCount().ready >= 1);

    const oom = await sandbox().memory('64m').run(fixture('alloc'), ['100']);
    expect(oom).toMatchObject({ signal: 'SIGKILL', oomKilled: true });
    await sleep(100);
    const roomy = await sandbox().memory('256m').run(fixture('alloc'), ['100']);
    expect(roomy).toMatchObject({ exitCode: 0, oomKilled: false });
    expect(roomy.usage.memory.oomKills).toBe(0);
    expect(roomy.usage.memory.peakBytes).toBeLessThan(104 * MiB);
    await sleep(100);
    const pinned = await sandbox().cpus('0').pids(8).run('sh', ['-c', 'grep Cpus_allowed_list /proc/self/status']);
    expect(pinned.stdout).toMatch(/Cpus_allowed_list:\s+0$/m);
    await sleep(100);
    const free = await sandbox().run('grep', ['Cpus_allowed_list', '/proc/self/status']);
    expect(free.stdout).toMatch(new RegExp(`Cpus_allowed_list:\\s+0-${hostCaps().onlineCpus.length - 1}$`, 'm'));
    await sleep(100);
    const bomb = await sandbox().pids(16).run(fixture('forkbomb'), ['200']);
    expect(bomb.usage.pids.peak).toBe(16);
  });

  it('gives the command /dev/null as stdin without input, and the input with it, cold or from a spare', async () => {
    await sandbox().run('true');
    await sleep(100);
    const none = await sandbox().run('sh', ['-c', 'readlink /proc/self/fd/0; cat']);
    expect(none.stdout).toBe('/dev/null\n');
    // Spares have no stdin until a run of the process gives input: the first such run starts cold.
    await waitFor('the spares made, all ready', () => spareCount().ready >= 1 && spareCount().making === 0);
    const before = new Set(dirsOf(process.pid));
    const cold = await sandbox().start('cat', [], { input: 'hello' });
    expect(before.has(cold.name)).toBe(false);
    expect((await cold.result).stdout).toBe('hello');
    // The spares without one are passed over and removed; those made from now on have one.
    await waitFor('a spare with a stdin ready', () => spareCount().ready >= 1 && spareCount().making === 0);
    const ready = new Set(dirsOf(process.pid));
    const warm = await sandbox().start('cat', [], { input: 'hello again' });
    expect(ready.has(warm.name)).toBe(true);
    expect((await warm.result).stdout).toBe('hello again');
    const empty = await sandbox().run('sh', ['-c', 'readlink /proc/self/fd/0; cat']);
    expect(empty.stdout).toBe('/dev/null\n');
  });

  it('releaseStandby() removes the spares; nothing is left', async () => {
    await sandbox().run('true');
    await sandbox().run('true');
    await releaseStandby();
    expect(dirsOf(process.pid)).toEqual([]);
    expect(await leftovers()).toEqual([]);
  });


  it("makes the next spare only after the run's result is back with its caller, not on that run's clock", async () => {
    await sandbox().run('true');
    await releaseStandby();
    const r = await sandbox().run('true');
    // The caller's continuation: the run's own cgroups are gone, and the next spare's not begun yet.
    expect(dirsOf(process.pid)).toEqual([]);
    expect(r.ok).toBe(true);
    await waitFor('the next spare, made once the caller had its result', () => dirsOf(process.pid).length === 1);
  });

  it('keeps one spare for runs with time between them, up to three for runs back to back; runs started then each take one', async () => {
    await releaseStandby();
    await sandbox().run('true');
    for (let i = 0; i < 4; i++) {
      await waitFor('the spare ready', () => spareCount().ready === 1);
      await sandbox().run('true');
    }
    await waitFor('the spare ready', () => spareCount().ready === 1);
    await sleep(100);
    expect(dirsOf(process.pid)).toHaveLength(1);
    // With nothing between them, a run finds the spare made at the last one's end still on its way.
    await fillSpares();
    await sleep(100);
    expect(dirsOf(process.pid)).toHaveLength(KEPT);
    const spares = dirsOf(process.pid);
    const boxes = [];
    for (let i = 0; i < KEPT; i++) boxes.push(await sandbox().start('sleep', ['30']));
    try {
      expect(new Set(boxes.map((b) => b.name))).toEqual(new Set(spares));
    } finally {
      await Promise.all(boxes.map((b) => b.stop()));
    }
  });

  it('CGBOX_SPARES sets how many are kept; one that is no number from 1 to 16 is refused before anything exists', async () => {
    await withEnv('CGBOX_SPARES', '1', async () => {
      await releaseStandby();
      for (let i = 0; i < 10; i++) {
        await sandbox().run('true');
        expect(dirsOf(process.pid).length).toBeLessThanOrEqual(1);
      }
      await spareInits(1);
      await sleep(100);
      expect(dirsOf(process.pid)).toHaveLength(1);
    });
    await releaseStandby();
    for (const bad of ['0', '17', 'two', '1.5', '-1']) {
      await withEnv('CGBOX_SPARES', bad, async () => {
        await expect(sandbox().run('true')).rejects.toThrow(/CGBOX_SPARES.*a whole number from 1 to 16/);
      });
    }
    expect(dirsOf(process.pid)).toEqual([]);
  });
  it('spares killed from outside before this process has heard of it are passed over: the run starts cold', async () => {
    await fillSpares();
    const spares = await spareInits(KEPT);
    for (const { init } of spares) process.kill(init, 'SIGKILL');
    // Without a turn of the event loop, so that nothing of their end has reached this process yet.
    const deadline = Date.now() + 10_000;
    while (spares.some(({ procs }) => readFileSync(procs, 'utf8').trim() !== '') && Date.now() < deadline);
    const r = await sandbox().run('sh', ['-c', 'echo ok']);
    expect(r).toMatchObject({ ok: true, stdout: 'ok\n' });
    await releaseStandby();
    expect(await leftovers()).toEqual([]);
  });

  it('unused spares are removed when their process is killed with SIGKILL', async () => {
    const child = spawn(process.execPath, [CHILD], { stdio: ['ignore', 'pipe', 'inherit'] });
    onTestFinished(() => void child.kill('SIGKILL')); // a failing test must not leave it running
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    await waitFor('the child to say it is idle', () => out.includes('idle'));
    await spareInits(1, child.pid!);
    process.kill(child.pid!, 'SIGKILL');
    await new Promise((r) => child.on('exit', r));
    await waitFor("the spares' removal by their helpers", () => dirsOf(child.pid!).length === 0);
  });

  it("a spare's init is forked by this process's fork server, and by a new one once that was killed", async () => {
    await sandbox().run('true');
    await sandbox().run('true');
    const server = forkServer(initBinary());
    expect(server).toBeDefined();
    expect(await spareStarters()).toEqual([server!.pid]);
    process.kill(server!.pid, 'SIGKILL');
    // The spares went with it (parent death): the next run starts cold and is exact all the same.
    await waitFor("the spares' removal", () => dirsOf(process.pid).length === 0);
    expect((await sandbox().run('sh', ['-c', 'echo ok'])).stdout).toBe('ok\n');
    await sandbox().run('true');
    const next = forkServer(initBinary());
    expect(next?.pid).not.toBe(server!.pid);
    expect(await spareStarters()).toEqual([next!.pid]);
  });

  it('a cold start is forked there too once the process has a fork server', async () => {
    await sandbox().run('true');
    await sandbox().run('true');
    const server = forkServer(initBinary(), { start: false });
    expect(server).toBeDefined();
    await withEnv('CGBOX_STANDBY', '0', async () => {
      await using box = await sandbox().start('sleep', ['30']);
      expect(parentOf(parentOf(box.pid))).toBe(server!.pid);
      // Its input and environment are the run's own, as a spawned one's.
      const piped = await sandbox().env({ CGBOX_T: 'x' }).run('sh', ['-c', 'echo "$CGBOX_T"; cat'], { input: 'in' });
      expect(piped.stdout).toBe('x\nin');
      expect((await sandbox().run('readlink', ['/proc/self/fd/0'])).stdout).toBe('/dev/null\n');
    });
  });

  it('CGBOX_FORK_SERVER=0 spawns spares and cold starts from Node itself', async () => {
    await withEnv('CGBOX_FORK_SERVER', '0', async () => {
      await releaseStandby();
      await sandbox().run('true');
      await sandbox().run('true');
      expect(await spareStarters()).toEqual([process.pid]);
      await withEnv('CGBOX_STANDBY', '0', async () => {
        await using box = await sandbox().start('sleep', ['30']);
        expect(parentOf(parentOf(box.pid))).toBe(process.pid);
      });
    }).finally(releaseStandby);
  });

  it('CGBOX_STANDBY=0 keeps every run cold', async () => {
    await withEnv('CGBOX_STANDBY', '0', async () => {
      await releaseStandby();
      await sandbox().run('true');
      await sandbox().run('true');
      await sleep(100);
      expect(dirsOf(process.pid)).toEqual([]);
    });
  });
});
