/*
 * The sandbox's filesystem view, carried out step by step as cgbox planned it
 * (src/view/ computes the list; this file knows only the primitives):
 *   root STAGING tmpfs OPTIONS EARLY | root STAGING bind HOST_DIR EARLY | root STAGING overlay LOWER EARLY
 *                                   mount the new root at STAGING (overlay: a copy-on-write LOWER whose
 *                                   writes go to a tmpfs, made in a user namespace), mount EARLY's kernel
 *                                   filesystems in it (proc, sysfs: a comma list, or "-"), pivot into it,
 *                                   detach the host's tree
 *   tmpfs TARGET OPTIONS FLAGS      a fresh tmpfs
 *   bind SOURCE TARGET FLAGS        a host path (cloned in the host's namespace) at TARGET
 *   mkdir PATH | file PATH          a mount point (mkdir -p; an empty file for a file bind)
 *   symlink TARGET PATH
 *   mount FSTYPE TARGET FLAGS DATA  proc, devpts, cgroup, cgroup2 ("-": no data)
 *   sysfs TARGET FLAGS              a fresh sysfs (of the sandbox's net namespace); else the host's, bound
 *   mask PATH                       /dev/null over a file, an empty read-only tmpfs over a directory
 *   readonly PATH                   PATH bound onto itself, read-only, recursively
 *   setattr PATH FLAGS              change a mount's flags (ro, nosuid, nodev, noexec; rec: every submount)
 *   detach PATH                     lift a mount off (lazily)
 *   detach-pseudo KEEP[:KEEP]...    lift off every copied proc, sysfs, cgroup, devpts… mount outside KEEP
 *   join                            (a standby's view built ahead) join the sandbox's cgroups and unshare
 *                                   the cgroup namespace here: what came before is not charged to the run
 * FLAGS: a comma list of ro, rec, nosuid, nodev, noexec, try (skip when the path is missing), or "-".
 * Paths other than a bind's source are as the sandbox sees them once the root step ran.
 */
#ifndef CGBOX_VIEW_H
#define CGBOX_VIEW_H
#include "options.h"

/* --no-mount-setattr: take the path of kernels before 5.12 (remounts from mountinfo), for its test. */
extern int view_without_setattr;
/* The MS_* flags of a FLAGS list (ro, nosuid, nodev, noexec; the others are no mount flags): for mount(2). */
unsigned long view_mount_flags(const char *flags);
/* Number of arguments of a step, or -1 for an unknown one. */
int view_op_arity(const char *name);
/* Whether the steps join the cgroups themselves (a standby's view built ahead). */
int view_has_join(const struct options *o);
/* Whether any step binds a host path (a mask binds the host's /dev/null). */
int view_needs_sources(const struct options *o);
/* In the host's mount namespace: clone the host paths the steps bind (open_tree, Linux 5.2). */
void view_clone_sources(struct options *o);
/* In the sandbox's own mount namespace: every step in order. */
void view_build(const struct options *o);

#endif
