/**
 * What a normal user's systemd manager (user@UID.service) delegates to its
 * subtree: systemd's own unit says Delegate=pids memory cpu, so cpuset and io
 * limits need this drop-in (written by root, read at the user's next login).
 * Doctor prints it; a rootless run refused for want of one names it
 * (src/run/rootless.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const USER_DELEGATE_DROPIN = {
  path: '/etc/systemd/system/user@.service.d/delegate.conf',
  text: '[Service]\nDelegate=cpu cpuset io memory pids\n',
} as const;

/** The shell commands that install it, for doctor's fix line. */
export const USER_DELEGATE_INSTALL =
  `mkdir -p /etc/systemd/system/user@.service.d && printf '${USER_DELEGATE_DROPIN.text.replace(/\n/g, '\\n')}' > ${USER_DELEGATE_DROPIN.path} && ` +
  'systemctl daemon-reload (as root), then log out and in again (or systemctl restart user@UID.service)';

/** The controllers in user@UID.service's cgroup.controllers (readable by anyone); undefined when it is not running. */
export function userManagerControllers(mount: string, uid: number): string[] | undefined {
  try {
    const file = join(mount, 'user.slice', `user-${uid}.slice`, `user@${uid}.service`, 'cgroup.controllers');
    return readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    return undefined;
  }
}
