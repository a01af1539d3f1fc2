import type { Limits } from '../../report/types.js';
import { formatCpuList } from '../../spec/units.js';
import type { V1ControllerDef } from './controller.js';

/** A v1 cpuset child starts empty: both cpus and mems must be written before a task may join (else ENOSPC). */
export const cpuset: V1ControllerDef<'cpuset'> = {
  name: 'cpuset',
  needed: (spec) => spec.cpus !== undefined,
  writes: (spec, caps) =>
    spec.cpus
      ? [
          { file: 'cpuset.cpus', value: formatCpuList(spec.cpus) },
          { file: 'cpuset.mems', value: formatCpuList(caps.onlineMems) },
        ]
      : [],
  limits: (spec): Limits => (spec.cpus ? { cpus: { value: formatCpuList(spec.cpus), enforced: true } } : {}),
  doctor: { neededBy: '.cpus()', config: 'CONFIG_CPUSETS' },
};
