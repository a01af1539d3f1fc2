import { describe, expect, it } from 'vitest';
import { reapable, rootName, runOf, templateBuildName, volumeName } from './names.js';

describe('volume object names', () => {
  const run = 'cgbox-123-00ab12cd';

  it('carry the run name and what the object is', () => {
    expect(volumeName(run, 0)).toBe('cgbox-123-00ab12cd-v0');
    expect(rootName(run)).toBe('cgbox-123-00ab12cd-root');
    expect(templateBuildName(run)).toBe('cgbox-123-00ab12cd-tmpl');
  });

  it('are parsed back to their run, images included; other names are not cgbox objects', () => {
    expect(runOf('cgbox-123-00ab12cd-v3.img')).toBe(run);
    expect(runOf('cgbox-123-00ab12cd-v12')).toBe(run);
    expect(runOf('cgbox-123-00ab12cd-root')).toBe(run);
    expect(runOf('cgbox-123-00ab12cd')).toBe(run);
    for (const other of ['btrfs-pool.img', 'cgbox-pool', 'cgbox-123-xyz-v0', 'cgbox-123-00ab12cd-v0.tmp', '.cgbox-templates']) expect(runOf(other)).toBeUndefined();
  });

  it('are reapable only when the owner is gone, unless all; never this process', () => {
    expect(reapable(`cgbox-${process.pid}-00ab12cd-v0`, false)).toBe(false);
    expect(reapable(`cgbox-${process.pid}-00ab12cd-v0`, true)).toBe(true);
    expect(reapable('cgbox-999999999-00ab12cd-v0', false)).toBe(true); // above pid_max: never alive
    expect(reapable('btrfs-pool.img', true)).toBe(false);
  });
});
