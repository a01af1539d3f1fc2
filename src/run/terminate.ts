/**
 * Ending a run early — on its timeout, or when the caller's AbortSignal fires:
 * SIGTERM to every task in the sandbox, frozen meanwhile so that no fork
 * escapes it (the init is spared: it reports how the command took it), then
 * after the grace period SIGKILL the same way, which no fork can race either.
 */
import type { CgroupDriver, CgroupPlan } from '../cgroup/types.js';

export type EndReason = 'timeout' | 'abort' | 'stop';

/** How long past the grace a run still starting, or a signal still being delivered, may take before the kill. */
const DELIVERY_PATIENCE_MS = 2_000;

export interface Terminator {
  /** Why the run was ended early, or null. */
  reason(): EndReason | null;
  /** Ends the run now: `signal` to every task, SIGKILL of the cgroup after the grace period. */
  end(why: EndReason, signal?: NodeJS.Signals, graceMs?: number): void;
  cancel(): void;
}

export function startTerminator(
  driver: CgroupDriver,
  plan: CgroupPlan,
  launched: { init: Promise<{ pid: number }>; started: Promise<void> },
  opts: { timeoutUs?: number; graceUs: number; signal?: AbortSignal },
): Terminator {
  let reason: EndReason | null = null;
  let cancelled = false;
  let grace: NodeJS.Timeout | undefined;
  const end = (why: EndReason, signal: NodeJS.Signals = 'SIGTERM', graceMs = opts.graceUs / 1000) => {
    if (reason || cancelled) return;
    reason = why;
    let init: number | undefined;
    // SIGKILL to every task but the init, which then reports how the command really ended (killed,
    // or already gone by the first signal) — killing it too could beat its report. Without an init
    // yet (a start that never came), the whole cgroup.
    const kill = () => void (init === undefined ? driver.killAll(plan) : driver.signalAll(plan, 'SIGKILL', init)).catch(() => {});
    // The grace counts from the moment every task has the signal (freezing the cgroup first may take
    // a moment on a loaded host). A start that never comes is killed on a deadline of its own.
    grace = setTimeout(kill, graceMs + DELIVERY_PATIENCE_MS);
    void (async () => {
      await launched.started.catch(() => {});
      init = await launched.init.then((i) => i.pid, () => undefined);
      if (cancelled) return;
      await driver.signalAll(plan, signal, init).catch(() => {});
      if (cancelled) return;
      clearTimeout(grace);
      grace = setTimeout(kill, graceMs);
    })();
  };
  const timer = opts.timeoutUs !== undefined ? setTimeout(() => end('timeout'), opts.timeoutUs / 1000) : undefined;
  const onAbort = () => end('abort');
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });
  return {
    reason: () => reason,
    end,
    cancel: () => {
      cancelled = true;
      clearTimeout(timer);
      clearTimeout(grace);
      opts.signal?.removeEventListener('abort', onAbort);
    },
  };
}
