import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SetupError } from '../spec/errors.js';
import { buildInit, cacheRoot, findCompiler, sourceHash, writableByOthers } from './init-build.js';

const COMPILE_MS = 60_000;

const SRC = fileURLToPath(new URL('../../native/src', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'cgbox-init-build-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('cacheRoot', () => {
  it('is $XDG_CACHE_HOME/cgbox, else ~/.cache/cgbox; a relative XDG_CACHE_HOME is ignored', () => {
    expect(cacheRoot({ XDG_CACHE_HOME: '/var/cache/me' })).toBe('/var/cache/me/cgbox');
    expect(cacheRoot({ XDG_CACHE_HOME: 'rel' })).toMatch(/\/\.cache\/cgbox$/);
    expect(cacheRoot({})).toMatch(/\/\.cache\/cgbox$/);
  });
});

describe('sourceHash', () => {
  it('changes with any source, a new file and the architecture; not with other files', () => {
    const dir = join(tmp, 'hash');
    cpSync(SRC, dir, { recursive: true });
    const before = sourceHash(dir, 'x64');
    expect(sourceHash(dir, 'x64')).toBe(before);
    expect(sourceHash(dir, 'arm64')).not.toBe(before);
    writeFileSync(join(dir, 'README'), 'not a source');
    expect(sourceHash(dir, 'x64')).toBe(before);
    writeFileSync(join(dir, 'caps.c'), 'int caps;\n');
    const added = sourceHash(dir, 'x64');
    expect(added).not.toBe(before);
    writeFileSync(join(dir, 'caps.c'), 'int caps2;\n');
    expect(sourceHash(dir, 'x64')).not.toBe(added);
  });
});

describe('findCompiler', () => {
  it('takes $CC with its words, else cc, gcc or clang on PATH, else none', () => {
    expect(findCompiler({ CC: 'ccache gcc', PATH: '' })).toEqual(['ccache', 'gcc']);
    expect(findCompiler({ PATH: '/nonexistent' })).toBeNull();
    expect(findCompiler({ PATH: process.env.PATH })?.[0]).toMatch(/\/(cc|gcc|clang)$/);
  });
});

describe('buildInit', () => {
  const env = { ...process.env, XDG_CACHE_HOME: join(tmp, 'cache') };

  // A whole build of native/src with gcc: seconds on a machine busy with other builds and VMs.
  it('builds every native/src/*.c into the cache once, and the result runs as cgbox-init', () => {
    const path = buildInit(SRC, 'test', env);
    expect(path).toBe(join(tmp, 'cache', 'cgbox', sourceHash(SRC, process.arch), 'cgbox-init'));
    const r = spawnSync(path, ['--', 'true'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(r.status).toBe(2); // no status pipe on fd 3: refused, as cgbox-init does
    expect(r.stderr).toContain('cgbox-init is started by cgbox');
    const built = statSync(path).mtimeMs;
    expect(buildInit(SRC, 'test', { ...env, PATH: '/nonexistent', CC: '' })).toBe(path); // cached: no compiler needed
    expect(statSync(path).mtimeMs).toBe(built);
  }, COMPILE_MS);

  it('without a compiler: a SetupError that says why and names the compiler package, and leaves nothing', () => {
    const dir = join(tmp, 'other-src');
    cpSync(SRC, dir, { recursive: true });
    writeFileSync(join(dir, 'extra.c'), 'int extra;\n');
    const noCompiler = { XDG_CACHE_HOME: join(tmp, 'cache2'), PATH: '/nonexistent' };
    const err = (() => {
      try {
        buildInit(dir, 'no prebuilt helper for linux-mips', noCompiler);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SetupError);
    expect((err as SetupError).step).toBe('init');
    expect((err as SetupError).message).toMatch(/no prebuilt helper for linux-mips, and no C compiler was found .*apt-get install gcc libc6-dev/);
    expect(() => statSync(join(tmp, 'cache2'))).toThrow(); // nothing made
  });

  it('a failing compile is a SetupError with what the compiler said, and no half-built file', () => {
    const dir = join(tmp, 'broken-src');
    cpSync(SRC, dir, { recursive: true });
    writeFileSync(join(dir, 'broken.c'), 'this is not C;\n');
    const cache = join(tmp, 'cache3');
    expect(() => buildInit(dir, 'test', { ...process.env, XDG_CACHE_HOME: cache })).toThrow(/building it from .* failed \(exit 1: .*broken\.c/s);
    const out = join(cache, 'cgbox', sourceHash(dir, process.arch));
    expect(spawnSync('ls', ['-A', out], { encoding: 'utf8' }).stdout).toBe('');
  });
});

describe('writableByOthers', () => {
  it('accepts a path that only root or we can write, a sticky /tmp included; names the first that others can write', () => {
    const dir = join(tmp, 'perm');
    cpSync(SRC, join(dir, 'a', 'b'), { recursive: true });
    const file = join(dir, 'a', 'b', 'main.c');
    expect(writableByOthers(file)).toBeNull();
    chmodSync(join(dir, 'a'), 0o777);
    expect(writableByOthers(file)).toBe(join(dir, 'a'));
    chmodSync(join(dir, 'a'), 0o755);
    expect(writableByOthers(tmpdir())).toBeNull(); // /tmp: world-writable but sticky
    // Owned by another user: as root, give the file away; otherwise ask as someone we are not.
    if (process.getuid?.() === 0) chownSync(file, 12345, 12345);
    expect(writableByOthers(file, process.getuid?.() === 0 ? 0 : 12345)).toBe(file);
  });

  it('a cached helper in a directory others can write is refused, not run', () => {
    const cache = join(tmp, 'open-cache');
    const env = { ...process.env, XDG_CACHE_HOME: cache };
    const path = buildInit(SRC, 'no prebuilt helper fits', env);
    chmodSync(join(cache, 'cgbox'), 0o777);
    expect(() => buildInit(SRC, 'no prebuilt helper fits', env)).toThrow(/no prebuilt helper fits; the helper built from source, .* is not run: .*open-cache\/cgbox belongs to, or can be written by, someone other than (root|uid \d+)/);
    chmodSync(join(cache, 'cgbox'), 0o755);
    expect(buildInit(SRC, 'no prebuilt helper fits', env)).toBe(path);
  }, COMPILE_MS);
});
