import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { killCgroup } from './kill.js';
import { fakeCgroupfs, type FakeTree } from './fake-cgroupfs.js';

describe('killCgroup', () => {
  let tree: FakeTree | undefined;
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    await tree?.remove();
  });

  const sleeper = () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    children.push(child);
    return child;
  };

  it('writes 1 to cgroup.kill when the kernel has it (5.14)', async () => {
    tree = await fakeCgroupfs({ 'cgroup.kill': '', 'cgroup.freeze': '0\n', 'cgroup.procs': '' });
    await killCgroup(tree.root);
    expect(await readFile(`${tree.root}/cgroup.kill`, 'utf8')).toBe('1');
    expect(await readFile(`${tree.root}/cgroup.freeze`, 'utf8')).toBe('0\n');
  });

  it('otherwise freezes, SIGKILLs every pid (sub-cgroups too), and thaws', async () => {
    const [a, b] = [sleeper(), sleeper()];
    tree = await fakeCgroupfs({
      'cgroup.freeze': '0\n',
      'cgroup.events': 'populated 1\nfrozen 1\n',
      'cgroup.procs': `${a.pid}\n`,
      'inner/cgroup.procs': `${b.pid}\n`,
    });
    const exits = [once(a, 'exit'), once(b, 'exit')];
    await killCgroup(tree.root);
    expect(await Promise.all(exits)).toEqual([[null, 'SIGKILL'], [null, 'SIGKILL']]);
    expect(await readFile(`${tree.root}/cgroup.freeze`, 'utf8')).toBe('0');
  });

  it('kills anyway when the freeze is not confirmed in time, and does nothing when the cgroup is gone', async () => {
    const a = sleeper();
    tree = await fakeCgroupfs({ 'cgroup.freeze': '0\n', 'cgroup.events': 'populated 1\nfrozen 0\n', 'cgroup.procs': `${a.pid}\n` });
    const exit = once(a, 'exit');
    await killCgroup(tree.root, { frozenTimeoutMs: 30 });
    expect(await exit).toEqual([null, 'SIGKILL']);
    await expect(killCgroup(`${tree.root}/gone`)).resolves.toBeUndefined();
  });
});
