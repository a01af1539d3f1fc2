/**
 * The shape of one v2 controller, in containerd's manner: the (file, value)
 * writes for the sandbox's directory, in order, and the report of each limit
 * they apply — pure data — beside its share of the usage report and what
 * `cgbox doctor` says of it. The driver only iterates the list
 * (controllers.ts); adding a controller is one file and one entry there.
 */
import type { HostCaps } from '../../host/types.js';
import type { Limits } from '../../report/types.js';
import type { SandboxSpec } from '../../spec/types.js';
import type { CgroupWrite, ControllerDoctorFacts, CurrentUsage, UsagePart } from '../types.js';

export interface Translation {
  writes: CgroupWrite[];
  limits: Limits;
}

/** A controller the spec does not limit: no writes, no limits. */
export function nothing(): Translation {
  return { writes: [], limits: {} };
}

export interface V2ControllerDef<N extends string = string> {
  /** Its name in cgroup.controllers and cgroup.subtree_control. */
  name: N;
  /**
   * 'always': every run enables it (the report reads its files), so the parent must offer it;
   * 'offered': enabled wherever the parent offers it, required only when the spec needs it;
   * 'needed': enabled only when the spec needs it.
   */
  enable: 'always' | 'offered' | 'needed';
  /** Whether this run's spec limits it. */
  needed(spec: SandboxSpec): boolean;
  /** Pure translation: spec + host → writes and limit reports. Throws UnsupportedError. */
  values(spec: SandboxSpec, caps: HostCaps): Translation;
  /** Its share of the report, read from the sandbox's directory once the run is over. */
  usage?(dir: string): Promise<UsagePart>;
  /** Its share of what is in use right now, cheap enough for every sample. */
  current?(dir: string): Promise<Partial<CurrentUsage>>;
  doctor: ControllerDoctorFacts;
}
