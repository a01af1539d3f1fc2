/** The init's status protocol on fd 3 (see native/src/report.h and main.c), parsed line by line. */
import { constants } from 'node:os';

export type InitMessage =
  /** `start`: the init's start time (clock ticks after boot) — with the pid it names one process; exec mode has none. */
  | { kind: 'init'; pid: number; start?: number }
  | { kind: 'standby' }
  | { kind: 'ready' }
  | { kind: 'started' }
  | { kind: 'error'; step: string; errno: number; message: string }
  | { kind: 'exit'; code: number }
  | { kind: 'signal'; signal: string; core: boolean }
  /** A rootless run's tmpfs volume, as its outer found it once every task was gone. */
  | { kind: 'volume-used'; bytes: number; path: string }
  /** The outer's end of the run (native/src/run-end.h): no task is left; the report's files, as cgroup-read answers them; the cgroups gone. */
  | { kind: 'drained' }
  | { kind: 'counters'; value: string }
  | { kind: 'removed' };

/** The first name per number: os.constants lists SIGABRT before its alias SIGIOT, SIGIO before SIGPOLL. */
const SIGNAL_NAMES = new Map<number, string>();
for (const [name, n] of Object.entries(constants.signals)) if (!SIGNAL_NAMES.has(n)) SIGNAL_NAMES.set(n, name);

const int = (s?: string): number | undefined => (s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined);

export function signalName(n: number): string {
  return SIGNAL_NAMES.get(n) ?? `SIG${n}`;
}

export function parseInitLine(line: string): InitMessage | undefined {
  if (line.startsWith('counters ')) return { kind: 'counters', value: line.slice('counters '.length) };
  const [kind, a, b, ...rest] = line.split(' ');
  const n = int(a);
  switch (kind) {
    case 'init':
      return n === undefined ? undefined : { kind, pid: n, ...(int(b) ? { start: int(b) } : {}) };
    case 'standby':
    case 'drained':
    case 'removed':
    case 'ready':
    case 'started':
      return { kind };
    case 'error': {
      const errno = int(b);
      return a === undefined || errno === undefined ? undefined : { kind, step: a, errno, message: rest.join(' ') };
    }
    case 'exit':
      return n === undefined ? undefined : { kind, code: n };
    case 'signal':
      return n === undefined ? undefined : { kind, signal: signalName(n), core: b === 'core' };
    case 'volume-used':
      return n === undefined || b === undefined ? undefined : { kind, bytes: n, path: [b, ...rest].join(' ') };
    default:
      return undefined;
  }
}
