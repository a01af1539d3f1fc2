import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sandbox } from '../src/index.js';
import { fixture } from './fixtures.js';
import { couldHave, idleNeed, quotaCeiling, roomFor, runWatched } from './load.js';
import { vmTier } from './requires.js';

describe('cpu', () => {
  it('cpuQuota(0.5) over 2 s of spinning gives usage/wall in 0.45..0.55', async () => {
    // The machine and the sandbox, every quarter second while the spinner runs.
    const { result: r, machine } = await runWatched(sandbox().cpuQuota(0.5), fixture('burn'), ['--wall', '2000']);
    expect(r.exitCode).toBe(0);
    // The spinner's own CPU and wall time: the share the kernel granted (burn.c). durationMs would
    // add the sandbox's start and teardown to the wall time — seconds under a VM's emulated CPU.
    const [cpuMs, wallMs] = [/cpu_ms=(\d+)/, /wall_ms=(\d+)/].map((re) => Number(re.exec(r.stdout)![1]));
    const ratio = cpuMs! / wallMs!;
    const { could, got } = couldHave(machine, 0.5);
    console.log(`cpuQuota(0.5): ${cpuMs} ms of CPU in ${wallMs} ms = ${ratio.toFixed(3)}; sampled: got ${got.toFixed(3)} of the ${could.toFixed(3)} CPUs it could have had`);
    // The ceiling is the quota's guarantee: a busy machine can only lower the share, never raise it.
    expect(ratio).toBeLessThan(quotaCeiling(0.5));
    expect(r.usage.cpu.usageUs / 1000).toBeGreaterThanOrEqual(cpuMs!);
    // The floor needs CPU to spare at every moment: half a CPU idle besides what everyone used.
    const tight = roomFor('cpuQuota(0.5) share', [idleNeed(machine)], {
      tight: 'share > 0.45, throttled every period',
      relaxed: 'at least half of what it could have had, moment by moment',
    });
    if (tight) {
      expect(ratio).toBeGreaterThan(0.45);
      // How long it sat throttled depends on how busy the host is; that it was throttled does not.
      expect(r.usage.cpu.throttledPeriods).toBeGreaterThan(10);
      expect(r.usage.cpu.throttledUs).toBeGreaterThan(0);
    } else {
      // On a busy machine other tasks set its share, not the quota; the quota must still never keep
      // it from CPU that nobody else wanted (couldHave counts that idle time per quarter second).
      expect(got).toBeGreaterThanOrEqual(could / 2);
    }
  });

  it('reports exact CPU time, split into user and system that add up to it', async () => {
    // What the sandbox's init and the exec cost, measured on this machine: about 1 ms on the host,
    // tens of ms under the VM tier's emulated CPU.
    const idle = await sandbox().run(fixture('burn'), ['0']);
    const overheadMs = Math.max(0, idle.usage.cpu.usageUs / 1000 - Number(/cpu_ms=(\d+)/.exec(idle.stdout)![1]));
    const r = await sandbox().run(fixture('burn'), ['300']);
    const cpuMs = Number(/cpu_ms=(\d+)/.exec(r.stdout)![1]);
    // cpuacct.usage matches the process's own clock to about 1 ms (plus the init's cost).
    expect(r.usage.cpu.usageUs / 1000).toBeGreaterThanOrEqual(cpuMs);
    // Under the VM tier's emulation the init's cost varies from run to run by tens of ms (measured
    // 489 ms for the spinner's 300 ms, an idle run's overhead being 89 ms): a quarter more there.
    expect(r.usage.cpu.usageUs / 1000).toBeLessThan(vmTier() ? cpuMs * 1.25 + 3 * overheadMs + 10 : cpuMs + 1.5 * overheadMs + 10);
    expect(r.usage.cpu.userUs + r.usage.cpu.systemUs).toBe(r.usage.cpu.usageUs);
    // The user/system split is the kernel's tick sampling; under the VM tier's emulation a late tick
    // lands in the kernel as often as not (measured 178 ms user, 237 ms system for a pure spinner).
    if (!vmTier()) expect(r.usage.cpu.userUs).toBeGreaterThan(r.usage.cpu.systemUs);
  });

  it("cpus('0') pins the sandbox to CPU 0", async () => {
    const r = await sandbox().cpus('0').run('grep', ['Cpus_allowed_list', '/proc/self/status']);
    expect(r.stdout.trim()).toMatch(/Cpus_allowed_list:\s+0$/);
    expect(r.limits.cpus).toMatchObject({ value: '0', enforced: true });
  });

  it('shares 1024 vs 256 on one pinned CPU split as their weights: 80/20 on v1, 74/26 on v2', async () => {
    // Both spin from the same moment: each waits for a flag file, then execs the spinner. The flag's
    // directory is bound in read-only: the sandbox's own /tmp is not the host's.
    const flags = mkdtempSync('/tmp/cgbox-test-cpu-');
    const go = join(flags, 'go');
    const spin = ['-c', `while [ ! -e ${go} ]; do sleep 0.02; done; exec ${fixture('burn')} --wall 3000`];
    try {
      const boxes = await Promise.all([
        sandbox().bind(flags, flags, { readonly: true }).cpus('0').cpuShares(1024).start('sh', spin),
        sandbox().bind(flags, flags, { readonly: true }).cpus('0').cpuShares(256).start('sh', spin),
      ]);
      // CPU time from the moment both may go: before it, each shell's start-up and polling.
      const before = await Promise.all(boxes.map(async (box) => (await box.stats()).current.cpuUs));
      writeFileSync(go, '');
      const [a, b] = await Promise.all(boxes.map((box) => box.result));
      // v1 cpu.shares 1024:256; v2 cpu.weight 100:35 by runc's conversion (limits show the applied values).
      const [wa, wb] = [a!, b!].map((r) => Number(r.limits.cpuShares!.value));
      const [ua, ub] = [a!, b!].map((r, i) => r.usage.cpu.usageUs - before[i]!);
      const share = ua! / (ua! + ub!);
      const ideal = wa! / (wa! + wb!);
      // Under the VM tier's software emulation the split drifts toward 50/50 (measured 0.65–0.74 for
      // weights 100:35, 0.72–0.80 for shares 1024:256, and 0.61 for 100:35 while the host ran a whole
      // suite beside the VM): there, the weights must still show a third of their advantage — equal
      // weights (a limit not applied) split 50/50 within a few hundredths over 3 s of spinning.
      expect(share).toBeGreaterThan(vmTier() ? 0.5 + (ideal - 0.5) / 3 : ideal - 0.06);
      expect(share).toBeLessThan(ideal + 0.06);
    } finally {
      rmSync(flags, { recursive: true, force: true });
    }
  });
});
