/**
 * The controller lists are the one place a controller is declared: every
 * entry must carry what the driver, the report and doctor derive from it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fakeV1Caps } from '../host/fake-caps.js';
import { emptySpec } from '../spec/types.js';
import { zeroUsage, type CgroupUsage, type ControllerDoctorFacts, type CurrentUsage, type UsagePart } from './types.js';
import { V1_CONTROLLERS } from './v1/controllers.js';
import { V2_CONTROLLERS } from './v2/controllers.js';

const empty = mkdtempSync(join(tmpdir(), 'cgbox-empty-cgroup-'));
afterAll(() => rmSync(empty, { recursive: true, force: true }));
const SECTIONS = Object.keys(zeroUsage()) as Array<keyof CgroupUsage>;

/** What both versions' definitions share. */
interface Listed {
  name: string;
  doctor: ControllerDoctorFacts;
  usage?(dir: string): Promise<UsagePart>;
  current?(dir: string): Promise<Partial<CurrentUsage>>;
}

// v1 has no pressure stall information per cgroup: its report says null there.
describe.each([
  ['v1', V1_CONTROLLERS as readonly Listed[], SECTIONS.filter((s) => s !== 'pressure')],
  ['v2', V2_CONTROLLERS as readonly Listed[], SECTIONS],
])('the %s controller list', (_, list, sections) => {
  it('names each controller once', () => {
    const names = list.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(list.map((c) => [c.name, c] as const))('%s has doctor facts: who needs it and the kernel options behind it', (_, c) => {
    expect(c.doctor.neededBy === null || /^\.\w+\(\)/.test(c.doctor.neededBy)).toBe(true);
    expect(c.doctor.config).toMatch(/^CONFIG_[A-Z_]+(, CONFIG_[A-Z_]+)*$/);
  });

  it.each(list.map((c) => [c.name, c] as const))('%s reads its share of the report without failing on a missing file', async (_, c) => {
    const part = c.usage ? await c.usage(empty) : {};
    for (const key of Object.keys(part)) expect(SECTIONS).toContain(key);
    const now = c.current ? await c.current(empty) : {};
    for (const key of Object.keys(now)) expect(['cpuUs', 'memoryBytes', 'tasks']).toContain(key);
  });

  it('reads every section of the report and everything a sample shows, between them', async () => {
    const read = new Set<string>();
    const now = new Set<string>();
    for (const c of list) {
      Object.keys(c.usage ? await c.usage(empty) : {}).forEach((k) => read.add(k));
      Object.keys(c.current ? await c.current(empty) : {}).forEach((k) => now.add(k));
    }
    expect([...read].sort()).toEqual([...sections].sort());
    expect([...now].sort()).toEqual(['cpuUs', 'memoryBytes', 'tasks']);
  });

});

describe('an empty spec', () => {
  it('sets no limit on either version', () => {
    const caps = fakeV1Caps();
    for (const c of V1_CONTROLLERS) expect(c.limits(emptySpec(), caps)).toEqual({});
    for (const c of V2_CONTROLLERS) expect(c.values(emptySpec(), caps).limits).toEqual({});
  });
});
