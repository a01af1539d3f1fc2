import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallerContext } from '../host/caller-context.js';
import { SetupError } from '../spec/errors.js';
import { systemdScope } from './systemd-scope.js';

const session: CallerContext = {
  cgroupVersion: 2,
  cgroup: '/user.slice/user-1000.slice/session-3.scope',
  mount: { dir: join(tmpdir(), 'no-cgroupfs-here'), root: '/' },
  systemd: true,
  unit: 'session-3.scope',
  cgroupNamespace: false,
  uid: 0,
};

describe('systemdScope().acquire when systemd-run cannot be run', () => {
  const path = process.env.PATH;
  const empty = mkdtempSync(join(tmpdir(), 'cgbox-empty-path-'));
  afterEach(() => {
    process.env.PATH = path;
    rmSync(empty, { recursive: true, force: true });
  });
  it('is a SetupError that names the fix', async () => {
    // A PATH without systemd-run (it lives in /usr/bin; cgbox adds only the sbin directories).
    process.env.PATH = empty;
    const err = await systemdScope().acquire(session).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SetupError);
    expect((err as SetupError).step).toBe('placement');
    expect((err as SetupError).message).toMatch(/systemd-run was not found/);
    expect((err as SetupError).message).toMatch(/Delegate=yes .*\.cgroupParent\(\)/);
  });
});
