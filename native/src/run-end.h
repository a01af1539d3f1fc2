/*
 * The end of a run, done by its outer once the init is reaped, so that Node's thread need not: wait
 * until no task is left in the run's cgroups (--end-drain DIR: it and every cgroup below it), then
 * read the report's files (--end-read FILE...), then remove the cgroups (--end-remove DIR..., each
 * with those below it), and say so on the status socket:
 *   drained              no task is left
 *   counters VALUE       the files' bytes, as cgroup-read answers them (cgroup-ops.h)
 *   removed              the cgroups are gone
 * Each step only once the one before it is done (the cgroups are not removed unless their files were
 * read), and nothing is said of what could not be done (tasks still there after END_PATIENCE_MS, a
 * file that failed, an rmdir still refused after REMOVE_PATIENCE_MS): Node then does it as it would
 * have without this. A standby's init gets the options with
 * its orders, after the outer forked it: it passes them to the outer on a pipe (pass_run_end), which
 * the outer reads once the init is gone (take_run_end).
 */
#ifndef CGBOX_RUN_END_H
#define CGBOX_RUN_END_H
#include "options.h"

/* The init: o's end options on fd (a pipe to the outer), then fd closed. */
void pass_run_end(const struct options *o, int fd);
/* The outer: the end options the init passed on fd, if any, into o; fd closed. */
void take_run_end(struct options *o, int fd);
/* The outer: the run's end as o asks, when it asks. */
void end_run(const struct options *o);

#endif
