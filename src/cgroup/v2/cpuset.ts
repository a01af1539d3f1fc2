/**
 * cpuset on cgroup v2 (Linux 5.0): the CPUs and memory nodes the sandbox may use.
 * Unlike v1, an empty cpuset.cpus/mems inherits the parent's effective set, so
 * nothing has to be written before a task joins; we write mems beside cpus
 * only to make the placement explicit and equal on both drivers.
 */
import { formatCpuList } from '../../spec/units.js';
import { UnsupportedError } from '../../spec/errors.js';
import type { SandboxSpec } from '../../spec/types.js';
import type { HostCaps } from '../../host/types.js';
import { nothing, type Translation, type V2ControllerDef } from './controller.js';

export function cpusetValues(spec: SandboxSpec, caps: HostCaps): Translation {
  if (spec.cpus === undefined || spec.cpus.length === 0) return nothing();
  const cpus = formatCpuList(spec.cpus);
  const offline = spec.cpus.filter((c) => !caps.onlineCpus.includes(c));
  if (caps.onlineCpus.length > 0 && offline.length > 0) {
    throw new UnsupportedError(
      `cpus('${cpus}')`,
      `CPU ${formatCpuList(offline)} is not online; this host's online CPUs are ${formatCpuList(caps.onlineCpus)}`,
    );
  }
  const writes = [{ file: 'cpuset.cpus', value: cpus }];
  if (caps.onlineMems.length > 0) writes.push({ file: 'cpuset.mems', value: formatCpuList(caps.onlineMems) });
  return { writes, limits: { cpus: { value: cpus, enforced: true } } };
}

export const cpuset: V2ControllerDef<'cpuset'> = {
  name: 'cpuset',
  enable: 'needed',
  needed: (spec) => spec.cpus !== undefined && spec.cpus.length > 0,
  values: cpusetValues,
  doctor: { neededBy: '.cpus()', config: 'CONFIG_CPUSETS' },
};
