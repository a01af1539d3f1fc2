#define _GNU_SOURCE
#include "scope-hold.h"
#include "cgroup-ops.h"
#include "outcome.h"
#include "pause.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A sandbox's init and its outer die within milliseconds of Node; one stuck in the kernel is left to systemd. */
#define PATIENCE_MS 60000
/* Scans with nothing left but the leaf before the scope is taken down: a cgroup made by a helper
 * that was still dying when the first scan ran shows up in a later one. */
#define QUIET_SCANS 3

static int write_pid(const char *dir) {
  char path[4096], pid[24];
  if (snprintf(path, sizeof path, "%s/cgroup.procs", dir) >= (int)sizeof path) return -1;
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  int n = snprintf(pid, sizeof pid, "%d", (int)getpid());
  int r = write(fd, pid, (size_t)n) == n ? 0 : -1;
  close(fd);
  return r;
}

/* The scope's cgroups but the leaf, each removed once it holds no task; how many are still there. */
static int sweep(const char *scope, const char *leaf_name) {
  DIR *d = opendir(scope);
  if (!d) return 0;
  int left = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_type != DT_DIR || !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, leaf_name)) continue;
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", scope, e->d_name) >= (int)sizeof path) continue;
    struct outcome o = {0};
    if (cgroup_subtree_empty(path) != 1 || cgroup_remove_tree(path, 0, &o) < 0) left++;
  }
  closedir(d);
  return left;
}

/* Stdin up to EOF: "LEAF\0", then nothing; 0 when it came. */
static int lifeline(char *buf, size_t cap, const char **leaf) {
  size_t len = 0;
  for (;;) {
    ssize_t r = read(0, buf + len, cap - 1 - len);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    len += (size_t)r;
    if (len == cap - 1) len = 0; /* never sent by Node: keep reading for the EOF */
  }
  buf[len] = '\0';
  *leaf = buf;
  return len > 1 && strlen(buf) + 1 == len ? 0 : -1;
}

/* Into the scope itself, so that the leaf can go: the scope may hold a process once it enables no
 * controllers for its children (the no-internal-process rule), and it has none left by now. */
static int into_scope(const char *scope) {
  char path[4096], enabled[512], off[1024] = "";
  if (snprintf(path, sizeof path, "%s/cgroup.subtree_control", scope) >= (int)sizeof path) return -1;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, enabled, sizeof enabled - 1);
  close(fd);
  if (n < 0) return -1;
  enabled[n] = '\0';
  for (char *save, *c = strtok_r(enabled, " \n", &save); c; c = strtok_r(NULL, " \n", &save)) {
    size_t used = strlen(off);
    snprintf(off + used, sizeof off - used, "%s-%s", used ? " " : "", c);
  }
  if (*off) {
    if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0) return -1;
    ssize_t w = write(fd, off, strlen(off));
    close(fd);
    if (w < 0) return -1;
  }
  return write_pid(scope);
}

int hold_scope(void) {
  char buf[8192], scope[4096];
  const char *leaf;
  if (lifeline(buf, sizeof buf, &leaf) < 0) return 0;
  const char *name = strrchr(leaf, '/');
  if (!name || name == leaf || (size_t)(name - leaf) >= sizeof scope) return 0;
  memcpy(scope, leaf, (size_t)(name - leaf));
  scope[name - leaf] = '\0';
  name++;
  long long deadline = cgroup_now_ms() + PATIENCE_MS;
  for (long delay = 200, quiet = 0; quiet < QUIET_SCANS; delay = delay * 2 > 50000 ? 50000 : delay * 2) {
    quiet = sweep(scope, name) == 0 ? quiet + 1 : 0;
    if (cgroup_now_ms() > deadline) return 0;
    if (quiet < QUIET_SCANS) pause_us(quiet ? 2000 : delay);
  }
  if (into_scope(scope) < 0) return 0;
  struct outcome o = {0};
  cgroup_remove_tree(leaf, cgroup_now_ms() + 2000, &o);
  return 0;
}
