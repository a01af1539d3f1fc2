#define _GNU_SOURCE
#include "standby.h"
#include "report.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *read_all(int fd, size_t *len) {
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  for (;;) {
    if (!buf) fail("standby", "out of memory");
    if (n == cap) buf = realloc(buf, cap *= 2);
    if (!buf) fail("standby", "out of memory");
    ssize_t r = read(fd, buf + n, cap - n);
    if (r == 0) break;
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) fail("standby", "read orders");
    n += r;
  }
  *len = n;
  return buf;
}

void await_orders(struct options *o) {
  size_t len;
  char *buf = read_all(STATUS_FD, &len);
  /* EOF alone: Node is going away (its pipes close before it dies). Wait for the
   * parent-death chain, which removes the cgroups too; exiting now would race it. */
  if (len == 0)
    for (;;) pause();
  if (buf[len - 1] != 0) {
    errno = EINVAL;
    fail("standby", "orders not NUL-terminated");
  }
  /* Tokens: count, options…, environment… */
  size_t ntok = 0;
  for (size_t i = 0; i < len; i++) ntok += buf[i] == 0;
  char **tok = calloc(ntok + 2, sizeof *tok);
  if (!tok) fail("standby", "out of memory");
  char *p = buf;
  for (size_t t = 0; t < ntok; t++, p += strlen(p) + 1) tok[t] = p;
  long nopt = strtol(tok[0], NULL, 10);
  if (nopt == 0) _exit(0); /* discarded: Node removes the cgroups */
  if (nopt < 2 || (size_t)nopt >= ntok) {
    errno = EINVAL;
    fail("standby", "orders: bad option count");
  }
  /* parse_options expects argv[0]; tok[0] (the count) stands in for it. */
  struct options orders;
  parse_options((int)nopt + 1, tok, &orders);
  orders.cgroups = o->cgroups;
  orders.ncgroups = o->ncgroups;
  orders.parent = o->parent;
  /* The environment is the rest; the command's argv must end before it. */
  size_t nenv = ntok - (size_t)nopt - 1;
  char **env = calloc(nenv + 1, sizeof *env);
  if (!env) fail("standby", "out of memory");
  memcpy(env, &tok[nopt + 1], nenv * sizeof *env);
  tok[nopt + 1] = NULL;
  orders.envp = env;
  *o = orders;
}
