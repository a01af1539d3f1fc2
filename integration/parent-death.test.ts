/**
 * kill -9 of the Node process that runs a sandbox: no process of the sandbox
 * survives, and its cgroups are removed too — by the sandbox's own outer
 * helper, which outlives its parent just long enough to clean up.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { hostCaps } from '../src/host/probe.js';
import { reapCgroups } from '../src/index.js';
import { waitFor } from './wait.js';

const CHILD = fileURLToPath(new URL('./parent-death.child.mjs', import.meta.url));

function runDirs(owner: number): string[] {
  const freezer = hostCaps().v1.freezer ?? hostCaps().v2!;
  const parent = join(freezer.mount, freezer.callerPath);
  return readdirSync(parent).filter((n) => n.startsWith(`cgbox-${owner}-`)).map((n) => join(parent, n));
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('parent death', () => {
  it('kill -9 of the Node process leaves no process of its sandbox alive', async () => {
    const child = spawn(process.execPath, [CHILD], { stdio: ['ignore', 'pipe', 'inherit'] });
    onTestFinished(() => void child.kill('SIGKILL')); // a failing test must not leave it running
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    // "up" is the sandbox's own: printed once both sleeps were started.
    await waitFor("the child's sandbox to say it is up", () => out.includes('up\n'));

    const [dir] = runDirs(child.pid!);
    expect(dir).toBeDefined();
    const pids = readFileSync(join(dir!, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
    expect(pids.length).toBeGreaterThanOrEqual(4); // init, sh, two sleeps

    process.kill(child.pid!, 'SIGKILL');
    await new Promise((r) => child.on('exit', r));
    // Eventually, not at once: the helper that cleans up waits for CPU like everything else.
    await waitFor('every process of the sandbox to be gone', () => !pids.some(alive));
    await waitFor("the sandbox's cgroups to be removed", () => runDirs(child.pid!).length === 0);
    // Nothing was left for a reaper.
    const reaped = await reapCgroups(hostCaps());
    expect(reaped.filter((p) => p.includes(`cgbox-${child.pid}-`))).toEqual([]);
  });
});

describe('a sandbox started from a worker thread', () => {
  it('ends with the thread, and leaves nothing, while the process lives on', async () => {
    const { Worker } = await import('node:worker_threads');
    const { existsSync } = await import('node:fs');
    const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`npm run build\` first (npm test does)`);
    const code = `
      const { sandbox } = await import(${JSON.stringify(dist)});
      const { parentPort } = await import('node:worker_threads');
      // No spare: one being made when the thread is terminated would be cut off halfway, before
      // its helper exists to clean it up (README, How a run works).
      process.env.CGBOX_STANDBY = '0';
      const box = await sandbox().start('sleep', ['30']);
      parentPort.postMessage(box.name);
      await box.result;`;
    // The VM tier runs its files in one process (--no-isolate): a spare an earlier file left in this
    // process's pool is this process's, not the thread's — it is there before and stays after.
    const before = new Set(runDirs(process.pid));
    const worker = new Worker(code, { eval: true, type: 'module' } as never);
    onTestFinished(() => void worker.terminate());
    // Once the command runs (start() resolves at its exec), however long the machine took to get there.
    const name = await new Promise<string>((r) => worker.on('message', r));
    // Its box is there while the thread runs.
    expect(runDirs(process.pid).map((d) => basename(d))).toContain(name);
    await worker.terminate();
    // Its box, and anything else the thread made: what was not there before it started.
    const made = () => runDirs(process.pid).filter((d) => !before.has(d));
    // What stays, for the next one to read: each cgroup's tasks and whether the kernel counts it populated.
    const described = (dirs: string[]) =>
      dirs.map((d) => `${basename(d)}: procs [${readFileSync(join(d, 'cgroup.procs'), 'utf8').trim().split('\n').join(' ')}]${existsSync(join(d, 'cgroup.events')) ? `, ${readFileSync(join(d, 'cgroup.events'), 'utf8').trim().replace(/\n/g, ', ')}` : ''}`);
    await waitFor(`the thread's sandbox ${name} and all else it made to be removed`, () => made().length === 0).catch((e: Error) => {
      throw new Error(`${e.message}; still there: ${described(made()).join('; ') || 'nothing (gone just now)'}`);
    });
  });
});
