/** What the host offers volumes: filesystems the kernel knows, mounts. Synchronous, for check(). */
import { readFileSync } from 'node:fs';

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
