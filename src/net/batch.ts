/**
 * The network tools' batches. Each setup stage is one batch (`ip -batch -`,
 * `tc -batch -`, `nft -f -`) fed on stdin: a process start costs ~1 ms, so a
 * sandbox's network is three or four processes, not twenty.
 */
import { mustRun } from '../host/run-tool.js';

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
