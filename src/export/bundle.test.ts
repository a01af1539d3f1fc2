import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidSpecError, PermissionError, SetupError } from '../spec/errors.js';
import { emptySpec } from '../spec/types.js';
import { writeOCIBundle } from './bundle.js';
import { fakeExportHost } from './fake-host.js';
import { toOCI } from './oci.js';

const base = mkdtempSync(join(tmpdir(), 'cgbox-bundle-test-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const exported = () => toOCI(emptySpec(), '/bin/true', [], fakeExportHost());

describe('writeOCIBundle', () => {
  it("writes config.json and the bundle's root directory with the host's top-level symlinks", () => {
    const dir = join(base, 'a');
    const e = exported();
    expect(writeOCIBundle(dir, e)).toBe(join(dir, 'config.json'));
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toEqual(e.config);
    expect(lstatSync(join(dir, 'rootfs')).isDirectory()).toBe(true);
    expect(readlinkSync(join(dir, 'rootfs', 'bin'))).toBe('usr/bin');
  });

  it('a .rootfs() bundle has no root directory of its own: its root.path is the directory given', () => {
    const dir = join(base, 'b');
    writeOCIBundle(dir, toOCI({ ...emptySpec(), rootfs: base }, '/bin/true', [], fakeExportHost()));
    expect(existsSync(join(dir, 'rootfs'))).toBe(false);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).root).toEqual({ path: base, readonly: true });
  });

  it('refuses what is not an export of toOCI() before making anything', () => {
    const dir = join(base, 'not-an-export');
    expect(() => writeOCIBundle(dir, {} as never)).toThrow(InvalidSpecError);
    expect(() => writeOCIBundle(dir, undefined as never)).toThrow(/writeOCIBundle.*expected what builder\.toOCI\(\) returns/);
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses a directory that holds anything, and leaves nothing behind when writing fails', () => {
    const full = join(base, 'c');
    writeOCIBundle(full, exported());
    expect(() => writeOCIBundle(full, exported())).toThrow(InvalidSpecError);
    const e = exported();
    e.rootfs.symlinks.push({ path: '/bin', target: 'again' }); // EEXIST halfway through
    const dir = join(base, 'd');
    expect(() => writeOCIBundle(dir, e)).toThrow(SetupError);
    expect(existsSync(dir)).toBe(false);
    writeFileSync(join(base, 'file'), '');
    expect(() => writeOCIBundle(join(base, 'file'), exported())).toThrow(/new or empty directory/);
  });

  it('a directory it may not write is a PermissionError naming the fix; parents it made are removed on failure', () => {
    // sysfs makes no directories, for root either.
    expect(() => writeOCIBundle('/sys/cgbox-bundle-test/b', exported())).toThrow(PermissionError);
    expect(() => writeOCIBundle('/sys/cgbox-bundle-test/b', exported())).toThrow(/name a directory this user may write/);
    expect(existsSync('/sys/cgbox-bundle-test')).toBe(false);
    // procfs answers ENOENT for a parent that exists: an error, not a loop.
    expect(() => writeOCIBundle('/proc/cgbox-bundle-test', exported())).toThrow(SetupError);
    writeFileSync(join(base, 'plain'), '');
    expect(() => writeOCIBundle(join(base, 'plain', 'x'), exported())).toThrow(/a part of the path is a file/);
    const e = exported();
    e.rootfs.symlinks.push({ path: '/bin', target: 'again' });
    expect(() => writeOCIBundle(join(base, 'p', 'q', 'r'), e)).toThrow(SetupError);
    expect(existsSync(join(base, 'p'))).toBe(false);
  });
});
