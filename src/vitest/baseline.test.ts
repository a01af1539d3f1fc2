/** The baseline matcher's decisions, called with vitest's matcher state made by hand. */
import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MatcherState } from 'vitest';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../index.js';
import { baselinePath, compareToBaseline, toMatchResourceBaseline, type BaselineOptions, type UpdateMode } from './baseline.js';

const MiB = 2 ** 20;
const dir = mkdtempSync(join(tmpdir(), 'cgbox-baseline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function result(memoryMiB: number, cpuMs = 500): RunResult {
  return {
    command: ['x'], exitCode: 0, signal: null, ok: true, timedOut: false, oomKilled: false, durationMs: 900, stdout: '', stderr: '', stdoutTruncated: false, stderrTruncated: false,
    usage: {
      cpu: { usageUs: cpuMs * 1000, userUs: cpuMs * 1000, systemUs: 0, throttledPeriods: 0, throttledUs: 0 },
      memory: { peakBytes: memoryMiB * MiB, swapPeakBytes: 0, oomKills: 0 },
      pids: { peak: 3 },
      io: { readBytes: 0, writeBytes: 0, readOps: 0, writeOps: 0, devices: {} },
      net: null,
      volume: null,
      pressure: null,
    },
    limits: {},
    privileged: false,
  };
}

let n = 0;
/** A fresh test file path in the temp dir, and the matcher called as vitest would in `mode`. */
function suite() {
  const testPath = join(dir, `case${++n}.test.ts`);
  const check = (r: RunResult, mode: UpdateMode, opts?: BaselineOptions, name = 'grows > allocates') => {
    const state = { isNot: false, testPath, currentTestName: name, snapshotState: { snapshotUpdateState: mode } } as unknown as MatcherState;
    return toMatchResourceBaseline.call(state, r, opts);
  };
  const file = () => JSON.parse(readFileSync(baselinePath(testPath), 'utf8'));
  return { testPath, check, file };
}

describe('toMatchResourceBaseline', () => {
  it('writes the first run beside the test file, keyed by the full test name', async () => {
    const { testPath, check } = suite();
    expect(baselinePath(testPath)).toBe(join(dir, '__baselines__', `case${n}.test.ts.json`));
    const res = await check(result(20), 'new');
    expect(res.pass).toBe(true);
    expect(res.message()).toBe(`wrote the resource baseline for "grows > allocates" in __baselines__/case${n}.test.ts.json`);
    expect(readFileSync(baselinePath(testPath), 'utf8')).toBe(
      JSON.stringify({ 'grows > allocates': { 'cpu.usageUs': 500000, 'io.writeBytes': 0, 'memory.peakBytes': 20 * MiB, 'pids.peak': 3 } }, null, 2) + '\n',
    );
  });

  it('passes on the same workload and within the tolerance, fails above it with a readable diff', async () => {
    const { check } = suite();
    await check(result(120, 500), 'new');
    expect((await check(result(120, 500), 'new')).pass).toBe(true);
    expect((await check(result(131, 540), 'new')).pass).toBe(true); // +9 %, +8 %
    const res = await check(result(142, 1000), 'new');
    expect(res.pass).toBe(false);
    expect(res.message()).toBe(
      [
        `resource use of "grows > allocates" is above its baseline in __baselines__/case${n}.test.ts.json:`,
        '  memory.peakBytes 142.0 MiB > baseline 120.0 MiB + 10 %',
        '  cpu.usageUs 1.000 s > baseline 500.0 ms + 10 %',
        'if this is intended, update the baseline: vitest -u',
      ].join('\n'),
    );
    // A wider tolerance, for one metric or all.
    expect((await check(result(142, 540), 'new', { tolerance: { 'memory.peakBytes': 0.2 } })).pass).toBe(true);
    expect((await check(result(142, 1000), 'new', { tolerance: 1 })).pass).toBe(true);
    // Going down is never a failure: a baseline is a ceiling.
    expect((await check(result(10, 10), 'new')).pass).toBe(true);
  });

  it("rewrites it in vitest's -u mode ('all')", async () => {
    const { check, file } = suite();
    await check(result(20), 'new');
    expect((await check(result(40), 'all')).pass).toBe(true);
    expect(file()['grows > allocates']['memory.peakBytes']).toBe(40 * MiB);
    expect((await check(result(40), 'new')).pass).toBe(true);
  });

  it("in CI ('none') a missing baseline fails and nothing is written; a present one is compared", async () => {
    const { testPath, check } = suite();
    const res = await check(result(20), 'none');
    expect(res.pass).toBe(false);
    expect(res.message()).toBe(
      `no resource baseline for "grows > allocates" in __baselines__/case${n}.test.ts.json, and CI does not write one: run the test where CI is not set (or with vitest -u) and commit __baselines__/case${n}.test.ts.json`,
    );
    expect(existsSync(baselinePath(testPath))).toBe(false);
    await check(result(20), 'new');
    expect((await check(result(20), 'none')).pass).toBe(true);
    expect((await check(result(40), 'none')).message()).toContain('memory.peakBytes 40.0 MiB > baseline 20.0 MiB + 10 %');
    // A metric added to `metrics` later is missing too.
    expect((await check(result(20), 'none', { metrics: ['memory.peakBytes', 'durationMs'] })).message()).toMatch(/^no baseline of durationMs for "grows > allocates"/);
  });

  it('keeps one entry per test name (and `name`), leaving the others alone', async () => {
    const { check, file } = suite();
    await check(result(20), 'new', { metrics: ['memory.peakBytes'] }, 'a');
    await check(result(30), 'new', { metrics: ['memory.peakBytes'] }, 'b');
    await check(result(50), 'new', { metrics: ['memory.peakBytes'], name: 'warm' }, 'b');
    await check(result(35), 'all', { metrics: ['memory.peakBytes'] }, 'b');
    expect(file()).toEqual({ a: { 'memory.peakBytes': 20 * MiB }, b: { 'memory.peakBytes': 35 * MiB }, 'b > warm': { 'memory.peakBytes': 50 * MiB } });
  });

  it('small baselines get an absolute slack, and the diff says which allowance was passed', () => {
    const base = { 'memory.peakBytes': 1 * MiB, 'cpu.usageUs': 2000, 'pids.peak': 1 };
    const tol = () => 0.1;
    expect(compareToBaseline({ 'memory.peakBytes': 2.9 * MiB, 'cpu.usageUs': 21_000, 'pids.peak': 1 }, base, ['memory.peakBytes', 'cpu.usageUs', 'pids.peak'], tol)).toEqual([]);
    expect(compareToBaseline({ 'memory.peakBytes': 3.5 * MiB, 'cpu.usageUs': 30_000, 'pids.peak': 2 }, base, ['memory.peakBytes', 'cpu.usageUs', 'pids.peak'], tol)).toEqual([
      'memory.peakBytes 3.5 MiB > baseline 1.0 MiB + 2.0 MiB',
      'cpu.usageUs 30.0 ms > baseline 2.0 ms + 20.0 ms',
      'pids.peak 2 > baseline 1 + 10 %',
    ]);
  });

  it('refuses .not, unknown metrics, bad tolerances and a broken file', async () => {
    const { testPath, check } = suite();
    await expect(check(result(1), 'new', { metrics: ['memory.rss' as never] })).rejects.toThrow(/metrics: expected some of memory\.peakBytes, .*; unknown: memory\.rss/);
    await expect(check(result(1), 'new', { tolerance: -1 })).rejects.toThrow('tolerance of memory.peakBytes: expected a fraction such as 0.1 (10 %), got -1');
    await expect(check(result(1), 'new', { metrics: ['net.rxBytes'] })).rejects.toThrow('net.rxBytes was not measured in this run');
    const not = { isNot: true, testPath, currentTestName: 'x' } as unknown as MatcherState;
    await expect(toMatchResourceBaseline.call(not, result(1))).rejects.toThrow('cannot be used with .not');
    mkdirSync(join(dir, '__baselines__'), { recursive: true });
    writeFileSync(baselinePath(testPath), '{ nope');
    await expect(check(result(1), 'new')).rejects.toThrow(/is not valid JSON/);
  });
});
