import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { capture } from './capture.js';

const ended = (s: PassThrough) => new Promise((r) => s.on('end', r));

describe('capture', () => {
  it('keeps everything below the limit, decoded across chunk boundaries', async () => {
    const s = new PassThrough();
    const c = capture(s, undefined, 100);
    const bytes = Buffer.from('héllo wörld');
    s.write(bytes.subarray(0, 2)); // the é cut in two
    s.end(bytes.subarray(2));
    s.resume();
    await ended(s);
    expect([c.text(), c.truncated()]).toEqual(['héllo wörld', false]);
  });

  it('stops at maxBuffer bytes, says so, and sends the rest to the live copy', async () => {
    const s = new PassThrough();
    const live: Buffer[] = [];
    const tee = new Writable({ write: (chunk: Buffer, _e, done) => (live.push(chunk), done()) });
    const c = capture(s, tee, 4);
    s.write('ab');
    s.write('cdé'); // the limit falls inside é: none of it is kept
    s.end('fg');
    await ended(s);
    expect([c.text(), c.truncated()]).toEqual(['abcd', true]);
    expect(Buffer.concat(live).toString()).toBe('abcdéfg');
  });

  it('pauses the stream while the live copy is behind, and resumes on drain', async () => {
    const s = new PassThrough();
    let release: () => void = () => {};
    const tee = new Writable({ highWaterMark: 1, write: (_c, _e, done) => void (release = done) });
    capture(s, tee, 1000);
    s.write('x'.repeat(10));
    await new Promise((r) => setImmediate(r));
    expect(s.isPaused()).toBe(true);
    release();
    await new Promise((r) => setImmediate(r));
    expect(s.isPaused()).toBe(false);
  });
});
