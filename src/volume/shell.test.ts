import { describe, expect, it } from 'vitest';
import { run } from './exec.js';
import { runInShell } from './shell.js';

describe('the command shell', () => {
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
});
