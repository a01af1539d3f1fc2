#ifndef CGBOX_SANDBOX_H
#define CGBOX_SANDBOX_H
#include "options.h"

/* Writes "0" (the writing process) to each cgroup.procs file. */
void join_cgroups(const struct options *o);
/* A standby's view built ahead, before its orders (what does not depend on
 * them: see src/view/plan.ts preparedView), in namespaces of its own. */
void prepare_sandbox(struct options *o);
/* New mount, uts, ipc, cgroup and (unless host/joined) net namespaces; the
 * filesystem view as planned (view.h) and the hostname. After a prepared
 * standby: the rest of its view when the orders say --view-prepared, else the
 * whole view afresh from the host's namespaces. */
void make_sandbox(struct options *o);

#endif
