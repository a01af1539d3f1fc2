/**
 * Runs the network tools (ip, tc, nft, ovs-vsctl). Each setup stage is one
 * batch (`ip -batch -`, `tc -batch -`, `nft -f -`) fed on stdin: a process
 * start costs ~1 ms, so a sandbox's network is three or four processes, not
 * twenty. A failure is a SetupError naming the step and what the tool said.
 */
import { spawn } from 'node:child_process';
import { toolEnv } from '../host/tools.js';
import { SetupError } from '../spec/errors.js';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `file args`, writing `input` to its stdin; never rejects for a non-zero exit. */
export function runTool(file: string, args: readonly string[], input?: string): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], env: toolEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** As runTool, but a non-zero exit (or a missing tool) is a SetupError for `step`. */
export async function mustRun(step: string, file: string, args: readonly string[], input?: string): Promise<string> {
  let r: CommandResult;
  try {
    r = await runTool(file, args, input);
  } catch (e) {
    throw new SetupError(step, `${file}: ${(e as Error).message}`, { cause: e });
  }
  if (r.code !== 0) {
    const what = input === undefined ? `${file} ${args.join(' ')}` : `${file} ${args.join(' ')} with:\n${input.trimEnd()}`;
    throw new SetupError(step, `${what}\n→ exit ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
  }
  return r.stdout;
}

/** One `ip -batch` of lines; `netns` runs them inside that named namespace (ip -n). */
export function ipBatch(step: string, lines: readonly string[], netns?: string): Promise<string> {
  if (!lines.length) return Promise.resolve('');
  return mustRun(step, 'ip', [...(netns ? ['-n', netns] : []), '-batch', '-'], lines.join('\n') + '\n');
}

export function tcBatch(step: string, lines: readonly string[]): Promise<string> {
  if (!lines.length) return Promise.resolve('');
  return mustRun(step, 'tc', ['-batch', '-'], lines.join('\n') + '\n');
}

/** One nft transaction: all the lines apply, or none. */
export function nftApply(step: string, lines: readonly string[]): Promise<string> {
  if (!lines.length) return Promise.resolve('');
  return mustRun(step, 'nft', ['-f', '-'], lines.join('\n') + '\n');
}
