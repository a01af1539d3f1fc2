#ifndef CGBOX_OPTIONS_H
#define CGBOX_OPTIONS_H
#include <sys/types.h>

#define MAX_CGROUPS 16
#define MAX_MOUNTS 32
#define MAX_CGROUPFS 16

enum net_mode { NET_OWN, NET_HOST, NET_JOIN };

struct mount_req {
  const char *kind; /* "bind" or "tmpfs" */
  const char *source; /* host path for bind, mount options for tmpfs */
  const char *target; /* path inside the sandbox */
};

struct options {
  const char *cgroups[MAX_CGROUPS];
  int ncgroups;
  struct mount_req mounts[MAX_MOUNTS];
  int nmounts;
  const char *hostname;
  const char *cwd;
  const char *rootfs;
  enum net_mode net;
  const char *netns; /* NET_JOIN: a path such as /run/netns/cgbox-… */
  pid_t parent;
  pid_t enter; /* exec mode: join the namespaces of this running sandbox's init */
  /* cgroup filesystems to show at /sys/fs/cgroup: "cgroup2", or "cgroup:CONTROLLERS:DIR" (v1) */
  const char *cgroupfs[MAX_CGROUPFS];
  int ncgroupfs;
  int standby;   /* join the cgroups, then wait for the rest of the options on ORDERS_FD */
  int null_stdin; /* the command's stdin is /dev/null (a standby's stdin is a pipe) */
  char **argv;
  char **envp; /* the command's environment; NULL: this process's own */
};

void parse_options(int argc, char **argv, struct options *o);

#endif
