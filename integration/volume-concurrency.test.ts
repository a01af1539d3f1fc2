/**
 * Several processes wanting the btrfs pool and one template at the same
 * moment: the pool is made once, the template is made once, and nobody sees
 * a half-made one (proper-lockfile locks, and a template appears by a
 * read-only snapshot). Done in a state directory of its own, so that the
 * pool made here can be taken down afterwards.
 *
 * Host tier only: volumes do not depend on the cgroup version, but for IO throttling, which
 * io.test.ts runs in the VM tier on v2 (and volume-lvm what this kernel lacks).
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { mountTable } from '../src/volume/host.js';
import { attachedLoops } from '../src/volume/loop-device.js';

const CHILD = fileURLToPath(new URL('./volume-concurrency.child.ts', import.meta.url));
const STATE = mkdtempSync('/var/tmp/cgbox-state-test-');
const SOURCE = mkdtempSync('/tmp/cgbox-template-test-');
writeFileSync(join(SOURCE, 'a'), 'made once\n');

afterAll(async () => {
  const pool = join(STATE, 'btrfs-pool');
  if (mountTable().some((m) => m.target === pool)) execFileSync('umount', [pool]);
  for (const l of await attachedLoops()) if (l.backing.startsWith(`${STATE}/`)) execFileSync('losetup', ['-d', l.path]);
  rmSync(STATE, { recursive: true, force: true });
  rmSync(SOURCE, { recursive: true, force: true });
});

describe('concurrent processes', () => {
  it('six at once make one pool and one template, and all get it', async () => {
    const env = { ...process.env, CGBOX_STATE_DIR: STATE, CGBOX_BTRFS_POOL_SIZE: '1g' };
    const outs = await Promise.all(Array.from({ length: 6 }, () => promisify(execFile)(process.execPath, ['--import', 'tsx', CHILD, SOURCE], { env })));
    const paths = new Set(outs.map((o) => o.stdout.trim()));
    expect(paths.size).toBe(1);
    const [path] = [...paths];
    expect(path).toMatch(new RegExp(`^${STATE}/btrfs-pool/templates/[0-9a-f]{16}$`));
    expect(mountTable().filter((m) => m.target === join(STATE, 'btrfs-pool'))).toHaveLength(1);
    expect((await attachedLoops()).filter((l) => l.backing === join(STATE, 'btrfs-pool.img'))).toHaveLength(1);
    expect(readdirSync(join(STATE, 'btrfs-pool', 'templates'))).toHaveLength(1);
    expect(readdirSync(join(STATE, 'btrfs-pool')).filter((n) => n.endsWith('-tmpl'))).toEqual([]); // no half-made one
  });
});
