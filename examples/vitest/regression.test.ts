/**
 * A resource-regression test of a real program: a hard budget it must stay
 * within, and a baseline (kept in __baselines__/ beside this file, written
 * on the first run, updated with `vitest -u`) it must not creep above.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { sandbox } from 'cgbox';
import 'cgbox/vitest';

const program = fileURLToPath(new URL('./programs/build-index.mjs', import.meta.url));

describe('build-index', () => {
  test('indexes 20 000 documents within its budget and its baseline', async () => {
    const r = await sandbox().memory('256m').pids(64).timeout('30s').run('node', [program, '20000']);

    expect(r).toHaveExitedWith(0);
    expect(r.stdout).toBe('indexed 20000 documents: 4794 words, 1000000 postings\n');
    // The budget: what it may never use.
    expect(r).toUseAtMost({ memory: '128m', cpu: '5s', writeBytes: 0 });
    // The baseline: memory within 15 % of what it was; CPU time, which varies with the
    // machine's load, within double.
    await expect(r).toMatchResourceBaseline({
      metrics: ['memory.peakBytes', 'cpu.usageUs'],
      tolerance: { 'memory.peakBytes': 0.15, 'cpu.usageUs': 1 },
    });
  });
});
