/**
 * The host-side system calls of volumes — mount, umount, btrfs subvolumes,
 * snapshots, qgroups — made by one long-lived `cgbox-init --host-ops` per
 * process (native/src/host-ops.h) instead of a process of mount(8) or
 * btrfs(8) each: those cost a fork, an exec and their own parsing, 3–9 ms a
 * command here, for calls that take the kernel microseconds. A run's cgroups
 * are made, read and removed by it too (cgroup/apply.ts, cgroup/read-ahead.ts),
 * so that the kernel's work for them is not Node's thread's. A volume's call
 * is served on a thread of its own, so a slow one (a snapshot's commit) holds
 * up none after it; a cgroup's at once, unless it has to wait. Idle, the server keeps Node from exiting no more than
 * the shells of run-tool.ts do; it ends with Node. CGBOX_TRACE=1 prints
 * each call and its time on stderr, as it does for tools.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { ignoreStdioErrors } from './child-stdio.js';
import { faultPoint } from './faults.js';
import { toolTimeoutSec, traceCall } from './run-tool.js';
import { SetupError } from '../spec/errors.js';
import { initBinary } from './init-binary.js';
import { nulTokens } from './nul-tokens.js';

export type HostOp =
  | ['mount', fstype: string, source: string, target: string, flags: string, data: string] // flags: view/args.ts flagWords()
  | ['umount', target: string]
  | ['subvolume-create', path: string]
  | ['snapshot', from: string, to: string, readonly: '0' | '1']
  | ['subvolume-delete', path: string]
  | ['qgroup-limit', path: string, bytes: string]
  | ['referenced', path: string]
  | ['commit', path: string]
  | ['loop-attach', image: string]
  | ['loop-detach', device: string]
  // A run's cgroups (native/src/cgroup-ops.h): per directory, its count of writes, itself, FILE VALUE pairs;
  // the files to read; the directories to remove.
  | ['cgroup-make', ...countDirFileValues: string[]]
  | ['cgroup-read', ...paths: string[]]
  | ['cgroup-drain', patienceMs: string, dir: string]
  | ['cgroup-remove', patienceMs: string, ...dirs: string[]];

type Child = ChildProcessByStdio<Writable, Readable, null>;

interface Pending {
  resolve: (value: string) => void;
  reject: (e: Error) => void;
  /** When it is given up (performance.now(): CGBOX_TOOL_TIMEOUT as it was, or the call's own wait), and what it was, for the message. */
  deadline: number;
  seconds: number;
  what: () => string;
}

/** A helper and its calls under way, by the id it gives each (it counts its requests from 1). */
interface Helper {
  child: Child;
  sent: number;
  pending: Map<number, Pending>;
}

/** errno → its first name (EAGAIN before EWOULDBLOCK, which is the same number). */
const ERRNO_NAMES = new Map<number, string>();
for (const [name, n] of Object.entries(constants.errno)) if (!ERRNO_NAMES.has(n)) ERRNO_NAMES.set(n, name);

let current: Helper | undefined;

function start(): Helper {
  const child = ignoreStdioErrors(spawn(initBinary(), ['--host-ops'], { stdio: ['pipe', 'pipe', 'inherit'], env: {} }));
  const h: Helper = { child, sent: 0, pending: new Map() };
  let text = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
    let nl;
    while ((nl = text.indexOf('\n')) >= 0) {
      settle(h, text.slice(0, nl));
      text = text.slice(nl + 1);
    }
  });
  // Its own calls only: a helper started after this one ended has calls of its own.
  const gone = (why: string) => {
    if (current === h) current = undefined;
    for (const p of h.pending.values()) p.reject(new Error(`the host-ops helper ${why}`));
    h.pending.clear();
  };
  child.on('close', (code, signal) => gone(signal ? `was killed by ${signal}` : `exited with ${code}`));
  child.on('error', (e) => gone(e.message));
  child.stdin.on('error', () => {});
  // As a host tool's: a mount on a wedged device must not hang a test run for ever (its call is left
  // to finish). One sweep a second for all the calls, not a timer each: a run makes several calls.
  const sweep = setInterval(() => {
    const now = performance.now();
    for (const [id, p] of h.pending) {
      if (p.deadline > now) continue;
      h.pending.delete(id);
      if (h.pending.size === 0) idle(h.child);
      p.reject(new Error(`${p.what()}: no answer after ${p.seconds} s (CGBOX_TOOL_TIMEOUT)`));
    }
  }, 1000).unref();
  child.on('close', () => clearInterval(sweep));
  idle(child);
  return h;
}

function settle(h: Helper, line: string): void {
  const [id, err, ...rest] = line.split(' ');
  const p = h.pending.get(Number(id));
  if (!p) return;
  h.pending.delete(Number(id));
  if (h.pending.size === 0) idle(h.child);
  const errno = Number(err);
  if (errno === 0) p.resolve(rest.join(' '));
  else p.reject(Object.assign(new Error(`${rest.join(' ')} (${ERRNO_NAMES.get(errno) ?? `errno ${errno}`})`), { errno }));
}

/** Held only while a request is on its way, as a spawned tool would hold Node. */
function idle(c: Child): void {
  c.unref();
  (c.stdout as Readable & { unref(): void }).unref();
}
function wake(c: Child): void {
  c.ref();
  (c.stdout as Readable & { ref(): void }).ref();
}

/** A call that waits on purpose (for a cgroup's tasks, an rmdir refused for a moment) is given its patience and 5 s more, whatever the tool timeout. */
function waitsSec(op: HostOp): number {
  return op[0] === 'cgroup-drain' || op[0] === 'cgroup-remove' ? Number(op[1]) / 1000 + 5 : 0;
}

/**
 * Carries out `op` on the host; resolves with its value (referenced bytes for 'referenced', the device for 'loop-attach',
 * the files' contents for 'cgroup-read', else empty).
 * A failure is a SetupError of `step` with the call, the path and the errno (its number in `errno`).
 */
export async function hostOp(step: string, ...op: HostOp): Promise<string> {
  faultPoint(`${step}: ${op[0]}`);
  let request: string;
  try {
    request = nulTokens([String(op.length), ...op], step);
  } catch (e) {
    return Promise.reject(e);
  }
  const h = (current ??= start());
  const id = ++h.sent;
  if (h.pending.size === 0) wake(h.child);
  const t0 = process.env.CGBOX_TRACE ? performance.now() : undefined;
  const trace = (outcome: () => string) => t0 !== undefined && traceCall('host-ops', `${op.join(' ')}${outcome()}`, performance.now() - t0);
  try {
    const value = await new Promise<string>((resolve, reject) => {
      const seconds = Math.max(toolTimeoutSec(), waitsSec(op));
      h.pending.set(id, { resolve, reject, deadline: performance.now() + seconds * 1000, seconds, what: () => op.join(' ') });
      h.child.stdin.write(request);
    });
    trace(() => (value ? ` → ${value.length > 80 ? `${value.slice(0, 80)}…` : value}` : ''));
    return value;
  } catch (e) {
    trace(() => ` → ${(e as Error).message}`);
    const errno = (e as { errno?: number }).errno;
    throw new SetupError(step, (e as Error).message, { cause: e, ...(errno !== undefined ? { errno } : {}) });
  }
}
