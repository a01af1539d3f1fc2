import { describe, expect, it } from 'vitest';
import { formatCpuList, parseBitRate, parseBytes, parseCpuList, parseDurationUs } from './units.js';

const KiB = 2 ** 10;
const MiB = 2 ** 20;
const GiB = 2 ** 30;
const TiB = 2 ** 40;

describe('parseBytes', () => {
  it.each([
    ['512', 512],
    ['512b', 512],
    ['1k', KiB],
    ['64m', 64 * MiB],
    ['256m', 268_435_456],
    ['1g', GiB],
    ['2t', 2 * TiB],
  ])('reads Docker units, 1024-based: %s → %d', (text, bytes) => {
    expect(parseBytes(text)).toBe(bytes);
  });

  it.each([
    ['64mb', 64 * MiB],
    ['64mib', 64 * MiB],
    ['64MiB', 64 * MiB],
    ['64M', 64 * MiB],
    ['64MB', 64 * MiB],
    ['1G', GiB],
    ['1Gi', GiB],
    [' 64 m ', 64 * MiB],
  ])('takes an optional trailing b / ib, any case, spaces around: %j', (text, bytes) => {
    expect(parseBytes(text)).toBe(bytes);
  });

  it('accepts a fraction only when it comes to whole bytes', () => {
    expect(parseBytes('1.5m')).toBe(1_572_864);
    expect(parseBytes('0.5k')).toBe(512);
    expect(parseBytes('1.3k')).toBeNull(); // 1331.2 bytes
    expect(parseBytes('0.1m')).toBeNull(); // 104857.6 bytes
  });

  it.each(['0', '0m', '-1', '-64m', '', ' ', 'lots', '10x', 'm', '1.k', '.5m', '64 mm', '1e3', '1p'])(
    'rejects %j',
    (text) => {
      expect(parseBytes(text)).toBeNull();
    },
  );

  it('takes numbers as bytes: positive safe integers only', () => {
    expect(parseBytes(4096)).toBe(4096);
    expect(parseBytes(1.5)).toBeNull();
    expect(parseBytes(0)).toBeNull();
    expect(parseBytes(-4096)).toBeNull();
    expect(parseBytes(Number.NaN)).toBeNull();
    expect(parseBytes(Number.POSITIVE_INFINITY)).toBeNull();
    expect(parseBytes(2 ** 53)).toBeNull();
  });

  it('rejects sizes past the safe-integer range', () => {
    expect(parseBytes('4096t')).toBe(4096 * TiB); // 2^52
    expect(parseBytes('8192t')).toBeNull(); // 2^53
    expect(parseBytes('9999999t')).toBeNull();
  });
});

describe('parseBitRate', () => {
  it.each([
    ['1bit', 1],
    ['10mbit', 10_000_000],
    ['10Mbit', 10_000_000],
    ['1gbit', 1_000_000_000],
    ['500kbit', 500_000],
    ['100bps', 800],
    ['500kbps', 4_000_000],
    ['2mbps', 16_000_000],
    ['1gbps', 8_000_000_000],
    ['1.5mbit', 1_500_000],
    [' 10 mbit ', 10_000_000],
  ])('reads tc units (1000-based, bps = bytes): %j → %d bit/s', (text, bits) => {
    expect(parseBitRate(text)).toBe(bits);
  });

  it.each(['10', '10m', '10mb', '0mbit', '-1mbit', '', 'fast', '10 mbits'])('rejects %j', (text) => {
    expect(parseBitRate(text)).toBeNull();
  });

  it('takes numbers as bits per second: positive integers only', () => {
    expect(parseBitRate(1_000_000)).toBe(1_000_000);
    expect(parseBitRate(0)).toBeNull();
    expect(parseBitRate(-1)).toBeNull();
    expect(parseBitRate(0.5)).toBeNull();
  });
});

describe('parseDurationUs', () => {
  it.each([
    ['100us', 100],
    ['250ms', 250_000],
    ['10s', 10_000_000],
    ['1.5s', 1_500_000],
    ['2m', 120_000_000],
    ['1h', 3_600_000_000],
    [' 10 s ', 10_000_000],
  ])('reads %j as %d µs', (text, us) => {
    expect(parseDurationUs(text)).toBe(us);
  });

  it('reads a bare number as milliseconds', () => {
    expect(parseDurationUs(250)).toBe(250_000);
    expect(parseDurationUs(1.5)).toBe(1_500);
  });

  it.each(['soon', '', '0s', '0ms', '-1s', '10', '10 sec', '10d', '0.0001us'])('rejects %j', (text) => {
    expect(parseDurationUs(text)).toBeNull();
  });

  it('rejects zero, negative and non-finite numbers', () => {
    expect(parseDurationUs(0)).toBeNull();
    expect(parseDurationUs(-5)).toBeNull();
    expect(parseDurationUs(Number.NaN)).toBeNull();
    expect(parseDurationUs(Number.POSITIVE_INFINITY)).toBeNull();
  });

  it('rejects a positive number of milliseconds that rounds to 0 µs', () => {
    expect(parseDurationUs(0.0001)).toBeNull();
  });
});

describe('parseCpuList / formatCpuList', () => {
  it.each([
    ['0', [0]],
    ['0-1', [0, 1]],
    ['0-1,3', [0, 1, 3]],
    ['3,0-1', [0, 1, 3]],
    ['0-2,1-3', [0, 1, 2, 3]],
    ['1,1', [1]],
    [' 0 - 1 , 3 ', [0, 1, 3]],
  ])('parses %j into sorted unique CPUs', (text, cpus) => {
    expect(parseCpuList(text)).toEqual(cpus);
  });

  it.each(['2-1', 'a', '', '0,', ',0', '0,,1', '-1', '0-', '1-2-3', '0.5'])('rejects %j', (text) => {
    expect(parseCpuList(text)).toBeNull();
  });

  it.each([
    [[0], '0'],
    [[0, 1], '0-1'],
    [[0, 1, 3], '0-1,3'],
    [[0, 2, 4], '0,2,4'],
    [[0, 1, 2, 3, 8, 9, 11], '0-3,8-9,11'],
    [[], ''],
  ])('formats %j as %j', (cpus, text) => {
    expect(formatCpuList(cpus)).toBe(text);
  });

  it.each(['0-1,3', '3,0-1', '0,2,4', '7', '0-3,8-9,11', '1,0'])('round-trips %j to its canonical form', (text) => {
    const cpus = parseCpuList(text)!;
    const canonical = formatCpuList(cpus);
    expect(parseCpuList(canonical)).toEqual(cpus);
    expect(formatCpuList(parseCpuList(canonical)!)).toBe(canonical);
  });

  it('canonicalises unordered input', () => {
    expect(formatCpuList(parseCpuList('3,0-1')!)).toBe('0-1,3');
    expect(formatCpuList(parseCpuList('1,0')!)).toBe('0-1');
  });

  it('rejects CPU numbers no kernel can have (NR_CPUS ≤ 8192)', () => {
    expect(parseCpuList('8192')).toBeNull();
    expect(parseCpuList('0-8192')).toBeNull();
  });
});
