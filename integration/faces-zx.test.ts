/** b.$`…`: zx's quoting and habits, in a sandbox, with the report attached. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { ProcessOutput } from 'zx/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sandbox } from '../src/index.js';
import { MiB, fixture } from './fixtures.js';
import { leftovers } from './leftovers.js';
import { wellBefore } from './wait.js';

const b = sandbox().memory('64m').hostname('zx-box');

afterEach(() => {
  vi.restoreAllMocks();
});

describe('b.$', () => {
  it('passes arguments with spaces, quotes and nothing at all through as single words', async () => {
    const tricky = ['two words', "it's", 'say "hi"', '', '$HOME `id` ; rm -rf /', 'tab\there', 'new\nline'];
    const out = await b.$`printf '[%s]\n' ${tricky}`.quiet();
    expect(out.stdout).toBe(tricky.map((t) => `[${t}]\n`).join(''));
    const one = await b.$`printf '[%s]' ${'a b'} plain`.quiet();
    expect(one.stdout).toBe('[a b][plain]');
  });

  it("resolves to zx's ProcessOutput with the sandbox's report attached", async () => {
    const out = await b.$`hostname; echo err >&2`.quiet();
    expect(out).toBeInstanceOf(ProcessOutput);
    expect(out).toMatchObject({ stdout: 'zx-box\n', stderr: 'err\n', exitCode: 0, signal: null, ok: true });
    expect(out.toString()).toBe('zx-box\nerr\n'); // zx 8: stdout and stderr as they came
    expect(out.report.command).toEqual(['bash', '-c', 'set -euo pipefail;hostname; echo err >&2']);
    expect(out.report.limits.memory).toMatchObject({ value: 64 * MiB, enforced: true });
    expect(out.report.usage.pids.peak).toBeGreaterThanOrEqual(1);
  });

  it('throws the output on a non-zero exit, as zx does; .nothrow() resolves with it', async () => {
    const failure = await b.$`echo nope >&2; exit 3`.quiet().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(ProcessOutput);
    expect(failure).toMatchObject({ exitCode: 3, stderr: 'nope\n', ok: false });
    expect((failure as ProcessOutput).message).toContain('exit code: 3');
    expect((failure as { report: { exitCode: number } }).report.exitCode).toBe(3);

    const out = await b.$`exit 3`.nothrow().quiet();
    expect(out.exitCode).toBe(3);
    expect(out.report.ok).toBe(false);
    // zx's bash prefix: set -euo pipefail, so a failing step of a pipeline fails the command.
    await expect(b.$`false | cat`.quiet()).rejects.toMatchObject({ exitCode: 1 });
  });

  it('an OOM kill is a failure with the signal, and the report says why', async () => {
    const out = await b.$`${fixture('alloc')} 100`.nothrow().quiet();
    expect(out).toMatchObject({ exitCode: null, signal: 'SIGKILL', ok: false });
    expect(out.report.oomKilled).toBe(true);
    expect(out.report.usage.memory.peakBytes).toBeLessThanOrEqual(64 * MiB);
  });

  it("interpolates an earlier output as its stdout, as zx does", async () => {
    const name = await b.$`echo "my file"`.quiet();
    expect((await b.$`printf '[%s]' ${name}`.quiet()).stdout).toBe('[my file]');
  });

  it('echoes the output live unless .quiet()', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    await b.$`echo loud`;
    await b.$`echo hushed`.quiet();
    const written = write.mock.calls.map((c) => String(c[0])).join('');
    vi.restoreAllMocks();
    expect(written).toContain('loud\n');
    expect(written).not.toContain('hushed');
  });

  it('kill() ends the run early; the output still comes, with the signal', async () => {
    const p = b.$`sleep 30`.nothrow().quiet();
    setTimeout(() => p.kill(), 200);
    const out = await p;
    expect(out.signal).toBe('SIGTERM');
    expect(out.report.durationMs).toBeLessThan(wellBefore(30_000)); // what sleep 30 would have taken
    expect(await leftovers()).toEqual([]);
  });
});

describe('the zx example script', () => {
  it('runs under the zx CLI as written, importing the built cgbox', async () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    if (!existsSync(`${root}dist/zx/process.js`)) throw new Error('dist/ is missing or stale: run `npm run build` before the integration tests');
    const r = await execa('node', ['node_modules/zx/build/cli.js', 'examples/zx/limits.mjs'], { cwd: root, reject: false, all: true, timeout: 60_000 });
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stdout).toMatch(/^sorted in a sandbox: it's \| say "hi" \| two words\n/);
    expect(r.stdout).toMatch(/\nsummed to 449999985000000 in \d+\.\d ms of CPU, memory peak \d+\.\d MiB\n/);
    expect(r.stdout).toContain('\nthe memory hog: SIGKILL, OOM-killed at 64.0 MiB\n');
    expect(r.stdout).toContain('\na failing step threw: exit code 3');
  });
});
