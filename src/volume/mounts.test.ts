import { describe, expect, it } from 'vitest';
import { mountOptions } from './mounts.js';

describe('mountOptions', () => {
  it('splits mount(8) flags from the filesystem data', () => {
    expect(mountOptions('size=16777216,mode=0755,nosuid,nodev')).toEqual({ flags: 2 | 4, data: 'size=16777216,mode=0755' });
    expect(mountOptions('ro,noexec,noatime')).toEqual({ flags: 1 | 8 | 1024, data: '' });
    expect(mountOptions('rw,defaults,nodiratime,size=1m')).toEqual({ flags: 2048, data: 'size=1m' });
  });
  it('passes everything else on as data, in order: overlay directories, commas between', () => {
    expect(mountOptions('lowerdir=/a,upperdir=/b,workdir=/c')).toEqual({ flags: 0, data: 'lowerdir=/a,upperdir=/b,workdir=/c' });
    expect(mountOptions('')).toEqual({ flags: 0, data: '' });
  });
});
