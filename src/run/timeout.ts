/**
 * A run's timeout: SIGTERM to every task in the sandbox (the init ignores it
 * and reports how the command took it), then after the grace period a kill of
 * the whole cgroup that no fork can race.
 */
import type { CgroupDriver, CgroupPlan } from '../cgroup/types.js';

export interface TimeoutHandle {
  fired(): boolean;
  cancel(): void;
}

function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // exited meanwhile
    }
  }
}

export function startTimeout(driver: CgroupDriver, plan: CgroupPlan, initPid: Promise<number>, timeoutUs: number, graceUs: number): TimeoutHandle {
  let fired = false;
  let cancelled = false;
  let grace: NodeJS.Timeout | undefined;
  const timer = setTimeout(() => {
    fired = true;
    void (async () => {
      const init = await initPid.catch(() => undefined);
      signalAll((await driver.procs(plan).catch(() => [])).filter((p) => p !== init), 'SIGTERM');
      if (cancelled) return;
      grace = setTimeout(() => void driver.killAll(plan).catch(() => {}), graceUs / 1000);
    })();
  }, timeoutUs / 1000);
  return {
    fired: () => fired,
    cancel: () => {
      cancelled = true;
      clearTimeout(timer);
      if (grace) clearTimeout(grace);
    },
  };
}
