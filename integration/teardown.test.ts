/** A failure at any setup step leaves nothing behind, and says which step failed. */
import { mkdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SetupError, sandbox } from '../src/index.js';
import { hostCaps } from '../src/host/probe.js';
import { leftovers } from './leftovers.js';

describe('teardown on failure', () => {
  const made: string[] = [];
  afterEach(() => {
    for (const d of made.splice(0).reverse()) rmdirSync(d);
  });

  it('a command that cannot be executed: SetupError naming exec, nothing left', async () => {
    const err = await sandbox().memory('64m').run('/no/such/program').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SetupError);
    expect((err as SetupError).step).toBe('exec');
    expect((err as Error).message).toContain('/no/such/program: No such file or directory');
    expect(await leftovers()).toEqual([]);
  });

  it('a cwd that does not exist: SetupError naming cwd, nothing left', async () => {
    const err = await sandbox().cwd('/no/such/dir').run('true').catch((e: unknown) => e);
    expect((err as SetupError).step).toBe('cwd');
    expect(await leftovers()).toEqual([]);
  });

  // v1 only: v2 has one hierarchy, so nothing can be made halfway across hierarchies there (a failure
  // halfway through v2's cgroup setup is faults.test.ts's, and the VM tier runs this file's other tests).
  it.runIf(hostCaps().driver === 1)('a cgroup parent missing in one hierarchy: the directories made in the others are removed', async () => {
    // The parent exists in every hierarchy but pids, so creation fails halfway.
    const parent = `/cgbox-partial-${process.pid}`;
    const caps = hostCaps();
    for (const [name, h] of Object.entries(caps.v1)) {
      if (name === 'pids' || !h) continue;
      const d = join(h.mount, parent);
      mkdirSync(d);
      made.push(d);
      if (name === 'cpuset') {
        // A v1 cpuset parent needs its own cpus and mems before children can use them.
        const { writeFileSync } = await import('node:fs');
        writeFileSync(join(d, 'cpuset.cpus'), '0');
        writeFileSync(join(d, 'cpuset.mems'), '0');
      }
    }
    const err = await sandbox().cpus('0').cgroupParent(parent).run('true').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SetupError);
    expect((err as Error).message).toMatch(/pids.*does not exist/);
    for (const d of made) expect(await import('node:fs').then((fs) => fs.readdirSync(d).filter((n) => n.startsWith('cgbox-')))).toEqual([]);
  });
});

describe('teardown when the launch itself throws', () => {
  it('an environment too large to exec: SetupError, nothing left', async () => {
    const huge = 'x'.repeat(3 * 2 ** 20); // past the kernel's 2 MiB limit on argv + environment
    const err = await sandbox().memory('64m').env({ HUGE: huge }).run('true').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SetupError);
    expect(await leftovers()).toEqual([]);
  });

  it('a NUL byte in an argument is refused by the builder', async () => {
    await expect(sandbox().run('echo', ['a\0b'])).rejects.toThrow(/without NUL bytes/);
  });
});
