/* The sandbox's namespaces and filesystem view, made by its init before the command runs. */
#define _GNU_SOURCE
#include "sandbox.h"
#include "report.h"
#include "userns.h"
#include "view.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Open before the view's pivot when its "join" step comes after it (open_procs). */
static int *procs_fds;

void join_cgroups(const struct options *o) {
  for (int i = 0; i < o->ncgroups; i++) {
    int fd = procs_fds ? procs_fds[i] : open(o->cgroups[i], O_WRONLY | O_CLOEXEC);
    /* "0" is the writing process, whatever pid namespace it is in. */
    if (fd < 0 || write(fd, "0", 1) != 1) fail("cgroup", o->cgroups[i]);
    close(fd);
  }
  free(procs_fds);
  procs_fds = NULL;
}

static void loopback_up(void) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strcpy(ifr.ifr_name, "lo");
  if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0) fail("net", "lo");
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) fail("net", "lo up");
  close(s);
}

static void join_netns(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) fail("net", path);
  close(fd);
}

/* A standby that built the order-independent part of its view ahead (prepare_sandbox): the host's
 * namespaces it left, to clone the run's own sources in and to go back to, and the view's. */
static int host_mnt = -1, host_net = -1, view_mnt = -1;

static int open_ns(const char *name) {
  char path[64];
  snprintf(path, sizeof path, "/proc/self/ns/%s", name);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("namespaces", path);
  return fd;
}

static void enter_ns(int fd, int type, const char *what) {
  if (setns(fd, type) < 0) fail("namespaces", what);
}

/* The cgroup.procs files, opened while the host's /sys is in view, for a "join" step after the pivot. */
static void open_procs(const struct options *o) {
  if (procs_fds || !view_has_join(o)) return;
  procs_fds = calloc((size_t)o->ncgroups + 1, sizeof *procs_fds);
  if (!procs_fds) fail("init", "out of memory");
  for (int i = 0; i < o->ncgroups; i++)
    if ((procs_fds[i] = open(o->cgroups[i], O_WRONLY | O_CLOEXEC)) < 0) fail("cgroup", o->cgroups[i]);
}

/* New namespaces (net: of its own unless host) and the planned view, from the host's. */
static void build(struct options *o, int net_own) {
  /* The host paths the view binds are cloned while this process still sees the host's tree. */
  view_clone_sources(o);
  open_procs(o);
  /* After joining the cgroups: the cgroup namespace's root is the sandbox's cgroup (a "join" step makes it later). */
  int flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | (view_has_join(o) ? 0 : CLONE_NEWCGROUP) | (net_own ? CLONE_NEWNET : 0);
  if (unshare(flags) < 0) fail("namespaces", "unshare");
  if (o->net == NET_JOIN) join_netns(o->netns);
  if (o->net != NET_HOST) loopback_up();
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) fail("mount", "make / private");
  /* The fresh sysfs shows the net namespace it is mounted in: the view comes after the network. */
  view_build(o);
}

void prepare_sandbox(struct options *o) {
  host_mnt = open_ns("mnt");
  host_net = open_ns("net");
  o->net = NET_OWN; /* the default; orders for another network switch to it */
  build(o, 1);
  view_mnt = open_ns("mnt");
}

void make_sandbox(struct options *o) {
  if (view_mnt >= 0 && o->view_prepared) {
    /* The rest of a prepared view: its sources cloned in the host's namespace, its steps in the view's. */
    if (view_needs_sources(o)) {
      enter_ns(host_mnt, CLONE_NEWNS, "the host's mount namespace");
      view_clone_sources(o);
      enter_ns(view_mnt, CLONE_NEWNS, "the prepared view");
    }
    if (o->net == NET_HOST) enter_ns(host_net, CLONE_NEWNET, "the host's network");
    if (o->net == NET_JOIN) {
      join_netns(o->netns);
      loopback_up();
    }
    view_build(o);
  } else {
    /* Cold, or orders the prepared view does not fit (privileged, a rootfs): from the host's namespaces afresh. */
    if (view_mnt >= 0) {
      enter_ns(host_mnt, CLONE_NEWNS, "the host's mount namespace");
      /* A rootless standby may not go back to the host's network (the initial user namespace owns it):
       * build() makes a fresh one from its own, and a rootless run with the host's never takes a spare. */
      if (!in_user_namespace) enter_ns(host_net, CLONE_NEWNET, "the host's network");
    }
    build(o, o->net == NET_OWN);
  }
  if (o->hostname && sethostname(o->hostname, strlen(o->hostname)) < 0) fail("hostname", o->hostname);
}
