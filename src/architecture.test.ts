/**
 * The dependency rule of .dependency-cruiser.cjs: imports point down the
 * floors only, type-only imports included, and nothing is circular. Checked
 * on src/ itself, and on small trees that break it on purpose, to show the
 * check really fails when the rule is broken.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

function depcruise(cwd: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [DEPCRUISE, 'src', '--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'err'], { cwd }, (e, stdout, stderr) =>
      resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    );
  });
}

const trees: string[] = [];
afterAll(() => trees.forEach((t) => rmSync(t, { recursive: true, force: true })));

/** A throwaway project with the given files under it, and the repository's tsconfig. */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cgbox-deps-'));
  trees.push(dir);
  copyFileSync(join(ROOT, 'tsconfig.json'), join(dir, 'tsconfig.json'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe.concurrent('the dependency rule', () => {
  it('holds for src/', async () => {
    const r = await depcruise(ROOT);
    expect(r.out).toContain('no dependency violations found');
    expect(r.code).toBe(0);
  }, 60_000);

  it('fails on an import from a lower floor to a higher one', async () => {
    const r = await depcruise(
      tree({
        'src/spec/types.ts': "import { prepare } from '../run/prepare.js';\nexport const x = prepare;\n",
        'src/run/prepare.ts': 'export const prepare = 1;\n',
      }),
    );
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/floor-0-spec: src\/spec\/types\.ts → src\/run\/prepare\.ts/);
  }, 60_000);

  it('fails on a type-only import upward too', async () => {
    const r = await depcruise(
      tree({
        'src/net/driver.ts': "import type { Prepared } from '../run/prepare.js';\nexport type P = Prepared;\n",
        'src/run/prepare.ts': 'export interface Prepared { name: string }\n',
      }),
    );
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/floor-5-net: src\/net\/driver\.ts → src\/run\/prepare\.ts/);
  }, 60_000);

  it('fails on a cycle within one folder', async () => {
    const r = await depcruise(
      tree({
        'src/run/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
        'src/run/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
      }),
    );
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('no-cycles');
  }, 60_000);

  it('fails when the CLI reaches past the public API', async () => {
    const r = await depcruise(
      tree({
        'src/cli/main.ts': "import { prepare } from '../run/prepare.js';\nexport const m = prepare;\n",
        'src/run/prepare.ts': 'export const prepare = 1;\n',
      }),
    );
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('faces-use-the-public-api');
  }, 60_000);
});
