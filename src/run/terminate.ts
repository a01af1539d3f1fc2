/**
 * Ending a run early — on its timeout, or when the caller's AbortSignal fires:
 * SIGTERM to every task in the sandbox (the init ignores it and reports how
 * the command took it), then after the grace period a kill of the whole
 * cgroup that no fork can race.
 */
import type { CgroupDriver, CgroupPlan } from '../cgroup/types.js';

export type EndReason = 'timeout' | 'abort';

export interface Terminator {
  /** Why the run was ended early, or null. */
  reason(): EndReason | null;
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

export function startTerminator(
  driver: CgroupDriver,
  plan: CgroupPlan,
  initPid: Promise<number>,
  opts: { timeoutUs?: number; graceUs: number; signal?: AbortSignal },
): Terminator {
  let reason: EndReason | null = null;
  let cancelled = false;
  let grace: NodeJS.Timeout | undefined;
  const end = (why: EndReason) => {
    if (reason || cancelled) return;
    reason = why;
    void (async () => {
      const init = await initPid.catch(() => undefined);
      if (cancelled) return;
      signalAll((await driver.procs(plan).catch(() => [])).filter((p) => p !== init), 'SIGTERM');
      grace = setTimeout(() => void driver.killAll(plan).catch(() => {}), opts.graceUs / 1000);
    })();
  };
  const timer = opts.timeoutUs !== undefined ? setTimeout(() => end('timeout'), opts.timeoutUs / 1000) : undefined;
  const onAbort = () => end('abort');
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });
  return {
    reason: () => reason,
    cancel: () => {
      cancelled = true;
      clearTimeout(timer);
      clearTimeout(grace);
      opts.signal?.removeEventListener('abort', onAbort);
    },
  };
}
