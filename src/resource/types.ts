/**
 * A host resource a sandbox may need beside its cgroups — a network
 * namespace with a veth, a volume — made before the command starts and
 * removed after it ends. Each backend (src/net/, src/volume/) implements this.
 */
import type { HostCaps } from '../host/types.js';
import type { MountRequest } from '../launch/spawn.js';
import type { Limits, Usage } from '../report/types.js';
import type { BlockDevice, SandboxSpec } from '../spec/types.js';
import type { Teardown } from './teardown.js';

export interface ResourceContext {
  spec: SandboxSpec;
  caps: HostCaps;
  /** The run's name, cgbox-<pid>-<id>: every host object it makes carries it, for the reaper. */
  name: string;
  /** Push each undo as soon as its object exists: a failure halfway then removes exactly what was made. */
  teardown: Teardown;
}

/** What a resource asks of the sandbox's init, and what it adds to the report. */
export interface AttachedResource {
  /** Join this network namespace instead of making an empty one. */
  netns?: string;
  mounts?: MountRequest[];
  rootfs?: string;
  /** Block devices it made, by the name a spec may use for them (e.g. 'volume' for .iops('volume', n)). */
  devices?: Record<string, BlockDevice>;
  limits?: Limits;
  /** Read once the command has ended, before teardown. */
  usage?(): Promise<Partial<Pick<Usage, 'net' | 'volume'>>>;
}

export interface ResourceDriver {
  readonly name: string;
  wanted(spec: SandboxSpec): boolean;
  /** Refuses what the host cannot do, before anything exists (throws UnsupportedError and the like). */
  check?(spec: SandboxSpec, caps: HostCaps): void;
  setup(ctx: ResourceContext): Promise<AttachedResource>;
  /**
   * Removes what runs of dead owners left (named cgbox-<owner pid>-…; `all`:
   * of live owners too). Returns a line per object removed.
   */
  reap?(opts: { all: boolean }): Promise<string[]>;
}
