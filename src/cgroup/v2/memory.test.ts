import { afterEach, describe, expect, it } from 'vitest';
import { emptySpec } from '../../spec/types.js';
import { UnsupportedError } from '../../spec/errors.js';
import { memoryValues, readMemoryUsage } from './memory.js';
import { fakeCaps, fakeCgroupfs, SAMPLE, type FakeTree } from './fake-cgroupfs.js';

const MiB = 2 ** 20;

describe('memoryValues', () => {
  it('writes nothing for an unlimited spec', () => {
    expect(memoryValues(emptySpec(), fakeCaps())).toEqual({ writes: [], limits: {} });
  });

  it('makes a memory limit mean no swap', () => {
    const t = memoryValues({ ...emptySpec(), memoryBytes: 256 * MiB }, fakeCaps());
    expect(t.writes).toEqual([
      { file: 'memory.max', value: '268435456' },
      { file: 'memory.swap.max', value: '0' },
    ]);
    expect(t.limits).toEqual({
      memory: { value: 268435456, enforced: true },
      swap: { value: 0, enforced: true },
    });
  });

  it('writes swap on its own, not memory + swap as v1 does', () => {
    const t = memoryValues({ ...emptySpec(), memoryBytes: 256 * MiB, swapBytes: 64 * MiB }, fakeCaps());
    expect(t.writes[1]).toEqual({ file: 'memory.swap.max', value: '67108864' });
    expect(t.limits.swap).toEqual({ value: 67108864, enforced: true });
  });

  it('says when the swap peak will be a lower bound (no memory.swap.peak before 6.5)', () => {
    const spec = { ...emptySpec(), memoryBytes: 64 * MiB, swapBytes: 64 * MiB };
    const t = memoryValues(spec, fakeCaps({ kernel: '6.1.0', swapPeak: false }));
    expect(t.limits.swap).toMatchObject({ value: 64 * MiB, enforced: true, reason: expect.stringMatching(/memory\.swap\.peak needs Linux 6\.5.*lower bound/) });
    // No swap allowed: nothing to measure, nothing to say.
    expect(memoryValues({ ...spec, swapBytes: undefined }, fakeCaps({ swapPeak: false })).limits.swap).toEqual({ value: 0, enforced: true });
  });

  it('refuses swap without swap accounting, naming the fix', () => {
    const spec = { ...emptySpec(), memoryBytes: 256 * MiB, swapBytes: 64 * MiB };
    const caps = fakeCaps({ swapAccounting: false });
    expect(() => memoryValues(spec, caps)).toThrow(UnsupportedError);
    expect(() => memoryValues(spec, caps)).toThrow(/CONFIG_MEMCG_SWAP.*swapaccount=1/);
  });

  it('without swap accounting, says whether "no swap" holds', () => {
    const spec = { ...emptySpec(), memoryBytes: 256 * MiB };
    const noSwap = memoryValues(spec, fakeCaps({ swapAccounting: false, swapTotalBytes: 0 }));
    expect(noSwap.writes).toEqual([{ file: 'memory.max', value: '268435456' }]);
    expect(noSwap.limits.swap).toMatchObject({ value: 0, enforced: true });
    const swapOn = memoryValues(spec, fakeCaps({ swapAccounting: false }));
    expect(swapOn.limits.swap).toMatchObject({ value: 0, enforced: false, reason: expect.stringMatching(/swapaccount=1/) });
  });

  it('notes on the memory limit that the peak is a lower bound before 5.19', () => {
    const t = memoryValues({ ...emptySpec(), memoryBytes: MiB }, fakeCaps({ memoryPeak: false }));
    expect(t.limits.memory).toMatchObject({ enforced: true, reason: expect.stringMatching(/5\.19.*lower bound/) });
  });
});

describe('readMemoryUsage', () => {
  let tree: FakeTree | undefined;
  afterEach(() => tree?.remove());

  it('reads memory.peak, memory.swap.peak, oom_kill, the anon/file split and memory.events', async () => {
    tree = await fakeCgroupfs(SAMPLE);
    expect(await readMemoryUsage(tree.root)).toEqual({
      peakBytes: 62914560,
      swapPeakBytes: 4194304,
      oomKills: 1,
      cacheBytes: 8388608,
      rssBytes: 52428800,
      events: { high: 0, max: 37, oom: 1, oomKill: 1 },
    });
  });

  it('falls back to memory.current and memory.swap.current on older kernels', async () => {
    const { 'memory.peak': _p, 'memory.swap.peak': _s, ...older } = SAMPLE;
    tree = await fakeCgroupfs({ ...older, 'memory.swap.current': '1048576\n' });
    const memory = await readMemoryUsage(tree.root);
    expect(memory.peakBytes).toBe(9437184);
    expect(memory.swapPeakBytes).toBe(1048576);
  });

  it('reports zeros, not errors, for files that are missing', async () => {
    tree = await fakeCgroupfs({ 'memory.current': '0\n' });
    expect(await readMemoryUsage(tree.root)).toEqual({ peakBytes: 0, swapPeakBytes: 0, oomKills: 0 });
  });
});
