/** The host's side of rootless.ts: its facts, probed once per process, and the refusals thrown. */
import { hostCaps } from '../host/probe.js';
import { usernsUnavailable } from '../launch/userns.js';
import { probeCallerContext } from '../placement/probe-context.js';
import { chooseStrategy } from '../placement/strategies.js';
import type { SandboxSpec } from '../spec/types.js';
import { rootlessRefusal, undelegatedRefusal, type RootlessFacts } from './rootless.js';

let facts: RootlessFacts | undefined;

function rootlessFacts(): RootlessFacts {
  if (facts) return facts;
  const why = usernsUnavailable();
  facts = { driver: hostCaps().driver, placement: chooseStrategy(probeCallerContext()).name, ...(why ? { usernsOff: why } : {}) };
  return facts;
}

export function checkRootless(spec: SandboxSpec): void {
  const refused = rootlessRefusal(spec, rootlessFacts());
  if (refused) throw refused;
}

export function checkDelegated(spec: SandboxSpec, controllers: readonly string[]): void {
  const refused = undelegatedRefusal(spec, controllers);
  if (refused) throw refused;
}
