import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readOptional } from './files.js';
import { readingAhead } from './read-ahead.js';

const DIR = mkdtempSync(join(tmpdir(), 'cgbox-read-ahead-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

/** Two runs' directories of one kind: the same files in each, other values. */
function run(name: string, stat: string): string[] {
  const dirs = ['cpu', 'memory'].map((h) => join(DIR, h, name));
  for (const d of dirs) mkdirSync(d, { recursive: true });
  writeFileSync(join(dirs[0]!, 'cpu.stat'), stat);
  writeFileSync(join(dirs[1]!, 'memory.peak'), '4096\n');
  return dirs;
}

/** A report's reads, with the files changed under it once it has begun: a fetched file shows its text from before. */
const report = (dirs: string[], kind = 'cpu memory') =>
  readingAhead(kind, dirs, async () => {
    writeFileSync(join(dirs[0]!, 'cpu.stat'), 'changed after the fetch\n');
    return Promise.all([readOptional(join(dirs[0]!, 'cpu.stat')), readOptional(join(dirs[1]!, 'memory.peak')), readOptional(join(dirs[1]!, 'memory.swap.peak'))]);
  });

describe('readingAhead', () => {
  it('reads file by file the first time, learning which; then fetches those first, in the same places of another run', async () => {
    expect(await report(run('a', 'usage_usec 1\n'))).toEqual(['changed after the fetch\n', '4096\n', null]);
    const b = run('b', 'usage_usec 2\n');
    expect(await report(b)).toEqual(['usage_usec 2\n', '4096\n', null]);
    // Once the report is over, nothing fetched is kept: a read afterwards reads the file.
    expect(await readOptional(join(b[0]!, 'cpu.stat'))).toBe('changed after the fetch\n');
  });

  it('keeps what it learned by kind: another kind of plan reads file by file again', async () => {
    expect(await report(run('c', 'usage_usec 3\n'), 'other kind')).toEqual(['changed after the fetch\n', '4096\n', null]);
  });

  it('reads file by file when the fetch fails, where the failure shows as it would have', async () => {
    const d = run('d', 'usage_usec 4\n');
    await report(d, 'failing kind');
    // Learned: cpu.stat. Made a directory, it cannot be read: the fetch fails, and so does the report's own read.
    const e = run('e', '');
    rmSync(join(e[0]!, 'cpu.stat'));
    mkdirSync(join(e[0]!, 'cpu.stat'));
    await expect(readingAhead('failing kind', e, () => readOptional(join(e[0]!, 'cpu.stat')))).rejects.toThrow(/EISDIR/);
  });
});
