#define _GNU_SOURCE
#include "run-end.h"
#include "cgroup-ops.h"
#include "report.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A run's tasks are gone microseconds after its init; past this the kill Node's drain would make is due. */
#define END_PATIENCE_MS "1000"
/* Zombies not yet reaped hold a cgroup for a moment; past this Node's teardown goes on trying. */
#define REMOVE_PATIENCE_MS "2000"

static size_t add_token(char *buf, size_t at, const char *s) {
  size_t n = strlen(s) + 1;
  if (at + n <= PIPE_BUF) memcpy(buf + at, s, n);
  return at + n;
}

void pass_run_end(const struct options *o, int fd) {
  char buf[PIPE_BUF];
  size_t len = 0;
  if (o->end_drain) {
    len = add_token(buf, len, "--end-drain");
    len = add_token(buf, len, o->end_drain);
    for (int i = 0; i < o->nend_reads; i++) {
      len = add_token(buf, len, "--end-read");
      len = add_token(buf, len, o->end_reads[i]);
    }
    for (int i = 0; i < o->nend_removes; i++) {
      len = add_token(buf, len, "--end-remove");
      len = add_token(buf, len, o->end_removes[i]);
    }
  }
  /* Up to PIPE_BUF a pipe takes the write whole or not at all, and the outer reads it only once the
   * init is gone: a longer list is not passed (Node does the end itself). */
  if (len > 0 && len <= PIPE_BUF) {
    ssize_t ignored = write(fd, buf, len);
    (void)ignored;
  }
  close(fd);
}

void take_run_end(struct options *o, int fd) {
  static char buf[PIPE_BUF + 1];
  size_t len = 0;
  ssize_t r;
  while (len < PIPE_BUF && ((r = read(fd, buf + len, PIPE_BUF - len)) > 0 || (r < 0 && errno == EINTR)))
    if (r > 0) len += (size_t)r;
  close(fd);
  if (len == 0 || buf[len - 1] != 0) return;
  /* Its own array: the outer's options were sized by its own command line, not by the orders. */
  size_t ntok = 0;
  for (size_t i = 0; i < len; i++) ntok += buf[i] == 0;
  const char **reads = calloc(ntok, sizeof *reads), **removes = calloc(ntok, sizeof *removes);
  if (!reads || !removes) return;
  o->end_reads = reads;
  o->nend_reads = 0;
  o->end_removes = removes;
  o->nend_removes = 0;
  for (char *p = buf, *end = buf + len; p < end;) {
    char *key = p, *value = p + strlen(p) + 1;
    if (value >= end) break;
    p = value + strlen(value) + 1;
    if (!strcmp(key, "--end-drain")) o->end_drain = value;
    else if (!strcmp(key, "--end-read")) reads[o->nend_reads++] = value;
    else if (!strcmp(key, "--end-remove")) removes[o->nend_removes++] = value;
  }
}

/* A line longer than report()'s: once the init is gone, the outer is the status socket's only writer. */
static void report_value(const char *prefix, const char *value, size_t len) {
  size_t plen = strlen(prefix);
  char *line = malloc(plen + len + 1);
  if (!line) return;
  memcpy(line, prefix, plen);
  memcpy(line + plen, value, len);
  line[plen + len] = '\n';
  for (size_t at = 0, n = plen + len + 1; at < n;) {
    ssize_t w = write(STATUS_FD, line + at, n - at);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break;
    at += (size_t)w;
  }
  free(line);
}

void end_run(const struct options *o) {
  struct stat st;
  /* A cgroup that is not there (removed on the parent's death) has no tasks to tell of. */
  if (!o->end_drain || stat(o->end_drain, &st) < 0) return;
  char *drain[] = {END_PATIENCE_MS, (char *)o->end_drain};
  struct outcome out = {0};
  if (cgroup_drain(drain, 2, &out) < 0) return;
  report("drained");
  if (o->nend_reads == 0) return;
  int read = cgroup_read((char **)o->end_reads, o->nend_reads, &out);
  if (read == 0) report_value("counters ", out.value ? out.value : "", out.len);
  free(out.value);
  if (read < 0 || o->nend_removes == 0) return;
  char **remove = calloc((size_t)o->nend_removes + 1, sizeof *remove);
  if (!remove) return;
  remove[0] = REMOVE_PATIENCE_MS;
  memcpy(remove + 1, o->end_removes, (size_t)o->nend_removes * sizeof *remove);
  out = (struct outcome){0};
  if (cgroup_remove(remove, o->nend_removes + 1, &out) == 0) report("removed");
  free(out.value);
  free(remove);
}
