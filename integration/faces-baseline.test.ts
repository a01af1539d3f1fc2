/**
 * Resource baselines for real, through vitest itself: a throw-away test file
 * run by `vitest run` in a child process — first run, same workload, a 2×
 * heavier one, `vitest -u`, and CI=true.
 *
 * Host tier only: the faces call the public API only: what they show does not depend on the cgroup
 * version.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { MiB, fixture } from './fixtures.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const VITEST = join(ROOT, 'node_modules/vitest/vitest.mjs');
const dir = mkdtempSync(join(tmpdir(), 'cgbox-faces-baseline-'));
const baselines = join(dir, '__baselines__', 'workload.test.ts.json');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

writeFileSync(join(dir, 'vitest.config.mjs'), `export default { test: { globals: true, include: ['workload.test.ts'], testTimeout: 30000 } };\n`);
writeFileSync(
  join(dir, 'workload.test.ts'),
  `import { sandbox } from ${JSON.stringify(join(ROOT, 'src/index.js'))};
import ${JSON.stringify(join(ROOT, 'src/vitest/index.js'))};

describe('workload', () => {
  test(process.env.TEST_NAME ?? 'allocates', async () => {
    const r = await sandbox().memory('256m').run(${JSON.stringify(fixture('alloc'))}, [process.env.ALLOC_MIB ?? '20']);
    expect(r).toHaveExitedWith(0);
    await expect(r).toMatchResourceBaseline({ metrics: ['memory.peakBytes'] });
  });
});
`,
);

/** `vitest run` on the temp file, with CI set or not, whatever this process's own environment says. */
async function vitest(opts: { mib: number; ci?: boolean; update?: boolean; name?: string }) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(VITEST|CI$|TEST$|NODE_ENV$|UPDATE_SNAPSHOT$)/.test(k)) env[k] = v;
  Object.assign(env, { NO_COLOR: '1', ALLOC_MIB: String(opts.mib), ...(opts.ci ? { CI: 'true' } : {}), ...(opts.name ? { TEST_NAME: opts.name } : {}) });
  const r = await execa('node', [VITEST, 'run', '--root', dir, '--config', join(dir, 'vitest.config.mjs'), ...(opts.update ? ['-u'] : [])], {
    cwd: dir,
    env,
    extendEnv: false,
    reject: false,
    all: true,
    timeout: 90_000,
  });
  return { exitCode: r.exitCode, output: r.all ?? '' };
}

const stored = (): Record<string, Record<string, number>> => JSON.parse(readFileSync(baselines, 'utf8'));

/**
 * Each test starts vitest up to six times (measured: 164 s for the first test's six at load 17 on
 * 2 cores), and each may take its full 90 s before execa ends it: the test's own timeout is their
 * sum, so that only a hang fails it.
 */
const SIX_CHILD_RUNS_MS = 6 * 90_000;

describe('toMatchResourceBaseline through vitest', () => {
  it('writes on the first run, passes on the same workload, fails on a 2× heavier one with the diff, and vitest -u rewrites it', async () => {
    const first = await vitest({ mib: 20 });
    expect(first.exitCode, first.output).toBe(0);
    const written = stored()['workload > allocates']!['memory.peakBytes']!;
    expect(written).toBeGreaterThanOrEqual(20 * MiB);
    expect(written).toBeLessThan(24 * MiB);
    expect(Object.keys(stored())).toEqual(['workload > allocates']);

    const same = await vitest({ mib: 20 });
    expect(same.exitCode, same.output).toBe(0);
    expect(stored()['workload > allocates']!['memory.peakBytes']).toBe(written); // compared, not rewritten

    const heavier = await vitest({ mib: 40 });
    expect(heavier.exitCode).toBe(1);
    expect(heavier.output).toContain('resource use of "workload > allocates" is above its baseline in __baselines__/workload.test.ts.json:');
    expect(heavier.output).toMatch(/ {2}memory\.peakBytes 4[0-3]\.\d MiB > baseline 2[0-3]\.\d MiB \+ 10 %\n/);
    expect(heavier.output).toContain('if this is intended, update the baseline: vitest -u');
    expect(stored()['workload > allocates']!['memory.peakBytes']).toBe(written);

    const updated = await vitest({ mib: 40, update: true });
    expect(updated.exitCode, updated.output).toBe(0);
    const rewritten = stored()['workload > allocates']!['memory.peakBytes']!;
    expect(rewritten).toBeGreaterThanOrEqual(40 * MiB);
    expect(rewritten).toBeLessThan(44 * MiB);
    expect((await vitest({ mib: 40 })).exitCode).toBe(0);
  }, SIX_CHILD_RUNS_MS);

  it('in CI (CI=true) a missing baseline fails and is not written; a present one is compared', async () => {
    const missing = await vitest({ mib: 20, ci: true, name: 'new in CI' });
    expect(missing.exitCode).toBe(1);
    expect(missing.output).toContain(
      'no resource baseline for "workload > new in CI" in __baselines__/workload.test.ts.json, and CI does not write one: run the test where CI is not set (or with vitest -u) and commit __baselines__/workload.test.ts.json',
    );
    expect(existsSync(baselines) ? Object.keys(stored()) : []).not.toContain('workload > new in CI');

    // The baseline of the first test (40 MiB by now, or written here if this test runs alone).
    await vitest({ mib: 40 });
    expect((await vitest({ mib: 40, ci: true })).exitCode).toBe(0);
    const heavier = await vitest({ mib: 80, ci: true });
    expect(heavier.exitCode).toBe(1);
    expect(heavier.output).toMatch(/memory\.peakBytes 8[0-3]\.\d MiB > baseline 4[0-3]\.\d MiB \+ 10 %/);
  }, SIX_CHILD_RUNS_MS);
});
