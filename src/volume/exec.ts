/**
 * Runs the host tools volumes need (mkfs, losetup, mount, btrfs, lvm). A
 * failure becomes a SetupError naming the step, the command and what it said
 * on stderr, which is what a user needs to see. Commands go through the
 * long-lived shell when it is free (shell.ts: ~1 ms instead of 3–5 ms).
 */
import { spawn } from 'node:child_process';
import { SetupError } from '../spec/errors.js';
import { toolEnv } from '../host/tools.js';
import { runInShell } from './shell.js';

export interface ExecOptions {
  /** The setup step named in the error (default 'volume'). */
  step?: string;
}

/** Runs `file args…`; resolves with its stdout, rejects with a SetupError. CGBOX_TRACE=1: each command and its time on stderr. */
export async function run(file: string, args: readonly string[], opts: ExecOptions = {}): Promise<string> {
  const t0 = performance.now();
  const trace = (how: string) => process.env.CGBOX_TRACE && process.stderr.write(`cgbox: ${(performance.now() - t0).toFixed(1)} ms (${how}) ${file} ${args.join(' ')}\n`);
  const fast = runInShell(file, args);
  if (!fast) return spawned(file, args, opts).finally(() => trace('spawned'));
  const r = await fast;
  trace('shell');
  if (r.code === 0) return r.stdout;
  const said = r.code === 127 ? `${file} is not installed` : r.stderr.trim() || r.stdout.trim() || `exited with ${r.code}`;
  throw new SetupError(opts.step ?? 'volume', `${[file, ...args].join(' ')}: ${said}`);
}

function spawned(file: string, args: readonly string[], opts: ExecOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: toolEnv() });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const fail = (why: string, cause?: unknown) =>
      reject(new SetupError(opts.step ?? 'volume', `${[file, ...args].join(' ')}: ${why}`, cause === undefined ? undefined : { cause }));
    child.on('error', (e: NodeJS.ErrnoException) => fail(e.code === 'ENOENT' ? `${file} is not installed` : e.message, e));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve(Buffer.concat(out).toString('utf8'));
      const said = Buffer.concat(err).toString('utf8').trim() || Buffer.concat(out).toString('utf8').trim();
      fail(said || (signal ? `killed by ${signal}` : `exited with ${code}`));
    });
  });
}

/** Runs it and ignores a failure: for undos of objects that may already be gone. */
export async function tryRun(file: string, args: readonly string[]): Promise<boolean> {
  return run(file, args).then(
    () => true,
    () => false,
  );
}
