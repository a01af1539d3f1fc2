/**
 * The lease table under proper-lockfile: processes allocating at the same
 * time never hand out one address twice. Runs without root, in a temporary
 * state directory (CGBOX_RUN_DIR).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'cgbox-leases-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LEASES = fileURLToPath(new URL('./leases.ts', import.meta.url));
const IPV4 = fileURLToPath(new URL('./ipv4.ts', import.meta.url));

/** A process that leases `count` addresses one after the other, as `count` runs of one owner would. */
function allocator(id: number, count: number): Promise<void> {
  const code = `
    const { leaseAddress } = await import(${JSON.stringify(LEASES)});
    const { parseSubnet } = await import(${JSON.stringify(IPV4)});
    for (let i = 0; i < ${count}; i++) await leaseAddress('cgbtest', parseSubnet('10.88.0.0/16'), 'cgbox-${id}-' + i.toString(16).padStart(8, '0'));
  `;
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { env: { ...process.env, CGBOX_RUN_DIR: dir }, stdio: ['ignore', 'inherit', 'inherit'] });
    c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`allocator ${id} exited ${code}`))));
  });
}

describe('address leases across processes', () => {
  it('4 processes × 25 leases at once: 100 distinct addresses', async () => {
    await Promise.all([1, 2, 3, 4].map((id) => allocator(id, 25)));
    const table = JSON.parse(readFileSync(join(dir, 'net-cgbtest.json'), 'utf8')) as { leases: Record<string, string> };
    expect(Object.keys(table.leases)).toHaveLength(100);
    expect(new Set(Object.values(table.leases)).size).toBe(100);
  }, 30_000);
});

describe('a lease table that cannot be read', () => {
  it('is an error naming the file and the fix, never an empty table', async () => {
    const code = `
      const { readTable } = await import(${JSON.stringify(LEASES)});
      const fs = await import('node:fs');
      fs.writeFileSync(${JSON.stringify(join(dir, 'net-broken.json'))}, '{"leases": {"10.88.0.2": "cgbox-1-aa"}');
      try { await readTable('broken'); console.log('no error'); } catch (e) { console.log(e.name, e.step, e.message); }
      console.log(JSON.stringify(await readTable('missing')));
    `;
    const out = await new Promise<string>((resolve) => {
      const c = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { env: { ...process.env, CGBOX_RUN_DIR: dir }, stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      c.stdout.on('data', (d: Buffer) => (text += d.toString()));
      c.on('exit', () => resolve(text));
    });
    const [err, missing] = out.trim().split('\n');
    expect(err).toMatch(/^SetupError net address .*net-broken\.json is not one cgbox wrote .*remove the file when no sandbox/);
    expect(missing).toBe('{"leases":{}}');
  }, 30_000);
});

describe("a writer killed between its write and the rename", () => {
  it("leaves a temporary file that the next write under the lock removes, and only that bridge's", async () => {
    const { writeFileSync, existsSync } = await import('node:fs');
    const cut = ['net-cgbtest.json.0a1b2c3d4e5f.tmp', 'net-cgbtest.json.ffffffffffff.tmp'].map((f) => join(dir, f));
    const kept = ['net-other.json.0a1b2c3d4e5f.tmp', 'net-cgbtest.json.notours.tmp'].map((f) => join(dir, f));
    for (const f of [...cut, ...kept]) writeFileSync(f, '{"leases":{}}');
    await allocator(9, 1);
    expect(cut.filter(existsSync)).toEqual([]);
    expect(kept.filter(existsSync)).toEqual(kept);
    const table = JSON.parse(readFileSync(join(dir, 'net-cgbtest.json'), 'utf8')) as { leases: Record<string, string> };
    expect(Object.values(table.leases)).toContain('cgbox-9-00000000');
  }, 30_000);
});
