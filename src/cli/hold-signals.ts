/**
 * While a run is going, the CLI must outlive it: dying would skip teardown and
 * leave the run's cgroups behind (the parent-death chain kills the processes,
 * but nobody would rmdir). So SIGINT, SIGTERM and SIGHUP are caught and only
 * noted; the run still ends because
 *   - a terminal's ^C (or hang-up) goes to the whole foreground process group,
 *     and the sandbox's processes are in it (the init is spawned without
 *     `detached`). Measured: cgbox-init's outer process does not catch it and
 *     dies, its parent-death signal SIGKILLs the init and with it the pid
 *     namespace, so a command's own SIGINT handler is cut short; the report
 *     says "killed by SIGINT" (exit 130) and teardown still runs here;
 *   - a SIGTERM sent to the CLI's pid alone does not reach the command: the
 *     run goes on until it ends or its --timeout fires. Send the signal to the
 *     process group (kill -TERM -PGID) to end it.
 */
const HELD = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Starts holding; returns the function that stops. */
export function holdSignals(note: (line: string) => void): () => void {
  const seen = new Set<string>();
  const onSignal = (sig: NodeJS.Signals) => {
    if (seen.has(sig)) return;
    seen.add(sig);
    note(`cgbox: ${sig} received: waiting for the sandbox to end so that it can be torn down`);
  };
  for (const s of HELD) process.on(s, onSignal);
  return () => {
    for (const s of HELD) process.off(s, onSignal);
  };
}
