/** Paths of the fixture programs; fails loudly when they were not built. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../fixtures/bin/', import.meta.url));

export function fixture(name: 'alloc' | 'burn' | 'dwrite' | 'forkbomb' | 'exitwith' | 'udpcount'): string {
  const path = BIN + name;
  if (!existsSync(path)) throw new Error(`fixture ${path} is not built: run \`npm run build\` (or bash fixtures/build.sh)`);
  return path;
}

export const MiB = 2 ** 20;
