/** The backends list is the one place a backend is declared: every entry carries all that is derived from it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VOLUME_BACKENDS, VOLUME_DRIVERS, backendOf } from './backends.js';
import { volumeConfig } from './config.js';

const state = mkdtempSync(join(tmpdir(), 'cgbox-backends-'));
afterAll(() => rmSync(state, { recursive: true, force: true }));
/** A configuration whose directories are empty: nothing of anybody's to find. */
const config = volumeConfig({ CGBOX_STATE_DIR: join(state, 'state'), CGBOX_RUN_DIR: join(state, 'run'), CGBOX_LVM_VG: 'cgbox_test_no_such_vg' });

describe('the volume backends list', () => {
  it('names each backend once, and the drivers are auto plus those names', () => {
    const kinds = VOLUME_BACKENDS.map((b) => b.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    expect(VOLUME_DRIVERS).toEqual(['auto', ...kinds]);
    for (const k of kinds) expect(backendOf(k)?.kind).toBe(k);
    expect(backendOf('auto')).toBeUndefined();
  });

  it.each(VOLUME_BACKENDS.map((b) => [b.kind, b] as const))('%s has a reap hook that finds nothing where nothing was left', async (_, b) => {
    expect(await b.reap(config, false)).toEqual([]);
  });

  it.each(VOLUME_BACKENDS.map((b) => [b.kind, b] as const))('%s tells doctor whether this host can make it, and why not', (_, b) => {
    const why = b.unavailable(config);
    expect(why === undefined || (typeof why === 'string' && why.length > 20)).toBe(true);
  });

  it('keeps release hooks optional, and callable', async () => {
    for (const b of VOLUME_BACKENDS) if ('release' in b) await expect((b.release as () => Promise<void>)()).resolves.toBeUndefined();
  });
});
