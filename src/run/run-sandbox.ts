/**
 * One run, start to end: plan the cgroups (pure, may refuse), create them,
 * launch the init inside, enforce the timeout, wait for every task to be
 * gone, read the counters, and tear down in reverse order whatever happened.
 */
import type { Writable } from 'node:stream';
import { cgroupV1 } from '../cgroup/v1/driver.js';
import { cgroupV2 } from '../cgroup/v2/driver.js';
import { createCgroups, drainCgroups, removeCgroupDir } from '../cgroup/apply.js';
import type { CgroupDriver } from '../cgroup/types.js';
import { hostCaps } from '../host/probe.js';
import type { HostCaps } from '../host/types.js';
import { launch, type LaunchOutcome } from '../launch/spawn.js';
import type { RunResult } from '../report/types.js';
import { PermissionError, SetupError } from '../spec/errors.js';
import type { SandboxSpec } from '../spec/types.js';
import { newRunName } from './names.js';
import { reapCgroups } from './reap.js';
import { Teardown } from './teardown.js';
import { startTerminator } from './terminate.js';

export interface RunOptions {
  /** Written to the command's stdin, then closed. Without it stdin is /dev/null. */
  input?: string | Uint8Array;
  /** Live copies of the output, as well as the captured text in the result. */
  stdout?: Writable;
  stderr?: Writable;
  /** Ends the run early, as a timeout does (SIGTERM, grace, SIGKILL); the result still resolves. */
  signal?: AbortSignal;
}

export function driverFor(caps: HostCaps): CgroupDriver {
  return caps.driver === 1 ? cgroupV1 : cgroupV2;
}

let reaped: Promise<unknown> | undefined;

/** Once per process: what runs of crashed processes left in our own cgroups. */
function reapOnce(caps: HostCaps): Promise<unknown> {
  reaped ??= reapCgroups(caps).catch(() => []);
  return reaped;
}

function commandEnv(spec: SandboxSpec): NodeJS.ProcessEnv {
  return spec.inheritEnv ? { ...process.env, ...spec.env } : { ...spec.env };
}

export async function runSandbox(spec: SandboxSpec, file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const caps = hostCaps();
  if (!caps.isRoot) throw new PermissionError('cgbox needs root: it creates cgroups and namespaces. Run as root (sudo), or in the VM tier');
  const driver = driverFor(caps);
  const name = newRunName();
  const plan = driver.plan(spec, caps, name); // refuses before anything exists
  await reapOnce(caps);

  const teardown = new Teardown();
  let failure: unknown;
  let result: RunResult | undefined;
  try {
    // Undo pushed per directory, so a failure halfway removes exactly what exists.
    await createCgroups(plan, (dir) => teardown.push(`cgroup ${dir.path}`, () => removeCgroupDir(dir.path)));
    teardown.push('drain', () => drainCgroups(driver, plan));

    const t0 = performance.now();
    const { signal, ...io } = opts;
    const run = launch({
      file,
      args,
      procsFiles: plan.procsFiles,
      net: spec.net,
      hostname: spec.hostname ?? name,
      ...(spec.cwd !== undefined ? { cwd: spec.cwd } : {}),
      env: commandEnv(spec),
      ...io,
    });
    const timer = startTerminator(driver, plan, run.initPid, {
      ...(spec.timeoutUs !== undefined ? { timeoutUs: spec.timeoutUs } : {}),
      graceUs: spec.graceUs,
      ...(signal ? { signal } : {}),
    });
    let outcome: LaunchOutcome;
    try {
      outcome = await run.finished;
    } finally {
      timer.cancel();
    }
    const durationMs = performance.now() - t0;
    if (outcome.error) throw outcome.error;
    await drainCgroups(driver, plan);
    const usage = await driver.readUsage(plan);
    // The init reports every status it sees; none means the whole sandbox was
    // killed (timeout's SIGKILL stage, or an OOM kill of the init itself).
    const status = outcome.status ?? { exitCode: null, signal: outcome.outerSignal ?? 'SIGKILL' };
    const timedOut = timer.reason() === 'timeout';
    result = {
      command: [file, ...args],
      ...status,
      ok: status.exitCode === 0 && !timedOut,
      timedOut,
      oomKilled: usage.memory.oomKills > 0,
      durationMs,
      stdout: outcome.stdout,
      stderr: outcome.stderr,
      usage: { ...usage, net: null, volume: null },
      limits: plan.limits,
    };
  } catch (e) {
    failure = e;
  }
  const undoErrors = await teardown.run();
  if (failure) throw failure;
  if (undoErrors.length) throw new SetupError('teardown', undoErrors.map((e) => e.message).join('; '));
  return result!;
}
