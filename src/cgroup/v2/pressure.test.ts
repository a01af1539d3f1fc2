import { afterEach, describe, expect, it } from 'vitest';
import { cgroupV2 } from './driver.js';
import { fakeCaps, fakeCgroupfs, type FakeTree } from './fake-cgroupfs.js';
import { parsePressure, readPressure } from './pressure.js';
import { emptySpec } from '../../spec/types.js';

const CPU = 'some avg10=1.20 avg60=0.40 avg300=0.10 total=523102\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=1201\n';

describe('PSI', () => {
  let tree: FakeTree | undefined;
  afterEach(async () => tree?.remove());

  it('reads the some and full totals in µs', () => {
    expect(parsePressure(CPU)).toEqual({ someUs: 523102, fullUs: 1201 });
    expect(parsePressure('some avg10=0.00 avg60=0.00 avg300=0.00 total=7\n')).toEqual({ someUs: 7, fullUs: 0 });
    expect(parsePressure('')).toBeNull();
  });

  it('is null for a resource whose file is missing (no CONFIG_PSI)', async () => {
    tree = await fakeCgroupfs({ 'cpu.pressure': CPU });
    expect(await readPressure(tree.root, 'cpu')).toEqual({ someUs: 523102, fullUs: 1201 });
    expect(await readPressure(tree.root, 'io')).toBeNull();
  });

  it('is in the report per resource, and null as a whole where the kernel has none', async () => {
    tree = await fakeCgroupfs({ 'sandbox/cpu.pressure': CPU, 'sandbox/memory.pressure': 'some avg10=0 avg60=0 avg300=0 total=40\nfull avg10=0 avg60=0 avg300=0 total=30\n' });
    const plan = { ...cgroupV2.plan(emptySpec(), fakeCaps(), 'x'), dirs: [{ hierarchy: 'unified', path: `${tree.root}/sandbox`, writes: [] }] };
    expect((await cgroupV2.readUsage(plan)).pressure).toEqual({ cpu: { someUs: 523102, fullUs: 1201 }, memory: { someUs: 40, fullUs: 30 }, io: null });
    const bare = { ...plan, dirs: [{ hierarchy: 'unified', path: tree.root, writes: [] }] };
    expect((await cgroupV2.readUsage(bare)).pressure).toBeNull();
  });
});
