/** The shape of one v1 controller: which runs need it, and its pure translation. */
import type { HostCaps, V1Controller } from '../../host/types.js';
import type { SandboxSpec } from '../../spec/types.js';
import type { Limits } from '../../report/types.js';
import type { CgroupWrite } from '../types.js';

export interface V1ControllerDef {
  name: V1Controller;
  /** Whether this run needs a directory in the controller's hierarchy. */
  needed(spec: SandboxSpec): boolean;
  /** The writes, in the order the kernel needs them. Throws UnsupportedError. */
  writes(spec: SandboxSpec, caps: HostCaps): CgroupWrite[];
  limits(spec: SandboxSpec, caps: HostCaps): Limits;
}
