#ifndef CGBOX_COMMAND_H
#define CGBOX_COMMAND_H
#include "options.h"

/* Signals a sandbox's init ignores (a timeout sends SIGTERM to every task) and its command gets back. */
void ignore_forwarded_signals(void);
/* Signals of a terminal, which the outer relays to the init and the init to the command's session. */
extern const int RELAYED[];
#define NRELAYED 3

/* Forks the command: restores default signals and the saved oom_score_adj,
 * starts a session of its own (no controlling terminal: no TIOCSTI into the
 * caller's), joins `cgroup_fds` (exec mode; -1 terminated, may be NULL),
 * changes to cwd, keeps only the planned capabilities and execs. `forked` (may
 * be NULL) gets the pid at once, before the exec is confirmed: a signal
 * relayed meanwhile must find the command. A failure to chdir or exec is reported as a setup error
 * (step cwd or exec) and exits SETUP_FAILED. Returns the command's pid. */
pid_t start_command(const struct options *o, const char *oom_adj, const int *cgroup_fds, volatile pid_t *forked);

#endif
