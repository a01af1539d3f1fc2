/**
 * The command's output, captured up to `maxBuffer` bytes per stream and
 * decoded as it comes (no copy of the bytes is kept). Past the limit
 * the rest goes to the live copy only, and the capture says it was truncated.
 * A live copy that falls behind pauses the stream — backpressure reaches the
 * command through the pipe — so a command printing gigabytes costs Node no
 * more than the limit, and the run still ends with the command's real status.
 */
import type { Readable, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** execa's default: 100 MiB per stream. */
export const DEFAULT_MAX_BUFFER = 100 * 2 ** 20;

export interface Capture {
  text(): string;
  truncated(): boolean;
}

export function capture(stream: Readable | null, tee: Writable | undefined, maxBuffer = DEFAULT_MAX_BUFFER): Capture {
  const decoder = new StringDecoder('utf8');
  // One string grown by concatenation: V8 keeps it as a rope of the chunks, so no second copy is made here.
  let text = '';
  let kept = 0;
  let truncated = false;
  stream?.on('data', (c: Buffer) => {
    if (kept < maxBuffer) {
      const take = c.length <= maxBuffer - kept ? c : c.subarray(0, maxBuffer - kept);
      text += decoder.write(take);
      kept += take.length;
      if (take !== c) truncated = true;
    } else if (c.length > 0) {
      truncated = true;
    }
    if (tee && !tee.write(c)) {
      stream.pause();
      tee.once('drain', () => stream.resume());
    }
  });
  return {
    // Cut inside a character: its first bytes are dropped, not shown as U+FFFD.
    text: () => text + (truncated ? '' : decoder.end()),
    truncated: () => truncated,
  };
}
