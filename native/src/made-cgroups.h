/*
 * The cgroups the host-ops helper made (cgroup-make) that Node has not asked it to remove yet: when
 * Node is gone — its exit (EOF of the requests) or its death (pdeathsig) — those still there and
 * empty are removed. A spare's cgroups are made a moment before its init (whose outer removes them
 * when Node dies) exists; a caller ending in that moment, as a test runner's worker does right after
 * its last run, left them behind. One with a task in it is its outer's, which kills and removes it.
 */
#ifndef CGBOX_MADE_CGROUPS_H
#define CGBOX_MADE_CGROUPS_H

#include "outcome.h"

/* cgroup-make and cgroup-remove (cgroup-ops.h), with the dirs noted as made or forgotten. */
int make_noted(char **a, int n, struct outcome *o);
int remove_forgetting(char **a, int n, struct outcome *o);
int remove_now_forgetting(char **a, int n, struct outcome *o);

/* rmdir, once, of each noted dir; none is noted after it, nor made: a make still to come waits for ever
 * (the caller exits next). */
void sweep_made(void);

#endif
