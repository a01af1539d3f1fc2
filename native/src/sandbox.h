#ifndef CGBOX_SANDBOX_H
#define CGBOX_SANDBOX_H
#include "options.h"

/* Writes "0" (the writing process) to each cgroup.procs file. */
void join_cgroups(const struct options *o);
/* New mount, uts, ipc, cgroup and (unless host/joined) net namespaces; the
 * filesystem view as planned (view.h) and the hostname. */
void make_sandbox(struct options *o);

#endif
