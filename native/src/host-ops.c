#define _GNU_SOURCE
#include "host-ops.h"
#include "made-cgroups.h"
#include "cgroup-ops.h"
#include "outcome.h"
#include "pause.h"
#include "requests.h"
#include "view.h"
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <linux/btrfs.h>
#include <linux/btrfs_tree.h>
#include <linux/loop.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <unistd.h>

static int open_dir(const char *path, struct outcome *o) {
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) failed(o, "open %s", path);
  return fd;
}

/* The parent directory of an absolute path, opened, and the last component's name copied into `name`. */
static int open_parent(const char *path, char *name, size_t size, struct outcome *o) {
  const char *slash = strrchr(path, '/');
  if (!slash || !slash[1] || strlen(slash + 1) >= size) {
    errno = EINVAL;
    return failed(o, "%s: not an absolute path to a new entry", path);
  }
  strcpy(name, slash + 1);
  char dir[4096];
  size_t len = slash == path ? 1 : (size_t)(slash - path);
  if (len >= sizeof dir) {
    errno = ENAMETOOLONG;
    return failed(o, "%s", path);
  }
  memcpy(dir, path, len);
  dir[len] = 0;
  return open_dir(dir, o);
}

/* ioctl(fd, request, arg), then fd closed; a failure (fd < 0: the open's, already recorded) is the text. */
static int ioctl_closing(int fd, unsigned long request, void *arg, struct outcome *o, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int ioctl_closing(int fd, unsigned long request, void *arg, struct outcome *o, const char *fmt, ...) {
  if (fd < 0) return -1;
  int r = ioctl(fd, request, arg);
  if (r < 0) {
    va_list ap;
    va_start(ap, fmt);
    vfailed(o, fmt, ap);
    va_end(ap);
  }
  close(fd);
  return r;
}

static int do_mount(char **a, int n, struct outcome *o) {
  (void)n;
  if (mount(a[1], a[2], a[0], view_mount_flags(a[3]), a[4][0] ? a[4] : NULL) < 0) return failed(o, "mount -t %s %s %s", a[0], a[1], a[2]);
  return 0;
}

static int do_umount(char **a, int n, struct outcome *o) {
  (void)n;
  if (umount2(a[0], UMOUNT_NOFOLLOW) == 0) return 0;
  /* Busy (a straggler's open file): detached lazily, as it is ours alone; the mount goes when the file closes. */
  if (errno == EBUSY && umount2(a[0], UMOUNT_NOFOLLOW | MNT_DETACH) == 0) return 0;
  return failed(o, "umount %s", a[0]);
}

/* An ioctl on the parent directory naming the subvolume `path` (create, destroy): `what` says which. */
static int on_parent(const char *path, unsigned long request, const char *what, struct outcome *o) {
  struct btrfs_ioctl_vol_args args = {0};
  int dir = open_parent(path, args.name, sizeof args.name, o);
  return ioctl_closing(dir, request, &args, o, "btrfs subvolume %s %s", what, path);
}

static int do_subvolume_create(char **a, int n, struct outcome *o) {
  (void)n;
  return on_parent(a[0], BTRFS_IOC_SUBVOL_CREATE, "create", o);
}

static int do_snapshot(char **a, int n, struct outcome *o) {
  (void)n;
  struct btrfs_ioctl_vol_args_v2 args = {0};
  int from = open_dir(a[0], o);
  if (from < 0) return -1;
  int dir = open_parent(a[1], args.name, sizeof args.name, o);
  int r = -1;
  if (dir >= 0) {
    args.fd = from;
    /* Without BTRFS_QGROUP_INHERIT: inheriting into a qgroup leaves the qgroups inconsistent (DESIGN.md). */
    if (!strcmp(a[2], "1")) args.flags = BTRFS_SUBVOL_RDONLY;
    r = ioctl(dir, BTRFS_IOC_SNAP_CREATE_V2, &args);
    if (r < 0) failed(o, "btrfs subvolume snapshot %s %s", a[0], a[1]);
    close(dir);
  }
  close(from);
  return r;
}

/* Lazy, as `btrfs subvolume delete` without -c: unlinked now, its blocks freed by the cleaner later. */
static int do_subvolume_delete(char **a, int n, struct outcome *o) {
  (void)n;
  return on_parent(a[0], BTRFS_IOC_SNAP_DESTROY, "delete", o);
}

static int do_qgroup_limit(char **a, int n, struct outcome *o) {
  (void)n;
  char *end;
  errno = 0;
  unsigned long long bytes = strtoull(a[1], &end, 10);
  if (errno || *end || !a[1][0]) {
    errno = EINVAL;
    return failed(o, "btrfs qgroup limit %s: not a byte count", a[1]);
  }
  /* qgroupid 0: the qgroup of the subvolume the descriptor is in, 0/<its id>. */
  struct btrfs_ioctl_qgroup_limit_args args = {.qgroupid = 0, .lim = {.flags = BTRFS_QGROUP_LIMIT_MAX_RFER, .max_rfer = bytes}};
  return ioctl_closing(open_dir(a[0], o), BTRFS_IOC_QGROUP_LIMIT, &args, o, "btrfs qgroup limit %s %s", a[1], a[0]);
}

/* A commit, then, COMMIT_GAP_US later, another if a transaction began since: a commit with a subvolume's
 * deletion in it wakes the cleaner, whose work on it a few ms later would otherwise be the next
 * `referenced`'s commit to write, on a run's clock. START_SYNC answers the running transaction's id, or
 * the last committed one's when none runs: the id of the commit before means none began. */
#define COMMIT_GAP_US 4000
static int do_commit(char **a, int n, struct outcome *o) {
  (void)n;
  int fd = open_dir(a[0], o);
  if (fd < 0) return -1;
  int r = 0;
  __u64 id, again;
  /* SYNC writes dirty data out too (START_SYNC alone commits only what is in the transaction already). */
  if (ioctl(fd, BTRFS_IOC_SYNC) < 0 || ioctl(fd, BTRFS_IOC_START_SYNC, &id) < 0 || ioctl(fd, BTRFS_IOC_WAIT_SYNC, &id) < 0)
    r = failed(o, "btrfs sync %s", a[0]);
  else {
    pause_us(COMMIT_GAP_US);
    if (ioctl(fd, BTRFS_IOC_START_SYNC, &again) < 0 || (again != id && ioctl(fd, BTRFS_IOC_WAIT_SYNC, &again) < 0)) r = failed(o, "btrfs sync %s", a[0]);
  }
  close(fd);
  return r;
}

/* Commits the filesystem (qgroup numbers are counted at a commit), then reads the subvolume's qgroup from sysfs (Linux ≥ 5.9). */
static int do_referenced(char **a, int n, struct outcome *o) {
  (void)n;
  char value[64];
  size_t size = sizeof value;
  int fd = open_dir(a[0], o);
  if (fd < 0) return -1;
  struct btrfs_ioctl_ino_lookup_args look = {.treeid = 0, .objectid = BTRFS_FIRST_FREE_OBJECTID};
  struct btrfs_ioctl_fs_info_args info = {0};
  int r = -1;
  if (ioctl(fd, BTRFS_IOC_SYNC) < 0) failed(o, "btrfs sync %s", a[0]);
  else if (ioctl(fd, BTRFS_IOC_INO_LOOKUP, &look) < 0) failed(o, "btrfs subvolume id of %s", a[0]);
  else if (ioctl(fd, BTRFS_IOC_FS_INFO, &info) < 0) failed(o, "btrfs filesystem info of %s", a[0]);
  else {
    const unsigned char *u = info.fsid;
    char path[128];
    snprintf(path, sizeof path,
             "/sys/fs/btrfs/%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x/qgroups/0_%llu/referenced",
             u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15],
             (unsigned long long)look.treeid);
    int q = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t got = q < 0 ? -1 : read(q, value, size - 1);
    if (got <= 0) {
      if (got == 0) errno = ENODATA;
      failed(o, "%s", path);
    } else {
      value[got] = 0;
      r = add_value(o, value, strcspn(value, "\n"));
    }
    if (q >= 0) close(q);
  }
  close(fd);
  return r;
}

/* A free loop device with the image behind it, as `losetup --find --show --direct-io=on`: a device
 * taken by another process between the two steps (EBUSY) is passed over for the next free one. */
static int do_loop_attach(char **a, int n, struct outcome *o) {
  (void)n;
  int img = open(a[0], O_RDWR | O_CLOEXEC);
  if (img < 0) return failed(o, "open %s", a[0]);
  int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
  if (ctl < 0) {
    failed(o, "open /dev/loop-control");
    close(img);
    return -1;
  }
  int r = -1;
  for (int tries = 0; tries < 100 && r < 0; tries++) {
    int number = ioctl(ctl, LOOP_CTL_GET_FREE);
    if (number < 0) {
      failed(o, "loop-control: no free loop device");
      break;
    }
    char dev[32];
    snprintf(dev, sizeof dev, "/dev/loop%d", number);
    int fd = open(dev, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
      failed(o, "open %s", dev);
      break;
    }
    /* Direct IO asked for in the configuration itself: switched on afterwards (LOOP_SET_DIRECT_IO) it
     * freezes the device's queue, ~10 ms here. A backing file that cannot do it is refused (EINVAL):
     * then without, as losetup does, and sysfs says so. */
    struct loop_config cfg = {.fd = (unsigned)img, .info = {.lo_flags = LO_FLAGS_DIRECT_IO}};
    snprintf((char *)cfg.info.lo_file_name, sizeof cfg.info.lo_file_name, "%s", a[0]);
    int ok = ioctl(fd, LOOP_CONFIGURE, &cfg) == 0;
    if (!ok && errno == EINVAL) {
      cfg.info.lo_flags = 0;
      ok = ioctl(fd, LOOP_CONFIGURE, &cfg) == 0;
    }
    if (ok) {
      r = add_value(o, dev, strlen(dev));
    } else if (errno != EBUSY) {
      failed(o, "attach %s to %s", a[0], dev);
      close(fd);
      break;
    }
    close(fd);
  }
  if (r < 0 && !o->err) {
    errno = EBUSY;
    failed(o, "attach %s: every free loop device was taken first", a[0]);
  }
  close(ctl);
  close(img);
  return r;
}

/* Detaches, as `losetup --detach`: a device still open elsewhere is marked autoclear by the kernel instead. */
static int do_loop_detach(char **a, int n, struct outcome *o) {
  (void)n;
  int fd = open(a[0], O_RDONLY | O_CLOEXEC);
  if (fd < 0) return failed(o, "open %s", a[0]);
  return ioctl_closing(fd, LOOP_CLR_FD, NULL, o, "detach %s", a[0]);
}

/* An op takes `args` arguments, or with `more` that many and then any number of groups of `more`.
 * `now`, where an op has it, serves it on the reading thread itself, since a thread made for a request
 * costs more than a cgroup file's call (a round trip 120–160 µs with one, 50–90 without, here): it
 * answers 0 or -1 when done, 1 when the op has to wait — then a thread of its own does `run`. */
struct op {
  const char *name;
  int args, more;
  int (*run)(char **args, int n, struct outcome *o);
  int (*now)(char **args, int n, struct outcome *o);
};

static const struct op OPS[] = {
    {"mount", 5, 0, do_mount, NULL},
    {"umount", 1, 0, do_umount, NULL},
    {"subvolume-create", 1, 0, do_subvolume_create, NULL},
    {"snapshot", 3, 0, do_snapshot, NULL},
    {"subvolume-delete", 1, 0, do_subvolume_delete, NULL},
    {"qgroup-limit", 2, 0, do_qgroup_limit, NULL},
    {"referenced", 1, 0, do_referenced, NULL},
    {"commit", 1, 0, do_commit, NULL},
    {"loop-attach", 1, 0, do_loop_attach, NULL},
    {"loop-detach", 1, 0, do_loop_detach, NULL},
    {"cgroup-make", 2, 1, make_noted, make_noted},
    {"cgroup-read", 1, 1, cgroup_read, cgroup_read},
    {"cgroup-drain", 2, 0, cgroup_drain, cgroup_drain_now},
    {"cgroup-remove", 2, 1, remove_forgetting, remove_now_forgetting},
};

static const struct op *find(int argc, char **argv, struct outcome *o) {
  errno = EINVAL;
  for (size_t i = 0; i < sizeof OPS / sizeof *OPS; i++) {
    const struct op *op = &OPS[i];
    if (strcmp(op->name, argv[0])) continue;
    int n = argc - 1;
    if (op->more ? n >= op->args && (n - op->args) % op->more == 0 : n == op->args) return op;
    failed(o, "%s does not take %d arguments", op->name, n);
    return NULL;
  }
  failed(o, "no such operation %s", argv[0]);
  return NULL;
}

static pthread_mutex_t replying = PTHREAD_MUTEX_INITIALIZER;

/* A reply longer than PIPE_BUF is several writes: held by one thread, the replies never interleave. */
static void reply(const char *line, size_t len) {
  pthread_mutex_lock(&replying);
  for (size_t done = 0; done < len;) {
    ssize_t w = write(1, line + done, len - done);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) _exit(1);
    done += (size_t)w;
  }
  pthread_mutex_unlock(&replying);
}

/* The reply to request `id` that ended with `r` (0: done) and `o`, which it frees. */
static void answer(long id, int r, struct outcome *o) {
  /* One line per reply: a newline in a path would split it (a value is base64 or has none). */
  for (char *c = o->text; *c; c++)
    if (*c == '\n') *c = '?';
  char head[320];
  int n = r == 0 ? snprintf(head, sizeof head, "%ld 0 ", id) : snprintf(head, sizeof head, "%ld %d %s\n", id, o->err, o->text);
  if (r == 0) {
    char *line = malloc((size_t)n + o->len + 1);
    if (!line) _exit(1);
    memcpy(line, head, (size_t)n);
    if (o->len) memcpy(line + n, o->value, o->len);
    line[(size_t)n + o->len] = '\n';
    reply(line, (size_t)n + o->len + 1);
    free(line);
  } else reply(head, (size_t)n);
  free(o->value);
}

/* The most tokens of one request: a cgroup-read of every counter of a run is a few dozen. */
#define MOST_TOKENS 1024

struct request {
  long id;
  const struct op *op;
  int argc;
  char **argv;
  char tokens[];
};

static void *serve_one(void *arg) {
  struct request *r = arg;
  struct outcome o = {0};
  answer(r->id, r->op->run(r->argv + 2, r->argc - 1, &o), &o); /* argv[1] is the op */
  free(r->argv);
  free(r);
  return NULL;
}

/* Answers the request at once where its op can be (`now`); true when it did. */
static int served_now(long id, int argc, char **argv, const struct op **op) {
  struct outcome o = {0};
  *op = find(argc, argv, &o);
  int r = -1;
  if (*op && !(*op)->now) return 0;
  if (*op && (r = (*op)->now(argv + 1, argc - 1, &o)) == 1) {
    free(o.value);
    return 0;
  }
  answer(id, r, &o);
  return 1;
}

/* Serves every whole request in buf[0..len), at once or on a thread of its own; returns how many bytes it used. */
static size_t serve_requests(char *buf, size_t len, long *next_id, pthread_attr_t *detached) {
  size_t used = 0;
  char *end = buf + len;
  for (;;) {
    char *p = buf + used;
    long argc = 0;
    char **vec = read_tokens(&p, end, MOST_TOKENS, &argc);
    if (!vec && argc >= 0) return used; /* the rest of it has not arrived yet */
    if (!vec || argc < 1) {
      fprintf(stderr, "cgbox-init --host-ops: bad request (%ld tokens)\n", argc);
      _exit(2);
    }
    const struct op *op;
    long id = ++*next_id;
    if (served_now(id, (int)argc, vec + 1, &op)) {
      free(vec);
      used = (size_t)(p - buf);
      continue;
    }
    /* The tokens are copied: buf moves on under the thread. The vector is kept, pointed into the copy. */
    char *first = vec[1];
    struct request *r = malloc(sizeof *r + (size_t)(p - first));
    if (!r) _exit(1);
    r->id = id;
    r->op = op;
    r->argc = (int)argc;
    r->argv = vec;
    memcpy(r->tokens, first, (size_t)(p - first));
    for (long i = 1; i <= argc; i++) r->argv[i] = r->tokens + (vec[i] - first);
    pthread_t t;
    int e = pthread_create(&t, detached, serve_one, r);
    if (e) {
      char line[96];
      int n = snprintf(line, sizeof line, "%ld %d thread: %s\n", r->id, e, strerror(e));
      free(r->argv);
      free(r);
      reply(line, (size_t)n);
    }
    used = (size_t)(p - buf);
  }
}

static pid_t the_parent;

/* Node's death (pdeathsig): the cgroups made and not yet removed go, then the process, calls under way
 * and all. Any other SIGTERM (one sent to the whole process group) is ignored, as a terminal's signals
 * are: Node tears its runs down through this helper. */
static void *watch_parent(void *unused) {
  (void)unused;
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  /* A look each second too: a parent gone whose signal never came (one that died before prctl) is gone. */
  const struct timespec second = {1, 0};
  for (;;) {
    siginfo_t si = {0};
    int sig = sigtimedwait(&term, &si, &second);
    /* The parent changed (it died), or the kernel's pdeathsig names it (the spawning thread ended). */
    if (getppid() != the_parent || (sig == SIGTERM && si.si_pid == the_parent)) {
      sweep_made();
      _exit(0);
    }
  }
}

int serve_host_ops(void) {
  the_parent = getppid();
  /* SIGTERM is taken by watch_parent alone: blocked here, before any thread exists, it is blocked in all. */
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  if (sigprocmask(SIG_BLOCK, &term, NULL) < 0) return 1;
  if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0) return 1;
  if (getppid() == 1 || getppid() != the_parent) return 0; /* Node died before pdeathsig was set */
  signal(SIGPIPE, SIG_IGN);
  /* A terminal's ^C (or its hangup) reaches Node's whole process group, this helper included, while
   * Node goes on to tear its runs down through it: it stays for that, and pdeathsig ends it with Node. */
  signal(SIGINT, SIG_IGN);
  signal(SIGQUIT, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  pthread_attr_t detached;
  pthread_attr_init(&detached);
  pthread_attr_setdetachstate(&detached, PTHREAD_CREATE_DETACHED);
  /* Small stacks (the calls need little), but never below what the platform allows (128 KiB on arm64). */
  long least = sysconf(_SC_THREAD_STACK_MIN);
  size_t stack = least > 64 * 1024 ? (size_t)least : 64 * 1024;
  if (pthread_attr_setstacksize(&detached, stack) != 0) return 1;
  pthread_t watcher;
  if (pthread_create(&watcher, &detached, watch_parent, NULL) != 0) return 1;
  size_t cap = 1 << 14, len = 0;
  char *buf = malloc(cap);
  if (!buf) return 1;
  long next_id = 0;
  for (;;) {
    if (len == cap && !(buf = realloc(buf, cap *= 2))) return 1;
    ssize_t r = read(0, buf + len, cap - len);
    if (r == 0) {
      /* EOF: Node has exited. What it made and had not removed goes; the process ends with Node's
       * pdeathsig (watch_parent), which follows. */
      sweep_made();
      pthread_exit(NULL);
    }
    if (r < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    len += (size_t)r;
    size_t used = serve_requests(buf, len, &next_id, &detached);
    memmove(buf, buf + used, len - used);
    len -= used;
  }
}
