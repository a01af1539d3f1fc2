/**
 * Timeline samples of a running sandbox: CPU so far, memory now, tasks now,
 * every interval, from the moment the command starts to the moment it ends.
 */
import type { CgroupDriver, CgroupPlan } from '../cgroup/types.js';
import type { Sample } from '../report/types.js';

export interface Sampler {
  /** Stops sampling (the cgroup empties as the run ends, so no sample is taken after). */
  stop(): Promise<Sample[]>;
}

export function startSampler(driver: CgroupDriver, plan: CgroupPlan, intervalUs: number, t0: number): Sampler {
  const samples: Sample[] = [];
  let busy: Promise<void> = Promise.resolve();
  const take = () => {
    // One read at a time: a slow read is skipped over rather than queued.
    busy = busy.then(async () => {
      const c = await driver.readCurrent(plan).catch(() => undefined);
      if (c) samples.push({ tMs: performance.now() - t0, cpuUs: c.cpuUs, memoryBytes: c.memoryBytes, tasks: c.tasks });
    });
  };
  take();
  const timer = setInterval(take, intervalUs / 1000);
  return {
    async stop() {
      clearInterval(timer);
      await busy;
      return samples;
    },
  };
}
