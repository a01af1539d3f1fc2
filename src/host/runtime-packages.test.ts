import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { allRuntimePackages, packageOf, RUNTIME_PACKAGES } from './runtime-packages.js';

const SRC = fileURLToPath(new URL('..', import.meta.url));

/** The library's own modules: what ships (tests, doubles and the demo run nothing for a user). */
function sources(dir = SRC): Array<{ file: string; text: string }> {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    if (!e.name.endsWith('.ts') || e.name.endsWith('.test.ts') || e.name.startsWith('fake-') || e.name === 'demo.ts') return [];
    return [{ file: path.slice(SRC.length), text: readFileSync(path, 'utf8') }];
  });
}

/**
 * Where the source names a program it runs: the first argument of each
 * spawning helper (the step comes first for mustRun and removeQuietly), a
 * [file, args] command tuple, a tool probed on PATH, and zx's shell.
 */
const SPAWNS: readonly RegExp[] = [
  /\b(?:run|tryRun|runTool|spawn|spawnSync|execFile|execFileSync|runInShell)\(\s*'([^']+)'/g,
  /\b(?:mustRun|removeQuietly)\(\s*'[^']*',\s*'([^']+)'/g,
  /\[\s*'([a-z][\w.-]*)',\s*\[/g,
  /\bonPath\(\s*'([^']+)'\s*\)/g,
  /\bconst SHELL = '([^']+)'/g,
];
/** doctor's checks probe PATH for what they report on (nsenter, cc) but run nothing themselves. */
const PROBES_ONLY = 'host/doctor.ts';

function spawnedTools(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const { file, text } of sources()) {
    if (file === PROBES_ONLY) continue;
    for (const re of SPAWNS) {
      for (const m of text.matchAll(re)) {
        const tool = basename(m[1]!);
        found.set(tool, [...(found.get(tool) ?? []), file]);
      }
    }
  }
  return found;
}

describe('RUNTIME_PACKAGES', () => {
  it('lists every program the source runs, with its package', () => {
    const found = spawnedTools();
    // The scan itself must see the tools of each subsystem, or it would pass by finding nothing.
    for (const t of ['ip', 'tc', 'nft', 'ovs-vsctl', 'losetup', 'mount', 'mkfs.ext4', 'btrfs', 'lvcreate', 'thin_check', 'cp', 'sh', 'bash']) {
      expect(found.has(t), `the scan found no use of ${t}`).toBe(true);
    }
    // What the source runs but the data lacks, with where it is run.
    const missing = [...found].filter(([tool]) => packageOf(tool) === undefined).map(([tool, files]) => `${tool} (${[...new Set(files)].join(', ')})`);
    expect(missing).toEqual([]);
  });

  it('lists nothing the source never names', () => {
    const all = sources()
      .map((s) => s.text)
      .join('\n');
    const listed = [...new Set(RUNTIME_PACKAGES.flatMap((n) => Object.keys(n.tools)))];
    const unnamed = listed.filter((tool) => !all.includes(`'${tool}'`) && !all.includes(`/${tool}'`));
    expect(unnamed).toEqual([]);
  });

  it('gives each tool one package wherever it appears', () => {
    const seen = new Map<string, string>();
    for (const n of RUNTIME_PACKAGES) {
      for (const [tool, pkg] of Object.entries(n.tools)) {
        expect(seen.get(tool) ?? pkg, `${tool} in "${n.feature}"`).toBe(pkg);
        seen.set(tool, pkg);
      }
    }
  });

  it('names the packages of the README Install section', () => {
    expect(allRuntimePackages()).toEqual([
      'bash',
      'btrfs-progs',
      'coreutils',
      'dash',
      'e2fsprogs',
      'gcc',
      'iproute2',
      'lvm2',
      'mount',
      'nftables',
      'openvswitch-switch',
      'systemd',
      'thin-provisioning-tools',
      'xfsprogs',
    ]);
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const install = /^## Install\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? '';
    for (const pkg of allRuntimePackages()) expect(install, `README's Install section names ${pkg}`).toContain(pkg);
  });
});
