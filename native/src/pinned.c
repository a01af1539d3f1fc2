#define _GNU_SOURCE
#include "pinned.h"
#include "report.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

int pin_without_pidfd;

unsigned long long start_time_of(pid_t pid) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = 0;
  /* The command name (field 2) may hold spaces and parentheses: count fields after its last ')'. */
  char *p = strrchr(buf, ')');
  if (!p) return 0;
  /* After ')': " S ppid ..." — field 3 is the first; the start time is field 22. */
  for (int field = 2; field < 22 && p; field++) p = strchr(p + 1, ' ');
  return p ? strtoull(p + 1, NULL, 10) : 0;
}

static void gone(pid_t pid, unsigned long long start, const char *why) {
  char what[160];
  snprintf(what, sizeof what, "the sandbox's init (pid %d, started at tick %llu) %s", (int)pid, start, why);
  errno = ESRCH;
  fail("enter", what);
}

int pin_process(pid_t pid, unsigned long long start) {
  int pidfd = pin_without_pidfd ? (errno = ENOSYS, -1) : (int)syscall(SYS_pidfd_open, pid, 0);
  if (pidfd < 0 && errno == ESRCH) gone(pid, start, "has ended");
  if (pidfd >= 0) fcntl(pidfd, F_SETFD, FD_CLOEXEC);
  /* The pidfd pins whatever now has the pid: the start time says whether that is still the init. */
  unsigned long long now = start_time_of(pid);
  if (now != start) gone(pid, start, now ? "has ended: its pid is another process's now" : "has ended");
  return pidfd;
}

void check_pinned(int pidfd, pid_t pid, unsigned long long start) {
  if (pidfd >= 0) {
    /* Signal 0 only asks whether it lives: EPERM is an answer too (it does). */
    if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0 && errno == ESRCH) gone(pid, start, "ended while it was being joined");
    close(pidfd);
  } else if (start_time_of(pid) != start) {
    gone(pid, start, "ended while it was being joined");
  }
}
