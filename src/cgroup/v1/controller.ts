/**
 * The shape of one v1 controller, everything cgbox knows of it in one place:
 * which runs need it, its pure translation to writes, its share of the report,
 * and what `cgbox doctor` says of it. The driver only iterates the list
 * (controllers.ts); adding a controller is one file and one entry there.
 */
import type { HostCaps } from '../../host/types.js';
import type { SandboxSpec } from '../../spec/types.js';
import type { Limits } from '../../report/types.js';
import type { CgroupWrite, ControllerDoctorFacts, CurrentUsage, UsagePart } from '../types.js';

export interface V1ControllerDef<N extends string = string> {
  /** The controller's name as the kernel spells it; its hierarchy is where caps.v1[name] is mounted. */
  name: N;
  /** Whether this run needs a directory in the controller's hierarchy. */
  needed(spec: SandboxSpec): boolean;
  /** The writes, in the order the kernel needs them. Throws UnsupportedError. */
  writes(spec: SandboxSpec, caps: HostCaps): CgroupWrite[];
  limits(spec: SandboxSpec, caps: HostCaps): Limits;
  /** Its share of the report, read from the run's directory in its hierarchy once the run is over. */
  usage?(dir: string): Promise<UsagePart>;
  /** Its share of what is in use right now, cheap enough for every sample. */
  current?(dir: string): Promise<Partial<CurrentUsage>>;
  doctor: ControllerDoctorFacts;
}
