#ifndef CGBOX_ORPHAN_H
#define CGBOX_ORPHAN_H
#include "options.h"

/* The outer's parent-death signal is SIGTERM, taken synchronously: when Node
 * dies (even by SIGKILL) the outer kills the sandbox and removes its cgroups
 * itself, so a crashed caller leaves nothing behind. A SIGTERM while Node lives
 * (one sent to the whole process group) is ignored: Node does its own teardown. */

/* Blocks SIGTERM and SIGCHLD (to be taken by wait_for_init) and sets pdeathsig.
 * Returns 0 when the parent already died. Call before forking the init. */
int watch_parent(pid_t parent);
/* Waits for the init; on the parent's death kills it and removes the sandbox's
 * cgroups (the dirs of its cgroup.procs files). Returns the init's wait status. */
int wait_for_init(pid_t init, const struct options *o);
/* Whether the parent watch_parent() was given is still this process's. */
int parent_alive(void);

#endif
