/** The init's status protocol on fd 3 (see native/cgbox-init.c), parsed line by line. */
import { constants } from 'node:os';

export type InitMessage =
  | { kind: 'init'; pid: number }
  | { kind: 'ready' }
  | { kind: 'error'; step: string; errno: number; message: string }
  | { kind: 'exit'; code: number }
  | { kind: 'signal'; signal: string; core: boolean };

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n as number, name]));

export function signalName(n: number): string {
  return SIGNAL_NAMES.get(n) ?? `SIG${n}`;
}

export function parseInitLine(line: string): InitMessage | undefined {
  const [kind, a, b, ...rest] = line.split(' ');
  switch (kind) {
    case 'init':
      return { kind, pid: Number(a) };
    case 'ready':
      return { kind };
    case 'error':
      return { kind, step: a ?? '?', errno: Number(b), message: rest.join(' ') };
    case 'exit':
      return { kind, code: Number(a) };
    case 'signal':
      return { kind, signal: signalName(Number(a)), core: b === 'core' };
    default:
      return undefined;
  }
}
