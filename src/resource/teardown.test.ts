import { describe, expect, it } from 'vitest';
import { allSettled, Teardown } from './teardown.js';

describe('Teardown', () => {
  it('runs the undos newest first', async () => {
    const order: string[] = [];
    const t = new Teardown();
    for (const step of ['cgroup', 'netns', 'volume']) t.push(step, async () => void order.push(step));
    expect(await t.run()).toEqual([]);
    expect(order).toEqual(['volume', 'netns', 'cgroup']);
  });

  it('waits for each undo before starting the next', async () => {
    const order: string[] = [];
    const t = new Teardown();
    t.push('first', async () => void order.push('first'));
    t.push('slow', async () => {
      await new Promise((r) => setTimeout(r, 10));
      order.push('slow done');
    });
    await t.run();
    expect(order).toEqual(['slow done', 'first']);
  });

  it('keeps going after a failing undo and returns its error', async () => {
    const order: string[] = [];
    const boom = new Error('rmdir: EBUSY');
    const t = new Teardown();
    t.push('a', async () => void order.push('a'));
    t.push('b', async () => {
      throw boom;
    });
    t.push('c', async () => void order.push('c'));
    const failures = await t.run();
    expect(order).toEqual(['c', 'a']);
    expect(failures).toEqual([{ step: 'b', error: boom }]);
    expect(failures[0]!.error).toBe(boom);
  });

  it('collects every failure, newest first, and names the step of a non-Error throw', async () => {
    const t = new Teardown();
    t.push('veth', async () => {
      throw 'gone';
    });
    t.push('loop', async () => {
      throw new Error('losetup -d failed');
    });
    const failures = await t.run();
    expect(failures.map((f) => [f.step, f.error.message])).toEqual([
      ['loop', 'losetup -d failed'],
      ['veth', 'veth: gone'],
    ]);
    expect(failures.every((f) => f.error instanceof Error)).toBe(true);
  });

  it('counts a synchronous throw as a failure too', async () => {
    const t = new Teardown();
    let ran = false;
    t.push('first', async () => void (ran = true));
    t.push('sync', (() => {
      throw new Error('sync');
    }) as () => Promise<void>);
    expect((await t.run()).map((f) => f.error.message)).toEqual(['sync']);
    expect(ran).toBe(true);
  });

  it('does not repeat undos when run twice', async () => {
    let calls = 0;
    const t = new Teardown();
    t.push('once', async () => void calls++);
    t.push('fails once', async () => {
      throw new Error('x');
    });
    expect(await t.run()).toHaveLength(1);
    expect(await t.run()).toEqual([]);
    expect(calls).toBe(1);
  });

  it('runs undos pushed after a run in the next run only', async () => {
    const seen: string[] = [];
    const t = new Teardown();
    t.push('a', async () => void seen.push('a'));
    await t.run();
    t.push('b', async () => void seen.push('b'));
    await t.run();
    expect(seen).toEqual(['a', 'b']);
  });

  it('returns no errors when there is nothing to undo', async () => {
    expect(await new Teardown().run()).toEqual([]);
  });
});

describe('allSettled', () => {
  it('waits for the slowest step before rethrowing the first failure', async () => {
    let slowDone = false;
    const slow = new Promise<void>((r) => setTimeout(() => ((slowDone = true), r()), 30));
    await expect(allSettled([Promise.reject(new Error('batch failed')), slow])).rejects.toThrow('batch failed');
    expect(slowDone).toBe(true);
  });

  it('resolves with every value in order', async () => {
    expect(await allSettled([Promise.resolve(1), Promise.resolve(2)])).toEqual([1, 2]);
  });
});
