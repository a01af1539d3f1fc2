/**
 * Used bytes from statfs, as df computes them: (blocks - free) × block size.
 * A fresh filesystem already uses some (xfs reserves ~17 MiB of a 300 MiB
 * one for its btrees), so backends record that baseline right after mkfs and
 * report what the volume holds beyond it.
 */
import { statfs } from 'node:fs/promises';

export async function usedBytes(path: string): Promise<number> {
  const s = await statfs(path);
  return (s.blocks - s.bfree) * s.bsize;
}

/** Bytes used beyond `baseline` (never negative: a filesystem may free some of its own metadata). */
export async function usedBeyond(path: string, baseline: number): Promise<number> {
  return Math.max(0, (await usedBytes(path)) - baseline);
}
