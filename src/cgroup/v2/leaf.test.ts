import { describe, expect, it } from 'vitest';
import { SetupError } from '../../spec/errors.js';
import { enableControllers, moveProcessesInto, type CgroupFs } from './leaf.js';

const errno = (code: string) => Object.assign(new Error(`${code}: from the double`), { code });

/**
 * A double of cgroupfs that keeps cgroup v2's rules: subtree_control is EBUSY
 * while the cgroup holds a process, and no process may join a cgroup that has
 * controllers enabled. `forks` puts a new process in a cgroup after the n-th
 * move, as a task forking in the middle of the evacuation would.
 */
function kernel(procs: Record<string, number[]>, forks: Array<{ afterMove: number; dir: string; pid: number }> = []) {
  const enabled = new Map<string, string>();
  let moves = 0;
  const dirOf = (path: string) => path.slice(0, path.lastIndexOf('/'));
  const fs: CgroupFs = {
    async write(path, value) {
      const dir = dirOf(path);
      if (!(dir in procs)) throw errno('ENOENT');
      if (path.endsWith('/cgroup.subtree_control')) {
        if (procs[dir]!.length > 0) throw errno('EBUSY');
        enabled.set(dir, value);
        return;
      }
      if (enabled.has(dir)) throw errno('EBUSY');
      const pid = Number(value);
      const from = Object.keys(procs).find((d) => procs[d]!.includes(pid));
      if (from === undefined) throw errno('ESRCH');
      procs[from] = procs[from]!.filter((p) => p !== pid);
      procs[dir]!.push(pid);
      moves++;
      for (const f of forks.filter((f) => f.afterMove === moves)) procs[f.dir]!.push(f.pid);
    },
    async read(path) {
      const list = procs[dirOf(path)];
      return list === undefined ? null : list.map((p) => `${p}\n`).join('');
    },
    mkdir(path) {
      if (path in procs) throw errno('EEXIST');
      procs[path] = [];
    },
  };
  return { fs, enabled, procs };
}

const C = '/sys/fs/cgroup/system.slice/ci.service';
const LEAF = `${C}/cgbox.leaf`;

describe('enableControllers (cgroup v2 no-internal-process rule)', () => {
  it('enables at once when the cgroup holds no process (the root, or done before)', async () => {
    const k = kernel({ [C]: [] });
    await enableControllers(C, '+cpu +memory', LEAF, k.fs);
    expect(k.enabled.get(C)).toBe('+cpu +memory');
    expect(k.procs[LEAF]).toBeUndefined(); // no leaf made when nothing had to move
  });

  it("moves the caller's cgroup's processes into the leaf, then enables", async () => {
    const k = kernel({ [C]: [101, 102, 103] });
    await enableControllers(C, '+cpu +memory +pids', LEAF, k.fs);
    expect(k.procs[C]).toEqual([]);
    expect(k.procs[LEAF]).toEqual([101, 102, 103]);
    expect(k.enabled.get(C)).toBe('+cpu +memory +pids');
  });

  it('retries when a process forks into the cgroup during the move, and reuses the leaf', async () => {
    const k = kernel({ [C]: [101, 102] }, [{ afterMove: 1, dir: C, pid: 200 }]);
    await enableControllers(C, '+memory', LEAF, k.fs);
    expect(k.procs[LEAF]?.sort()).toEqual([101, 102, 200]);
    expect(k.enabled.has(C)).toBe(true);
  });

  it('skips processes that exit while being moved', async () => {
    const k = kernel({ [C]: [101, 102] });
    const write = k.fs.write;
    k.fs.write = async (path, value) => {
      if (value === '101') {
        k.procs[C] = k.procs[C]!.filter((p) => p !== 101);
        throw errno('ESRCH');
      }
      return write(path, value);
    };
    expect(await moveProcessesInto(C, LEAF, k.fs)).toBe(1);
    expect(k.procs[LEAF]).toEqual([102]);
  });

  it('without a leaf (a parent the user named), EBUSY explains the rule and names the pids', async () => {
    const k = kernel({ [C]: [7, 8] });
    const err = await enableControllers(C, '+memory', undefined, k.fs).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SetupError);
    expect((err as Error).message).toMatch(/only while it holds no process of its own; .* holds pids 7, 8: move them into a child cgroup/);
    expect(k.procs[C]).toEqual([7, 8]); // nothing moved
  });

  it('gives up, naming the rule, when processes keep coming back', async () => {
    const forks = Array.from({ length: 100 }, (_, i) => ({ afterMove: i + 1, dir: C, pid: 1000 + i }));
    const k = kernel({ [C]: [1] }, forks);
    await expect(enableControllers(C, '+memory', LEAF, k.fs)).rejects.toThrow(/processes kept appearing/);
  });

  it('says so when the parent cgroup does not exist', async () => {
    const k = kernel({});
    await expect(enableControllers(C, '+memory', LEAF, k.fs)).rejects.toThrow(/parent cgroup .*ci\.service does not exist/);
  });
});
