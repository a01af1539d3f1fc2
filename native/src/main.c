/*
 * cgbox-init: starts one sandbox, or runs a command inside a running one, and
 * reports the command's exact wait status. Started by cgbox with a status pipe
 * on fd 3 (protocol in report.h):
 *   init PID [TICK]     host pid of the sandbox's init and its start time (pinned.h; exec
 *                       mode: the command's pid only)
 *   ready               namespaces and cgroups are in place; the command is next
 *   started             the command was exec'd
 *   error STEP ERRNO MESSAGE   a setup step failed (nothing of the command ran)
 *   exit CODE | signal NUM [core]   how the command ended
 *
 * Start mode — two processes, because a new pid namespace applies to children only:
 *   outer  (stays in the caller's cgroups) unshares the pid namespace, forks the
 *          init, and tells Node its host pid;
 *   init   (pid 1 inside) joins every cgroup before anything else runs, makes
 *          the other namespaces and mounts, forks the command, reaps every
 *          orphan, and reports the command's status. When the command ends,
 *          init exits and the kernel kills whatever else is in the sandbox, as a
 *          container ends with its main process.
 * Exec mode (--enter PID:TICK): the outer joins that init's namespaces and forks the
 * command, which joins the cgroups before it execs.
 * Death of the parent is chained with PR_SET_PDEATHSIG: Node dies → the outer
 * (orphan.c) kills the init → the kernel kills the whole pid namespace → the
 * outer removes the sandbox's cgroups. Exec mode: Node dies → SIGKILL.
 */
#define _GNU_SOURCE
#include "caps.h"
#include "command.h"
#include "host-ops.h"
#include "options.h"
#include "orphan.h"
#include "pinned.h"
#include "report.h"
#include "run-end.h"
#include "sandbox.h"
#include "scope-hold.h"
#include "standby.h"
#include "userns.h"
#include "view.h"
#include "zygote.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int wait_for(pid_t pid) {
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) fail("wait", "waitpid");
  return status;
}

static int exit_code_of(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Init must outlive the command: the OOM killer never picks it. Returns the value to restore for the command. */
static void protect_from_oom(char *saved, size_t size) {
  strcpy(saved, "0");
  int fd = open("/proc/self/oom_score_adj", O_RDWR | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t n = read(fd, saved, size - 1);
  saved[n > 0 ? n : 1] = 0;
  if (n <= 0) strcpy(saved, "0");
  ssize_t ignored = write(fd, "-1000", 5);
  (void)ignored;
  close(fd);
}

/* The command's pid for the relay: a terminal's ^C reaches the outer (the command is in a session of its own). */
static volatile pid_t the_command;

static void relay(int sig) {
  /* To its session's process group; before its setsid() that group does not exist yet. */
  if (the_command > 0 && kill(-the_command, sig) < 0) kill(the_command, sig);
}

static void relay_terminal_signals(void) {
  sigset_t set;
  sigemptyset(&set);
  struct sigaction sa = {.sa_handler = relay};
  sigemptyset(&sa.sa_mask);
  for (int i = 0; i < NRELAYED; i++) {
    sigaction(RELAYED[i], &sa, NULL);
    sigaddset(&set, RELAYED[i]);
  }
  sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static int run_init(struct options *o, int life_fd, int end_fd) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) fail("init", "pdeathsig");
  /* The outer may have died before pdeathsig was set: its end of the pipe then shows a hang-up. */
  struct pollfd p = {.fd = life_fd, .events = POLLIN};
  if (poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLIN))) _exit(SETUP_FAILED);
  close(life_fd);
  /* Out of the command's reach: no ptrace, no /proc/1/fd, mem or environ without CAP_SYS_PTRACE;
   * and out of the caller's terminal session (its signals come relayed by the outer). */
  if (prctl(PR_SET_DUMPABLE, 0) < 0) fail("init", "dumpable");
  if (setsid() < 0) fail("init", "setsid");

  /* With a view to build, the init joins at its "join" step: the tree work before is not the run's. */
  if (!view_has_join(o)) join_cgroups(o);
  if (o->standby) {
    if (o->nops) prepare_sandbox(o);
    report("standby");
    await_orders(o);
    pass_run_end(o, end_fd);
  }
  make_sandbox(o);
  char oom_adj[16];
  protect_from_oom(oom_adj, sizeof oom_adj);
  ignore_forwarded_signals();
  relay_terminal_signals();
  if (o->caps) keep_capabilities(o->caps); /* the init keeps no more than the command gets */
  fcntl(STATUS_FD, F_SETFD, FD_CLOEXEC);
  report("ready");
  /* A terminal's signal arriving while the command is forked waits until the relay knows its pid. */
  sigset_t relayed, previous;
  sigemptyset(&relayed);
  for (int i = 0; i < NRELAYED; i++) sigaddset(&relayed, RELAYED[i]);
  sigprocmask(SIG_BLOCK, &relayed, &previous);
  pid_t cmd = start_command(o, oom_adj, NULL, &the_command);
  sigprocmask(SIG_SETMASK, &previous, NULL);
  report("started");

  /* Reap every orphan; the command's own status is the one that counts. */
  for (;;) {
    int status;
    pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0 && errno == EINTR) continue;
    if (pid < 0) fail("wait", "waitpid");
    if (pid == cmd) {
      report_status(status);
      return exit_code_of(status);
    }
  }
}

static int saved_argc;
static char **saved_argv;

/*
 * Once in its user namespace, the outer execs itself again: a process's memory belongs to the user
 * namespace it exec'd in, and the kernel lets a non-dumpable process's namespace files be opened only
 * by one with CAP_SYS_PTRACE there. The init (forked from here, non-dumpable) then belongs to the
 * sandbox's user namespace, whose owner — the caller, Node — may enter it (box.exec()), while the
 * command, without that capability, still may not. Same arguments, with --in-userns.
 */
static void reexec_in_userns(void) {
  char **argv = calloc((size_t)saved_argc + 2, sizeof *argv);
  if (!argv) fail("userns", "out of memory");
  argv[0] = saved_argv[0];
  argv[1] = "--in-userns";
  for (int i = 1; i < saved_argc; i++) argv[i + 1] = saved_argv[i];
  execv("/proc/self/exe", argv);
  fail("userns", "exec /proc/self/exe");
}

static int start_sandbox(struct options *o) {
  int life[2], end[2] = {-1, -1};
  if (pipe2(life, O_CLOEXEC) < 0) fail("init", "pipe");
  /* A standby's run-end options come with its orders, to the init (run-end.h). */
  if (o->standby && pipe2(end, O_CLOEXEC | O_NONBLOCK) < 0) fail("init", "pipe");
  /* Rootless: the user namespace first, so that it owns every namespace made after it. */
  if (o->uid_map && !o->in_userns) {
    enter_user_namespace(o);
    reexec_in_userns();
  }
  mount_tmpfs_volumes(o);
  if (unshare(CLONE_NEWPID) < 0) fail("namespaces", "unshare pid");
  pid_t init = fork();
  if (init < 0) fail("fork", "init");
  if (init == 0) {
    close(life[1]);
    if (end[0] >= 0) close(end[0]);
    _exit(run_init(o, life[0], end[1]));
  }
  close(life[0]);
  if (end[1] >= 0) close(end[1]);
  /* The init is this process's child: its pid is not reused before it is waited for. */
  report("init %d %llu", (int)init, start_time_of(init));
  /* Init's own death by a signal (a kill of the whole sandbox) is Node's to interpret. */
  int status = wait_for_init(init, o);
  /* Every task is gone with the init: what the tmpfs volumes hold now is the run's last word. */
  report_tmpfs_volumes(o);
  if (end[0] >= 0) take_run_end(o, end[0]);
  if (parent_alive()) end_run(o);
  return exit_code_of(status);
}

/* Namespaces in an order that keeps /proc/PID reachable: the mount namespace last. The user
 * namespace (a rootless sandbox's) first: it owns the others, and joining it gives the rights to. */
static const struct {
  const char *name;
  int type;
} NAMESPACES[] = {{"user", CLONE_NEWUSER}, {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS}, {"net", CLONE_NEWNET},
                  {"cgroup", CLONE_NEWCGROUP}, {"pid", CLONE_NEWPID}, {"mnt", CLONE_NEWNS}};

/* Whether `fd` is the namespace this process is in already: joining it is a no-op, or refused (a
 * rootless sandbox with the host's network: the host's net namespace is not the user namespace's). */
static int already_in(int fd, const char *name) {
  char path[64];
  struct stat a, b;
  snprintf(path, sizeof path, "/proc/self/ns/%s", name);
  return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

static int enter_sandbox(const struct options *o) {
  /* The cgroup files live on the host's /sys: open them before leaving its mount namespace. */
  int *cgroup_fds = calloc((size_t)o->ncgroups + 1, sizeof *cgroup_fds);
  if (!cgroup_fds) fail("enter", "out of memory");
  for (int i = 0; i < o->ncgroups; i++)
    if ((cgroup_fds[i] = open(o->cgroups[i], O_WRONLY | O_CLOEXEC)) < 0) fail("cgroup", o->cgroups[i]);
  cgroup_fds[o->ncgroups] = -1;
  int ns_fds[sizeof NAMESPACES / sizeof *NAMESPACES];
  char path[64];
  int pidfd = pin_process(o->enter, o->enter_start);
  for (size_t i = 0; i < sizeof NAMESPACES / sizeof *NAMESPACES; i++) {
    snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)o->enter, NAMESPACES[i].name);
    if ((ns_fds[i] = open(path, O_RDONLY | O_CLOEXEC)) < 0) fail("enter", path);
    if (already_in(ns_fds[i], NAMESPACES[i].name)) {
      close(ns_fds[i]);
      ns_fds[i] = -1;
    }
  }
  check_pinned(pidfd, o->enter, o->enter_start);
  for (size_t i = 0; i < sizeof NAMESPACES / sizeof *NAMESPACES; i++)
    if (ns_fds[i] >= 0 && setns(ns_fds[i], NAMESPACES[i].type) < 0) fail("enter", NAMESPACES[i].name);
  fcntl(STATUS_FD, F_SETFD, FD_CLOEXEC);
  report("ready");
  /* The pid namespace applies to children: the command is forked, and joins the cgroups itself. */
  pid_t cmd = start_command(o, "0", cgroup_fds, NULL);
  report("init %d", (int)cmd);
  report("started");
  int status = wait_for(cmd);
  report_status(status);
  return exit_code_of(status);
}

/* Nothing the caller leaked (a descriptor without close-on-exec) reaches the sandbox: every fd past
 * the status socket (3, which also carries a standby's orders) is closed. close_range is Linux 5.9;
 * before it, one by one. */
static void close_inherited(void) {
  if (syscall(436 /* SYS_close_range */, 4U, ~0U, 0U) == 0) return;
  long max = sysconf(_SC_OPEN_MAX);
  for (long fd = 4; fd < (max > 0 ? max : 1024); fd++) close((int)fd);
}

static int run(int argc, char **argv) {
  struct options o;
  saved_argc = argc;
  saved_argv = argv;
  close_inherited();
  parse_options(argc, argv, &o);
  if (!o.uid_map != !o.gid_map || (o.nvolumes && !o.uid_map)) {
    fprintf(stderr, "cgbox-init: --uid-map and --gid-map go together, and --tmpfs-volume needs them\n");
    return 2;
  }
  if (fcntl(STATUS_FD, F_GETFD) < 0) {
    fprintf(stderr, "cgbox-init: fd %d (the status pipe) is not open; cgbox-init is started by cgbox\n", STATUS_FD);
    return 2;
  }
  if (o.enter) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) fail("init", "pdeathsig");
    if (o.parent && getppid() != o.parent) _exit(SETUP_FAILED); /* Node died before pdeathsig was set */
  } else if (!watch_parent(o.parent ? o.parent : getppid())) {
    _exit(SETUP_FAILED); /* Node died before pdeathsig was set */
  }
  /* A terminal's ^C reaches the whole process group, the command included: let the
   * command decide how it ends. If Node dies of it instead, pdeathsig still ends us. */
  signal(SIGINT, SIG_IGN);
  signal(SIGQUIT, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  return o.enter ? enter_sandbox(&o) : start_sandbox(&o);
}

int main(int argc, char **argv) {
  if (argc == 2 && !strcmp(argv[1], "--zygote")) return serve_forks(run);
  if (argc == 2 && !strcmp(argv[1], "--host-ops")) return serve_host_ops();
  if (argc == 2 && !strcmp(argv[1], "--hold-scope")) return hold_scope();
  return run(argc, argv);
}
