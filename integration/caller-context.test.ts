/**
 * Wherever the test runner lives — a unit with Delegate=yes, a scope or a
 * service systemd did not delegate (a login shell's `systemd-run --scope`, a CI
 * runner's service), a container — a sandbox OOM-killed must not cost the
 * runner: on a cgroup-v2 systemd host, a unit that is not delegated has
 * OOMPolicy=stop, and an OOM kill anywhere beneath it makes systemd stop the
 * whole unit (the runner gets SIGTERM). So sandboxes' cgroups may sit beneath
 * a unit only if that unit is delegated (beside it, in a scope of their own,
 * otherwise), and a runner sees no SIGTERM after a sandbox's OOM kill.
 *
 * The VM tier runs this file from each caller context (integration/vm/
 * contexts/), and checks the unit's Result and the journal from outside too.
 * Where no systemd runs the host (these development hosts, a container), no
 * unit can be stopped and the unit checks have nothing to look at: they say so.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandbox } from '../src/index.js';
import { doctor, probeTools } from '../src/doctor/doctor.js';
import { probeHost } from '../src/host/probe.js';
import { formatChecks } from '../src/cli/doctor-command.js';
import { fixture } from './fixtures.js';

const systemdHost = existsSync('/run/systemd/system');

/** The innermost systemd unit in each cgroup path of /proc/PID/cgroup (v2's line, v1's hierarchies). */
function unitsOf(pid: number | 'self'): string[] {
  const units = readFileSync(`/proc/${pid}/cgroup`, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(':').slice(2).join(':').split('/').filter((p) => /\.(service|scope)$/.test(p)).pop())
    .filter((u): u is string => u !== undefined);
  return [...new Set(units)];
}

function unitProps(unit: string): Record<string, string> {
  const out = execFileSync('systemctl', ['show', '-p', 'ActiveState,Result,Delegate,OOMPolicy', unit], { encoding: 'utf8' });
  return Object.fromEntries(out.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

/**
 * The runner's own unit: the VM tier's runner names it (cgbox may have moved this process since,
 * into a leaf of its own); elsewhere, the innermost unit this process is in.
 */
function runnerUnit(): string | undefined {
  return process.env.CGBOX_VM_RUNNER_UNIT || unitsOf('self').pop();
}

describe('the caller context', () => {
  let sigterms = 0;
  const onTerm = () => {
    sigterms++;
  };
  beforeAll(() => {
    process.on('SIGTERM', onTerm);
    // What cgbox makes of this place (where sandboxes will live), for whoever reads the log.
    const where = process.env.CGBOX_VM_CONTEXT ? `the VM tier's ${process.env.CGBOX_VM_CONTEXT} context` : 'this host';
    console.log(`cgbox doctor, from ${where}, runner unit ${runnerUnit() ?? 'none'}:\n${formatChecks(doctor(probeHost(), probeTools()))}`);
  });
  afterAll(() => {
    process.off('SIGTERM', onTerm);
  });

  it("a sandbox's OOM kill leaves the test runner alone: no SIGTERM, and its unit still running", async () => {
    const unit = systemdHost ? runnerUnit() : undefined;
    const r = await sandbox().memory('32m').run(fixture('alloc'), ['64']);
    expect(r.oomKilled).toBe(true);
    expect(r.signal).toBe('SIGKILL');
    // systemd acts on the unit's memory.events as soon as the kernel bumps oom_kill: a stop would
    // come within milliseconds (seconds under emulation). Watch for 3 s.
    for (const until = Date.now() + 3000; Date.now() < until && sigterms === 0; ) {
      if (unit && unitProps(unit).ActiveState !== 'active') break;
      await sleep(200);
    }
    expect(sigterms, 'SIGTERMs this process received after the OOM kill').toBe(0);
    if (unit) {
      // Where systemd runs the host: the runner's unit is still running, not stopped for 'oom-kill'.
      expect(unitProps(unit)).toMatchObject({ ActiveState: 'active', Result: 'success' });
    } else {
      console.log(`caller-context: no systemd unit above this runner (${systemdHost ? 'none in /proc/self/cgroup' : 'no systemd on this host'}): nothing can stop one`);
    }
  });

  it('the sandbox sees its own 64m limit in its cgroupfs, and the limit is enforced', async () => {
    const v2 = existsSync('/sys/fs/cgroup/cgroup.controllers');
    const file = v2 ? '/sys/fs/cgroup/memory.max' : '/sys/fs/cgroup/memory/memory.limit_in_bytes';
    const r = await sandbox().memory('64m').run('cat', [file]);
    expect([r.exitCode, r.stdout.trim()]).toEqual([0, String(64 * 2 ** 20)]);
    expect(r.limits.memory).toMatchObject({ value: 64 * 2 ** 20, enforced: true });
  });

  it('a started box keeps its limit across systemctl daemon-reload', async () => {
    if (!systemdHost) {
      console.log('caller-context: no systemd on this host: there is no daemon to reload');
      return;
    }
    const v2 = existsSync('/sys/fs/cgroup/cgroup.controllers');
    const file = v2 ? '/sys/fs/cgroup/memory.max' : '/sys/fs/cgroup/memory/memory.limit_in_bytes';
    const box = await sandbox().memory('64m').start('sleep', ['60']);
    try {
      const where = readFileSync(`/proc/${box.pid}/cgroup`, 'utf8');
      execFileSync('systemctl', ['daemon-reload'], { timeout: 120_000 });
      expect((await box.exec('cat', [file])).stdout.trim()).toBe(String(64 * 2 ** 20));
      expect(readFileSync(`/proc/${box.pid}/cgroup`, 'utf8')).toBe(where);
      // And it still holds: an allocation past it is killed inside the box.
      const over = await box.exec(fixture('alloc'), ['96']);
      expect(over.signal).toBe('SIGKILL');
    } finally {
      await box.stop({ signal: 'SIGKILL' });
    }
  }, 180_000);

  it('a sandbox lives beneath a unit only if that unit is delegated', async () => {
    const box = await sandbox().start('sleep', ['30']);
    try {
      const units = unitsOf(box.pid);
      if (!systemdHost) {
        console.log(`caller-context: no systemd on this host: the sandbox's cgroups (${units.join(', ') || 'no unit in their paths'}) are no unit's`);
        return;
      }
      // Every unit the sandbox's cgroups sit in hands its subtree over (Delegate=yes), so that
      // systemd's OOMPolicy there is 'continue' and an OOM kill stays the sandbox's own affair.
      expect(units.length, `the sandbox's cgroups ${readFileSync(`/proc/${box.pid}/cgroup`, 'utf8').trim()}`).toBeGreaterThan(0);
      for (const unit of units) {
        const props = unitProps(unit);
        expect(props.Delegate, `Delegate= of ${unit}, which holds the sandbox's cgroup`).toBe('yes');
        expect(props.OOMPolicy, `OOMPolicy= of ${unit}, which holds the sandbox's cgroup`).toBe('continue');
      }
    } finally {
      await box.stop({ signal: 'SIGKILL' });
    }
  });
});
