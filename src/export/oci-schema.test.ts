/**
 * Every config toOCI() makes is valid by the runtime-spec's own JSON schema
 * (v1.0.2, vendored in schema/ with its license), and the validator does
 * refuse what the schema forbids.
 */
import { readFileSync } from 'node:fs';
import AjvDraft04 from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { emptySpec, type SandboxSpec } from '../spec/types.js';
import { EVERY_LIMIT, MiB, fakeExportHost } from './fake-host.js';
import { toOCI } from './oci.js';

const schema = (name: string) => JSON.parse(readFileSync(new URL(`./schema/${name}.json`, import.meta.url), 'utf8')) as object;

// A CommonJS module whose default export is its module object under Node's ESM interop.
const Ajv = AjvDraft04.default;

function validator() {
  // strict off: the spec's schema uses draft-04 idioms (id-less $refs between files) that strict mode flags.
  const ajv = new Ajv({ strict: false, allErrors: true });
  for (const name of ['defs', 'defs-linux', 'config-linux']) ajv.addSchema(schema(name), `${name}.json`);
  // A Linux config has no solaris, windows or vm section: those references resolve to schemas that refuse any value.
  for (const other of ['solaris', 'windows', 'vm']) ajv.addSchema({ [other]: { not: {} } }, `config-${other}.json`);
  return ajv.compile(schema('config-schema'));
}

const validate = validator();

const specs: Record<string, SandboxSpec> = {
  default: emptySpec(),
  limits: {
    ...emptySpec(),
    ...EVERY_LIMIT,
    volumes: [{ path: '/data', sizeBytes: 64 * MiB, driver: 'btrfs', fs: 'ext4' }],
    binds: [{ source: '/srv/data', target: '/data/in', readonly: true }],
    devices: [{ path: '/dev/kvm', readonly: false }],
    env: { A: '1' },
    timeoutUs: 10_000_000,
    hostname: 'box',
    cgroupParent: '/ci',
  },
  privileged: { ...emptySpec(), privileged: true, memoryBytes: 64 * MiB },
  rootfs: { ...emptySpec(), rootfs: '/srv/data', volumes: [{ path: '/data', sizeBytes: 8 * MiB, driver: 'tmpfs', fs: 'ext4' }] },
  hostNet: { ...emptySpec(), net: 'host', capDrop: ['ALL'] },
};

describe('the runtime-spec v1.0.2 schema', () => {
  for (const [name, spec] of Object.entries(specs)) {
    it(`holds for the ${name} config`, () => {
      const { config } = toOCI(spec, '/bin/sh', ['-c', 'true'], fakeExportHost());
      // Through JSON, as a runtime reads it.
      const ok = validate(JSON.parse(JSON.stringify(config)));
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    });
  }

  it('refuses what the schema forbids: the validator is not a formality', () => {
    const { config } = toOCI(specs.limits!, '/bin/sh', [], fakeExportHost());
    const broken = JSON.parse(JSON.stringify(config));
    broken.mounts[0] = { type: 'bind', source: '/usr' }; // no destination
    broken.linux.namespaces.push({ type: 'time' }); // not in 1.0.2
    broken.process.rlimits = [{ type: 'nofile', soft: 1, hard: 1 }]; // not RLIMIT_*
    broken.linux.resources.pids = {}; // limit is required
    expect(validate(broken)).toBe(false);
    const paths = (validate.errors ?? []).map((e) => e.instancePath);
    expect(paths).toEqual(expect.arrayContaining(['/mounts/0', '/process/rlimits/0/type', '/linux/resources/pids']));
    expect(paths.some((p) => p.startsWith('/linux/namespaces/'))).toBe(true);
  });
});
