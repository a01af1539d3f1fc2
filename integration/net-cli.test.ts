/** `cgbox run` with a network: the built CLI, as a user runs it (needs `npm run build`). */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before the integration tests`);
const cgbox = (...args: string[]) => execa('node', [CLI, ...args], { cwd: ROOT, reject: false, timeout: 30_000 });

describe('cgbox run --net, --bandwidth', () => {
  it('gives eth0 on cgbox0 with the limit reported and usage.net counted', async () => {
    const r = await cgbox('run', '--json', '--net', 'bridge', '--bandwidth', 'egress=10mbit,ingress=20mbit', '--', 'ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0');
    expect(r.exitCode, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { stdout: string; limits: Record<string, { value: string; enforced: boolean }>; usage: { net: unknown } };
    expect(j.stdout).toMatch(/eth0\s+inet 10\.\d+\.\d+\.\d+\/16/);
    expect(j.limits.bandwidth).toMatchObject({ value: 'egress 10mbit, ingress 20mbit', enforced: true });
    // It sent nothing (what it receives may hold a peer's ARP broadcast: cgbox0 is shared).
    expect(j.usage.net).toMatchObject({ txBytes: 0, txPackets: 0, txDropped: 0 });
  });

  it('refuses --bandwidth with --net none, exit 125', async () => {
    const r = await cgbox('run', '--net', 'none', '--bandwidth', '10mbit', '--', 'true');
    expect(r.exitCode).toBe(125);
    expect(r.stderr).toMatch(/--address, --bandwidth and --shaping need a network of its own/);
  });
});
