/** Every host resource cgbox names cgbox-*: cgroups, network namespaces, mounts. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

async function cgroupDirs(root: string, depth: number): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const p = join(root, e.name);
    if (e.name.startsWith('cgbox-')) out.push(p);
    else if (depth > 0) out.push(...(await cgroupDirs(p, depth - 1)));
  }
  return out;
}

export async function leftovers(): Promise<string[]> {
  const netns = await readdir('/run/netns').catch(() => [] as string[]);
  const mounts = (await readFile('/proc/self/mounts', 'utf8'))
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m.includes('cgbox-'));
  return [
    ...(await cgroupDirs('/sys/fs/cgroup', 8)),
    ...netns.filter((n) => n.startsWith('cgbox-')).map((n) => `netns ${n}`),
    ...mounts.map((m) => `mount ${m}`),
  ];
}
