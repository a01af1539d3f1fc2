import { describe, expect, it } from 'vitest';
import { parseThrottleStats } from './blkio.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

/** blkio.throttle.io_service_bytes / io_serviced as Linux 6.18 writes them (Discard included). */
const BYTES = lines(
  '254:0 Read 24186880',
  '254:0 Write 521969664',
  '254:0 Sync 840011776',
  '254:0 Async 119283712',
  '254:0 Discard 413138944',
  '254:0 Total 959295488',
  '7:0 Read 4096',
  '7:0 Write 1048576',
  '7:0 Sync 1052672',
  '7:0 Async 0',
  '7:0 Discard 0',
  '7:0 Total 1052672',
  'Total 960348160',
);
const OPS = lines(
  '254:0 Read 2200',
  '254:0 Write 29073',
  '254:0 Sync 3583',
  '254:0 Async 28965',
  '254:0 Discard 1275',
  '254:0 Total 32548',
  '7:0 Read 1',
  '7:0 Write 256',
  '7:0 Sync 257',
  '7:0 Async 0',
  '7:0 Discard 0',
  '7:0 Total 257',
  'Total 32805',
);

describe('parseThrottleStats', () => {
  it('takes Read and Write per device (not Sync/Async/Discard/Total) and sums the devices', () => {
    expect(parseThrottleStats(BYTES, OPS)).toEqual({
      readBytes: 24_186_880 + 4096,
      writeBytes: 521_969_664 + 1_048_576,
      readOps: 2200 + 1,
      writeOps: 29_073 + 256,
      devices: {
        '254:0': { readBytes: 24_186_880, writeBytes: 521_969_664, readOps: 2200, writeOps: 29_073 },
        '7:0': { readBytes: 4096, writeBytes: 1_048_576, readOps: 1, writeOps: 256 },
      },
    });
  });

  it('reads zeros when no rule has switched the counters on (only "Total 0")', () => {
    expect(parseThrottleStats('Total 0\n', 'Total 0\n')).toEqual({ readBytes: 0, writeBytes: 0, readOps: 0, writeOps: 0, devices: {} });
  });

  it('reads zeros for missing files', () => {
    expect(parseThrottleStats(null, null)).toEqual({ readBytes: 0, writeBytes: 0, readOps: 0, writeOps: 0, devices: {} });
  });

  it('keeps a device seen in only one of the files, with zeros for the other', () => {
    const io = parseThrottleStats('8:0 Read 512\n8:0 Write 0\n', null);
    expect(io.devices).toEqual({ '8:0': { readBytes: 512, writeBytes: 0, readOps: 0, writeOps: 0 } });
    expect(io.readBytes).toBe(512);
    expect(io.readOps).toBe(0);
  });

  it('skips lines that are not "MAJ:MIN Op N"', () => {
    const io = parseThrottleStats('garbage\nsda Read 5\n\n  8:0   Read   100  \n', '');
    expect(io.devices).toEqual({ '8:0': { readBytes: 100, writeBytes: 0, readOps: 0, writeOps: 0 } });
  });
});
