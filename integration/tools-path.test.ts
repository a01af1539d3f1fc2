/** cgbox finds ip, tc, mount and losetup in sbin even when the caller's PATH lacks it (su without -, cron). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sandbox } from '../src/index.js';

describe('a caller PATH without sbin', () => {
  const saved = process.env['PATH'];
  beforeEach(() => {
    process.env['PATH'] = '/usr/bin:/bin';
  });
  afterEach(() => {
    process.env['PATH'] = saved;
  });

  it('networking and a loop volume still set up and tear down', async () => {
    const r = await sandbox().net({ bandwidth: '10mbit' }).volume('/mnt', { size: '16m', driver: 'loop' }).run('sh', ['-c', 'cat /sys/class/net/eth0/operstate; df -P /mnt | tail -1']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^up\n/);
    expect(r.usage.net).not.toBeNull();
  });
});
