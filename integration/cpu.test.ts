import { describe, expect, it } from 'vitest';
import { sandbox } from '../src/index.js';
import { fixture } from './fixtures.js';

describe('cpu', () => {
  it('cpuQuota(0.5) over 2 s of spinning gives usage/wall in 0.45..0.55', async () => {
    const r = await sandbox().cpuQuota(0.5).run(fixture('burn'), ['--wall', '2000']);
    expect(r.exitCode).toBe(0);
    const ratio = r.usage.cpu.usageUs / 1000 / r.durationMs;
    expect(ratio).toBeGreaterThan(0.45);
    expect(ratio).toBeLessThan(0.55);
    // How long it sat throttled depends on how busy the host is; that it was throttled does not.
    expect(r.usage.cpu.throttledPeriods).toBeGreaterThan(10);
    expect(r.usage.cpu.throttledUs).toBeGreaterThan(0);
  });

  it('reports exact CPU time, split into user and system that add up to it', async () => {
    const r = await sandbox().run(fixture('burn'), ['300']);
    const cpuMs = Number(/cpu_ms=(\d+)/.exec(r.stdout)![1]);
    // cpuacct.usage matches the process's own clock to about 1 ms (plus the init's few µs).
    expect(r.usage.cpu.usageUs / 1000).toBeGreaterThanOrEqual(cpuMs);
    expect(r.usage.cpu.usageUs / 1000).toBeLessThan(cpuMs + 10);
    expect(r.usage.cpu.userUs + r.usage.cpu.systemUs).toBe(r.usage.cpu.usageUs);
    expect(r.usage.cpu.userUs).toBeGreaterThan(r.usage.cpu.systemUs);
  });

  it("cpus('0') pins the sandbox to CPU 0", async () => {
    const r = await sandbox().cpus('0').run('grep', ['Cpus_allowed_list', '/proc/self/status']);
    expect(r.stdout.trim()).toMatch(/Cpus_allowed_list:\s+0$/);
    expect(r.limits.cpus).toMatchObject({ value: '0', enforced: true });
  });

  it('shares 1024 vs 256 on one pinned CPU split about 80/20', async () => {
    const spin = ['--wall', '3000'];
    const [a, b] = await Promise.all([
      sandbox().cpus('0').cpuShares(1024).run(fixture('burn'), spin),
      sandbox().cpus('0').cpuShares(256).run(fixture('burn'), spin),
    ]);
    const share = a.usage.cpu.usageUs / (a.usage.cpu.usageUs + b.usage.cpu.usageUs);
    expect(share).toBeGreaterThan(0.74);
    expect(share).toBeLessThan(0.86);
  });
});
