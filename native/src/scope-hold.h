/*
 * The process of cgbox's own that holds a transient scope (src/placement/scope-holder.ts):
 * `cgbox-init --hold-scope`, started by systemd-run in the scope and moved into its leaf. Its stdin
 * is a pipe from Node: Node writes "LEAF\0" (the leaf's cgroup directory) once the scope is
 * arranged, and nothing after. EOF is Node gone, by any signal.
 *
 * Then it empties the scope of everything but itself before it exits, so that systemd, which
 * removes a scope's cgroup once, when it sees the scope empty, and gives up on EBUSY, has nothing
 * left to trip on: on systemd 257 (Debian 13), in a loop of short-lived processes whose scopes held
 * `cat`, 2 scopes in 24 were called empty while a cgroup beneath them was still busy, and their
 * directories stayed behind with no unit to own them. So: every cgroup in the scope but the leaf is
 * removed as its tasks leave (the sandboxes die with Node), until several scans in a row find none;
 * then this process moves from the leaf into the scope (which no longer enables controllers for its
 * children), removes the leaf and exits: the scope's cgroup is empty and childless when systemd
 * removes it. Not out of the scope and the scope removed by this process: systemd then missed the
 * scope's end (its cgroup gone before it read it) and kept the unit active. A task that does not
 * leave within a minute (stuck in the kernel) is left to systemd as before. Exit status 0 always.
 */
#ifndef CGBOX_SCOPE_HOLD_H
#define CGBOX_SCOPE_HOLD_H

int hold_scope(void);

#endif
