/**
 * The scope's one process of its own: systemd-run asks the manager for the
 * scope with its own pid in it, waits for the job, then execs the holder —
 * `cat`, reading a pipe from Node that Node never writes. When Node dies, by
 * any signal, SIGKILL included, the kernel closes Node's end, cat reads EOF and
 * exits; once the sandboxes beneath it are gone too (they die with Node by
 * their own pdeathsig chain), the scope is empty, systemd stops it and
 * removes its cgroup with every cgroup cgbox made beneath it (measured on
 * systemd 252), and CollectMode=inactive-or-failed lets no unit linger. A pipe,
 * not PR_SET_PDEATHSIG: it has no window in which Node can die unnoticed, and it
 * follows the process, not the thread that spawned it.
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
      return { pid: child.pid!, cgroup: path, exited: lifeline(child, exited), kill: () => child.kill('SIGKILL') };
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
