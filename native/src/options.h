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
  const char *caps; /* the capabilities kept, a hex mask; NULL: all (privileged) */
  int standby;   /* join the cgroups, then wait for the rest of the options on ORDERS_FD */
  int view_prepared; /* orders: the ops are the rest of the view the standby built ahead */
  int null_stdin; /* the command's stdin is /dev/null (a standby's stdin is a pipe) */
  char **argv;
  char **envp; /* the command's environment; NULL: this process's own */
};

void parse_options(int argc, char **argv, struct options *o);

#endif
