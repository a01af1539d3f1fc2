/**
 * What a crashed run leaves of its network — its owner killed with SIGKILL
 * while its sandboxes ran: the namespaces, the host veths and the IFB, a
 * class on the bridge's uplink and a mark, the address leases. The reaper
 * finds each by the run name it carries (netns name, device alias, lease) and
 * removes it; a live owner's are left alone.
 *
 * Host tier only: a network of its own does not depend on the cgroup version (the VM tier runs
 * net-ovs for what this kernel lacks).
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

/**
 * Other test runs on the machine reap too (`cgbox reap`, their own copy of this test), and a dead
 * owner's objects are theirs to remove as much as this test's: when one got there first — something
 * the crash leaves already gone, or missing from this reaper's list — the crash is done again.
 */
const ATTEMPTS = 3;

/** Starts the child, kills it with SIGKILL once its sandboxes run; what was left, then what the reaper removed. */
async function crashAndReap() {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], { stdio: ['ignore', 'pipe', 'inherit'] });
  onTestFinished(() => void child.kill('SIGKILL')); // a failing test must not leave it running
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  await waitFor('the child to say its sandboxes are running', () => out.includes('running'));
  const [, a, b] = out.trim().split(' ') as [string, string, string];
  process.kill(child.pid!, 'SIGKILL');
  await new Promise((r) => child.on('exit', r));
  await sleep(300); // the sandboxes die by the parent-death chain
  const na = netNames(a);
  const nb = netNames(b);
  const left = {
    devices: [existsSync(`/run/netns/${a}`), existsSync(`/run/netns/${b}`), existsSync(`/sys/class/net/${na.hostVeth}`), existsSync(`/sys/class/net/${na.ifb}`), existsSync(`/sys/class/net/${nb.hostVeth}`)],
    leases: Object.values((await readTable('cgbox0')).leases).filter((r) => r === a || r === b).length,
    classes: uplinkClasses(),
  };
  const removed = (await reapNet({ all: false })).filter((l) => l.includes(`-${child.pid}-`));
  return { a, b, na, nb, left, removed };
}

const uplinkClasses = () => execFileSync('tc', ['class', 'show', 'dev', uplinkName('cgbox0')], { encoding: 'utf8' });

describe('reaping networks of dead runs', () => {
  it('kill -9 of the owner leaves namespaces, veths, an IFB, an uplink class, leases; the reaper removes every one', async () => {
    for (let attempt = 1; ; attempt++) {
      const { a, b, na, nb, left, removed } = await crashAndReap();
      expect(b).toMatch(/^cgbox-\d+-[0-9a-f]+$/);
      const complete = left.devices.every(Boolean) && left.leases === 2 && removed.includes(`netns ${a}`) && removed.includes(`netns ${b}`) && removed.filter((l) => l.startsWith('lease ')).length === 2;
      if (attempt < ATTEMPTS && !complete) {
        console.log(`net-reap: left ${JSON.stringify(left.devices)}, ${left.leases} leases; this reaper removed ${JSON.stringify(removed)}: another process's reaper got there first? Again.`);
        await reapNet({ all: false });
        continue;
      }
      expect(left.devices).toEqual([true, true, true, true, true]);
      expect(left.leases).toBe(2);
      expect(left.classes).toContain('class htb 1:');

      expect(removed).toEqual(expect.arrayContaining([`netns ${a}`, `netns ${b}`]));
      expect(removed.filter((l) => l.startsWith('lease '))).toHaveLength(2);
      for (const p of [`/run/netns/${a}`, `/run/netns/${b}`, `/sys/class/net/${na.hostVeth}`, `/sys/class/net/${na.ifb}`, `/sys/class/net/${nb.hostVeth}`]) expect(existsSync(p), p).toBe(false);
      expect(Object.values((await readTable('cgbox0')).leases).filter((r) => r === a || r === b)).toEqual([]);
      const leaseB = removed.find((l) => l.includes(b))!;
      const minor = leaseB.split(' ')[1]!.split('.').map(Number);
      expect(uplinkClasses()).not.toContain(`class htb 1:${((minor[2]! << 8) | minor[3]!).toString(16)} `);
      expect(execFileSync('nft', ['list', 'map', 'bridge', 'cgbox', 'txclass'], { encoding: 'utf8' })).not.toContain(nb.hostVeth);
      return;
    }
  }, ATTEMPTS * 40_000);
});
