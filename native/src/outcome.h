/*
 * What a host-ops call answers (host-ops.h): a value of any length, or an errno and a text that says
 * which call failed on what.
 */
#ifndef CGBOX_OUTCOME_H
#define CGBOX_OUTCOME_H

#include <stddef.h>

struct outcome {
  int err;
  char text[200];
  char *value;
  size_t len, cap;
};

#include <stdarg.h>

/* Records errno (EIO if none) and the text, with strerror appended; returns -1. */
int failed(struct outcome *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int vfailed(struct outcome *o, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Appends n bytes to the value; -1 (ENOMEM, recorded) if it cannot grow. */
int add_value(struct outcome *o, const char *s, size_t n);

#endif
