// Started by faults.test.ts with CGBOX_TEST_FAULT naming a step: runs the full sandbox, prints how it ended.
import { faultHit } from '../src/host/faults.js';
import { sandbox, TeardownError } from '../src/index.js';

const root = process.argv[2]!;
process.env.CGBOX_STANDBY = '0';
const box = sandbox().memory('64m').pids(32).cpuQuota(0.5).net({ bandwidth: '10mbit' }).volume('/data', { size: '32m', driver: 'btrfs' }).rootfs(root);
const e = await box.run('/bin/sh', ['-c', 'echo hi > /data/f; cat /data/f']).then(
  () => undefined,
  (err: unknown) => err,
);
const t = e instanceof TeardownError ? e : undefined;
process.stdout.write(
  JSON.stringify({ name: (e as Error | undefined)?.name ?? 'none', step: (e as { step?: string } | undefined)?.step, steps: t?.errors.map((f) => f.step) ?? [], exitCode: t?.result.exitCode ?? null, stdout: t?.result.stdout ?? '', hit: faultHit() }),
);
