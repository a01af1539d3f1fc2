#define _GNU_SOURCE
#include "orphan.h"
#include "report.h"
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pid_t the_parent;
static sigset_t watched;

int watch_parent(pid_t parent) {
  the_parent = parent;
  sigemptyset(&watched);
  sigaddset(&watched, SIGTERM);
  sigaddset(&watched, SIGCHLD);
  /* A terminal's signals, relayed: the command is in a session of its own and does not get them. */
  sigaddset(&watched, SIGINT);
  sigaddset(&watched, SIGHUP);
  sigaddset(&watched, SIGQUIT);
  sigprocmask(SIG_BLOCK, &watched, NULL);
  if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0) fail("init", "pdeathsig");
  return getppid() == parent;
}

/* How long a cgroup may stay busy after the init is reaped: its killed tasks' zombies hold it until
 * they are reaped — about 2 s on a quiet host, several times that on a loaded one (Node's own
 * teardown waits as long: REMOVE_PATIENCE_MS in src/cgroup/apply.ts). */
#define REMOVE_PATIENCE_S 20

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void remove_cgroups(const struct options *o) {
  const struct timespec pause = {0, 10 * 1000 * 1000};
  const double deadline = now_s() + REMOVE_PATIENCE_S;
  for (int i = 0; i < o->ncgroups; i++) {
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", o->cgroups[i]);
    char *slash = strrchr(dir, '/');
    if (!slash) continue;
    *slash = 0;
    while (rmdir(dir) < 0 && errno == EBUSY && now_s() < deadline) nanosleep(&pause, NULL);
  }
}

int parent_alive(void) { return getppid() == the_parent; }

int wait_for_init(pid_t init, const struct options *o) {
  int status, orphaned = 0;
  for (;;) {
    pid_t r = waitpid(init, &status, WNOHANG);
    if (r == init) break;
    if (r < 0 && errno != EINTR) fail("wait", "init");
    siginfo_t si;
    /* Parent death: the parent changed (the process died), or the kernel's pdeathsig
     * names it as sender (the spawning thread ended: a worker thread, its run abandoned).
     * Any other SIGTERM (one sent to the process group) is Node's to handle. */
    int sig = sigwaitinfo(&watched, &si);
    if (sig == SIGINT || sig == SIGHUP || sig == SIGQUIT) kill(init, sig);
    if (sig == SIGTERM && (getppid() != the_parent || si.si_pid == the_parent) && !orphaned) {
      orphaned = 1;
      kill(init, SIGKILL);
    }
  }
  /* The init can end first: a standby exits on EOF of its orders, which Node's death also causes. */
  if (orphaned || getppid() != the_parent) remove_cgroups(o);
  return status;
}
