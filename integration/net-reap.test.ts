/**
 * What a crashed run leaves of its network — its owner killed with SIGKILL
 * while its sandboxes ran: the namespaces, the host veths and the IFB, a
 * class on the bridge's uplink and a mark, the address leases. The reaper
 * finds each by the run name it carries (netns name, device alias, lease) and
 * removes it; a live owner's are left alone.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { readTable } from '../src/net/leases.js';
import { netNames } from '../src/net/names.js';
import { reapNet } from '../src/net/reap.js';
import { uplinkName } from '../src/net/uplink.js';
import { waitFor } from './wait.js';

const INDEX = fileURLToPath(new URL('../src/index.ts', import.meta.url));
const CHILD = `
  const { sandbox } = await import(${JSON.stringify(INDEX)});
  const a = await sandbox().net({ bandwidth: '10mbit' }).start('sleep', ['60']);
  const b = await sandbox().net({ bandwidth: '10mbit', shaping: 'bridge' }).start('sleep', ['60']);
  process.stdout.write('running ' + a.name + ' ' + b.name + '\\n');
  await new Promise(() => {});
`;

describe('reaping networks of dead runs', () => {
  it('kill -9 of the owner leaves namespaces, veths, an IFB, an uplink class, leases; the reaper removes every one', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], { stdio: ['ignore', 'pipe', 'inherit'] });
    onTestFinished(() => void child.kill('SIGKILL')); // a failing test must not leave it running
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    await waitFor('the child to say its sandboxes are running', () => out.includes('running'));
    const [, a, b] = out.trim().split(' ') as [string, string, string];
    expect(b).toMatch(/^cgbox-\d+-[0-9a-f]+$/);
    process.kill(child.pid!, 'SIGKILL');
    await new Promise((r) => child.on('exit', r));
    await sleep(300); // the sandboxes die by the parent-death chain

    const na = netNames(a);
    const nb = netNames(b);
    const uplinkClasses = () => execFileSync('tc', ['class', 'show', 'dev', uplinkName('cgbox0')], { encoding: 'utf8' });
    expect([existsSync(`/run/netns/${a}`), existsSync(`/run/netns/${b}`), existsSync(`/sys/class/net/${na.hostVeth}`), existsSync(`/sys/class/net/${na.ifb}`), existsSync(`/sys/class/net/${nb.hostVeth}`)]).toEqual([true, true, true, true, true]);
    expect(Object.values((await readTable('cgbox0')).leases)).toEqual(expect.arrayContaining([a, b]));
    expect(uplinkClasses()).toContain('class htb 1:');

    const removed = (await reapNet({ all: false })).filter((l) => l.includes(`-${child.pid}-`));
    expect(removed).toEqual(expect.arrayContaining([`netns ${a}`, `netns ${b}`]));
    expect(removed.filter((l) => l.startsWith('lease '))).toHaveLength(2);
    for (const p of [`/run/netns/${a}`, `/run/netns/${b}`, `/sys/class/net/${na.hostVeth}`, `/sys/class/net/${na.ifb}`, `/sys/class/net/${nb.hostVeth}`]) expect(existsSync(p), p).toBe(false);
    expect(Object.values((await readTable('cgbox0')).leases).filter((r) => r === a || r === b)).toEqual([]);
    const leaseB = removed.find((l) => l.includes(b))!;
    const minor = leaseB.split(' ')[1]!.split('.').map(Number);
    expect(uplinkClasses()).not.toContain(`class htb 1:${((minor[2]! << 8) | minor[3]!).toString(16)} `);
    expect(execFileSync('nft', ['list', 'map', 'bridge', 'cgbox', 'txclass'], { encoding: 'utf8' })).not.toContain(nb.hostVeth);
  });
});
