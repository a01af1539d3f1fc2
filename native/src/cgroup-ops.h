/*
 * The cgroupfs side of a run, as host-ops calls (host-ops.h): made, written, read, drained and removed
 * on the helper's threads rather than on Node's. On cgroup v1 each is one call per hierarchy and the
 * kernel's work for it (memory.stat walks every CPU's counters, an rmdir waits for RCU) was Node's
 * own CPU time, ~2 ms of a sandbox's; here it runs beside Node, on the other cores.
 *
 *   cgroup-make [N DIR [FILE VALUE]×N]…  for each DIR: mkdir, then its N values written to DIR/FILE in
 *                                      order; all or nothing: on a failure those made are removed again
 *                                      before the answer
 *   cgroup-read PATH…                  VALUE is each file's bytes in base64, space-separated, "-" for a
 *                                      file that does not exist (ENOENT); any other error fails the call
 *   cgroup-drain PATIENCE_MS DIR       answers once no cgroup.procs in DIR or below it names a task
 *                                      (a cgroup gone, or unreadable, counts as empty), ETIMEDOUT after
 *                                      PATIENCE_MS
 *   cgroup-remove PATIENCE_MS DIR…     removes each DIR and every cgroup below it, children first; an
 *                                      rmdir refused with EBUSY (zombies not yet reaped) is tried again
 *                                      with backoff for PATIENCE_MS; a DIR already gone is no error; every
 *                                      DIR is tried, the first failure answered
 */
#ifndef CGBOX_CGROUP_OPS_H
#define CGBOX_CGROUP_OPS_H

#include "outcome.h"

int cgroup_make(char **a, int n, struct outcome *o);
int cgroup_read(char **a, int n, struct outcome *o);
int cgroup_drain(char **a, int n, struct outcome *o);
int cgroup_remove(char **a, int n, struct outcome *o);

/* The same without waiting, for the thread that reads the requests: 1 when they would have to wait. */
int cgroup_drain_now(char **a, int n, struct outcome *o);
int cgroup_remove_now(char **a, int n, struct outcome *o);

/* For the scope's holder (scope-hold.c): the monotonic clock in ms; whether no task is in DIR or below
 * it (-1: no memory to tell); DIR and the cgroups below it removed, children first, EBUSY retried until
 * DEADLINE_MS (cgroup_now_ms()'s clock). */
long long cgroup_now_ms(void);
int cgroup_subtree_empty(const char *dir);
int cgroup_remove_tree(const char *dir, long long deadline_ms, struct outcome *o);

#endif
