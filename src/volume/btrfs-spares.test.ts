import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const deleted: string[] = [];
vi.mock('./btrfs-subvolume.js', () => ({ deleteSubvolume: async (path: string) => void deleted.push(path) }));

type Spares = typeof import('./btrfs-spares.js');
let s: Spares;
const KIND = '/pool/templates/t@16777216';
const turn = () => new Promise<void>((r) => setImmediate(r));

/** A make() whose calls are held until the test lets each one finish. */
function heldMake() {
  const calls: Array<{ path: string; finish: (ok: boolean) => void }> = [];
  const make = (path: string) =>
    new Promise<void>((resolve, reject) => calls.push({ path, finish: (ok) => (ok ? resolve() : reject(new Error('snapshot failed'))) }));
  return { calls, make };
}

beforeEach(async () => {
  vi.resetModules();
  deleted.length = 0;
  s = await import('./btrfs-spares.js');
});
afterEach(() => {
  delete process.env.CGBOX_STANDBY;
});

describe('spare btrfs volumes', () => {
  it('are made from the second use of a kind on, on the next turn, and each is taken once where it lies', async () => {
    const { calls, make } = heldMake();
    s.refillSpare('/pool', KIND, make);
    await turn();
    expect(calls).toEqual([]); // one use: none
    s.refillSpare('/pool', KIND, make);
    expect(calls).toEqual([]); // not within the caller's own turn
    await turn();
    expect(calls.map((c) => c.path)).toEqual([expect.stringMatching(/^\/pool\/cgbox-\d+-[0-9a-f]+-spare$/)]);
    calls[0]!.finish(true);
    expect(await s.takeSpare(KIND)).toBe(calls[0]!.path);
    expect(await s.takeSpare(KIND)).toBeUndefined();
    expect(await s.takeSpare('/pool/templates/t@1')).toBeUndefined(); // another kind has none
  });

  it('are kept one more of a kind each time a run found its spare still being made, up to three', async () => {
    const { calls, make } = heldMake();
    s.refillSpare('/pool', KIND, make);
    s.refillSpare('/pool', KIND, make);
    await turn();
    expect(calls).toHaveLength(1);
    const taken = s.takeSpare(KIND); // still being made: from now on two are kept
    calls[0]!.finish(true);
    expect(await taken).toBe(calls[0]!.path);
    s.refillSpare('/pool', KIND, make);
    await turn();
    expect(calls).toHaveLength(3);
    // Both still being made when taken: three kept, and never more.
    for (const c of calls.slice(1)) setTimeout(() => c.finish(true), 0);
    expect(await s.takeSpare(KIND)).toBe(calls[1]!.path);
    s.refillSpare('/pool', KIND, make);
    await turn();
    expect(calls).toHaveLength(5); // one left of two, and two more: three
    for (const c of calls.slice(3)) c.finish(true);
    s.takeSpare(KIND);
    s.takeSpare(KIND);
    s.refillSpare('/pool', KIND, make);
    await turn();
    expect(calls).toHaveLength(7); // three wanted already: back to three, not four
  });

  it('deletes one whose making failed, and a run that takes it gets none', async () => {
    const { calls, make } = heldMake();
    s.refillSpare('/pool', KIND, make);
    s.refillSpare('/pool', KIND, make);
    await turn();
    calls[0]!.finish(false);
    expect(await s.takeSpare(KIND)).toBeUndefined();
    expect(deleted).toEqual([calls[0]!.path]);
  });

  it('releases them all, waiting for those being made', async () => {
    const { calls, make } = heldMake();
    s.refillSpare('/pool', KIND, make);
    s.refillSpare('/pool', KIND, make);
    await turn();
    const released = s.releaseSpareVolumes();
    calls[0]!.finish(true);
    await released;
    expect(deleted).toEqual([calls[0]!.path]);
    expect(await s.takeSpare(KIND)).toBeUndefined();
  });

  it('are not made with CGBOX_STANDBY=0', async () => {
    process.env.CGBOX_STANDBY = '0';
    const { calls, make } = heldMake();
    for (let i = 0; i < 3; i++) s.refillSpare('/pool', KIND, make);
    await turn();
    expect(calls).toEqual([]);
  });
});
