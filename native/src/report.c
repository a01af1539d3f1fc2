#define _GNU_SOURCE
#include "report.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

void report(const char *fmt, ...) {
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if (n > (int)sizeof line - 2) n = sizeof line - 2;
  line[n++] = '\n';
  ssize_t ignored = write(STATUS_FD, line, n);
  (void)ignored;
}

void fail(const char *step, const char *what) {
  int e = errno;
  report("error %s %d %s: %s", step, e, what, strerror(e));
  _exit(SETUP_FAILED);
}

void report_status(int status) {
  if (WIFEXITED(status)) report("exit %d", WEXITSTATUS(status));
  else if (WIFSIGNALED(status)) report("signal %d%s", WTERMSIG(status), WCOREDUMP(status) ? " core" : "");
}
