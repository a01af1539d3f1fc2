/**
 * The suite's closing check (global-setup.ts) fails the run when something of
 * cgbox's is left: it throws with what holds each cgroup, and sets the exit
 * code, which vitest leaves at 0 for an error in a global teardown.
 */
import { mkdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hostCaps } from '../src/host/probe.js';
import { checkLeftovers } from './global-setup.js';

describe("the suite's leftover check", () => {
  const h = hostCaps().v1.pids ?? hostCaps().v2!;
  const dir = join(h.mount, h.callerPath, `cgbox-${process.pid}-feedface`);
  afterEach(() => {
    process.exitCode = undefined;
    try {
      rmdirSync(dir);
    } catch {
      // not made, or already gone
    }
  });

  it('passes when nothing is left', async () => {
    await checkLeftovers(0);
    expect(process.exitCode).toBeUndefined();
  });

  it('throws with the leftover cgroup and what is in it, and sets the exit code', async () => {
    mkdirSync(dir);
    await expect(checkLeftovers(0)).rejects.toThrow(`${dir} (cgroup.procs: none; cgroup.events: `);
    expect(process.exitCode).toBe(1);
  });
});
