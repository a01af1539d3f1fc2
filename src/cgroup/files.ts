/** Small readers shared by both drivers' stats code. A missing file reads as undefined. */
import { readFile } from 'node:fs/promises';

export async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

export async function readInt(path: string): Promise<number | undefined> {
  const t = await readText(path);
  if (t === undefined) return undefined;
  const n = Number(t.trim());
  return Number.isFinite(n) ? n : undefined;
}

/** "key value" lines (memory.stat, cpu.stat, memory.oom_control) → map. */
export function parseKeyed(text: string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of (text ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && Number.isFinite(Number(v))) out.set(k, Number(v));
  }
  return out;
}

export function parsePids(text: string | undefined): number[] {
  return (text ?? '').split('\n').filter(Boolean).map(Number);
}

/**
 * The kernel's user/system split is tick-sampled (1–15 % off); the total is
 * exact. Scale the split so that user + system equals the exact total.
 */
export function splitExact(totalUs: number, user: number, system: number): { userUs: number; systemUs: number } {
  const sum = user + system;
  if (sum <= 0) return { userUs: totalUs, systemUs: 0 };
  const userUs = Math.round((totalUs * user) / sum);
  return { userUs, systemUs: totalUs - userUs };
}
