/**
 * from: a template directory. On btrfs it becomes a read-only subvolume of
 * the pool once, and every sandbox gets a snapshot of it; elsewhere it is
 * copied in. Either way the sandbox sees the template's files and its writes
 * never reach the template.
 *
 * Host tier only: volumes do not depend on the cgroup version, but for IO throttling, which
 * io.test.ts runs in the VM tier on v2 (and volume-lvm what this kernel lacks).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sandbox } from '../src/index.js';
import { btrfsTemplate } from '../src/volume/template.js';
import { NOTHING, settledVolumeObjects, TEMPLATE } from './volume-fixtures.js';

const MNT = mkdtempSync('/tmp/cgbox-volume-test-');
afterAll(() => rmSync(MNT, { recursive: true, force: true }));

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const SEE = `cat ${MNT}/hello.txt && sha256sum ${MNT}/sub/random.bin && echo changed > ${MNT}/hello.txt && echo new > ${MNT}/new.txt && rm ${MNT}/sub/random.bin`;

describe.each(['btrfs', 'loop', 'tmpfs'] as const)('from: on a %s volume', (driver) => {
  it("the sandbox sees the template's files; its writes do not change the template", async () => {
    const before = { hello: readFileSync(join(TEMPLATE, 'hello.txt'), 'utf8'), random: sha(join(TEMPLATE, 'sub/random.bin')) };
    const r = await sandbox().volume(MNT, { size: '16m', driver, from: TEMPLATE }).run('sh', ['-c', SEE]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('hello from the template');
    expect(r.stdout).toContain(before.random);
    expect(readFileSync(join(TEMPLATE, 'hello.txt'), 'utf8')).toBe(before.hello);
    expect(sha(join(TEMPLATE, 'sub/random.bin'))).toBe(before.random);
    expect(readdirSync(TEMPLATE).sort()).toEqual(['hello.txt', 'sub']);
    // The next sandbox starts from the template again, not from the last one's changes.
    const again = await sandbox().volume(MNT, { size: '16m', driver, from: TEMPLATE }).run('sh', ['-c', `cat ${MNT}/hello.txt; ls ${MNT} | grep -v lost+found`]);
    expect(again.stdout).toBe('hello from the template\nhello.txt\nsub\n'); // ext4 has its lost+found too
    // The template's content counts toward the volume's size: 64 KiB of random bytes and a line.
    expect(again.usage.volume!.usedBytes).toBeGreaterThanOrEqual(65536);
    expect(await settledVolumeObjects()).toEqual(NOTHING);
  });
});

describe('btrfs templates', () => {
  it('are made once per content, read-only, in the pool', async () => {
    const path = await btrfsTemplate(TEMPLATE);
    expect(await btrfsTemplate(TEMPLATE)).toBe(path);
    expect(path).toMatch(/\/templates\/[0-9a-f]{16}$/);
    expect(readFileSync(join(path, 'hello.txt'), 'utf8')).toBe('hello from the template\n');
    expect(() => rmSync(join(path, 'hello.txt'))).toThrow(/EROFS|read-only/i);
  });

  it('20 sandboxes from one template in parallel: each its own snapshot, none sees another', async () => {
    const t0 = performance.now();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        sandbox()
          .volume(MNT, { size: '16m', driver: 'btrfs', from: TEMPLATE })
          .run('sh', ['-c', `echo ${i} > ${MNT}/mine && sleep 0.2 && ls ${MNT} | tr '\\n' ' ' && cat ${MNT}/mine ${MNT}/hello.txt`]),
      ),
    );
    console.log(`20 parallel sandboxes with a snapshot volume each: ${(performance.now() - t0).toFixed(0)} ms in all`);
    results.forEach((r, i) => {
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toBe(`hello.txt mine sub ${i}\nhello from the template\n`);
    });
    expect(await settledVolumeObjects()).toEqual(NOTHING);
  });
});
