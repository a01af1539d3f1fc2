#ifndef CGBOX_OPTIONS_H
#define CGBOX_OPTIONS_H
#include <sys/types.h>

enum net_mode { NET_OWN, NET_HOST, NET_JOIN };

/* One primitive step of the sandbox's filesystem view (view.h), planned by cgbox (src/view/). */
struct view_op {
  const char *name;
  const char *arg[4];
  int nargs;
  int source_fd; /* a clone of the host path this step binds, taken before leaving the host's mount namespace */
  int source_rec; /* the clone holds the path's submounts too */
};

/* A tmpfs volume of a rootless run: mounted by the outer in its own mount namespace (userns.h). */
struct tmpfs_volume {
  const char *path;
  const char *options;
  const char *from; /* a template copied in, or NULL */
};

struct options {
  const char **cgroups; /* every array is sized by argc: no limit of its own */
  int ncgroups;
  struct view_op *ops;
  int nops;
  const char *hostname;
  const char *cwd;
  int cwd_soft; /* cwd is cgbox's default (the caller's): "/" when the view lacks it, as bubblewrap does */
  enum net_mode net;
  const char *netns; /* NET_JOIN: a path such as /run/netns/cgbox-… */
  pid_t parent;
  pid_t enter; /* exec mode: join the namespaces of this running sandbox's init */
  unsigned long long enter_start; /* ... which started at this tick (pinned.h): a reused pid is refused */
  const char *caps; /* the capabilities kept, a hex mask; NULL: all (privileged) */
  int standby;   /* join the cgroups, then wait for the rest of the options on ORDERS_FD */
  int view_prepared; /* orders: the ops are the rest of the view the standby built ahead */
  int null_stdin; /* the command's stdin is /dev/null (a standby's stdin is a pipe) */
  const char *uid_map, *gid_map; /* a user namespace of its own (rootless): INSIDE:OUTSIDE:COUNT[,...] */
  const char *newuidmap, *newgidmap; /* the setuid helpers for maps beyond the caller's own id */
  int in_userns; /* re-exec'd inside the user namespace made with those maps (main.c) */
  struct tmpfs_volume *volumes;
  int nvolumes;
  const char *cp; /* copies a template into a tmpfs volume */
  const char *end_drain; /* the outer, once the init is reaped: the run's end (run-end.h) */
  const char **end_reads;
  int nend_reads;
  const char **end_removes;
  int nend_removes;
  char **argv;
  char **envp; /* the command's environment; NULL: this process's own */
};

void parse_options(int argc, char **argv, struct options *o);

#endif
