/**
 * What integration/package.test.ts needs to try the package as a user gets
 * it: a clean copy of the checkout packed as `npm pack` packs it, fresh apps
 * that install the tarball with npm, pnpm 10 or yarn 4, and a host without
 * any C compiler to run them on — a mount namespace in which /dev/null is
 * bound over every compiler (the namespace, and the masks, end with its
 * last process).
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type Options, type Result } from 'execa';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const APP_FILES = join(ROOT, 'fixtures', 'package-app');

/** The environment of a user's shell: none of the npm_* variables `npm test` put around this test. */
export function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'INIT_CWD'));
  return { ...env, ...extra };
}

/** Names of C compiler drivers (cc, gcc-12, x86_64-linux-gnu-gcc, c99-gcc, clang…), not cpp. */
const DRIVER = /^(?:[\w.]+-)*(?:cc|gcc|g\+\+|c\+\+|c89|c99|clang|clang\+\+|tcc)(?:-[\d.]+)?$/;

/** Every C compiler on this host: the drivers on PATH and gcc's own cc1, as real files. */
export function compilers(): string[] {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter((d) => d && existsSync(d));
  const drivers = dirs.flatMap((d) => readdirSync(d).filter((n) => DRIVER.test(n)).map((n) => join(d, n)));
  const proper = ['/usr/lib/gcc', '/usr/lib/gcc-cross'].flatMap((base) =>
    existsSync(base) ? readdirSync(base).flatMap((t) => readdirSync(join(base, t)).flatMap((v) => ['cc1', 'cc1plus'].map((f) => join(base, t, v, f)))) : [],
  );
  const files = [...drivers, ...proper].filter((p) => existsSync(p)).map((p) => realpathSync(p));
  return [...new Set(files)].filter((p) => statSync(p).isFile()).sort();
}

const MASK = 'while IFS= read -r f; do [ -z "$f" ] || mount --bind /dev/null "$f" || exit 125; done <<<"$CGBOX_TEST_MASK"; exec "$@"';

/** What a step did, as text. */
export interface Ran {
  command: string;
  exitCode: number | undefined;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  all: string;
}

const text = (v: unknown) => (typeof v === 'string' ? v : '');

async function ran(file: string, args: readonly string[], opts: Options): Promise<Ran> {
  const r: Result = await execa(file, args, { ...opts, extendEnv: false, reject: false, all: true });
  return { command: r.command, exitCode: r.exitCode, timedOut: r.timedOut, stdout: text(r.stdout), stderr: text(r.stderr), all: text(r.all) };
}

export interface RunOpts {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  timeout?: number;
}

/** Runs file args with no C compiler on the host: each one's path shows /dev/null, which cannot be executed. */
export function withoutCompilers(masked: readonly string[], file: string, args: readonly string[], o: RunOpts): Promise<Ran> {
  const env = { ...(o.env ?? userEnv()), CGBOX_TEST_MASK: masked.join('\n') };
  return ran('unshare', ['--mount', '--propagation', 'private', '--', 'bash', '-c', MASK, 'mask', file, ...args], { cwd: o.cwd, env, timeout: o.timeout ?? 120_000 });
}

export function run(file: string, args: readonly string[], o: RunOpts): Promise<Ran> {
  return ran(file, args, { cwd: o.cwd, env: o.env ?? userEnv(), timeout: o.timeout ?? 120_000 });
}

/** A failed step's whole story, for an assertion's message. */
export const said = (r: Ran) => `${r.command} → exit ${r.exitCode}${r.timedOut ? ' (timed out)' : ''}\n${r.all}`;

/**
 * The checkout as a fresh clone would have it: tracked files and new ones not
 * ignored (so uncommitted work is what gets packed), and no build output at
 * all (dist, native/bin, native/prebuilt, fixtures/bin are ignored). The
 * dependencies are the checkout's own, linked.
 */
export async function cleanCopy(dest: string): Promise<void> {
  const listed = await execa('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT });
  const files = listed.stdout.split('\0').filter((f) => f && existsSync(join(ROOT, f)));
  for (const f of files) cpSync(join(ROOT, f), join(dest, f), { dereference: false, preserveTimestamps: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dest, 'node_modules'));
}

export interface Packed {
  tarball: string;
  files: Array<{ path: string; mode: number }>;
}

/** `npm pack` of dir into out: prepack builds dist and the prebuilt helpers; the file list is npm's own. */
export async function pack(dir: string, out: string): Promise<Packed> {
  const r = await run('npm', ['pack', '--json', '--pack-destination', out], { cwd: dir, timeout: 300_000 });
  if (r.exitCode !== 0) throw new Error(`npm pack failed: ${said(r)}`);
  const [info] = JSON.parse(r.stdout) as Array<{ filename: string; files: Array<{ path: string; mode: number }> }>;
  return { tarball: join(out, info!.filename), files: info!.files };
}

export type Manager = 'npm' | 'pnpm' | 'yarn';

/** The app's own files and the install command of each package manager, from the npm registry only. */
export function freshApp(dir: string, manager: Manager, tarball: string, extra: readonly string[] = []): { file: string; args: string[] } {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `app-${manager}`, version: '1.0.0', private: true, type: 'module' }, null, 2));
  for (const f of readdirSync(APP_FILES)) if (f !== 'README.md') cpSync(join(APP_FILES, f), join(dir, f));
  switch (manager) {
    case 'npm':
      return { file: 'npm', args: ['install', '--no-audit', '--no-fund', tarball, ...extra] };
    case 'pnpm':
      return { file: 'npx', args: ['--yes', 'pnpm@10', 'add', tarball, ...extra] };
    case 'yarn':
      // Yarn's own registry is out of reach here: the npm registry. The node-modules linker, as the
      // task asks; a cache of its own, so that the global one does not keep every tarball tested.
      writeFileSync(
        join(dir, '.yarnrc.yml'),
        ['nodeLinker: node-modules', 'npmRegistryServer: "https://registry.npmjs.org"', 'enableTelemetry: false', 'enableImmutableInstalls: false', 'enableGlobalCache: false', 'cacheFolder: ./.yarn-cache', ''].join('\n'),
      );
      return { file: 'npx', args: ['--yes', '@yarnpkg/cli-dist@4', 'add', `cgbox@file:${tarball}`, ...extra] };
  }
}

/** A dependency's version as the checkout's lockfile pins it: the app tests what the suite tests. */
export function lockedVersion(name: string): string {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
  const v = lock.packages[`node_modules/${name}`]?.version;
  if (!v) throw new Error(`${name} is not in package-lock.json`);
  return v;
}
