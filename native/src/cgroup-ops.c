#define _GNU_SOURCE
#include "cgroup-ops.h"
#include "pause.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

long long cgroup_now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int patience(const char *s, long long *deadline, struct outcome *o) {
  char *end;
  errno = 0;
  long long ms = strtoll(s, &end, 10);
  if (errno || *end || !*s || ms < 0) {
    errno = EINVAL;
    return failed(o, "%s: not a number of milliseconds", s);
  }
  *deadline = cgroup_now_ms() + ms;
  return 0;
}

/* No O_CREAT: cgroupfs cannot create files, and a missing interface file must show as ENOENT. */
static int write_file(const char *path, const char *value, struct outcome *o) {
  int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) return failed(o, "writing \"%s\" to %s", value, path);
  size_t len = strlen(value);
  ssize_t w = write(fd, value, len);
  int e = errno;
  close(fd);
  if (w == (ssize_t)len) return 0;
  errno = w < 0 ? e : EIO;
  return failed(o, "writing \"%s\" to %s", value, path);
}

/* One directory and its writes; on a failure it is removed again. */
static int make_one(const char *dir, char **writes, long count, struct outcome *o) {
  if (mkdir(dir, 0777) < 0) return failed(o, "creating %s", dir);
  char path[4096];
  for (long i = 0; i < count; i++) {
    const char *file = writes[2 * i], *value = writes[2 * i + 1];
    if (snprintf(path, sizeof path, "%s/%s", dir, file) >= (int)sizeof path) {
      errno = ENAMETOOLONG;
      failed(o, "%s/%s", dir, file);
    } else if (write_file(path, value, o) == 0) continue;
    rmdir(dir);
    return -1;
  }
  return 0;
}

/* Where each group "N DIR [FILE VALUE]×N" starts, all checked before anything is made; -1 if one is not whole. */
static int groups(char **a, int n, int *start, struct outcome *o) {
  int count = 0;
  for (int i = 0; i < n; count++) {
    char *end;
    errno = 0;
    long writes = strtol(a[i], &end, 10);
    if (errno || *end || !*a[i] || writes < 0 || i + 2 > n || writes > (n - i - 2) / 2) {
      errno = EINVAL;
      return failed(o, "cgroup-make: \"%s\" is not a count of the writes that follow", a[i]);
    }
    start[count] = i;
    i += 2 + 2 * (int)writes;
  }
  return count;
}

int cgroup_make(char **a, int n, struct outcome *o) {
  int *start = malloc((size_t)n * sizeof *start);
  if (!start) {
    errno = ENOMEM;
    return failed(o, "cgroup-make");
  }
  int count = groups(a, n, start, o), made = 0;
  while (made < count && make_one(a[start[made] + 1], a + start[made] + 2, strtol(a[start[made]], NULL, 10), o) == 0) made++;
  int r = count < 0 || made < count ? -1 : 0;
  /* All or nothing: nothing has joined those made before the failure, and the caller has nothing to
   * undo. Newest first, so that one made inside another goes before it. */
  while (r < 0 && made > 0) rmdir(a[start[--made] + 1]);
  free(start);
  return r;
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int add_base64(struct outcome *o, const unsigned char *s, size_t n) {
  char quad[4];
  for (size_t i = 0; i < n; i += 3) {
    unsigned v = (unsigned)s[i] << 16 | (i + 1 < n ? (unsigned)s[i + 1] << 8 : 0) | (i + 2 < n ? s[i + 2] : 0);
    quad[0] = B64[v >> 18 & 63];
    quad[1] = B64[v >> 12 & 63];
    quad[2] = i + 1 < n ? B64[v >> 6 & 63] : '=';
    quad[3] = i + 2 < n ? B64[v & 63] : '=';
    if (add_value(o, quad, 4) < 0) return -1;
  }
  return 0;
}

/* The whole file into *buf (grown as needed); its length, or -1 with errno. */
static ssize_t read_whole(const char *path, char **buf, size_t *cap) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  size_t len = 0;
  for (;;) {
    if (len == *cap) {
      char *b = realloc(*buf, *cap = *cap ? *cap * 2 : 8192);
      if (!b) {
        close(fd);
        errno = ENOMEM;
        return -1;
      }
      *buf = b;
    }
    ssize_t r = read(fd, *buf + len, *cap - len);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      int e = errno;
      close(fd);
      errno = e;
      return -1;
    }
    if (r == 0) break;
    len += (size_t)r;
  }
  close(fd);
  return (ssize_t)len;
}

int cgroup_read(char **a, int n, struct outcome *o) {
  char *buf = NULL;
  size_t cap = 0;
  int r = 0;
  for (int i = 0; i < n && r == 0; i++) {
    if (i > 0 && (r = add_value(o, " ", 1)) < 0) break;
    ssize_t len = read_whole(a[i], &buf, &cap);
    if (len < 0 && errno == ENOENT) r = add_value(o, "-", 1);
    else if (len < 0) r = failed(o, "reading %s", a[i]);
    else r = add_base64(o, (unsigned char *)buf, (size_t)len);
  }
  free(buf);
  return r;
}

struct dirs {
  char **path;
  size_t n, cap;
};

static int grow(struct dirs *d) {
  size_t cap = d->cap ? d->cap * 2 : 8;
  char **p = realloc(d->path, cap * sizeof *p);
  if (!p) return -1;
  d->path = p;
  d->cap = cap;
  return 0;
}

/* Every cgroup below `dir`, children before their parents. A cgroup's link count is 2 and one per
 * cgroup below it (kernfs keeps it so): most have none, and a stat says so without listing its files.
 * (A filesystem that does not count them, btrfs, says 1: then it is listed.) */
static int below(const char *dir, struct dirs *out) {
  struct stat st;
  if (stat(dir, &st) < 0 || st.st_nlink == 2) return 0;
  DIR *d = opendir(dir);
  if (!d) return 0;
  struct dirent *e;
  int r = 0;
  while (r == 0 && (e = readdir(d))) {
    if (e->d_type != DT_DIR || !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    char *sub;
    if (asprintf(&sub, "%s/%s", dir, e->d_name) < 0) r = -1;
    else if ((r = below(sub, out)) < 0) free(sub);
    else if (out->n == out->cap && grow(out) < 0) {
      free(sub);
      r = -1;
    } else out->path[out->n++] = sub;
  }
  closedir(d);
  return r;
}

static void free_dirs(struct dirs *d) {
  for (size_t i = 0; i < d->n; i++) free(d->path[i]);
  free(d->path);
}

/* Whether `dir`'s cgroup.procs names no task; a cgroup gone or unreadable has none that can be waited for. */
static int no_tasks(const char *dir) {
  char path[4096];
  if (snprintf(path, sizeof path, "%s/cgroup.procs", dir) >= (int)sizeof path) return 1;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 1;
  char c;
  ssize_t r;
  while ((r = read(fd, &c, 1)) < 0 && errno == EINTR) {}
  close(fd);
  return r <= 0;
}

/* Whether no cgroup.procs in `dir` or below it names a task; -1 when it cannot tell (no memory). */
int cgroup_subtree_empty(const char *dir) {
  struct dirs d = {0};
  int r = below(dir, &d);
  int empty = r < 0 ? -1 : no_tasks(dir);
  for (size_t i = 0; empty == 1 && i < d.n; i++) empty = no_tasks(d.path[i]);
  free_dirs(&d);
  return empty;
}

int cgroup_drain_now(char **a, int n, struct outcome *o) {
  (void)n;
  long long deadline;
  if (patience(a[0], &deadline, o) < 0) return -1;
  return cgroup_subtree_empty(a[1]) == 1 ? 0 : 1;
}

int cgroup_drain(char **a, int n, struct outcome *o) {
  (void)n;
  long long deadline;
  if (patience(a[0], &deadline, o) < 0) return -1;
  /* From 50 µs: the run's init is often still exiting when its status has come (Node's timers could
   * wait no less than a millisecond), and it is gone a few dozen microseconds later. */
  for (long delay = 50;; delay = delay * 2 > 50000 ? 50000 : delay * 2) {
    int empty = cgroup_subtree_empty(a[1]);
    if (empty < 0) {
      errno = ENOMEM;
      return failed(o, "listing %s", a[1]);
    }
    if (empty) return 0;
    if (cgroup_now_ms() > deadline) {
      errno = ETIMEDOUT;
      return failed(o, "tasks are still in %s after %s ms", a[1], a[0]);
    }
    pause_us(delay);
  }
}

static int remove_one(const char *path, long long deadline, struct outcome *o) {
  for (long delay = 1000;; delay = delay * 2 > 100000 ? 100000 : delay * 2) {
    if (rmdir(path) == 0 || errno == ENOENT) return 0;
    if (errno != EBUSY || cgroup_now_ms() > deadline) return failed(o, "removing %s", path);
    pause_us(delay);
  }
}

/* One cgroup and those below it, children first. */
int cgroup_remove_tree(const char *dir, long long deadline, struct outcome *o) {
  struct dirs d = {0};
  int r = below(dir, &d);
  if (r < 0) {
    errno = ENOMEM;
    failed(o, "listing %s", dir);
  }
  for (size_t i = 0; r == 0 && i < d.n; i++) r = remove_one(d.path[i], deadline, o);
  free_dirs(&d);
  return r < 0 ? -1 : remove_one(dir, deadline, o);
}

/* Each DIR removed with a deadline of `deadline`; the first failure is the answer, and EBUSY is
 * remembered in *busy (when busy is not NULL) rather than answered. */
static int remove_each(char **a, int n, long long deadline, int *busy, struct outcome *o) {
  struct outcome first = {0};
  for (int i = 1; i < n; i++) {
    if (cgroup_remove_tree(a[i], deadline, o) == 0) continue;
    if (busy && o->err == EBUSY) *busy = 1;
    else if (!first.err) first = *o;
  }
  if (!first.err) return 0;
  o->err = first.err;
  memcpy(o->text, first.text, sizeof o->text);
  return -1;
}

int cgroup_remove_now(char **a, int n, struct outcome *o) {
  long long deadline;
  if (patience(a[0], &deadline, o) < 0) return -1;
  int busy = 0;
  /* No waiting here (a deadline already past): one refused for a moment sends the whole call to a thread. */
  int r = remove_each(a, n, 0, &busy, o);
  if (!busy) return r;
  *o = (struct outcome){0};
  return 1;
}

int cgroup_remove(char **a, int n, struct outcome *o) {
  long long deadline;
  if (patience(a[0], &deadline, o) < 0) return -1;
  return remove_each(a, n, deadline, NULL, o);
}
