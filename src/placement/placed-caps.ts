/**
 * The host's capabilities with the v2 hierarchy's nesting point moved to where
 * the placement puts sandboxes: the v2 driver, the reaper and the spare pool
 * all nest at caps.v2.callerPath, and check the controllers offered there.
 * Once per placement (strategies.ts caches it per process).
 */
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { faultPoint } from '../host/faults.js';
import { hostCaps } from '../host/probe.js';
import type { HostCaps } from '../host/types.js';
import { SetupError } from '../spec/errors.js';
import { acquirePlacement } from './strategies.js';
import type { Placement } from './types.js';

let memo: { placement: Placement; caps: HostCaps } | undefined;

export function capsAt(caps: HostCaps, placement: Placement): HostCaps {
  const v2 = caps.v2!;
  const rel = posix.relative(v2.mount, placement.parent);
  if (rel.startsWith('..')) throw new SetupError('placement', `${placement.parent} is not under the cgroup2 mount ${v2.mount}`);
  let controllers: string[];
  try {
    controllers = readFileSync(posix.join(placement.parent, 'cgroup.controllers'), 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch (e) {
    throw new SetupError('placement', `reading ${placement.parent}/cgroup.controllers: ${(e as Error).message}`, { cause: e });
  }
  return { ...caps, v2: { ...v2, callerPath: `/${rel}`, controllers } };
}

/** hostCaps(), placed: on a cgroup v2 host, where this process's placement nests sandboxes. */
export async function placedCaps(): Promise<HostCaps> {
  faultPoint('placement');
  const caps = hostCaps();
  if (caps.driver !== 2 || caps.v2 === undefined) return caps;
  const placement = await acquirePlacement();
  if (memo?.placement !== placement) memo = { placement, caps: capsAt(caps, placement) };
  return memo.caps;
}
