/**
 * Where sandboxes' cgroups live on a systemd cgroup-v2 host (src/placement/).
 * From the suite's own context (in the VM tier: a Delegate=yes service) the
 * placement nests beneath it. From a context systemd owns and did not
 * delegate (a scope made by `systemd-run --scope`, as a login session's is),
 * a process gets a transient scope of its own with Delegate=yes and the
 * caller's ceilings; a daemon-reload leaves what cgbox wrote there alone; and a
 * kill -9 of that process leaves no unit and no cgroup behind.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { cgroupDir } from '../src/host/caller-context.js';
import { probeCallerContext } from '../src/placement/probe-context.js';
import { acquirePlacement } from '../src/placement/strategies.js';
import type { Placement } from '../src/placement/types.js';
import { requires } from './requires.js';

const CHILD = fileURLToPath(new URL('./placement.child.mjs', import.meta.url));
// Under emulation on a loaded host a node child takes seconds to start (with a TypeScript loader it took 1.5–4 min), a daemon-reload ~6 s.
const SLOW = 600_000;

function systemctlShow(unit: string, ...props: string[]): Record<string, string> {
  const out = execFileSync('systemctl', ['show', unit, ...props.map((p) => `--property=${p}`)], { encoding: 'utf8' });
  return Object.fromEntries(out.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8').trim();

interface ChildReport {
  placement: Placement;
  sandbox: string;
  memoryMax: string;
  /** The probe and the acquire, once per process: what the first run of a process pays. */
  probeMs: number;
  acquireMs: number;
}

/** Runs placement.child.mjs under `systemd-run ARGS`; `next()` is its next line of output. */
function childUnder(args: string[], mode: string[] = []): { child: ChildProcess; next: () => Promise<string> } {
  const child = spawn('systemd-run', [...args, '--', process.execPath, CHILD, ...mode], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  let exited = false;
  child.on('exit', () => (exited = true));
  const next = async () => {
    while (!out.includes('\n')) {
      if (exited) throw new Error(`the child exited before it said more: ${out}`);
      await sleep(50);
    }
    const line = out.slice(0, out.indexOf('\n'));
    out = out.slice(line.length + 1);
    return line;
  };
  return { child, next };
}

const OOM_REPORT = JSON.stringify({ oomKilled: true, signal: 'SIGKILL' });

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

const v2 = requires('cgroup2');

describe.runIf(v2)('placement on a cgroup v2 host', () => {
  it("from this process's own context: nested beneath a delegated cgroup, else a scope of its own", async () => {
    const ctx = probeCallerContext();
    const placement = await acquirePlacement(() => ctx);
    if (ctx.delegatedAt !== undefined) {
      expect(placement.kind).toBe('delegated');
      expect(placement.parent).toBe(cgroupDir(ctx.mount!, ctx.cgroup.replace(/\/cgbox\.leaf$/, '')));
      expect(placement.leaf).toBe(join(placement.parent, 'cgbox.leaf'));
    } else {
      expect(placement.kind).toBe(ctx.systemd ? 'systemd-scope' : 'caller');
    }
    // In the VM tier the suite runs in a Delegate=yes service: systemd marks it so (trusted.delegate).
    if (process.env.CGBOX_VM_TIER) expect(ctx).toMatchObject({ systemd: true, delegatedAt: ctx.cgroup.replace(/\/cgbox\.leaf$/, '') });
    expect(await acquirePlacement()).toBe(placement); // once per process
  });

  const systemd = probeCallerContext().systemd;
  if (v2 && !systemd) console.warn('⚠ cgbox: placement.test.ts: no systemd on this host — the transient scope tests are SKIPPED, not passed');

  it.runIf(systemd)(
    "under a scope systemd owns (sudo in a login session): a Delegate=yes scope of its own with the caller's ceilings; an OOM kill there leaves the caller's unit running; kept across daemon-reload; gone after kill -9",
    async () => {
      const callerUnit = `cgbox-test-caller-${process.pid}.scope`;
      const { child, next } = childUnder(['--scope', '--quiet', `--unit=${callerUnit}`, '-p', 'MemoryMax=512M', '-p', 'TasksMax=300', '-p', 'CPUQuota=33.34%']);
      const report = JSON.parse(await next()) as ChildReport;
      const { placement, sandbox, memoryMax } = report;
      console.log(`placement: ${placement.describe} (probe ${report.probeMs} ms, acquire ${report.acquireMs} ms)`);
      expect(placement.kind).toBe('systemd-scope');
      const scope = placement.parent;
      const unit = scope.split('/').pop()!;
      expect(unit).toMatch(new RegExp(`^cgbox-${child.pid}-[0-9a-f]{6}\\.scope$`));
      // Beside the caller's scope, not beneath it.
      expect(existsSync(join(cgroupDir(probeCallerContext().mount!, '/')!, 'system.slice', unit))).toBe(true);
      expect(placement.describe).toContain(callerUnit);

      const props = systemctlShow(unit, 'Delegate', 'CollectMode', 'OOMPolicy', 'MemoryMax', 'TasksMax', 'Description', 'ActiveState');
      expect(props).toMatchObject({ Delegate: 'yes', CollectMode: 'inactive-or-failed', OOMPolicy: 'continue', MemoryMax: '536870912', TasksMax: '300', ActiveState: 'active' });
      expect(props.Description).toContain(String(child.pid));
      // The ceilings as the kernel holds them: 33.34 % of a CPU is 33340 µs per 100 ms.
      expect({ memory: read(scope, 'memory.max'), pids: read(scope, 'pids.max'), cpu: read(scope, 'cpu.max') }).toEqual({ memory: '536870912', pids: '300', cpu: '33340 100000' });
      // The holder sits in the leaf; the scope hands its controllers to its children.
      expect(read(scope, 'cgroup.procs')).toBe('');
      expect(read(join(scope, 'cgbox.leaf'), 'cgroup.procs').split('\n')).toHaveLength(1);
      expect(read(scope, 'cgroup.subtree_control').split(' ')).toEqual(expect.arrayContaining(['cpu', 'memory', 'pids']));
      expect(memoryMax).toBe(String(64 * 2 ** 20));

      // A sandbox OOM-killed in the scope: systemd would stop a unit it sat beneath (OOMPolicy=stop), and SIGTERM the caller.
      child.stdin!.write('oom\n');
      expect(await next()).toBe(OOM_REPORT);
      expect(systemctlShow(callerUnit, 'ActiveState', 'Result')).toEqual({ ActiveState: 'active', Result: 'success' });
      expect(systemctlShow(unit, 'ActiveState').ActiveState).toBe('active');
      expect(child.exitCode).toBeNull();

      execFileSync('systemctl', ['daemon-reload']);
      expect(read(scope, 'cgroup.subtree_control').split(' ')).toEqual(expect.arrayContaining(['cpu', 'memory', 'pids']));
      expect(read(sandbox, 'memory.max')).toBe(String(64 * 2 ** 20));

      process.kill(child.pid!, 'SIGKILL');
      await new Promise((r) => child.on('exit', r));
      for (let i = 0; i < 200 && (existsSync(scope) || systemctlShow(unit, 'LoadState').LoadState !== 'not-found'); i++) await sleep(100);
      expect(existsSync(scope)).toBe(false);
      expect(systemctlShow(unit, 'LoadState').LoadState).toBe('not-found');
      expect(systemctlShow(callerUnit, 'LoadState').LoadState).toBe('not-found');
    },
    SLOW,
  );

  it.runIf(systemd)(
    'from a plain service (a CI runner): an OOM kill in a sandbox does not stop the service',
    async () => {
      const unit = `cgbox-test-oom-${process.pid}.service`;
      const { child, next } = childUnder(['--wait', '--pipe', '--quiet', '--same-dir', `--unit=${unit}`], ['oom']);
      const exited = new Promise((r) => child.on('exit', (code) => r(code)));
      expect(await next()).toBe(OOM_REPORT);
      // systemd-run --wait exits with the service's status: 0, not the end of a stop.
      expect(await exited).toBe(0);
      const after = systemctlShow(unit, 'LoadState', 'Result');
      expect(after.LoadState === 'not-found' || after.Result !== 'oom-kill').toBe(true);
    },
    SLOW,
  );
});
