/**
 * The scope's one process of its own: systemd-run asks the manager for the
 * scope with its own pid in it, waits for the job, then execs the holder —
 * cgbox's init binary in its --hold-scope mode (native/src/scope-hold.h),
 * reading a pipe from Node. Node writes the leaf's path once the scope is
 * arranged, and nothing more. When Node dies, by any signal, SIGKILL included,
 * the kernel closes Node's end and the holder reads EOF: it removes the
 * sandboxes' cgroups as they empty (they die with Node by their own pdeathsig
 * chain), moves into the scope itself, removes the leaf and exits; systemd then
 * stops the empty scope and removes its childless cgroup, and
 * CollectMode=inactive-or-failed lets no unit linger. Left to systemd alone
 * (a holder that just exits), systemd 257 sometimes saw the scope empty while a
 * cgroup beneath it was still busy, and left the directories behind. A pipe,
 * not PR_SET_PDEATHSIG: it has no window in which Node can die unnoticed.
 *
 * The holder runs in a session of its own (detached): a terminal's ^C meant for
 * the test runner does not end the scope under running sandboxes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { SetupError } from '../spec/errors.js';
import { ignoreStdioErrors } from '../host/child-stdio.js';
import { toolEnv } from '../host/tools.js';

export interface Holder {
  readonly pid: number;
  /** The scope's cgroup path as /proc/self/cgroup would show it. */
  readonly cgroup: string;
  /** Resolves when the holder has exited (the scope then ends once empty). */
  readonly exited: Promise<void>;
  /** Ends the holder now (acquire failed after the scope was made). */
  kill(): void;
  /** Tells the holder the leaf it sits in: the scope it empties once Node is gone. */
  arranged(leaf: string): void;
}

const READY_TIMEOUT_MS = 30_000;

function v2Path(pid: number): string | undefined {
  try {
    return /^0::(.*)$/m.exec(readFileSync(`/proc/${pid}/cgroup`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/** Runs systemd-run with `argv`; resolves once its process sits in the scope `unit`. */
export async function startHolder(argv: readonly string[], unit: string): Promise<Holder> {
  const child: ChildProcess = ignoreStdioErrors(spawn('systemd-run', argv, { stdio: ['pipe', 'ignore', 'pipe'], detached: true, env: toolEnv() }));
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let ended: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.on('error', (e) => {
      ended = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'systemd-run was not found (it comes with systemd)' : e.message;
      resolve();
    });
    child.on('exit', (code, signal) => {
      ended ??= `systemd-run exited with ${signal ?? code}${stderr.trim() ? `: ${stderr.trim()}` : ''}`;
      resolve();
    });
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (let wait = 1; ; wait = Math.min(wait * 2, 20)) {
    const path = child.pid !== undefined ? v2Path(child.pid) : undefined;
    if (ended === undefined && path?.endsWith(`/${unit}`)) {
      return {
        pid: child.pid!,
        cgroup: path,
        exited: lifeline(child, exited),
        kill: () => child.kill('SIGKILL'),
        arranged: (leaf) => void child.stdin!.write(`${leaf}\0`),
      };
    }
    if (ended !== undefined) throw new SetupError('placement', `starting the transient scope ${unit}: ${ended}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new SetupError('placement', `systemd did not start the transient scope ${unit} within ${READY_TIMEOUT_MS / 1000} s${stderr ? `: ${stderr.trim()}` : ''}`);
    }
    await sleep(wait);
  }
}

/** The holder no longer keeps Node alive; its stdin stays open as the lifeline, referenced from here. */
const held = new Set<ChildProcess>();

function lifeline(child: ChildProcess, exited: Promise<void>): Promise<void> {
  held.add(child);
  void exited.then(() => held.delete(child));
  child.stderr!.destroy();
  (child.stdin as unknown as { unref?(): void }).unref?.();
  child.unref();
  return exited;
}
