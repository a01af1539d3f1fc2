/**
 * A fast lane for short commands: long-lived /bin/sh processes that run
 * them, one command at a time each. Starting a child from Node costs 3–5 ms here (it
 * forks the whole Node process); a shell that is already running forks a
 * small process instead, ~1 ms. Volume setup and teardown run a few
 * commands each (btrfs snapshot, qgroup show, delete), so this is most of a
 * btrfs volume's cost. A shell reads its commands from a pipe: when Node
 * exits, even by SIGKILL, the pipe closes and the shell ends with it.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { ignoreStdioErrors } from './child-stdio.js';
import type { Readable, Writable } from 'node:stream';
import { toolEnv } from './tools.js';

export interface ShellResult {
  code: number;
  stdout: string;
  stderr: string;
}

type Shell = ChildProcessByStdio<Writable, Readable, Readable>;

/** Single quotes: nothing inside is special to the shell. */
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * A few shells, made as needed: parallel runs each get one, and spares being
 * made in the background do not hold up a run. Past that, callers spawn.
 */
const MAX_SHELLS = 4;
const shells: Shell[] = [];
const busy = new Set<Shell>();

function start(): Shell {
  const sh = spawn('/bin/sh', [], { stdio: ['pipe', 'pipe', 'pipe'], env: toolEnv() });
  ignoreStdioErrors(sh);
  sh.on('exit', () => {
    const i = shells.indexOf(sh);
    if (i >= 0) shells.splice(i, 1);
  });
  sh.stdin.on('error', () => {});
  shells.push(sh);
  idle(sh);
  return sh;
}

function idleShell(): Shell | undefined {
  return shells.find((s) => !busy.has(s)) ?? (shells.length < MAX_SHELLS ? start() : undefined);
}

/** Unreferenced while idle: the shell never keeps Node alive on its own. */
function idle(sh: Shell): void {
  sh.unref();
  (sh.stdout as Readable & { unref(): void }).unref();
  (sh.stderr as Readable & { unref(): void }).unref();
}

function wake(sh: Shell): void {
  sh.ref();
  (sh.stdout as Readable & { ref(): void }).ref();
  (sh.stderr as Readable & { ref(): void }).ref();
}

/** Collects `stream` until `end` matches the tail; resolves with the match. */
function until(stream: Readable, end: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (c: Buffer) => {
      text += c.toString('utf8');
      const m = end.exec(text);
      if (!m) return;
      stream.off('data', onData).off('close', onClose);
      resolve(m);
    };
    const onClose = () => {
      stream.off('data', onData);
      reject(new Error('the command shell ended'));
    };
    stream.on('data', onData).on('close', onClose);
  });
}

/**
 * Runs it in an idle shell, or undefined when all are busy (the caller
 * spawns instead, so parallel runs stay parallel). The
 * end of each command is marked with a NUL and its status on stdout and a
 * NUL on stderr: text tools never print NUL.
 */
export function runInShell(file: string, args: readonly string[], timeoutSec?: number): Promise<ShellResult> | undefined {
  const sh = idleShell();
  if (!sh) return undefined;
  busy.add(sh);
  wake(sh);
  const out = until(sh.stdout, /^([^]*)\u0000(\d+)\n$/);
  const err = until(sh.stderr, /^([^]*)\u0000\n$/);
  // coreutils timeout ends a hung tool with SIGKILL (status 137); the shell itself lives on.
  const argv = timeoutSec ? ['timeout', '-s', 'KILL', String(timeoutSec), file, ...args] : [file, ...args];
  sh.stdin.write(`${argv.map(quote).join(' ')} </dev/null; printf '\\000%d\\n' $?; printf '\\000\\n' >&2\n`);
  return Promise.all([out, err])
    .then(([o, e]) => ({ code: Number(o[2]), stdout: o[1]!, stderr: e[1]! }))
    .finally(() => {
      busy.delete(sh);
      idle(sh);
    });
}
