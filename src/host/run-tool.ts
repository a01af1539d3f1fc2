/**
 * The one runner of host tools (mount, losetup, mkfs, btrfs, lvm, ip, tc,
 * nft, ovs-vsctl): found as a login shell would (tools.ts), in the C locale
 * (their messages are parsed), with what they said on failure. A command
 * without input goes through an idle long-lived shell when there is one
 * (shell.ts: ~1 ms instead of the 3–5 ms of a fork of Node); one fed on
 * stdin — `ip -batch -`, `tc -batch -`, `nft -f -` — is spawned.
 * CGBOX_TRACE=1 prints each command and its time on stderr.
 */
import { spawn } from 'node:child_process';
import { ignoreStdioErrors } from './child-stdio.js';
import { SetupError } from '../spec/errors.js';
import { faultPoint } from './faults.js';
import { runInShell } from './shell.js';
import { toolEnv } from './tools.js';

export interface ToolResult {
  /** The exit status; 127 when the tool is not installed, as a shell says. */
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The longest a host tool may take before it is killed and its step fails
 * (CGBOX_TOOL_TIMEOUT, seconds; default 120): a mount on a dead server or a
 * tool stuck on a wedged device must not hang a test run for ever.
 */
export function toolTimeoutSec(): number {
  const n = Number(process.env.CGBOX_TOOL_TIMEOUT);
  return Number.isFinite(n) && n > 0 ? n : 120;
}

/** What a tool killed by its timeout exits with: 128 + SIGKILL. */
const KILLED = 137;

function spawned(file: string, args: readonly string[], input: string | undefined, timeoutSec: number): Promise<ToolResult> {
  return new Promise((resolve) => {
    // A process group of its own, so that a timeout kills what the tool started too (their pipes would hold us).
    const child = ignoreStdioErrors(spawn(file, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], env: toolEnv(), detached: true }));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone already
      }
    }, timeoutSec * 1000);
    child.on('close', () => clearTimeout(timer));
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e: NodeJS.ErrnoException) => resolve({ code: e.code === 'ENOENT' ? 127 : 126, stdout, stderr: e.code === 'ENOENT' ? '' : e.message }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal === 'SIGKILL' ? KILLED : 128), stdout, stderr: stderr || (signal ? `killed by ${signal}` : '') }));
    if (input !== undefined) {
      child.stdin!.on('error', () => {}); // a tool that exits without reading its input
      child.stdin!.end(input);
    }
  });
}

/** With CGBOX_TRACE=1, one line on stderr per host call: its time, how it was made, what it was. */
export function traceCall(how: string, what: string, ms: number): void {
  if (process.env.CGBOX_TRACE) process.stderr.write(`cgbox: ${ms.toFixed(1)} ms (${how}) ${what}\n`);
}

/** Runs `file args`, writing `input` to its stdin; never rejects for a failure of the tool. */
export async function runTool(file: string, args: readonly string[], input?: string): Promise<ToolResult> {
  const t0 = performance.now();
  const timeout = toolTimeoutSec();
  const fast = input === undefined ? runInShell(file, args, timeout) : undefined;
  const r = await (fast ?? spawned(file, args, input, timeout));
  const ms = performance.now() - t0;
  if (r.code === KILLED && ms >= timeout * 1000 - 50) r.stderr = `${r.stderr ? `${r.stderr.trim()}; ` : ''}killed after ${timeout} s (CGBOX_TOOL_TIMEOUT)`;
  traceCall(fast ? 'shell' : 'spawned', `${file} ${args.join(' ')}`, ms);
  return r;
}

/** What a failed tool said, for an error message. */
function said(file: string, r: ToolResult): string {
  if (r.code === 127) return `${file} is not installed`;
  return r.stderr.trim() || r.stdout.trim() || `exited with ${r.code}`;
}

/** As runTool, but a failure is a SetupError for `step` naming the command, its input and what it said; resolves with stdout. */
export async function mustRun(step: string, file: string, args: readonly string[], input?: string): Promise<string> {
  faultPoint(`${step}: ${file}${args[0] && !args[0].startsWith('-') && !args[0].startsWith('/') ? ` ${args[0]}` : ''}`);
  const r = await runTool(file, args, input);
  if (r.code === 0) return r.stdout;
  const command = [file, ...args].join(' ');
  throw new SetupError(step, input === undefined ? `${command}: ${said(file, r)}` : `${command} with:\n${input.trimEnd()}\n→ exit ${r.code}: ${said(file, r)}`);
}

/** Runs it and ignores a failure: for undos of objects that may already be gone. */
export async function tryRun(file: string, args: readonly string[]): Promise<boolean> {
  return (await runTool(file, args)).code === 0;
}
