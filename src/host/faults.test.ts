import { afterEach, describe, expect, it } from 'vitest';
import { SetupError } from '../spec/errors.js';
import { armFault, disarmFaults, faultHit, faultPoint, pointName, recordedFaults, resetFaults } from './faults.js';

afterEach(disarmFaults);

describe('fault points', () => {
  it('are inert until a test arms one', () => {
    expect(() => faultPoint('cgroup: mkdir memory')).not.toThrow();
    expect(recordedFaults()).toEqual([]);
  });

  it("fail the armed passage only, once, as a SetupError of the point's step", () => {
    armFault('cgroup: write pids.max#1');
    faultPoint('cgroup: write pids.max');
    expect(() => faultPoint('cgroup: write pids.max')).toThrow(SetupError);
    expect(faultHit()).toBe(true);
    expect(() => faultPoint('cgroup: write pids.max')).not.toThrow();
    armFault('spawn');
    try {
      faultPoint('spawn');
    } catch (e) {
      expect((e as SetupError).step).toBe('spawn');
    }
  });

  it('name no run-specific part, so a recording names the same steps in the next run', () => {
    expect(pointName('teardown umount /run/cgbox/cgbox-42-0a1b2c3d/root')).toBe('teardown umount /run/cgbox/<run>/root');
    expect(pointName('teardown losetup -d /dev/loop12')).toBe('teardown losetup -d /dev/loopN');
    resetFaults({ record: true });
    faultPoint('net veth: ip');
    faultPoint('teardown rmdir /run/cgbox/cgbox-7-ff/v0');
    faultPoint('net veth: ip');
    expect(recordedFaults()).toEqual(['net veth: ip#0', 'teardown rmdir /run/cgbox/<run>/v0#0', 'net veth: ip#1']);
  });
});
