/**
 * While a run is going, the CLI must outlive it, so that its teardown runs.
 * SIGINT, SIGTERM and SIGHUP are caught:
 *   - a terminal's ^C or hang-up goes to the whole foreground process group,
 *     the command included (the init is spawned without `detached`; the init
 *     and its outer helper ignore those signals). So the command decides how it
 *     ends — a handler of its own runs to its end — and the CLI only waits;
 *   - a SIGTERM sent to the CLI's pid alone (kill PID, a process manager) does
 *     not reach the command: the CLI passes it on by ending the run as a
 *     timeout would (SIGTERM to every task, SIGKILL after the grace period).
 */
const HELD = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface HeldSignals {
  /** Aborts when the CLI got a SIGTERM of its own. */
  signal: AbortSignal;
  release(): void;
}

/** Starts holding; `note` says what was received. */
export function holdSignals(note: (line: string) => void): HeldSignals {
  const seen = new Set<string>();
  const terminated = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (sig === 'SIGTERM') terminated.abort();
    if (seen.has(sig)) return;
    seen.add(sig);
    note(
      sig === 'SIGTERM'
        ? 'cgbox: SIGTERM received: ending the sandbox (SIGTERM to its tasks, SIGKILL after the grace period)'
        : `cgbox: ${sig} received: waiting for the sandbox to end so that it can be torn down`,
    );
  };
  for (const s of HELD) process.on(s, onSignal);
  return {
    signal: terminated.signal,
    release: () => {
      for (const s of HELD) process.off(s, onSignal);
    },
  };
}
