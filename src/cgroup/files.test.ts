import { describe, expect, it } from 'vitest';
import { parseFlatKeyed, parsePids, splitExact } from './files.js';

describe('splitExact', () => {
  it('scales the tick-sampled split so user + system is the exact total', () => {
    expect(splitExact(1000, 3, 1)).toEqual({ userUs: 750, systemUs: 250 });
    expect(splitExact(1_523_040, 120, 30)).toEqual({ userUs: 1_218_432, systemUs: 304_608 });
  });

  it('rounds user and gives system the rest, so nothing is lost to rounding', () => {
    const s = splitExact(1001, 1, 2);
    expect(s).toEqual({ userUs: 334, systemUs: 667 });
    expect(s.userUs + s.systemUs).toBe(1001);
  });

  it('keeps all-user and all-system splits', () => {
    expect(splitExact(500, 7, 0)).toEqual({ userUs: 500, systemUs: 0 });
    expect(splitExact(500, 0, 7)).toEqual({ userUs: 0, systemUs: 500 });
  });

  it('calls the whole total user time when no tick was sampled', () => {
    expect(splitExact(800, 0, 0)).toEqual({ userUs: 800, systemUs: 0 });
    expect(splitExact(0, 0, 0)).toEqual({ userUs: 0, systemUs: 0 });
  });
});

describe('parseFlatKeyed', () => {
  it('reads "key value" lines into a record of numbers', () => {
    expect(parseFlatKeyed('oom_kill_disable 0\nunder_oom 0\noom_kill 1\n')).toEqual({ oom_kill_disable: 0, under_oom: 0, oom_kill: 1 });
  });

  it('reads cpu.stat and memory.stat values of any size', () => {
    const m = parseFlatKeyed('nr_periods 31\nnr_throttled 12\nthrottled_time 402118000\nhierarchical_memory_limit 9223372036854771712\n');
    expect(m['throttled_time']).toBe(402_118_000);
    expect(m['hierarchical_memory_limit']).toBe(9_223_372_036_854_771_712);
  });

  it('trims lines and tolerates runs of spaces and tabs', () => {
    expect(parseFlatKeyed('  user   120 \n\tsystem\t30\n')).toEqual({ user: 120, system: 30 });
  });

  it('skips blank lines, keys without a value and values that are not whole numbers', () => {
    expect(parseFlatKeyed('\nlonely\nname max\nneg -1\nfrac 1.5\nok 5\n')).toEqual({ ok: 5 });
  });

  it('reads an empty file as an empty record', () => {
    expect(parseFlatKeyed('')).toEqual({});
  });
});

describe('parsePids', () => {
  it('reads cgroup.procs, one pid a line', () => {
    expect(parsePids('101\n102\n')).toEqual([101, 102]);
    expect(parsePids('')).toEqual([]);
    expect(parsePids(null)).toEqual([]);
  });
});
