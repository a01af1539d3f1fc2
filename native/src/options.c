#include "options.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(void) {
  fprintf(stderr,
          "usage: cgbox-init [--cgroup PROCS_FILE]... [--hostname NAME] [--net none|host] [--netns PATH]\n"
          "                  [--bind HOST_PATH TARGET]... [--tmpfs OPTIONS TARGET]... [--rootfs DIR]\n"
          "                  [--cgroupfs cgroup2 | --cgroupfs cgroup:CONTROLLERS:DIR]...\n"
          "                  [--cwd DIR] [--parent PID] [--enter INIT_PID] [--null-stdin] -- FILE [ARG]...\n"
          "       cgbox-init [--cgroup PROCS_FILE]... [--parent PID] --standby   (the rest arrives on fd 4)\n"
          "cgbox-init is started by cgbox, with its status pipe on fd 3.\n");
  exit(2);
}

static const char *next(int argc, char **argv, int *i) {
  if (*i + 1 >= argc) usage();
  return argv[++*i];
}

void parse_options(int argc, char **argv, struct options *o) {
  memset(o, 0, sizeof *o);
  int i = 1;
  for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
    const char *k = argv[i];
    if (!strcmp(k, "--cgroup")) {
      if (o->ncgroups == MAX_CGROUPS) usage();
      o->cgroups[o->ncgroups++] = next(argc, argv, &i);
    } else if (!strcmp(k, "--cgroupfs")) {
      if (o->ncgroupfs == MAX_CGROUPFS) usage();
      o->cgroupfs[o->ncgroupfs++] = next(argc, argv, &i);
    } else if (!strcmp(k, "--bind") || !strcmp(k, "--tmpfs")) {
      if (o->nmounts == MAX_MOUNTS) usage();
      struct mount_req *m = &o->mounts[o->nmounts++];
      m->kind = k + 2;
      m->source = next(argc, argv, &i);
      m->target = next(argc, argv, &i);
    } else if (!strcmp(k, "--hostname")) o->hostname = next(argc, argv, &i);
    else if (!strcmp(k, "--cwd")) o->cwd = next(argc, argv, &i);
    else if (!strcmp(k, "--rootfs")) o->rootfs = next(argc, argv, &i);
    else if (!strcmp(k, "--net")) o->net = strcmp(next(argc, argv, &i), "host") ? NET_OWN : NET_HOST;
    else if (!strcmp(k, "--netns")) {
      o->net = NET_JOIN;
      o->netns = next(argc, argv, &i);
    } else if (!strcmp(k, "--parent")) o->parent = (pid_t)atoi(next(argc, argv, &i));
    else if (!strcmp(k, "--enter")) o->enter = (pid_t)atoi(next(argc, argv, &i));
    else if (!strcmp(k, "--standby")) o->standby = 1;
    else if (!strcmp(k, "--null-stdin")) o->null_stdin = 1;
    else if (!strcmp(k, "--delegate-xattrs")) { int print_delegate_xattrs(int, char **); exit(print_delegate_xattrs(argc - i - 1, argv + i + 1)); }
    else usage();
  }
  if (o->standby) return; /* the command comes with the orders */
  if (i + 1 >= argc) usage();
  o->argv = &argv[i + 1];
}
