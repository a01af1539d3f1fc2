import { afterEach, describe, expect, it } from 'vitest';
import { emptySpec } from '../../spec/types.js';
import { pidsValues, readPidsUsage } from './pids.js';
import { INIT_TASKS } from '../tasks.js';
import { fakeCgroupfs, type FakeTree } from './fake-cgroupfs.js';

describe('pidsValues', () => {
  it('counts cgbox init on top of the user limit', () => {
    expect(INIT_TASKS).toBe(1);
    const t = pidsValues({ ...emptySpec(), pids: 64 });
    expect(t.writes).toEqual([{ file: 'pids.max', value: '65' }]);
    expect(t.limits.pids).toMatchObject({ value: 64, enforced: true });
  });

  it('writes nothing without a limit', () => {
    expect(pidsValues(emptySpec())).toEqual({ writes: [], limits: {} });
  });
});

describe('readPidsUsage', () => {
  let tree: FakeTree | undefined;
  afterEach(() => tree?.remove());

  it('reports pids.peak minus the init', async () => {
    tree = await fakeCgroupfs({ 'pids.peak': '65\n', 'pids.current': '1\n' });
    expect(await readPidsUsage(tree.root)).toEqual({ peak: 64 });
  });

  it('falls back to pids.current before 6.1, never below 0', async () => {
    tree = await fakeCgroupfs({ 'pids.current': '3\n' });
    expect(await readPidsUsage(tree.root)).toEqual({ peak: 2 });
    await tree.remove();
    tree = await fakeCgroupfs({ 'pids.current': '0\n' });
    expect(await readPidsUsage(tree.root)).toEqual({ peak: 0 });
  });
});
