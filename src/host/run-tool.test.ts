import { describe, expect, it } from 'vitest';
import { mustRun, runTool } from './run-tool.js';
import { runInShell } from './shell.js';

const run = (file: string, args: string[]) => mustRun('volume', file, args);

describe('the host tool runner', () => {
  it('runs commands with their arguments exactly, whatever they contain', async () => {
    const odd = ["it's", 'a $HOME', '`x`', 'two\nlines', ''];
    const r = await runInShell('printf', ['%s|', ...odd])!;
    expect(r).toEqual({ code: 0, stdout: odd.map((a) => `${a}|`).join(''), stderr: '' });
  });

  it('keeps stdout, stderr and the status of each command apart', async () => {
    const r = await runInShell('sh', ['-c', 'echo out; echo err >&2; exit 3'])!;
    expect(r).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' });
  });

  it('runs one command at a time per shell, in up to 4 shells; a fifth caller is told to spawn instead', async () => {
    const four = Array.from({ length: 4 }, () => runInShell('sleep', ['0.05']));
    expect(four.every((p) => p !== undefined)).toBe(true);
    expect(runInShell('true', [])).toBeUndefined();
    await Promise.all(four);
    expect(await runInShell('true', [])!).toMatchObject({ code: 0 });
  });

  it('run() gives the same results in parallel (shell or spawn) and names a missing tool', async () => {
    const outs = await Promise.all(Array.from({ length: 8 }, (_, i) => run('echo', [String(i)])));
    expect(outs).toEqual(Array.from({ length: 8 }, (_, i) => `${i}\n`));
    await expect(run('no-such-tool-cgbox', [])).rejects.toThrow(/no-such-tool-cgbox is not installed/);
    await expect(run('sh', ['-c', 'echo why >&2; exit 1'])).rejects.toThrow(/sh -c echo why >&2; exit 1: why/);
  });

  it('feeds input on stdin, and a failure names the command, its input and what the tool said', async () => {
    expect(await runTool('cat', [], 'fed\n')).toEqual({ code: 0, stdout: 'fed\n', stderr: '' });
    const e = await mustRun('net veth', 'sh', ['-c', 'cat >/dev/null; echo nope >&2; exit 2'], 'link add x\n').catch((err: unknown) => err);
    expect(e).toMatchObject({ step: 'net veth', message: expect.stringMatching(/sh -c .* with:\nlink add x\n→ exit 2: nope$/) });
    expect(await runTool('no-such-tool-cgbox', [], 'x')).toMatchObject({ code: 127 });
  });
});

describe('a host tool that hangs', () => {
  it('is killed after CGBOX_TOOL_TIMEOUT seconds, shell or spawn, and its step fails saying so', async () => {
    process.env.CGBOX_TOOL_TIMEOUT = '1';
    try {
      const t0 = Date.now();
      await expect(run('sleep', ['30'])).rejects.toThrow(/sleep 30: (Killed; )?killed after 1 s \(CGBOX_TOOL_TIMEOUT\)/);
      await expect(mustRun('net veth', 'sh', ['-c', 'cat >/dev/null; sleep 30'], 'x\n')).rejects.toThrow(/killed after 1 s/);
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect(await runTool('true', [])).toMatchObject({ code: 0 }); // the shell lane lives on
    } finally {
      delete process.env.CGBOX_TOOL_TIMEOUT;
    }
  });
});
