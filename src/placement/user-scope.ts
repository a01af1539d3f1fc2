/**
 * A normal user's sandboxes, from a login session: the caller moves itself
 * into a transient scope of the user's own systemd manager (user@UID.service),
 * with Delegate=yes. The session's scope (session-N.scope) is root's, and so
 * is user-UID.slice above both: cgroup v2 lets a process move another between
 * two cgroups only with write access to their common ancestor, so no sandbox
 * init started from the session could join a cgroup of the user's manager.
 * Started from inside the user's delegated scope, it can. The user's manager,
 * asked with StartTransientUnit and this process's pid (as podman asks it for
 * its own), has the system manager move the process across
 * (AttachProcessesToUnit, systemd 240). busctl comes with systemd: no D-Bus
 * library. The scope ends with this process.
 *
 * Where the caller already runs under user@UID.service (a desktop terminal's
 * scope, `systemd-run --user`), the holder path of systemd-scope.ts serves,
 * as for root: sandboxes' inits can move across there.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { runTool } from '../host/run-tool.js';
import { SetupError } from '../spec/errors.js';
import type { Ceilings } from './ceilings.js';

/** StartTransientUnit's properties as busctl takes them: NAME SIGNATURE VALUE…, a(sv). */
export function adoptProperties(description: string, ceilings: Ceilings, pid: number, oomPolicy: boolean): string[][] {
  return [
    ['PIDs', 'au', '1', String(pid)],
    ['Delegate', 'b', 'true'],
    ['CollectMode', 's', 'inactive-or-failed'],
    ...(oomPolicy ? [['OOMPolicy', 's', 'continue']] : []),
    ['Description', 's', description],
    ...(ceilings.memory ? [['MemoryMax', 't', String(ceilings.memory.value)]] : []),
    ...(ceilings.swap ? [['MemorySwapMax', 't', String(ceilings.swap.value)]] : []),
    ...(ceilings.tasks ? [['TasksMax', 't', String(Math.max(1, ceilings.tasks.value))]] : []),
    ...(ceilings.cpuPerSecUs ? [['CPUQuotaPerSecUSec', 't', String(Math.ceil(ceilings.cpuPerSecUs.value))]] : []),
  ];
}

/** busctl's arguments: StartTransientUnit(name, mode, properties, aux) on the user's manager. */
export function adoptCommand(unit: string, properties: readonly string[][]): string[] {
  return [
    '--user', 'call', 'org.freedesktop.systemd1', '/org/freedesktop/systemd1', 'org.freedesktop.systemd1.Manager', 'StartTransientUnit',
    'ssa(sv)a(sa(sv))', unit, 'fail', String(properties.length), ...properties.flat(), '0',
  ];
}

function ownCgroup(): string {
  return /^0::(.*)$/m.exec(readFileSync('/proc/self/cgroup', 'utf8'))?.[1] ?? '';
}

const READY_TIMEOUT_MS = 30_000;

async function unitState(unit: string): Promise<string> {
  const r = await runTool('systemctl', ['--user', 'show', '-p', 'ActiveState', '-p', 'Result', unit]);
  return r.stdout.trim().replace(/\n/g, ', ');
}

/** Asks the user's manager for `unit` with this process in it; resolves with its cgroup path once this process is there. */
export async function adoptIntoScope(unit: string, description: string, ceilings: Ceilings): Promise<string> {
  let r = await runTool('busctl', adoptCommand(unit, adoptProperties(description, ceilings, process.pid, true)));
  // A manager that does not know OOMPolicy= for scopes (before systemd 253) refuses the whole call: again without.
  if (r.code !== 0 && /OOMPolicy/.test(r.stderr)) r = await runTool('busctl', adoptCommand(unit, adoptProperties(description, ceilings, process.pid, false)));
  if (r.code !== 0) {
    const said = r.code === 127 ? 'busctl was not found (it comes with systemd)' : `busctl exited with ${r.code}: ${r.stderr.trim()}`;
    throw new SetupError('placement', `asking the user's systemd manager for the transient scope ${unit} with this process in it: ${said}`);
  }
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (let wait = 1, checked = Date.now(); ; wait = Math.min(wait * 2, 20)) {
    const path = ownCgroup();
    if (path.endsWith(`/${unit}`)) return path;
    // The job failed (the move was refused): its unit says so; checked now and then, not at every poll.
    if (Date.now() - checked > 2000) {
      checked = Date.now();
      const state = await unitState(unit);
      if (/ActiveState=(failed|inactive)/.test(state)) throw new SetupError('placement', `the user's systemd manager did not move this process into ${unit} (${state}); see journalctl --user -u ${unit}`);
    }
    if (Date.now() > deadline) throw new SetupError('placement', `the user's systemd manager did not move this process into ${unit} within ${READY_TIMEOUT_MS / 1000} s (${await unitState(unit)})`);
    await sleep(wait);
  }
}
