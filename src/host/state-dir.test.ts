import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SetupError } from '../spec/errors.js';
import { ensurePrivateDir, writeFileAtomic } from './state-dir.js';

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
