/*
 * cgbox-init: starts one sandbox and reports the command's exact wait status.
 *
 *   cgbox-init [--cgroup PROCS_FILE]... [--hostname NAME] [--net none|host]
 *              [--cwd DIR] [--parent PID] -- FILE [ARG]...
 *
 * Two processes, because a new pid namespace applies to children only:
 *   outer  (stays in the caller's cgroups) unshares the pid namespace, forks the
 *          init, and tells Node its host pid;
 *   init   (pid 1 inside) joins every cgroup before anything else runs, makes
 *          the other namespaces, mounts a fresh /proc, forks the command, reaps
 *          every orphan, and reports the command's wait status. When the command
 *          ends, init exits and the kernel kills whatever else is in the sandbox,
 *          as a container ends with its main process.
 * Death of the parent is chained with PR_SET_PDEATHSIG: Node dies → outer gets
 * SIGKILL → init gets SIGKILL → the kernel kills the whole pid namespace.
 *
 * Status protocol on fd 3, one line per message (each write is atomic, < PIPE_BUF):
 *   init PID            host pid of the sandbox's init
 *   ready               namespaces and cgroups are in place; the command is next
 *   error STEP ERRNO MESSAGE   a setup step failed (nothing of the command ran)
 *   exit CODE | signal NUM [core]   how the command ended
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define STATUS_FD 3
#define MAX_CGROUPS 16
#define SETUP_FAILED 125

struct options {
  const char *cgroups[MAX_CGROUPS];
  int ncgroups;
  const char *hostname;
  const char *cwd;
  int own_net;
  pid_t parent;
  char **argv;
};

static void report(const char *fmt, ...) {
  char line[512];
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

static void fail(const char *step, const char *what) {
  int e = errno;
  report("error %s %d %s: %s", step, e, what, strerror(e));
  _exit(SETUP_FAILED);
}

static void usage(void) {
  fprintf(stderr, "usage: cgbox-init [--cgroup FILE]... [--hostname NAME] [--net none|host] [--cwd DIR] [--parent PID] -- FILE [ARG]...\n");
  exit(2);
}

static void parse(int argc, char **argv, struct options *o) {
  memset(o, 0, sizeof *o);
  o->own_net = 1;
  int i = 1;
  for (; i < argc && strcmp(argv[i], "--") != 0; i += 2) {
    if (i + 1 >= argc) usage();
    const char *k = argv[i], *v = argv[i + 1];
    if (!strcmp(k, "--cgroup") && o->ncgroups < MAX_CGROUPS) o->cgroups[o->ncgroups++] = v;
    else if (!strcmp(k, "--hostname")) o->hostname = v;
    else if (!strcmp(k, "--cwd")) o->cwd = v;
    else if (!strcmp(k, "--net")) o->own_net = strcmp(v, "host") != 0;
    else if (!strcmp(k, "--parent")) o->parent = (pid_t)atoi(v);
    else usage();
  }
  if (i + 1 >= argc) usage();
  o->argv = &argv[i + 1];
}

static void join_cgroups(const struct options *o) {
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

static void make_namespaces(const struct options *o) {
  /* After joining the cgroups: the cgroup namespace's root is the sandbox's cgroup. */
  int flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP | (o->own_net ? CLONE_NEWNET : 0);
  if (unshare(flags) < 0) fail("namespaces", "unshare");
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) fail("mount", "make / private");
  if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) fail("mount", "/proc");
  if (o->hostname && sethostname(o->hostname, strlen(o->hostname)) < 0) fail("hostname", o->hostname);
  if (o->own_net) loopback_up();
}

static const int FORWARDED[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
#define NFORWARDED (int)(sizeof FORWARDED / sizeof FORWARDED[0])

/* Runs in the command's process: undo what init set for itself, then exec. */
static void exec_command(const struct options *o, int err_fd, const char *oom_adj) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  for (int i = 0; i < NFORWARDED; i++) signal(FORWARDED[i], SIG_DFL);
  int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  if (fd >= 0) {
    ssize_t ignored = write(fd, oom_adj, strlen(oom_adj));
    (void)ignored;
    close(fd);
  }
  if (o->cwd && chdir(o->cwd) < 0) {
    int e = errno;
    ssize_t ignored = write(err_fd, &e, sizeof e);
    (void)ignored;
    _exit(127);
  }
  execvp(o->argv[0], o->argv);
  int e = -errno; /* negative: exec, not chdir */
  ssize_t ignored = write(err_fd, &e, sizeof e);
  (void)ignored;
  _exit(127);
}

static void report_status(int status) {
  if (WIFEXITED(status)) report("exit %d", WEXITSTATUS(status));
  else if (WIFSIGNALED(status)) report("signal %d%s", WTERMSIG(status), WCOREDUMP(status) ? " core" : "");
}

static int run_init(const struct options *o, int life_fd) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) fail("init", "pdeathsig");
  /* The outer may have died before pdeathsig was set: its end of the pipe then shows a hang-up. */
  struct pollfd p = {.fd = life_fd, .events = POLLIN};
  if (poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLIN))) _exit(SETUP_FAILED);
  close(life_fd);

  join_cgroups(o);
  make_namespaces(o);

  /* Init must outlive the command: it ignores the signals a timeout sends to
   * everything in the cgroup, and the OOM killer never picks it. */
  char oom_adj[16] = "0";
  int fd = open("/proc/self/oom_score_adj", O_RDWR | O_CLOEXEC);
  if (fd >= 0) {
    ssize_t n = read(fd, oom_adj, sizeof oom_adj - 1);
    oom_adj[n > 0 ? n : 0] = 0;
    if (n <= 0) strcpy(oom_adj, "0");
    ssize_t ignored = write(fd, "-1000", 5);
    (void)ignored;
    close(fd);
  }
  for (int i = 0; i < NFORWARDED; i++) signal(FORWARDED[i], SIG_IGN);

  int err[2];
  if (pipe2(err, O_CLOEXEC) < 0) fail("init", "pipe");
  fcntl(STATUS_FD, F_SETFD, FD_CLOEXEC);
  report("ready");
  pid_t cmd = fork();
  if (cmd < 0) fail("fork", o->argv[0]);
  if (cmd == 0) exec_command(o, err[1], oom_adj);
  close(err[1]);
  int e = 0;
  if (read(err[0], &e, sizeof e) == (ssize_t)sizeof e) {
    errno = e < 0 ? -e : e;
    fail(e < 0 ? "exec" : "cwd", e < 0 ? o->argv[0] : o->cwd);
  }
  close(err[0]);

  /* Reap every orphan; the command's own status is the one that counts. */
  for (;;) {
    int status;
    pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0 && errno == EINTR) continue;
    if (pid < 0) fail("wait", "waitpid");
    if (pid == cmd) {
      report_status(status);
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
  }
}

int main(int argc, char **argv) {
  struct options o;
  parse(argc, argv, &o);
  if (fcntl(STATUS_FD, F_GETFD) < 0) {
    fprintf(stderr, "cgbox-init: fd %d (the status pipe) is not open; cgbox-init is started by cgbox\n", STATUS_FD);
    return 2;
  }
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) fail("init", "pdeathsig");
  if (o.parent && getppid() != o.parent) _exit(SETUP_FAILED); /* Node died before pdeathsig was set */

  int life[2];
  if (pipe2(life, O_CLOEXEC) < 0) fail("init", "pipe");
  if (unshare(CLONE_NEWPID) < 0) fail("namespaces", "unshare pid");
  pid_t init = fork();
  if (init < 0) fail("fork", "init");
  if (init == 0) {
    close(life[1]);
    _exit(run_init(&o, life[0]));
  }
  close(life[0]);
  report("init %d", (int)init);

  int status;
  while (waitpid(init, &status, 0) < 0)
    if (errno != EINTR) fail("wait", "init");
  /* Init's own death by a signal (a kill of the whole sandbox) is Node's to interpret. */
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
