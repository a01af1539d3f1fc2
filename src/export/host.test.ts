import { describe, expect, it } from 'vitest';
import { InvalidSpecError } from '../spec/errors.js';
import { parseLimits, realExportHost } from './host.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max stack size            8388608              unlimited            bytes
Max processes             95944                95944                processes
Max open files            1048576              1048576              files
Max nice priority         0                    0
`;

describe('parseLimits', () => {
  it("/proc/self/limits' rows by the spec's RLIMIT_ names, unlimited as Infinity", () => {
    expect(parseLimits(LIMITS)).toEqual([
      { type: 'RLIMIT_CPU', soft: Infinity, hard: Infinity },
      { type: 'RLIMIT_STACK', soft: 8388608, hard: Infinity },
      { type: 'RLIMIT_NPROC', soft: 95944, hard: 95944 },
      { type: 'RLIMIT_NOFILE', soft: 1048576, hard: 1048576 },
      { type: 'RLIMIT_NICE', soft: 0, hard: 0 },
    ]);
  });

  it("reads this process's own: all 16 of the kernel's, and /dev/null as character device 1:3", () => {
    const host = realExportHost();
    expect(host.rlimits.map((r) => r.type)).toHaveLength(16);
    expect(host.device('/dev/null')).toMatchObject({ type: 'c', major: 1, minor: 3 });
  });

  it('a device node gone since .device() named it is an InvalidSpecError, not an internal error', () => {
    expect(() => realExportHost().device('/dev/cgbox-no-such-device')).toThrow(InvalidSpecError);
    expect(() => realExportHost().device('/dev/cgbox-no-such-device')).toThrow(/\.device.*expected an existing device node.*ENOENT/);
  });
});
