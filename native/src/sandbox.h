#ifndef CGBOX_SANDBOX_H
#define CGBOX_SANDBOX_H
#include "options.h"

/* Writes "0" (the writing process) to each cgroup.procs file. */
void join_cgroups(const struct options *o);
/* New mount, uts, ipc, cgroup and (unless host/joined) net namespaces; the
 * requested mounts, the root filesystem, a fresh /proc and the hostname. */
void make_sandbox(const struct options *o);

#endif
