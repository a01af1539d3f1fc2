import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SetupError } from '../spec/errors.js';
import { ensurePrivateDir, stateDirs, writeFileAtomic } from './state-dir.js';

const base = mkdtempSync(join(tmpdir(), 'cgbox-state-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('state directories', () => {
  it('are made 0700, and a looser one of ours is tightened', () => {
    const d = join(base, 'run/cgbox');
    ensurePrivateDir(d);
    expect(statSync(d).mode & 0o777).toBe(0o700);
    const loose = join(base, 'loose');
    mkdirSync(loose, { mode: 0o777 });
    ensurePrivateDir(loose);
    expect(statSync(loose).mode & 0o777).toBe(0o700);
  });

  it('refuse a symlink in their place', () => {
    const target = join(base, 'elsewhere');
    mkdirSync(target);
    symlinkSync(target, join(base, 'link'));
    expect(() => ensurePrivateDir(join(base, 'link'))).toThrow(SetupError);
  });
});

describe('where they are', () => {
  it("root's under /var/lib and /run; a user's under its XDG directories; the variables override both", () => {
    expect(stateDirs({}, { root: true, stateHome: '/x' })).toEqual({ stateDir: '/var/lib/cgbox', runDir: '/run/cgbox' });
    const user = { root: false, runtimeDir: '/run/user/1000', stateHome: '/home/u/.local/state' };
    expect(stateDirs({}, user)).toEqual({ stateDir: '/home/u/.local/state/cgbox', runDir: '/run/user/1000/cgbox' });
    // No login session, no runtime directory: the runs go in the state directory.
    expect(stateDirs({}, { root: false, stateHome: '/home/u/.local/state' }).runDir).toBe('/home/u/.local/state/cgbox/run');
    expect(stateDirs({ CGBOX_STATE_DIR: '/s', CGBOX_RUN_DIR: '/r' }, user)).toEqual({ stateDir: '/s', runDir: '/r' });
  });

  // chown needs root, as the unit suite runs on the development hosts (skipped, and counted so, elsewhere).
  it.runIf(process.getuid?.() === 0)("refuse another user's directory", () => {
    const theirs = join(base, 'theirs');
    mkdirSync(theirs, { mode: 0o700 });
    chownSync(theirs, 65534, 65534);
    expect(() => ensurePrivateDir(theirs)).toThrow(/belongs to uid 65534, not to this user/);
  });
});

describe('writeFileAtomic', () => {
  it('replaces the file whole through a random temporary name, leaving no temporary behind', async () => {
    const f = join(base, 'table.json');
    await writeFileAtomic(f, '{"a":1}');
    await writeFileAtomic(f, '{"a":2}');
    expect(readFileSync(f, 'utf8')).toBe('{"a":2}');
    expect(readdirSync(base).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(statSync(f).mode & 0o777).toBe(0o600);
  });

  it('never writes through a symlink planted where a temporary name could be guessed', async () => {
    const victim = join(base, 'victim');
    writeFileSync(victim, 'keep');
    // The old temporary name was <file>.<pid>.tmp: plant it; the write must not follow it.
    symlinkSync(victim, join(base, `t.json.${process.pid}.tmp`));
    await writeFileAtomic(join(base, 't.json'), 'new');
    expect(readFileSync(victim, 'utf8')).toBe('keep');
    expect(existsSync(join(base, 't.json'))).toBe(true);
  });
});
