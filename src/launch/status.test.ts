import { describe, expect, it } from 'vitest';
import { parseInitLine, signalName } from './status.js';

describe('parseInitLine', () => {
  it('reads the pid of the init', () => {
    expect(parseInitLine('init 42')).toEqual({ kind: 'init', pid: 42 });
  });

  it('reads the start time the init reports beside its pid', () => {
    expect(parseInitLine('init 42 918273')).toEqual({ kind: 'init', pid: 42, start: 918273 });
    expect(parseInitLine('init 42 x')).toEqual({ kind: 'init', pid: 42 });
  });

  it('reads ready', () => {
    expect(parseInitLine('ready')).toEqual({ kind: 'ready' });
  });

  it('reads a setup error: step, errno, and the rest of the line as the message', () => {
    expect(parseInitLine('error exec 2 /x: No such file or directory')).toEqual({
      kind: 'error',
      step: 'exec',
      errno: 2,
      message: '/x: No such file or directory',
    });
    expect(parseInitLine('error cgroup 28 /sys/fs/cgroup/cpuset/r/cgroup.procs: No space left on device')).toEqual({
      kind: 'error',
      step: 'cgroup',
      errno: 28,
      message: '/sys/fs/cgroup/cpuset/r/cgroup.procs: No space left on device',
    });
  });

  it('reads an exit status, 137 included: an exit is not a signal', () => {
    expect(parseInitLine('exit 0')).toEqual({ kind: 'exit', code: 0 });
    expect(parseInitLine('exit 137')).toEqual({ kind: 'exit', code: 137 });
  });

  it('reads a signal by name, with or without a core dump', () => {
    expect(parseInitLine('signal 9')).toEqual({ kind: 'signal', signal: 'SIGKILL', core: false });
    expect(parseInitLine('signal 15')).toEqual({ kind: 'signal', signal: 'SIGTERM', core: false });
    expect(parseInitLine('signal 11 core')).toEqual({ kind: 'signal', signal: 'SIGSEGV', core: true });
  });

  it("reads 'signal 6 core' as SIGABRT with a core dump", () => {
    expect(parseInitLine('signal 6 core')).toEqual({ kind: 'signal', signal: 'SIGABRT', core: true });
  });

  it.each(['', 'garbage', 'READY', 'exited 0', ' init 42', 'ready\r'])('ignores %j', (line) => {
    expect(parseInitLine(line)).toBeUndefined();
  });

  it.each(['exit', 'exit x', 'init', 'init x', 'signal', 'signal x', 'error exec'])('ignores the malformed %j', (line) => {
    expect(parseInitLine(line)).toBeUndefined();
  });
});

describe('signalName', () => {
  it.each([
    [9, 'SIGKILL'],
    [15, 'SIGTERM'],
    [2, 'SIGINT'],
    [11, 'SIGSEGV'],
    [17, 'SIGCHLD'],
  ])('%d is %s', (n, name) => {
    expect(signalName(n)).toBe(name);
  });

  it('names an unknown number plainly', () => {
    expect(signalName(64)).toBe('SIG64');
  });

  it.each([
    [6, 'SIGABRT'],
    [29, 'SIGIO'],
  ])('%d is %s, not its alias', (n, name) => {
    expect(signalName(n)).toBe(name);
  });
});
