/**
 * Node's stdio pipes to a child are socket pairs: when the child dies while
 * data sent to it is unread (input, a spare's orders), reading our end fails
 * with ECONNRESET, and a stream that emits 'error' with no listener ends the
 * whole process. The child's exit is what cgbox acts on ('close', its
 * status), so these errors are expected and have nothing to add.
 */
import type { EventEmitter } from 'node:events';

export function ignoreStdioErrors<C extends { readonly stdio: readonly (EventEmitter | null | undefined)[] }>(child: C): C {
  for (const stream of child.stdio) stream?.on('error', () => {});
  return child;
}
