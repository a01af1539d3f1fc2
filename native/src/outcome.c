#include "outcome.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vfailed(struct outcome *o, const char *fmt, va_list ap) {
  o->err = errno ? errno : EIO;
  int n = vsnprintf(o->text, sizeof o->text, fmt, ap);
  if (n >= 0 && (size_t)n < sizeof o->text) snprintf(o->text + n, sizeof o->text - (size_t)n, ": %s", strerror(o->err));
  return -1;
}

int failed(struct outcome *o, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfailed(o, fmt, ap);
  va_end(ap);
  return -1;
}

int add_value(struct outcome *o, const char *s, size_t n) {
  if (o->len + n + 1 > o->cap) {
    size_t cap = o->cap ? o->cap : 256;
    while (cap < o->len + n + 1) cap *= 2;
    char *v = realloc(o->value, cap);
    if (!v) {
      errno = ENOMEM;
      return failed(o, "the reply");
    }
    o->value = v;
    o->cap = cap;
  }
  memcpy(o->value + o->len, s, n);
  o->len += n;
  o->value[o->len] = 0;
  return 0;
}
