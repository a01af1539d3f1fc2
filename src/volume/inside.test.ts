import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirInside } from './inside.js';

describe('mkdirInside (a mount point inside a root filesystem copy)', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const root = () => {
    const d = mkdtempSync(join(tmpdir(), 'cgbox-inside-'));
    dirs.push(d);
    return d;
  };

  it('makes missing directories and returns the path as the sandbox sees it', async () => {
    const r = root();
    expect(await mkdirInside(r, '/data/cache')).toBe('/data/cache');
    expect(existsSync(join(r, 'data/cache'))).toBe(true);
  });

  it('follows an absolute symlink within the root, not to the host', async () => {
    const r = root();
    const outside = root(); // stands for the host's /run
    mkdirSync(join(r, 'run'));
    symlinkSync(outside, join(r, 'hostlink')); // absolute: must mean <root><outside>, not <outside>
    symlinkSync('/run', join(r, 'var-run'));
    expect(await mkdirInside(r, '/var-run/x')).toBe('/run/x');
    expect(existsSync(join(r, 'run/x'))).toBe(true);
    expect(await mkdirInside(r, '/hostlink/y')).toBe(`${outside}/y`);
    expect(existsSync(join(outside, 'y'))).toBe(false);
    expect(existsSync(join(r, outside, 'y'))).toBe(true);
  });

  it("keeps '..' at the root, and refuses a file in the way", async () => {
    const r = root();
    symlinkSync('../../..', join(r, 'up'));
    expect(await mkdirInside(r, '/up/z')).toBe('/z');
    writeFileSync(join(r, 'file'), '');
    await expect(mkdirInside(r, '/file/z')).rejects.toThrow(/not a directory/);
  });
});
