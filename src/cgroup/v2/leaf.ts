/**
 * cgroup v2's no-internal-process rule: a non-root cgroup may enable
 * controllers for its children (cgroup.subtree_control) only while it holds no
 * process itself — else EBUSY. cgbox nests sandboxes in the caller's own
 * cgroup, which holds the caller and whatever started it (a shell, npm, a test
 * runner and its workers). So, as systemd asks of whoever is delegated a
 * subtree, the processes of that cgroup move into a leaf child, CALLER_LEAF,
 * before the controllers are enabled. They stay beneath the caller's cgroup,
 * so its limits hold for them and for the sandboxes alike.
 *
 * In effect once per cgroup: once a domain controller (memory) is enabled
 * there, the kernel refuses to move processes in, so every later write finds
 * nothing to move and succeeds at once. A process forking while we move its
 * siblings can put a child back in the cgroup: the write then fails with
 * EBUSY again, and we move what is there and retry.
 *
 * The root cgroup is exempt from the rule: the first write succeeds and
 * nothing moves. Only the caller's own cgroup is ever emptied this way — a
 * parent named with .cgroupParent() is the user's to arrange.
 */
import { mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { SetupError } from '../../spec/errors.js';
import { parsePids, readOptional, writeExisting } from '../files.js';

const ATTEMPTS = 20;

/** The file operations used here; unit tests pass a double that keeps the kernel's rule. */
export interface CgroupFs {
  write(path: string, value: string): Promise<void>;
  read(path: string): Promise<string | null>;
  mkdir(path: string): void;
}

const realFs: CgroupFs = { write: writeExisting, read: readOptional, mkdir: (path) => mkdirSync(path) };

function code(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | null)?.code;
}

/** The pids in a cgroup.procs file; empty when it cannot be read. */
async function procsOf(dir: string, fs: CgroupFs): Promise<number[]> {
  return parsePids(await fs.read(`${dir}/cgroup.procs`));
}

/** Moves every process of `dir` into `leaf` (made if missing); returns how many moved. */
export async function moveProcessesInto(dir: string, leaf: string, fs: CgroupFs = realFs): Promise<number> {
  try {
    fs.mkdir(leaf);
  } catch (e) {
    if (code(e) !== 'EEXIST') throw new SetupError('cgroup', `creating the leaf cgroup ${leaf}: ${(e as Error).message}`, { cause: e });
  }
  let moved = 0;
  for (const pid of await procsOf(dir, fs)) {
    try {
      await fs.write(`${leaf}/cgroup.procs`, `${pid}`);
      moved++;
    } catch (e) {
      // Exited meanwhile (ESRCH), or a zombie on its way out: nothing to move.
      if (code(e) === 'ESRCH' || code(e) === 'EINVAL') continue;
      throw new SetupError('cgroup', `moving process ${pid} from ${dir} into ${leaf}: ${(e as Error).message}`, { cause: e });
    }
  }
  return moved;
}

/**
 * Writes `value` ('+cpu +memory …') to `dir`/cgroup.subtree_control. With
 * `leaf`, processes in `dir` are first moved there when the kernel answers
 * EBUSY; without, EBUSY is an error that explains the rule.
 */
export async function enableControllers(dir: string, value: string, leaf?: string, fs: CgroupFs = realFs): Promise<void> {
  const file = `${dir}/cgroup.subtree_control`;
  for (let attempt = 1; ; attempt++) {
    try {
      await fs.write(file, value);
      return;
    } catch (e) {
      const failed = (why: string) => new SetupError('cgroup', `writing "${value}" to ${file}: ${(e as Error).message}${why}`, { cause: e });
      if (code(e) === 'ENOENT') throw new SetupError('cgroup', `the parent cgroup ${dir} does not exist`, { cause: e });
      if (code(e) !== 'EBUSY') throw failed('');
      if (leaf === undefined) throw failed(`${RULE}; ${dir} holds ${listed(await procsOf(dir, fs))}: move them into a child cgroup, or name an empty parent`);
      if (attempt > ATTEMPTS) throw failed(`${RULE}, and processes kept appearing in ${dir} while cgbox moved them into ${leaf}`);
    }
    await moveProcessesInto(dir, leaf, fs);
    if (attempt > 1) await sleep(Math.min(2 ** attempt, 50));
  }
}

const RULE = ': cgroup v2 lets a cgroup enable controllers for its children only while it holds no process of its own';

function listed(pids: number[]): string {
  if (pids.length === 0) return 'processes';
  return `pids ${pids.slice(0, 8).join(', ')}${pids.length > 8 ? ', …' : ''}`;
}
