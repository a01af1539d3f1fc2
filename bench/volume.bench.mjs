// Volumes: what each driver adds to a sandbox (setup + usage read + teardown), against the raw
// commands doing the same in one shell script, measured in the same run and interleaved so a
// noisy neighbour hits all alike. Goal (issue 5): a btrfs snapshot volume adds at most 10 ms.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { btrfsTemplate, releaseSpareVolumes, sandbox } from '../dist/index.js';
import { interleavedMedians } from './measure.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const TEMPLATE = fileURLToPath(new URL('../fixtures/volume-template', import.meta.url));
const MNT = mkdtempSync('/tmp/cgbox-volume-bench-');
const SCRATCH = mkdtempSync('/var/tmp/cgbox-volume-bench-raw-'); // raw loop images go on the same disk as cgbox's
const template = await btrfsTemplate(TEMPLATE);
const pool = template.slice(0, template.indexOf('/templates/'));

function sh(script) {
  return new Promise((resolve, reject) => {
    const c = spawn('sh', ['-e', '-c', script], { stdio: ['ignore', 'ignore', 'inherit'] });
    c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`raw script exited ${code}: ${script}`))));
  });
}

const run = async (b) => {
  const r = await b.run('true');
  if (!r.ok) throw new Error(`cgbox run failed: ${r.exitCode} ${r.signal} ${r.stderr}`);
};

let cold = 0;
const cgbox = {
  none: () => run(sandbox()),
  tmpfs: () => run(sandbox().volume(MNT, { size: '16m', driver: 'tmpfs' })),
  'loop (ext4)': () => run(sandbox().volume(MNT, { size: '64m', driver: 'loop' })),
  btrfs: () => run(sandbox().volume(MNT, { size: '16m', driver: 'btrfs' })),
  'btrfs snapshot': () => run(sandbox().volume(MNT, { size: '16m', driver: 'btrfs', from: TEMPLATE })),
  // A new size each round is a new kind: never a spare made ahead, the snapshot is on the clock.
  'btrfs snapshot, cold': () => run(sandbox().volume(MNT, { size: `${17 + (cold++ % 1000)}m`, driver: 'btrfs', from: TEMPLATE })),
};
const d = `${SCRATCH}/m`;
const raw = {
  tmpfs: () => sh(`mkdir ${d}; mount -t tmpfs -o size=16m tmpfs ${d}; umount ${d}; rmdir ${d}`),
  'loop (ext4)': () =>
    sh(`truncate -s 64M ${SCRATCH}/i; mkfs.ext4 -q -F -m 0 -b 4096 ${SCRATCH}/i; l=$(losetup --find --show --direct-io=on ${SCRATCH}/i); mkdir ${d}; mount $l ${d}; umount ${d}; losetup -d $l; rmdir ${d}; rm ${SCRATCH}/i`),
  btrfs: () => sh(`btrfs -q subvolume create ${pool}/raw-bench; btrfs qgroup limit 16m ${pool}/raw-bench; btrfs -q subvolume delete ${pool}/raw-bench`),
  'btrfs snapshot': () => sh(`btrfs -q subvolume snapshot ${template} ${pool}/raw-bench; btrfs qgroup limit 16m ${pool}/raw-bench; btrfs -q subvolume delete ${pool}/raw-bench`),
};

const cases = { ...Object.fromEntries(Object.entries(cgbox).map(([k, f]) => [`cgbox ${k}`, f])), ...Object.fromEntries(Object.entries(raw).map(([k, f]) => [`raw ${k}`, f])) };
let m;
try {
  for (const fn of Object.values(cases)) await fn(); // first use: pool, template, first-run reap
  m = await interleavedMedians(cases, ROUNDS); // its own warm-up is the second use: spares from here on
} finally {
  await releaseSpareVolumes();
  rmSync(MNT, { recursive: true, force: true });
  rmSync(SCRATCH, { recursive: true, force: true });
}
console.log(`volumes, median of ${ROUNDS} interleaved rounds (cgbox: whole run of \`true\`; raw: the commands in one sh script):`);
for (const [k, v] of Object.entries(m)) console.log(`  ${k.padEnd(30)} ${v.toFixed(2)} ms`);
console.log('what a volume adds to a sandbox (cgbox with it − cgbox without), against the raw commands:');
for (const k of Object.keys(cgbox).filter((k) => k !== 'none')) {
  const adds = m[`cgbox ${k}`] - m['cgbox none'];
  const base = raw[k] ? m[`raw ${k}`] : m['raw btrfs snapshot'];
  console.log(`  ${k.padEnd(22)} adds ${adds.toFixed(2).padStart(6)} ms   raw ${base.toFixed(2).padStart(6)} ms   ratio ${(adds / base).toFixed(2)}×`);
}
const snap = m['cgbox btrfs snapshot'] - m['cgbox none'];
console.log(`  a btrfs snapshot volume adds ${snap.toFixed(2)} ms (goal ≤ 10 ms: ${snap <= 10 ? 'met' : 'NOT met'}); cold, without a spare: ${(m['cgbox btrfs snapshot, cold'] - m['cgbox none']).toFixed(2)} ms`);
