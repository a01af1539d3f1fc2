/**
 * What only a real cgroup v2 kernel shows: the no-internal-process rule met
 * (processes moved into cgbox.leaf), buffered writeback throttled by io.max,
 * cgroup.kill, a named parent that holds processes refused with the rule
 * explained, and `cgbox doctor` reading the host right. The limits and the
 * report (memory, swap, cpu, pids, io) are the core's own tests, which the VM
 * tier runs on v2 as on v1. Left to the VM tier on a v1 host.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { SetupError, sandbox } from '../src/index.js';
import { hostCaps, probeHost } from '../src/host/probe.js';
import { doctor, essentialsPass, probeTools } from '../src/doctor/doctor.js';
import { formatChecks } from '../src/cli/doctor-command.js';
import { killCgroup } from '../src/cgroup/v2/kill.js';
import { resolveBlockDevice } from '../src/host/block-device.js';
import { requires } from './requires.js';
import { MiB } from './fixtures.js';

const FILE = `/var/tmp/cgbox-test-v2-${process.pid}`;
// Buffered writeback to the host's disk: /var/tmp is the sandbox's own tmpfs unless made writable.
const procsIn = (dir: string) => readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);

describe.runIf(requires('cgroup2'))('cgroup v2 for real', () => {
  const caps = hostCaps();
  const v2 = caps.v2!;
  const parent = join(v2.mount, v2.callerPath);
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const undo of cleanups.splice(0).reverse()) undo();
    rmSync(FILE, { force: true });
  });

  it("moves the caller's cgroup's processes into cgbox.leaf, so that it may enable controllers", async () => {
    const r = await sandbox().memory('64m').run('cat', ['/proc/self/cgroup']);
    expect(r.exitCode).toBe(0);
    // This process, and everything that started it (the test runner, the job's shell), now sit in the leaf…
    expect(readFileSync('/proc/self/cgroup', 'utf8')).toMatch(new RegExp(`^0::${v2.callerPath === '/' ? '' : v2.callerPath}/cgbox\\.leaf$`, 'm'));
    expect(procsIn(join(parent, 'cgbox.leaf'))).toContain(process.pid);
    // …the cgroup itself holds none, and has the controllers on for its children.
    expect(procsIn(parent)).toEqual([]);
    const enabled = readFileSync(join(parent, 'cgroup.subtree_control'), 'utf8').trim().split(' ');
    expect(enabled).toEqual(expect.arrayContaining(['cpu', 'memory', 'pids']));
    // A process started from here nests its sandboxes beside the leaf, not in it.
    expect(probeHost().v2?.callerPath).toBe(v2.callerPath);
  });

  it('buffered writes are throttled too: writeback is charged to the sandbox, and limits say so', async () => {
    const disk = resolveBlockDevice('/var/tmp');
    // 4 MiB into the page cache at once, then sync(2): the kernel's flusher writes the pages back,
    // as the sandbox's cgroup (the memory controller tracks who dirtied them), at 1 MiB/s.
    const r = await sandbox()
      .writable('/var/tmp')
      .bps('/var/tmp', { write: '1m' })
      .run('sh', ['-c', `dd if=/dev/zero of=${FILE} bs=1M count=4 status=none && sync`]);
    expect(r.exitCode).toBe(0);
    expect(r.durationMs).toBeGreaterThan(2500); // v1: well under a second — the kworkers escape blkio
    expect(r.usage.io.devices[`${disk.major}:${disk.minor}`]?.writeBytes).toBeGreaterThanOrEqual(4 * MiB);
    expect(r.limits.bps).toMatchObject({ enforced: true });
    expect(r.limits.bps?.reason).toMatch(/buffered writeback too/);
  });

  it('cgroup.kill ends every task at once, even of a tree that keeps forking', async () => {
    // A cgroup of our own beside the sandboxes, named as a run so that a leftover would be caught.
    const dir = join(parent, `cgbox-${process.pid}-c0ffee00`);
    mkdirSync(dir);
    cleanups.push(() => rmdirSync(dir));
    const child = spawn('sh', ['-c', `echo $$ > ${dir}/cgroup.procs && while :; do sleep 30 & done`], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    for (let i = 0; i < 200 && procsIn(dir).length < 20; i++) await sleep(25);
    expect(procsIn(dir).length).toBeGreaterThanOrEqual(20);
    await killCgroup(dir);
    expect(await exited).toBeDefined();
    for (let i = 0; i < 100 && procsIn(dir).length > 0; i++) await sleep(20);
    expect(procsIn(dir)).toEqual([]);
    expect(readFileSync(join(dir, 'cgroup.events'), 'utf8')).toMatch(/^populated 0$/m);
  });

  it('a timeout escalates to cgroup.kill when SIGTERM is ignored', async () => {
    // "ready" once the trap is set: under emulation a shell takes a while to get there.
    const script = 'trap "" TERM; echo ready; sleep 30 & sleep 30 & wait';
    const r = await sandbox().timeout('3s', { grace: '300ms' }).run('sh', ['-c', script]);
    expect(r.stdout).toBe('ready\n');
    expect(r).toMatchObject({ timedOut: true, signal: 'SIGKILL', exitCode: null });
  });

  it('a parent named with .cgroupParent() that holds a process is refused, with the rule explained', async () => {
    const name = `cgbox-${process.pid}-beef0001`;
    const dir = join(parent, name);
    mkdirSync(dir);
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    cleanups.push(() => rmdirSync(dir));
    cleanups.push(() => sleeper.kill('SIGKILL'));
    writeFileSync(join(dir, 'cgroup.procs'), String(sleeper.pid));
    const err = await sandbox().cgroupParent(join(v2.callerPath, name)).run('true').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SetupError);
    expect((err as Error).message).toMatch(/only while it holds no process of its own; .* holds pids \d+: move them into a child cgroup/);
    expect(procsIn(dir)).toEqual([sleeper.pid]); // a parent the user named is never emptied by cgbox
    sleeper.kill('SIGKILL');
    for (let i = 0; i < 100 && procsIn(dir).length > 0; i++) await sleep(20);
  });

  it('cgbox doctor reports cgroup v2 with every controller, swap accounting, cgroup.kill and the nesting', () => {
    const checks = doctor(probeHost(), probeTools());
    console.log(`cgbox doctor in the VM:\n${formatChecks(checks)}`);
    expect(essentialsPass(checks)).toBe(true);
    const get = (f: string) => checks.find((c) => c.feature === f);
    expect(get('cgroup mode')?.detail).toMatch(/^v2 \(unified at \/sys\/fs\/cgroup\); cgbox uses its v2 driver/);
    for (const c of ['cpu', 'cpuset', 'memory', 'pids', 'io']) expect(get(`${c} controller (v2)`)?.ok).toBe(true);
    expect(get('swap accounting')?.ok).toBe(true);
    expect(get('cgroup.kill')?.ok).toBe(true);
    expect(get('memory.peak')?.ok).toBe(true);
    expect(get('nesting (v2)')?.detail).toMatch(/cgbox\.leaf/);
  });
});
