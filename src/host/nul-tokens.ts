/**
 * What the init reads as NUL-terminated tokens — a standby's orders
 * (native/src/standby.h) and the fork server's requests (native/src/zygote.h):
 * one writer for both, so a token holding a NUL byte is refused the same way.
 */
import { SetupError } from '../spec/errors.js';

/** NAME=VALUE for each variable set, in order: an environment as execve takes it. */
export function envEntries(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`]));
}

/** The tokens, each NUL-terminated; a SetupError (at `step`) if one holds a NUL byte, which would split it. */
export function nulTokens(tokens: readonly string[], step: string): string {
  if (tokens.some((t) => t.includes('\0'))) throw new SetupError(step, 'an argument or environment value contains a NUL byte');
  return tokens.map((t) => `${t}\0`).join('');
}
