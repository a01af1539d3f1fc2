#include "options.h"
#include "pinned.h"
#include "userns.h"
#include "view.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(void) {
  fprintf(stderr,
          "usage: cgbox-init [--cgroup PROCS_FILE]... [--hostname NAME] [--net none|host] [--netns PATH]\n"
          "                  [--op STEP ARG...]... [--caps HEX_MASK] [--cwd DIR | --cwd-soft DIR]\n"
          "                  [--parent PID] [--enter INIT_PID:START_TICK] [--null-stdin]\n"
          "                  [--uid-map MAP --gid-map MAP [--idmap-helpers NEWUIDMAP NEWGIDMAP]]\n"
          "                  [--tmpfs-volume PATH OPTIONS FROM|-]... [--cp CP]\n"
          "                  [--end-drain DIR [--end-read FILE]... [--end-remove DIR]...] -- FILE [ARG]...\n"
          "       cgbox-init [--cgroup PROCS_FILE]... [--parent PID] [--op STEP ARG...]... --standby\n"
          "                  (the view's first steps built ahead; the rest arrives on fd 4, with --view-prepared)\n"
          "       cgbox-init --probe-userns | --delegate-xattrs DIR...\n"
          "cgbox-init is started by cgbox, with its status pipe on fd 3.\n");
  exit(2);
}

static const char *next(int argc, char **argv, int *i) {
  if (*i + 1 >= argc) usage();
  return argv[++*i];
}

/* INIT_PID:START_TICK: both are needed to name the init (pinned.h). */
static void parse_enter(const char *arg, struct options *o) {
  char *end;
  long pid = strtol(arg, &end, 10);
  if (end == arg || *end != ':' || pid <= 0) usage();
  const char *tick = end + 1;
  o->enter_start = strtoull(tick, &end, 10);
  if (end == tick || *end || !o->enter_start) usage();
  o->enter = (pid_t)pid;
}

void parse_options(int argc, char **argv, struct options *o) {
  memset(o, 0, sizeof *o);
  o->cgroups = calloc((size_t)argc, sizeof *o->cgroups);
  o->ops = calloc((size_t)argc, sizeof *o->ops);
  o->volumes = calloc((size_t)argc, sizeof *o->volumes);
  o->end_reads = calloc((size_t)argc, sizeof *o->end_reads);
  o->end_removes = calloc((size_t)argc, sizeof *o->end_removes);
  if (!o->cgroups || !o->ops || !o->volumes || !o->end_reads || !o->end_removes) {
    fprintf(stderr, "cgbox-init: out of memory\n");
    exit(2);
  }
  int i = 1;
  for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
    const char *k = argv[i];
    if (!strcmp(k, "--cgroup")) o->cgroups[o->ncgroups++] = next(argc, argv, &i);
    else if (!strcmp(k, "--op")) {
      struct view_op *op = &o->ops[o->nops++];
      op->name = next(argc, argv, &i);
      op->nargs = view_op_arity(op->name);
      op->source_fd = -1;
      if (op->nargs < 0) {
        fprintf(stderr, "cgbox-init: unknown view step %s\n", op->name);
        usage();
      }
      for (int a = 0; a < op->nargs; a++) op->arg[a] = next(argc, argv, &i);
    } else if (!strcmp(k, "--hostname")) o->hostname = next(argc, argv, &i);
    else if (!strcmp(k, "--cwd")) o->cwd = next(argc, argv, &i);
    else if (!strcmp(k, "--cwd-soft")) {
      o->cwd = next(argc, argv, &i);
      o->cwd_soft = 1;
    } else if (!strcmp(k, "--caps")) o->caps = next(argc, argv, &i);
    else if (!strcmp(k, "--net")) o->net = strcmp(next(argc, argv, &i), "host") ? NET_OWN : NET_HOST;
    else if (!strcmp(k, "--netns")) {
      o->net = NET_JOIN;
      o->netns = next(argc, argv, &i);
    } else if (!strcmp(k, "--parent")) o->parent = (pid_t)atoi(next(argc, argv, &i));
    else if (!strcmp(k, "--enter")) parse_enter(next(argc, argv, &i), o);
    else if (!strcmp(k, "--standby")) o->standby = 1;
    else if (!strcmp(k, "--null-stdin")) o->null_stdin = 1;
    else if (!strcmp(k, "--delegate-xattrs")) { int print_delegate_xattrs(int, char **); exit(print_delegate_xattrs(argc - i - 1, argv + i + 1)); }
    else if (!strcmp(k, "--view-prepared")) o->view_prepared = 1;
    else if (!strcmp(k, "--uid-map")) o->uid_map = next(argc, argv, &i);
    else if (!strcmp(k, "--gid-map")) o->gid_map = next(argc, argv, &i);
    else if (!strcmp(k, "--in-userns")) {
      o->in_userns = 1;
      in_user_namespace = 1;
    }
    else if (!strcmp(k, "--idmap-helpers")) {
      o->newuidmap = next(argc, argv, &i);
      o->newgidmap = next(argc, argv, &i);
    } else if (!strcmp(k, "--tmpfs-volume")) {
      struct tmpfs_volume *v = &o->volumes[o->nvolumes++];
      v->path = next(argc, argv, &i);
      v->options = next(argc, argv, &i);
      v->from = next(argc, argv, &i);
      if (!strcmp(v->from, "-")) v->from = NULL;
    } else if (!strcmp(k, "--cp")) o->cp = next(argc, argv, &i);
    else if (!strcmp(k, "--probe-userns")) { int probe_userns(void); exit(probe_userns()); }
    else if (!strcmp(k, "--no-mount-setattr")) view_without_setattr = 1;
    else if (!strcmp(k, "--no-pidfd")) pin_without_pidfd = 1;
    else if (!strcmp(k, "--end-drain")) o->end_drain = next(argc, argv, &i);
    else if (!strcmp(k, "--end-read")) o->end_reads[o->nend_reads++] = next(argc, argv, &i);
    else if (!strcmp(k, "--end-remove")) o->end_removes[o->nend_removes++] = next(argc, argv, &i);
    else usage();
  }
  if (o->standby) return; /* the command comes with the orders */
  if (i + 1 >= argc) usage();
  o->argv = &argv[i + 1];
}
