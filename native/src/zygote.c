#define _GNU_SOURCE
#include "zygote.h"
#include "requests.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define NFDS 4

struct child {
  pid_t pid;
  long id;
};

static struct child *children;
static size_t nchildren, capchildren;
static int channel = -1;

static void die(const char *what) {
  fprintf(stderr, "cgbox-init --zygote: %s: %s\n", what, strerror(errno));
  _exit(1);
}

static void send_line(const char *line, size_t len, int fd) {
  struct iovec iov = {(void *)line, len};
  char cbuf[CMSG_SPACE(sizeof(int))];
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
  if (fd >= 0) {
    memset(cbuf, 0, sizeof cbuf);
    mh.msg_control = cbuf;
    mh.msg_controllen = sizeof cbuf;
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
  }
  /* One message per sendmsg: Node delivers at most one descriptor per read, with its own line. */
  while (sendmsg(channel, &mh, MSG_NOSIGNAL) < 0)
    if (errno != EINTR) _exit(0); /* Node is gone */
}

static void reply(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reply(int fd, const char *fmt, ...) {
  char line[160];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  send_line(line, (size_t)n, fd);
}

static void remember(pid_t pid, long id) {
  if (nchildren == capchildren) {
    capchildren = capchildren ? capchildren * 2 : 16;
    children = realloc(children, capchildren * sizeof *children);
    if (!children) die("out of memory");
  }
  children[nchildren++] = (struct child){pid, id};
}

static long forget(pid_t pid) {
  for (size_t i = 0; i < nchildren; i++)
    if (children[i].pid == pid) {
      long id = children[i].id;
      children[i] = children[--nchildren];
      return id;
    }
  return -1;
}

static void reap(void) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    long id = forget(pid);
    if (id < 0) continue;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1, sig = WIFSIGNALED(status) ? WTERMSIG(status) : -1;
    reply(-1, "{\"cgbox\":\"exit\",\"id\":%ld,\"code\":%d,\"signal\":%d}\n", id, code, sig);
  }
}

/* In the child: the asked-for fds are the socket ends (0–2 not asked for are /dev/null), nothing
 * of the server's stays, and `run` starts as main does. */
static void become(int (*run)(int, char **), int ends[NFDS], int argc, char **argv, char **envp, int sigfd) {
  environ = envp;
  close(sigfd);
  close(channel);
  int high[NFDS];
  for (int k = 0; k < NFDS; k++) {
    if (ends[k] >= 0) high[k] = fcntl(ends[k], F_DUPFD_CLOEXEC, 16);
    else high[k] = k <= 2 ? open("/dev/null", O_RDWR | O_CLOEXEC) : -1;
    if (high[k] < 0 && (ends[k] >= 0 || k <= 2)) _exit(125);
  }
  for (int k = 0; k < NFDS; k++)
    if (high[k] < 0) close(k);
    else if (dup2(high[k], k) < 0) _exit(125);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  signal(SIGPIPE, SIG_DFL);
  prctl(PR_SET_PDEATHSIG, 0);
  _exit(run(argc, argv));
}

static void serve(int (*run)(int, char **), long id, unsigned fds, int argc, char **argv, char **envp, int sigfd) {
  int pairs[NFDS][2];
  for (int k = 0; k < NFDS; k++)
    if (!(fds & 1u << k)) pairs[k][0] = pairs[k][1] = -1;
    else if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pairs[k]) < 0) die("socketpair");
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    int ends[NFDS];
    for (int k = 0; k < NFDS; k++) ends[k] = pairs[k][1];
    become(run, ends, argc, argv, envp, sigfd);
  }
  remember(pid, id);
  for (int k = 0; k < NFDS; k++) {
    if (pairs[k][0] < 0) continue;
    close(pairs[k][1]);
    reply(pairs[k][0], "{\"cmd\":\"NODE_HANDLE\",\"type\":\"net.Socket\",\"msg\":{\"cgbox\":\"fd\",\"id\":%ld,\"fd\":%d}}\n", id, k);
    close(pairs[k][0]);
  }
  reply(-1, "{\"cgbox\":\"pid\",\"id\":%ld,\"pid\":%d}\n", id, (int)pid);
}

/* The tokens of a count and as many after it, from p: NULL until all have arrived. vec[0] is left for argv[0]. */
static char **tokens(char **p, char *end, long *n) {
  long got = 0;
  char **vec = read_tokens(p, end, 100000, &got);
  if (!vec && got < 0) {
    errno = EINVAL;
    die("request: bad token count");
  }
  if (vec) *n = got;
  return vec;
}

/* Serves every whole request in buf[0..len); returns how many bytes it used. */
static size_t serve_requests(int (*run)(int, char **), char *buf, size_t len, long *next_id, int sigfd) {
  size_t used = 0;
  char *end = buf + len;
  for (;;) {
    char *p = buf + used;
    char *nul = p < end ? memchr(p, 0, (size_t)(end - p)) : NULL;
    if (!nul) return used;
    unsigned fds = 0;
    for (char *d = p; d < nul; d++)
      if (*d >= '0' && *d < '0' + NFDS) fds |= 1u << (*d - '0');
    if (!(fds & 1u << 3)) {
      errno = EINVAL;
      die("request: no status pipe (fd 3) asked for");
    }
    p = nul + 1;
    long argc, envc;
    char **argv = tokens(&p, end, &argc);
    if (!argv) return used;
    char **env = tokens(&p, end, &envc);
    if (!env) {
      free(argv);
      return used; /* the rest of this request has not arrived yet */
    }
    if (argc < 1) {
      errno = EINVAL;
      die("request: no arguments");
    }
    argv[0] = "cgbox-init";
    serve(run, ++*next_id, fds, (int)argc + 1, argv, env + 1, sigfd);
    free(argv);
    free(env);
    used = (size_t)(p - buf);
  }
}

int serve_forks(int (*run)(int, char **)) {
  const char *ch = getenv("NODE_CHANNEL_FD");
  if (!ch) {
    fprintf(stderr, "cgbox-init --zygote: no NODE_CHANNEL_FD: it is started by cgbox with an ipc channel\n");
    return 2;
  }
  channel = atoi(ch);
  unsetenv("NODE_CHANNEL_FD");
  unsetenv("NODE_CHANNEL_SERIALIZATION_MODE");
  fcntl(channel, F_SETFD, FD_CLOEXEC);
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) die("pdeathsig");
  if (getppid() == 1) return 0; /* Node died before pdeathsig was set */
  signal(SIGPIPE, SIG_IGN);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  int sigfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sigfd < 0) die("signalfd");
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap);
  if (!buf) die("out of memory");
  long next_id = 0;
  for (;;) {
    struct pollfd p[3] = {{.fd = 0, .events = POLLIN}, {.fd = channel, .events = POLLIN}, {.fd = sigfd, .events = POLLIN}};
    if (poll(p, 3, -1) < 0) {
      if (errno == EINTR) continue;
      die("poll");
    }
    if (p[2].revents & POLLIN) {
      struct signalfd_siginfo si;
      while (read(sigfd, &si, sizeof si) > 0) {
      }
      reap();
    }
    if (p[1].revents & (POLLIN | POLLHUP)) {
      char acks[4096]; /* NODE_HANDLE_ACKs: nothing to act on */
      ssize_t r = read(channel, acks, sizeof acks);
      if (r == 0) return 0;
    }
    if (p[0].revents & (POLLIN | POLLHUP)) {
      if (len == cap && !(buf = realloc(buf, cap *= 2))) die("out of memory");
      ssize_t r = read(0, buf + len, cap - len);
      if (r == 0) return 0;
      if (r < 0 && errno != EINTR) die("read requests");
      if (r > 0) len += (size_t)r;
      size_t used = serve_requests(run, buf, len, &next_id, sigfd);
      memmove(buf, buf + used, len - used);
      len -= used;
    }
  }
}
