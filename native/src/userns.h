/*
 * Rootless sandboxes: the user namespace, made by the outer before anything
 * else, so that the pid, mount, uts, ipc, cgroup and net namespaces made after
 * it are owned by it, and the caller is root inside.
 *
 * Maps are given as INSIDE:OUTSIDE:COUNT[,…] (--uid-map, --gid-map). A map of
 * the caller's own id alone (0:UID:1) is written by the outer itself, as
 * `unshare -r` does (setgroups must then be denied: the kernel's rule for an
 * unprivileged map). Anything more — a subordinate range from /etc/subuid — is
 * written by newuidmap/newgidmap (setuid root, shadow's uidmap package), which
 * must run outside the new namespace: a helper forked before it is made runs
 * them on the outer's pid, and the host's supplementary groups are dropped.
 *
 * Then the outer makes a mount namespace of its own, owned by the new user
 * namespace: the init's view is cloned from there (open_tree needs a mount
 * namespace its user namespace owns), tmpfs volumes are mounted there (where
 * Node reads their usage through /proc/OUTER/root), and a standby's init goes
 * back to it.
 */
#ifndef CGBOX_USERNS_H
#define CGBOX_USERNS_H
#include "options.h"

/* Set once the outer made the sandbox's user namespace: the view's steps adapt to locked mounts. */
extern int in_user_namespace;

/* Unshares the user namespace, writes its maps, unshares a mount namespace; fails with step "userns". */
void enter_user_namespace(const struct options *o);
/* The outer, in its own mount namespace: a tmpfs at each --tmpfs-volume PATH, with content copied in. */
void mount_tmpfs_volumes(const struct options *o);
/* After the init ended: "volume-used BYTES PATH" for each tmpfs volume, while it is still mounted. */
void report_tmpfs_volumes(const struct options *o);
/* cgbox-init --probe-userns: whether this process may make a user namespace and mount in it. */
int probe_userns(void);

#endif
