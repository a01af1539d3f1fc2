/* The sandbox's namespaces and filesystem view, made by its init before the command runs. */
#define _GNU_SOURCE
#include "sandbox.h"
#include "report.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

void join_cgroups(const struct options *o) {
  for (int i = 0; i < o->ncgroups; i++) {
    int fd = open(o->cgroups[i], O_WRONLY | O_CLOEXEC);
    /* "0" is the writing process, whatever pid namespace it is in. */
    if (fd < 0 || write(fd, "0", 1) != 1) fail("cgroup", o->cgroups[i]);
    close(fd);
  }
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

/* out = a + b, or a setup error when it does not fit. */
static void join_path(char *out, const char *a, const char *b, const char *step) {
  if (snprintf(out, PATH_MAX, "%s%s", a ? a : "", b) >= PATH_MAX) {
    errno = ENAMETOOLONG;
    fail(step, b);
  }
}

static void mount_requested(const struct options *o) {
  char target[PATH_MAX];
  for (int i = 0; i < o->nmounts; i++) {
    const struct mount_req *m = &o->mounts[i];
    join_path(target, o->rootfs, m->target, "mount");
    int bind = !strcmp(m->kind, "bind");
    if (bind ? mount(m->source, target, NULL, MS_BIND | MS_REC, NULL) < 0
             : mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, m->source) < 0)
      fail("mount", m->target);
  }
}

/* A minimal /dev: a tmpfs holding the usual character devices, bound from the host's. */
static void minimal_dev(const char *rootfs) {
  static const char *const nodes[] = {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty"};
  static const char *const links[][2] = {
      {"/proc/self/fd", "/dev/fd"}, {"/proc/self/fd/0", "/dev/stdin"}, {"/proc/self/fd/1", "/dev/stdout"}, {"/proc/self/fd/2", "/dev/stderr"}};
  char path[PATH_MAX];
  join_path(path, rootfs, "/dev", "rootfs");
  if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=64k") < 0) fail("rootfs", "/dev");
  for (size_t i = 0; i < sizeof nodes / sizeof *nodes; i++) {
    join_path(path, rootfs, nodes[i], "rootfs");
    int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
    if (fd < 0) fail("rootfs", path);
    close(fd);
    if (mount(nodes[i], path, NULL, MS_BIND, NULL) < 0) fail("rootfs", nodes[i]);
  }
  for (size_t i = 0; i < sizeof links / sizeof *links; i++) {
    join_path(path, rootfs, links[i][1], "rootfs");
    if (symlink(links[i][0], path) < 0) fail("rootfs", path);
  }
}

/*
 * A fresh, read-only cgroupfs at /sys/fs/cgroup, mounted inside the cgroup
 * namespace: its root is the sandbox's own cgroup, so a runtime that sizes
 * itself from cgroup files (a JVM, Node's os.constrainedMemory()) sees the
 * sandbox's limits, and the host's hierarchy is out of view.
 */
static void mount_cgroupfs(const struct options *o) {
  char base[PATH_MAX], dir[PATH_MAX];
  struct stat st;
  join_path(base, o->rootfs, "/sys/fs/cgroup", "cgroupfs");
  if (o->ncgroupfs == 0 || stat(base, &st) < 0 || !S_ISDIR(st.st_mode)) return; /* a root filesystem without it */
  const unsigned long ro = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
  if (!strcmp(o->cgroupfs[0], "cgroup2")) {
    /* Without a root filesystem, base is the host's own cgroup2 mount, and the kernel refuses
     * the same superblock on its own root (EBUSY; measured on 6.1 in the VM tier): lift it off
     * first, in this mount namespace only. Not a mount point (a rootfs's empty dir): EINVAL. */
    if (umount2(base, MNT_DETACH) < 0 && errno != EINVAL) fail("cgroupfs", base);
    if (mount("cgroup2", base, "cgroup2", ro, NULL) < 0) fail("cgroupfs", base);
    return;
  }
  if (mount("tmpfs", base, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755,size=64k") < 0) fail("cgroupfs", base);
  for (int i = 0; i < o->ncgroupfs; i++) {
    /* "cgroup:cpu,cpuacct:cpu,cpuacct" → controllers, directory */
    char spec[256];
    snprintf(spec, sizeof spec, "%s", o->cgroupfs[i]);
    char *controllers = strchr(spec, ':');
    char *name = controllers ? strchr(controllers + 1, ':') : NULL;
    if (!controllers || !name) {
      errno = EINVAL;
      fail("cgroupfs", o->cgroupfs[i]);
    }
    *name = '/'; /* "/DIR", joined under the base */
    *controllers++ = 0;
    char *slash = name;
    join_path(dir, base, slash, "cgroupfs");
    *slash = 0; /* ends the controllers */
    if (mkdir(dir, 0755) < 0 || mount("cgroup", dir, "cgroup", ro, controllers) < 0) fail("cgroupfs", dir);
  }
  if (mount(NULL, base, NULL, MS_REMOUNT | MS_BIND | ro, NULL) < 0) fail("cgroupfs", base);
}

static void enter_rootfs(const char *rootfs) {
  if (chdir(rootfs) < 0) fail("rootfs", rootfs);
  /* pivot_root(".", ".") stacks the old root under the new one; detach it at once. */
  if (syscall(SYS_pivot_root, ".", ".") < 0) fail("rootfs", "pivot_root");
  if (umount2(".", MNT_DETACH) < 0) fail("rootfs", "detach the old root");
  if (chdir("/") < 0) fail("rootfs", "/");
}

void make_sandbox(const struct options *o) {
  /* After joining the cgroups: the cgroup namespace's root is the sandbox's cgroup. */
  int flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP | (o->net == NET_OWN ? CLONE_NEWNET : 0);
  if (unshare(flags) < 0) fail("namespaces", "unshare");
  if (o->net == NET_JOIN) join_netns(o->netns);
  if (o->net != NET_HOST) loopback_up();
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) fail("mount", "make / private");
  if (o->rootfs) {
    /* pivot_root needs the new root to be a mount point. */
    if (mount(o->rootfs, o->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0) fail("rootfs", o->rootfs);
    minimal_dev(o->rootfs);
  }
  mount_requested(o);
  mount_cgroupfs(o);
  if (o->rootfs) enter_rootfs(o->rootfs);
  if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) fail("mount", "/proc");
  if (o->hostname && sethostname(o->hostname, strlen(o->hostname)) < 0) fail("hostname", o->hostname);
}
