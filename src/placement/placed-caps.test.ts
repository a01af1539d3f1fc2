import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fakeV1Caps } from '../host/fake-caps.js';
import { SetupError } from '../spec/errors.js';
import { capsAt } from './placed-caps.js';

describe('capsAt', () => {
  const mount = mkdtempSync(join(tmpdir(), 'cgbox-fake-cgroupfs-'));
  const scope = join(mount, 'system.slice', 'cgbox-1-abcdef.scope');
  mkdirSync(scope, { recursive: true });
  writeFileSync(join(scope, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
  afterAll(() => rmSync(mount, { recursive: true, force: true }));
  const caps = { ...fakeV1Caps(), driver: 2 as const, cgroupMode: 'v2' as const, v2: { mount, callerPath: '/user.slice/user-1000.slice/session-3.scope', controllers: ['cpu'] } };

  it('nests where the placement says, with the controllers offered there', () => {
    expect(capsAt(caps, { kind: 'systemd-scope', parent: scope, leaf: join(scope, 'cgbox.leaf'), describe: '' }).v2).toEqual({
      mount,
      callerPath: '/system.slice/cgbox-1-abcdef.scope',
      controllers: ['cpuset', 'cpu', 'io', 'memory', 'pids'],
    });
  });
  it('refuses a parent outside the mount', () => {
    expect(() => capsAt(caps, { kind: 'caller', parent: '/elsewhere', describe: '' })).toThrow(SetupError);
  });
});
