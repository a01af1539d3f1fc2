import { mkdirSync, mkdtempSync, renameSync, rmSync, rmdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cachedHostFs } from './host-fs.js';

const made: string[] = [];
afterEach(() => made.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function tree(): string {
  const top = mkdtempSync(join(tmpdir(), 'cgbox-hostfs-'));
  made.push(top);
  mkdirSync(join(top, 'usr'));
  writeFileSync(join(top, 'etc'), '');
  symlinkSync('usr/bin', join(top, 'bin'));
  return top;
}

/** Longer than the kernel's coarsest timestamp tick: a root unchanged for this long is kept. */
const SETTLED_NS = 50_000_000n;
/** Past the settling time: the next plan keeps (or checks) the snapshot, not the tree afresh. */
const settle = () => new Promise((r) => setTimeout(r, 60));

const seen = (fs: ReturnType<typeof cachedHostFs>) =>
  Object.fromEntries(fs.list('/').sort().map((n) => [n, fs.kind(`/${n}`) === 'symlink' ? `-> ${fs.readlink(`/${n}`)}` : fs.kind(`/${n}`)]));

describe('the host root, cached while it stays the same', () => {
  it('is kept once settled, and every change of an entry is seen at the next plan', async () => {
    const top = tree();
    const fs = cachedHostFs(top, SETTLED_NS);
    await settle();
    expect(seen(fs)).toEqual({ bin: '-> usr/bin', etc: 'file', usr: 'dir' });
    expect(fs.kept()).toBe(true);

    mkdirSync(join(top, 'opt'));
    await settle();
    expect(seen(fs)).toMatchObject({ opt: 'dir' });
    expect(fs.kept()).toBe(true); // kept again, with the new entry

    // A symlink pointed elsewhere the way ln -sfn does it: made anew, renamed over the old one.
    symlinkSync('usr/sbin', join(top, 'bin.new'));
    renameSync(join(top, 'bin.new'), join(top, 'bin'));
    await settle();
    expect(seen(fs)['bin']).toBe('-> usr/sbin');

    // A file replaced by a directory, and an entry removed.
    rmSync(join(top, 'etc'));
    mkdirSync(join(top, 'etc'));
    rmdirSync(join(top, 'opt'));
    await settle();
    expect(seen(fs)).toEqual({ bin: '-> usr/sbin', etc: 'dir', usr: 'dir' });
    expect(fs.kind('/opt')).toBe('missing');
  });

  it('is not kept while the root changed in the last moments, and answers from the tree itself', async () => {
    const top = tree();
    const fs = cachedHostFs(top, 60_000_000_000n);
    expect(seen(fs)).toEqual({ bin: '-> usr/bin', etc: 'file', usr: 'dir' });
    expect(fs.kept()).toBe(false);
    mkdirSync(join(top, 'opt'));
    expect(fs.kind('/opt')).toBe('dir'); // even within the same stretch
  });

  it('answers paths below the top level from the tree, unaffected', async () => {
    const top = tree();
    mkdirSync(join(top, 'usr', 'lib'));
    const fs = cachedHostFs(top, SETTLED_NS);
    await settle();
    expect(fs.kind('/usr/lib')).toBe('dir');
    expect(fs.list('/usr')).toEqual(['lib']);
    expect(fs.kind('/usr/none')).toBe('missing');
  });
});
