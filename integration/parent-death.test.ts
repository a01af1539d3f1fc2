/**
 * kill -9 of the Node process that runs a sandbox: no process of the sandbox
 * survives, and its cgroups are removed too — by the sandbox's own outer
 * helper, which outlives its parent just long enough to clean up.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hostCaps } from '../src/host/probe.js';
import { reapCgroups } from '../src/index.js';

const CHILD = fileURLToPath(new URL('./parent-death.child.ts', import.meta.url));

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
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    for (let i = 0; i < 200 && !out.includes('running'); i++) await sleep(25);
    expect(out).toContain('running');

    const [dir] = runDirs(child.pid!);
    expect(dir).toBeDefined();
    const pids = readFileSync(join(dir!, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
    expect(pids.length).toBeGreaterThanOrEqual(4); // init, sh, two sleeps

    process.kill(child.pid!, 'SIGKILL');
    await new Promise((r) => child.on('exit', r));
    for (let i = 0; i < 100 && pids.some(alive); i++) await sleep(20);
    expect(pids.filter(alive)).toEqual([]);

    for (let i = 0; i < 100 && runDirs(child.pid!).length; i++) await sleep(20);
    expect(runDirs(child.pid!)).toEqual([]);
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
      sandbox().run('sleep', ['30']);
      setTimeout(() => parentPort.postMessage('started'), 300);`;
    const worker = new Worker(code, { eval: true, type: 'module' } as never);
    await new Promise((r) => worker.on('message', r));
    expect(runDirs(process.pid).length).toBe(1);
    await worker.terminate();
    for (let i = 0; i < 100 && runDirs(process.pid).length; i++) await sleep(20);
    expect(runDirs(process.pid)).toEqual([]);
  });
});
