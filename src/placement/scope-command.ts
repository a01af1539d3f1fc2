/**
 * The transient scope, as systemd-run is asked for it: Delegate=yes (the
 * subtree is ours to write), the caller's ceilings, OOMPolicy=continue (a
 * sandbox's OOM kill is its own result, not the scope's failure),
 * CollectMode=inactive-or-failed (no unit lingers after it ends), in the slice
 * beside the caller's unit. Pure: src/placement/scope-holder.ts runs it.
 *
 * Measured on Debian 12 (systemd 252.39): an OOM kill beneath a scope that
 * is not delegated fails it with result 'oom-kill' and SIGTERMs its processes,
 * as for a service (DefaultOOMPolicy=stop); a scope with Delegate=yes shows
 * OOMPolicy=continue without being told, and systemd-run accepts OOMPolicy=
 * for a scope (runc sets it on scopes only from systemd 253 on). It is set
 * here all the same, as the intent. A systemd-run that does not know it for
 * scopes refuses the assignment: the command is then made again without it.
 */
import { randomBytes } from 'node:crypto';

/** The manager to ask: the system's (root), or a user's own (rootless, the bus at $XDG_RUNTIME_DIR/bus). */
export type ScopeManager = 'system' | 'user';

export interface ScopeRequest {
  readonly manager: ScopeManager;
  readonly unit: string;
  /** The slice beside the caller's unit (user-1000.slice, system.slice); absent: the manager's default. */
  readonly slice?: string;
  readonly description: string;
  /** Ceilings as NAME=VALUE (ceilings.ts). */
  readonly properties: readonly string[];
  readonly oomPolicy: boolean;
  /** The holder's command: the scope lives as long as it does (scope-holder.ts). */
  readonly holder: readonly string[];
}

/**
 * cgbox-<pid>-<random>.scope: the owner's pid for a person reading
 * systemctl; the random part so that a unit of an earlier process with the
 * same pid cannot clash. The suffix keeps it out of the run reaper's names.
 */
export function scopeUnitName(pid = process.pid): string {
  return `cgbox-${pid}-${randomBytes(3).toString('hex')}.scope`;
}

export function scopeCommand(r: ScopeRequest): string[] {
  return [
    ...(r.manager === 'user' ? ['--user'] : []),
    '--scope',
    '--quiet',
    `--unit=${r.unit}`,
    `--description=${r.description}`,
    ...(r.slice ? [`--slice=${r.slice}`] : []),
    '--property=Delegate=yes',
    '--property=CollectMode=inactive-or-failed',
    ...(r.oomPolicy ? ['--property=OOMPolicy=continue'] : []),
    ...r.properties.map((p) => `--property=${p}`),
    '--',
    ...r.holder,
  ];
}

/** systemd-run's refusal of OOMPolicy= on a scope (before it was supported there): retry without. */
export function refusedOomPolicy(stderr: string): boolean {
  return /OOMPolicy/.test(stderr);
}
