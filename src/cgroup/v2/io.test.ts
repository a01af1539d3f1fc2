import { afterEach, describe, expect, it } from 'vitest';
import { emptySpec, type BlockDevice } from '../../spec/types.js';
import { ioValues, parseIoStat, readIoUsage } from './io.js';
import { fakeCgroupfs, SAMPLE, type FakeTree } from './fake-cgroupfs.js';

const sda: BlockDevice = { major: 8, minor: 0, given: '/dev/sda', name: 'sda' };
const vdb: BlockDevice = { major: 254, minor: 16, given: '/var/tmp', name: 'vdb' };

describe('ioValues', () => {
  it('writes nothing without throttles', () => {
    expect(ioValues(emptySpec())).toEqual({ writes: [], limits: {} });
  });

  it('merges iops and bps into one io.max line per device, only the keys set', () => {
    const t = ioValues({
      ...emptySpec(),
      iops: [{ device: sda, read: 100, write: 50 }, { device: vdb, write: 10 }],
      bps: [{ device: sda, write: 1_048_576 }],
    });
    expect(t.writes).toEqual([
      { file: 'io.max', value: '8:0 riops=100 wiops=50 wbps=1048576' },
      { file: 'io.max', value: '254:16 wiops=10' },
    ]);
    expect(t.limits.iops).toMatchObject({ value: '8:0 riops=100 wiops=50; 254:16 wiops=10', enforced: true });
    expect(t.limits.bps).toMatchObject({ value: '8:0 wbps=1048576', enforced: true });
    expect(t.limits.bps?.reason).toMatch(/buffered writeback/);
  });

  it('lets a later rule for the same device override one direction only', () => {
    const t = ioValues({ ...emptySpec(), iops: [{ device: sda, read: 100, write: 100 }, { device: sda, write: 5 }] });
    expect(t.writes).toEqual([{ file: 'io.max', value: '8:0 riops=100 wiops=5' }]);
  });
});

describe('io.stat', () => {
  let tree: FakeTree | undefined;
  afterEach(() => tree?.remove());

  it('reads every device and the totals', async () => {
    tree = await fakeCgroupfs({ 'io.stat': SAMPLE['io.stat'] });
    expect(await readIoUsage(tree.root)).toEqual({
      readBytes: 1048576,
      writeBytes: 6291456,
      readOps: 16,
      writeOps: 96,
      devices: {
        '8:0': { readBytes: 1048576, writeBytes: 4194304, readOps: 16, writeOps: 64 },
        '253:0': { readBytes: 0, writeBytes: 2097152, readOps: 0, writeOps: 32 },
      },
    });
  });

  it('ignores keys it does not know (iocost adds cost.*) and reads zero when io.stat is missing', async () => {
    const usage = parseIoStat('8:0 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0 cost.vrate=100.00 cost.usage=42\n');
    expect(usage.devices['8:0']).toEqual({ readBytes: 4096, writeBytes: 0, readOps: 1, writeOps: 0 });
    tree = await fakeCgroupfs({});
    expect(await readIoUsage(tree.root)).toEqual({ readBytes: 0, writeBytes: 0, readOps: 0, writeOps: 0, devices: {} });
  });
});
