/**
 * For the volume tests: every kind of object a volume leaves on the host,
 * listed explicitly — mounts, loop devices, image files, btrfs subvolumes,
 * per-run directories — so that a test can say "none of this run's is left".
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { mountedPool } from '../src/volume/btrfs-pool.js';
import { releaseSpareVolumes } from '../src/volume/btrfs-spares.js';
import { imagesDir, volumeConfig } from '../src/volume/config.js';
import { mountTable } from '../src/volume/host.js';
import { attachedLoops } from '../src/volume/loop-device.js';
import { runOf } from '../src/volume/names.js';

export const MiB = 2 ** 20;

/** What is left of runs owned by `owner` (default: this process), by kind. */
export async function volumeObjects(owner = process.pid) {
  const c = volumeConfig();
  const mine = (name: string) => runOf(name)?.startsWith(`cgbox-${owner}-`) ?? false;
  const hasMine = (path: string) => path.split('/').some(mine);
  const list = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);
  const pool = mountedPool(c);
  return {
    mounts: mountTable()
      .filter((m) => hasMine(m.target) || mine(m.source))
      .map((m) => `${m.source} on ${m.target}`),
    loops: (await attachedLoops()).filter((l) => hasMine(l.backing)).map((l) => `${l.path} (${l.backing})`),
    images: list(imagesDir(c)).filter(mine),
    subvolumes: pool ? list(pool).filter(mine).map((n) => join(pool, n)) : [],
    runDirs: list(c.runDir).filter(mine),
  };
}

const empty = (o: Awaited<ReturnType<typeof volumeObjects>>) => Object.values(o).every((l) => l.length === 0);

/**
 * Waits until nothing of this process's runs is left, spare btrfs volumes
 * released first (they are kept between runs by design). A loop device can
 * outlive its run by a moment: a sandbox started (by another test run on the
 * machine) while it was mounted holds a copy of the mount in its namespace,
 * and the kernel detaches the device (autoclear) when that one ends.
 */
export async function settledVolumeObjects(owner = process.pid, waitMs = 15_000) {
  await releaseSpareVolumes(); // kept by design between runs: gone once released
  let left = await volumeObjects(owner);
  for (let t = 0; t < waitMs && !empty(left); t += 100) {
    await sleep(100);
    left = await volumeObjects(owner);
  }
  return left;
}

export const NOTHING = { mounts: [], loops: [], images: [], subvolumes: [], runDirs: [] };

/** The busybox root filesystem fixture, built (or found cached) by fixtures/rootfs/build.sh. */
export function busyboxRoot(): string {
  execFileSync('bash', [fileURLToPath(new URL('../fixtures/rootfs/build.sh', import.meta.url))], { stdio: ['ignore', 'ignore', 'inherit'] });
  return fileURLToPath(new URL('../fixtures/rootfs/build/root', import.meta.url));
}

/** A committed directory with known content, for from: templates (stable metadata: one template, reused). */
export const TEMPLATE = fileURLToPath(new URL('../fixtures/volume-template', import.meta.url));

/** dd's "N bytes … copied" line: what it wrote before it stopped. */
export function ddBytes(stderr: string): number {
  const m = /^(\d+) bytes/m.exec(stderr);
  if (!m) throw new Error(`no dd summary in: ${stderr}`);
  return Number(m[1]);
}
