/** The RunResult of a finished run: the command's status, the counters, the limits. */
import type { LaunchOutcome } from '../launch/spawn.js';
import type { RunResult } from '../report/types.js';
import type { ReadAlready } from '../cgroup/read-ahead.js';
import type { Prepared } from './prepare.js';

/** `already`: the report's files read by the run's outer once every task was gone (native/src/run-end.h). */
export async function collect(p: Prepared, command: string[], o: LaunchOutcome, durationMs: number, timedOut: boolean, already?: ReadAlready): Promise<RunResult> {
  const [cgroups, ...extra] = await Promise.all([p.driver.readUsage(p.plan, already), ...p.attached.map((a) => a.usage?.() ?? {})]);
  // The init reports every status it sees; none means the whole sandbox was
  // killed (the SIGKILL stage of a timeout or stop, or an OOM kill of the init).
  const status = o.status ?? { exitCode: null, signal: o.outerSignal ?? 'SIGKILL' };
  return {
    command,
    ...status,
    ok: status.exitCode === 0 && !timedOut,
    timedOut,
    oomKilled: cgroups.memory.oomKills > 0,
    durationMs,
    stdout: o.stdout,
    stderr: o.stderr,
    stdoutTruncated: o.stdoutTruncated,
    stderrTruncated: o.stderrTruncated,
    usage: Object.assign({ ...cgroups, net: null, volume: null }, ...extra),
    limits: p.plan.limits,
    privileged: p.spec.privileged,
  };
}
