/** What the host offers volumes: tools on PATH, filesystems the kernel knows, mounts. Synchronous, for check(). */
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The caller's PATH, and the sbin directories (mount, losetup, mkfs live there) a non-login PATH may lack. */
export function toolPath(): string {
  const dirs = (process.env.PATH || '/usr/bin:/bin').split(delimiter).filter(Boolean);
  return [...dirs, ...['/usr/local/sbin', '/usr/sbin', '/sbin'].filter((d) => !dirs.includes(d))].join(delimiter);
}

export function onPath(tool: string): boolean {
  for (const dir of toolPath().split(delimiter)) {
    try {
      accessSync(join(dir, tool), constants.X_OK);
      return true;
    } catch {
      // next
    }
  }
  return false;
}

/** /proc/filesystems: what this kernel can mount (built in, or a module already loaded). */
export function kernelHasFs(fs: string): boolean {
  try {
    return readFileSync('/proc/filesystems', 'utf8').split('\n').some((l) => l.trim().split(/\s+/).pop() === fs);
  } catch {
    return false;
  }
}

export interface MountEntry {
  target: string;
  fstype: string;
  source: string;
}

/** /proc/self/mountinfo: mount point (field 5), then after " - ": type and source. */
export function mountTable(): MountEntry[] {
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [left, right = ''] = line.split(' - ');
      const [fstype = '', source = ''] = right.split(' ');
      return { target: unescape(left!.split(' ')[4] ?? ''), fstype, source: unescape(source) };
    });
}

/** The last mount at `dir` (the one visible there), if any. */
export function mountAt(dir: string): MountEntry | undefined {
  return mountTable()
    .filter((m) => m.target === dir)
    .pop();
}
