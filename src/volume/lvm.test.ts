import { describe, expect, it } from 'vitest';
import { lvmUnavailable } from './lvm.js';

describe('lvmUnavailable', () => {
  it('names the kernel options, the modules and the packages when device-mapper is missing', () => {
    const why = lvmUnavailable({ deviceMapper: false, lvm2: false, thinTools: false })!;
    expect(why).toMatch(/device-mapper/);
    expect(why).toMatch(/CONFIG_BLK_DEV_DM/);
    expect(why).toMatch(/CONFIG_DM_THIN_PROVISIONING/);
    expect(why).toMatch(/lvm2 and thin-provisioning-tools/);
  });

  it('names the packages when only the tools are missing, and nothing when all is there', () => {
    expect(lvmUnavailable({ deviceMapper: true, lvm2: true, thinTools: false })).toMatch(/apt-get install lvm2 thin-provisioning-tools/);
    expect(lvmUnavailable({ deviceMapper: true, lvm2: true, thinTools: true })).toBeUndefined();
  });
});
