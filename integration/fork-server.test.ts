// The fork server (src/launch/zygote.ts, native/src/zygote.c): cgbox-inits forked by a helper, their
// stdio handed to Node over its IPC channel, each as exact as one Node spawned itself.
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { finished } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { initBinary } from '../src/host/init-binary.js';
import { startForkServer, type ForkedInit, type StdioFd } from '../src/launch/zygote.js';

const server = startForkServer(initBinary());
afterAll(() => server.close());

function text(s: Socket | undefined): Promise<string> {
  if (!s) throw new Error('a stdio socket is missing');
  let out = '';
  s.setEncoding('utf8');
  s.on('data', (d: string) => (out += d));
  // An empty stream whose child is gone has ended already (as a spawned child's would): finished() sees that too.
  return finished(s).then(() => out);
}

async function run(args: string[], env: NodeJS.ProcessEnv = { PATH: process.env['PATH'] }, fds?: StdioFd[]) {
  const init: ForkedInit = await server.fork(['--parent', String(server.pid), '--net', 'host', '--', ...args], env, fds);
  init.stdin?.end();
  const [stdout, stderr, status] = [text(init.stdout), text(init.stderr), text(init.stdio[3])];
  const exit = await new Promise<{ code: number | null; signal: string | null }>((resolve) => init.on('close', (code, signal) => resolve({ code, signal })));
  const lines = (await status).trim().split('\n');
  // The outer reports the init's pid and the init its own steps, each on the same pipe: the init's
  // 'ready' may come before the outer's line, as follow.ts allows. Each writer's own lines keep their order.
  return { exit, stdout: await stdout, stderr: await stderr, initLines: lines.filter((l) => l.startsWith('init ')), status: lines.filter((l) => !l.startsWith('init ')) };
}

function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('the fork server', () => {
  it('runs a sandbox with its output, status and exit code exact', async () => {
    const r = await run(['/bin/sh', '-c', 'echo out; echo err >&2; exit 7']);
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toBe('err\n');
    expect(r.initLines).toHaveLength(1);
    expect(r.initLines[0]).toMatch(/^init \d+ \d+$/);
    expect(r.status).toEqual(['ready', 'started', 'exit 7']);
    expect(r.exit).toEqual({ code: 7, signal: null });
  });

  it('gives the command exactly the environment asked for, and no descriptor past stderr', async () => {
    const r = await run(['/usr/bin/env'], { CGBOX_A: 'one two', PATH: '/usr/bin:/bin' });
    expect(r.stdout).toBe('CGBOX_A=one two\nPATH=/usr/bin:/bin\n');
    // fd 3 is the status socket (a standby's orders come on it too): it does not reach the command, nor does anything past it.
    const fds = await run(['/bin/sh', '-c', 'for fd in 3 4 5; do [ -e /proc/self/fd/$fd ] && echo "$fd open"; done; exit 0']);
    expect(fds.stdout).toBe('');
    expect(fds.exit.code).toBe(0);
  });

  it('hands over only the descriptors asked for: stdin not asked for is /dev/null, nothing past the status socket', async () => {
    // No --null-stdin here: the command reads the init's own fd 0, which would show as a socket if one were made.
    const r = await run(['/bin/sh', '-c', 'readlink /proc/self/fd/0; [ -e /proc/self/fd/4 ] && echo "4 open"; exit 0'], { PATH: '/usr/bin:/bin' }, [1, 2, 3]);
    expect(r.stdout).toBe('/dev/null\n');
    expect(r.status).toEqual(['ready', 'started', 'exit 0']);
    const full = await run(['/bin/sh', '-c', 'readlink /proc/self/fd/0']);
    expect(full.stdout).toMatch(/^socket:/);
  });

  it('refuses a fork without its status pipe', async () => {
    await expect(server.fork(['--', 'true'], {}, [0, 1, 2])).rejects.toThrow(/status pipe/);
  });

  it('keeps twenty in flight apart', async () => {
    const all = await Promise.all(Array.from({ length: 20 }, (_, i) => run(['/bin/sh', '-c', `echo ${i}; exit ${i}`])));
    expect(all.map((r) => r.stdout)).toEqual(Array.from({ length: 20 }, (_, i) => `${i}\n`));
    expect(all.map((r) => r.exit.code)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  }, 15_000);

  it('reports a signal as the outer ended by it', async () => {
    const init = await server.fork(['--parent', String(server.pid), '--net', 'host', '--', '/bin/sleep', '30'], {});
    for (const s of init.stdio.slice(1, 4)) s.resume();
    const closed = new Promise<unknown[]>((resolve) => init.on('close', (...a) => resolve(a)));
    init.kill('SIGKILL');
    expect(await closed).toEqual([null, 'SIGKILL']);
  });

  it('refuses an argument with a NUL byte, and forks nothing', async () => {
    await expect(server.fork(['--', 'a\0b'], {})).rejects.toThrow(/NUL/);
    await expect(server.fork(['--', 'true'], { A: 'a\0b' })).rejects.toThrow(/NUL/);
  });

  it('takes its sandboxes with it when it ends', async () => {
    const other = startForkServer(initBinary());
    const init = await other.fork(['--parent', String(other.pid), '--net', 'host', '--', '/bin/sleep', '30'], {});
    let status = '';
    init.stdio[3]?.setEncoding('utf8');
    const started = new Promise<void>((resolve) =>
      init.stdio[3]?.on('data', (d: string) => {
        status += d;
        if (status.includes('started')) resolve();
      }),
    );
    await started;
    const sandboxInit = Number(/^init (\d+)/m.exec(status)?.[1]);
    expect(alive(sandboxInit), `the sandbox's init (status: ${JSON.stringify(status)}) is alive`).toBe(true);
    other.close();
    const until = Date.now() + 20_000;
    while ((alive(sandboxInit) || alive(init.pid!)) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(alive(sandboxInit)).toBe(false);
    expect(alive(init.pid!)).toBe(false);
  });
});
