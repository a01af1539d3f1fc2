import { mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { treeHash } from './tree-hash.js';

describe('treeHash (a template cache key)', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const tree = () => {
    const d = mkdtempSync(join(tmpdir(), 'cgbox-hash-'));
    dirs.push(d);
    writeFileSync(join(d, 'a'), 'hello');
    symlinkSync('a', join(d, 'link'));
    return d;
  };

  it('is stable for an unchanged tree', async () => {
    const d = tree();
    expect(await treeHash(d)).toBe(await treeHash(d));
    expect(await treeHash(d)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('changes when a file is written, added, chmod-ed, or its mtime set back', async () => {
    const d = tree();
    const seen = new Set([await treeHash(d)]);
    const changed = async (f: () => void) => {
      f();
      const h = await treeHash(d);
      expect(seen.has(h)).toBe(false);
      seen.add(h);
    };
    await changed(() => writeFileSync(join(d, 'a'), 'hellO'));
    await changed(() => writeFileSync(join(d, 'b'), ''));
    await changed(() => chmodSync(join(d, 'b'), 0o600));
    await changed(() => utimesSync(join(d, 'a'), new Date(0), new Date(0))); // ctime still moves
  });
});
