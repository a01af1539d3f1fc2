/**
 * A sandbox's cgroup with cgroups made below it (a privileged sandbox, a
 * nested runtime, an operator's hand): stopping it signals and drains the
 * whole subtree, and teardown removes it depth-first — nothing is left.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { driverFor } from '../src/cgroup/driver.js';
import { hostCaps, sandbox } from '../src/index.js';
import { leftovers } from './leftovers.js';

describe('a cgroup below the sandbox', () => {
  it('its tasks are signalled and drained, and it is removed before its parent', async () => {
    const caps = hostCaps();
    const box = await sandbox().start('sleep', ['30']);
    const inner: string[] = [];
    await box.exec('sh', ['-c', 'sleep 30 >/dev/null 2>&1 &']);
    for (const h of driverFor(caps).hierarchies(caps)) {
      const dir = join(h.mount, h.callerPath, box.name);
      if (!existsSync(dir)) continue;
      const below = join(dir, 'inner');
      mkdirSync(below);
      // A v1 cpuset child needs its own cpus and mems; on v2 it inherits them (and has no such files
      // while the sandbox's cgroup enables no controller for its children).
      if (caps.driver === 1 && h.controllers.includes('cpuset')) {
        writeFileSync(join(below, 'cpuset.cpus'), '0');
        writeFileSync(join(below, 'cpuset.mems'), '0');
      }
      // Every task but the init moves down (on v2 the sandbox's cgroup is then an inner node, as the no-internal-process rule wants).
      for (const pid of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
        if (Number(pid) !== box.pid) writeFileSync(join(below, 'cgroup.procs'), pid);
      }
      expect(readFileSync(join(below, 'cgroup.procs'), 'utf8').trim().split('\n')).toHaveLength(2); // the command and its sibling
      inner.push(below);
    }
    expect(inner.length).toBeGreaterThan(0);
    const r = await box.stop({ graceMs: 500 });
    expect(r.signal).toBe('SIGTERM');
    for (const d of inner) expect(existsSync(d), d).toBe(false);
    expect(await leftovers()).toEqual([]);
  });
});
