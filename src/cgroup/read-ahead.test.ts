import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readOptional } from './files.js';
import { aheadPaths, aheadWhole, readingAhead } from './read-ahead.js';

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
const report = (dirs: string[], kind = 'cpu memory', already?: Parameters<typeof readingAhead>[3]) =>
  readingAhead(
    kind,
    dirs,
    async () => {
      writeFileSync(join(dirs[0]!, 'cpu.stat'), 'changed after the fetch\n');
      return Promise.all([readOptional(join(dirs[0]!, 'cpu.stat')), readOptional(join(dirs[1]!, 'memory.peak')), readOptional(join(dirs[1]!, 'memory.swap.peak'))]);
    },
    already,
  );
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('readingAhead', () => {
  it('reads file by file the first time, learning which; then fetches those first, in the same places of another run', async () => {
    expect(await report(run('a', 'usage_usec 1\n'))).toEqual(['changed after the fetch\n', '4096\n', null]);
    const b = run('b', 'usage_usec 2\n');
    expect(await report(b)).toEqual(['usage_usec 2\n', '4096\n', null]);
    // Once the report is over, nothing fetched is kept: a read afterwards reads the file.
    expect(await readOptional(join(b[0]!, 'cpu.stat'))).toBe('changed after the fetch\n');
  });

  it('says which files it learned, in the places of another run; and takes those read already as they were read', async () => {
    await report(run('f', 'usage_usec 5\n'), 'outer kind');
    const g = run('g', 'usage_usec 6\n');
    expect(aheadPaths('outer kind', g)).toEqual([join(g[0]!, 'cpu.stat'), join(g[1]!, 'memory.peak'), join(g[1]!, 'memory.swap.peak')]);
    expect(aheadPaths('a kind never seen', g)).toEqual([]);
    // Read by the run's outer: the texts it read stand, a file it found missing too, and the rest is fetched.
    writeFileSync(join(g[1]!, 'memory.peak'), '8192\n');
    const already = { paths: [join(g[0]!, 'cpu.stat'), join(g[1]!, 'memory.swap.peak')], value: `${b64('usage_usec 7\n')} -` };
    expect(await report(g, 'outer kind', already)).toEqual(['usage_usec 7\n', '8192\n', null]);
  });

  it('knows its list whole once a report read no file it had not read before; a file lost with the cgroups fails the report', async () => {
    await report(run('h', 'usage_usec 8\n'), 'whole kind');
    expect(aheadWhole('whole kind')).toBe(false);
    await report(run('i', 'usage_usec 9\n'), 'whole kind');
    expect(aheadWhole('whole kind')).toBe(true);
    // The outer read what the list had then, and removed the cgroups: those texts stand.
    const j = run('j', 'usage_usec 10\n');
    const all = aheadPaths('whole kind', j);
    const ones = (paths: string[]) => ({ paths, value: paths.map(() => b64('1\n')).join(' '), removed: true });
    expect(await report(j, 'whole kind', ones(all))).toEqual(['1\n', '1\n', '1\n']);
    // One the list has that the outer did not read (the list grew since), or one the list did not have:
    // with the cgroups gone it cannot be read from here, and the report fails rather than say null.
    const some = all.filter((p) => !p.endsWith('memory.swap.peak'));
    await expect(report(j, 'whole kind', ones(some))).rejects.toThrow(`the report read ${join(j[1]!, 'memory.swap.peak')}, which the run's outer had not read`);
    expect(aheadWhole('whole kind')).toBe(true);
    await expect(readingAhead('whole kind', j, () => readOptional(join(j[1]!, 'memory.events')), ones(all))).rejects.toThrow(
      `the report read ${join(j[1]!, 'memory.events')}, which the run's outer had not read before it removed the cgroups`,
    );
    expect(aheadWhole('whole kind')).toBe(false);
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
