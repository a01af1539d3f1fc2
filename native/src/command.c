#define _GNU_SOURCE
#include "caps.h"
#include "command.h"
#include "report.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static const int FORWARDED[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE};
#define NFORWARDED (int)(sizeof FORWARDED / sizeof FORWARDED[0])
const int RELAYED[NRELAYED] = {SIGINT, SIGHUP, SIGQUIT};

void ignore_forwarded_signals(void) {
  for (int i = 0; i < NFORWARDED; i++) signal(FORWARDED[i], SIG_IGN);
}

/* Which step failed in the child, sent with its errno through a CLOEXEC pipe. */
enum child_step { STEP_CGROUP, STEP_CWD, STEP_EXEC, STEP_SESSION };
static const char *const STEP_NAMES[] = {"cgroup", "cwd", "exec", "session"};

static void child_failed(int err_fd, enum child_step step) {
  int msg[2] = {step, errno};
  ssize_t ignored = write(err_fd, msg, sizeof msg);
  (void)ignored;
  _exit(127);
}

static void exec_in_child(const struct options *o, int err_fd, const char *oom_adj, const int *cgroup_fds) {
  /* Default dispositions before unblocking: nothing pending reaches the init's handlers here. */
  for (int i = 0; i < NFORWARDED; i++) signal(FORWARDED[i], SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  if (setsid() < 0) child_failed(err_fd, STEP_SESSION);
  for (int i = 0; cgroup_fds && cgroup_fds[i] >= 0; i++)
    if (write(cgroup_fds[i], "0", 1) != 1) child_failed(err_fd, STEP_CGROUP);
  int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  if (fd >= 0) {
    ssize_t ignored = write(fd, oom_adj, strlen(oom_adj));
    (void)ignored;
    close(fd);
  }
  if (o->null_stdin) {
    int null = open("/dev/null", O_RDONLY);
    if (null < 0 || dup2(null, 0) < 0) child_failed(err_fd, STEP_EXEC);
    close(null);
  }
  if (o->cwd && chdir(o->cwd) < 0 && !(o->cwd_soft && chdir("/") == 0)) child_failed(err_fd, STEP_CWD);
  if (o->envp) environ = o->envp;
  if (o->caps) keep_capabilities(o->caps); /* a failure is reported by fail() on the status pipe */
  execvp(o->argv[0], o->argv);
  child_failed(err_fd, STEP_EXEC);
}

pid_t start_command(const struct options *o, const char *oom_adj, const int *cgroup_fds, volatile pid_t *forked) {
  int err[2];
  if (pipe2(err, O_CLOEXEC) < 0) fail("init", "pipe");
  pid_t cmd = fork();
  if (cmd < 0) fail("fork", o->argv[0]);
  if (cmd == 0) exec_in_child(o, err[1], oom_adj, cgroup_fds);
  if (forked) *forked = cmd;
  close(err[1]);
  int msg[2];
  if (read(err[0], msg, sizeof msg) == (ssize_t)sizeof msg) {
    errno = msg[1];
    enum child_step step = (enum child_step)msg[0];
    fail(STEP_NAMES[step], step == STEP_EXEC ? o->argv[0] : step == STEP_CWD ? o->cwd : step == STEP_SESSION ? "setsid" : "join the sandbox's cgroups");
  }
  close(err[0]);
  return cmd;
}
