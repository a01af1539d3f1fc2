/* The primitives of the sandbox's filesystem view (the plan is src/view/'s). */
#define _GNU_SOURCE
#include "view.h"
#include "report.h"
#include "mountinfo.h"
#include "sandbox.h"
#include "userns.h"
#include <sched.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The new mount API, by number where the headers predate it (the same on every architecture). */
#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#define CG_OPEN_TREE_CLONE 1
#define CG_OPEN_TREE_CLOEXEC O_CLOEXEC
#define CG_MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#define CG_AT_RECURSIVE 0x8000
#define CG_MOUNT_ATTR_RDONLY 0x00000001
#define CG_MOUNT_ATTR_NOSUID 0x00000002
#define CG_MOUNT_ATTR_NODEV 0x00000004
#define CG_MOUNT_ATTR_NOEXEC 0x00000008
struct cg_mount_attr {
  unsigned long long attr_set, attr_clr, propagation, userns_fd;
};

static const struct {
  const char *name;
  int nargs;
} OPS[] = {{"root", 4},  {"tmpfs", 3},    {"bind", 3},    {"mkdir", 1},   {"file", 1},   {"symlink", 2}, {"mount", 4},
           {"sysfs", 2}, {"mask", 1},     {"readonly", 1}, {"setattr", 2}, {"detach", 1}, {"detach-pseudo", 1},
           {"join", 0}};

int view_op_arity(const char *name) {
  for (size_t i = 0; i < sizeof OPS / sizeof *OPS; i++)
    if (!strcmp(OPS[i].name, name)) return OPS[i].nargs;
  return -1;
}

enum { F_RO = 1, F_REC = 2, F_NOSUID = 4, F_NODEV = 8, F_NOEXEC = 16, F_TRY = 32 };

static int parse_flags(const char *s) {
  int f = 0;
  char buf[128];
  snprintf(buf, sizeof buf, "%s", s);
  for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    if (!strcmp(t, "ro")) f |= F_RO;
    else if (!strcmp(t, "rec")) f |= F_REC;
    else if (!strcmp(t, "nosuid")) f |= F_NOSUID;
    else if (!strcmp(t, "nodev")) f |= F_NODEV;
    else if (!strcmp(t, "noexec")) f |= F_NOEXEC;
    else if (!strcmp(t, "try")) f |= F_TRY;
  }
  return f;
}

static unsigned long ms_flags(int f) {
  return (f & F_RO ? MS_RDONLY : 0) | (f & F_NOSUID ? MS_NOSUID : 0) | (f & F_NODEV ? MS_NODEV : 0) | (f & F_NOEXEC ? MS_NOEXEC : 0);
}

unsigned long view_mount_flags(const char *flags) {
  return ms_flags(parse_flags(flags));
}

static unsigned long long attr_flags(int f) {
  return (f & F_RO ? CG_MOUNT_ATTR_RDONLY : 0) | (f & F_NOSUID ? CG_MOUNT_ATTR_NOSUID : 0) | (f & F_NODEV ? CG_MOUNT_ATTR_NODEV : 0) |
         (f & F_NOEXEC ? CG_MOUNT_ATTR_NOEXEC : 0);
}

static int clone_tree(const char *path, int recursive) {
  return (int)syscall(SYS_open_tree, AT_FDCWD, path, CG_OPEN_TREE_CLONE | CG_OPEN_TREE_CLOEXEC | (recursive ? CG_AT_RECURSIVE : 0));
}

int view_needs_sources(const struct options *o) {
  for (int i = 0; i < o->nops; i++) {
    const char *n = o->ops[i].name;
    if (!strcmp(n, "bind") || !strcmp(n, "sysfs") || !strcmp(n, "mask") || (!strcmp(n, "root") && !strcmp(o->ops[i].arg[1], "bind"))) return 1;
  }
  return 0;
}

void view_clone_sources(struct options *o) {
  for (int i = 0; i < o->nops; i++) {
    struct view_op *op = &o->ops[i];
    const char *src = NULL;
    int rec = 1, try = 0;
    if (!strcmp(op->name, "bind")) {
      int f = parse_flags(op->arg[2]);
      src = op->arg[0], rec = f & F_REC, try = f & F_TRY;
    } else if (!strcmp(op->name, "root") && !strcmp(op->arg[1], "bind")) src = op->arg[2];
    else if (!strcmp(op->name, "sysfs")) src = "/sys", rec = 0, try = 1; /* only for the fallback */
    else if (!strcmp(op->name, "mask")) src = "/dev/null", rec = 0;
    if (!src) continue;
    op->source_fd = clone_tree(src, rec);
    op->source_rec = rec;
    /* In a user namespace the host's submounts of /sys are locked to it: only the whole tree may be cloned. */
    if (op->source_fd < 0 && errno == EINVAL && !rec && !strcmp(op->name, "sysfs")) op->source_fd = clone_tree(src, op->source_rec = 1);
    if (op->source_fd >= 0 || (try && errno == ENOENT)) continue;
    if (errno == ENOSYS) fail("view", "open_tree (Linux 5.2) is needed for the read-only view; .privileged() runs without it");
    fail("view", src);
  }
}

int view_without_setattr;

/* mount_setattr, or ENOSYS where the kernel (before 5.12) or --no-mount-setattr (its test) says so. */
static long mount_setattr_(int dfd, const char *path, unsigned flags, struct cg_mount_attr *attr) {
  if (view_without_setattr) {
    errno = ENOSYS;
    return -1;
  }
  return syscall(SYS_mount_setattr, dfd, path, flags, attr, sizeof *attr);
}

/* Flags on one mount (or a whole tree): mount_setattr (Linux 5.12), else a remount of each from mountinfo. */
static void set_attr(int dfd, const char *path, int f) {
  struct cg_mount_attr attr = {.attr_set = attr_flags(f)};
  unsigned flags = (f & F_REC ? CG_AT_RECURSIVE : 0) | (dfd >= 0 ? AT_EMPTY_PATH : 0);
  if (mount_setattr_(dfd >= 0 ? dfd : AT_FDCWD, dfd >= 0 ? "" : path, flags, &attr) == 0) return;
  if (errno != ENOSYS) fail("view", path);
  if (dfd >= 0) return; /* a detached clone: set once it is attached, by path (the caller does) */
  int n;
  struct mount_entry *m = mounts_under(path, &n);
  for (int i = 0; i < n; i++) {
    if (!(f & F_REC) && strcmp(m[i].path, path)) continue;
    if (mount(NULL, m[i].path, NULL, MS_REMOUNT | MS_BIND | m[i].flags | ms_flags(f), NULL) < 0) fail("view", m[i].path);
  }
  free(m);
}

static int exists(const char *path) {
  struct stat st;
  return lstat(path, &st) == 0;
}

static void mkdir_p(const char *path) {
  char buf[PATH_MAX];
  if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
    errno = ENAMETOOLONG;
    fail("view", path);
  }
  for (char *p = buf + 1;; p++) {
    if (*p && *p != '/') continue;
    char c = *p;
    *p = 0;
    if (mkdir(buf, 0755) < 0 && errno != EEXIST) fail("view", buf);
    *p = c;
    if (!c) break;
  }
}

static void make_file(const char *path) {
  char parent[PATH_MAX];
  snprintf(parent, sizeof parent, "%s", path);
  char *slash = strrchr(parent, '/');
  if (slash && slash != parent) {
    *slash = 0;
    mkdir_p(parent);
  }
  int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0 && errno != EEXIST) fail("view", path);
  if (fd >= 0) close(fd);
}

/* A clone of a shared host mount is that mount's peer: made private at once, or a mount made
 * on it inside the sandbox (a tmpfs at /var/tmp) would propagate to the host's. */
static void attach(int fd, const char *target) {
  if (syscall(SYS_move_mount, fd, "", AT_FDCWD, target, CG_MOVE_MOUNT_F_EMPTY_PATH) < 0) fail("view", target);
  close(fd);
  if (mount(NULL, target, NULL, MS_REC | MS_PRIVATE, NULL) < 0) fail("view", target);
}

static void bind_clone(int fd, const char *target, int f) {
  int attrs = f & (F_RO | F_NOSUID | F_NODEV | F_NOEXEC);
  if (attrs) {
    struct cg_mount_attr attr = {.attr_set = attr_flags(f)};
    if (mount_setattr_(fd, "", AT_EMPTY_PATH | (f & F_REC ? CG_AT_RECURSIVE : 0), &attr) == 0) attrs = 0;
    else if (errno != ENOSYS) fail("view", target);
  }
  attach(fd, target);
  if (attrs) set_attr(-1, target, f); /* before 5.12: remount each submount by path */
}

static void pivot_into(const char *staging) {
  if (chdir(staging) < 0) fail("view", staging);
  /* pivot_root(".", ".") stacks the old root on the new one; detaching it leaves nothing of the host's tree. */
  if (syscall(SYS_pivot_root, ".", ".") < 0) fail("view", "pivot_root");
  if (umount2(".", MNT_DETACH) < 0) fail("view", "detach the host's tree");
  if (chdir("/") < 0) fail("view", "/");
}

#define SYSFS_MAGIC 0x62656572
#define CGROUP_MAGIC 0x27e0eb
#define CGROUP2_MAGIC 0x63677270

static int fs_is(const char *path, long magic) {
  struct statfs st;
  return statfs(path, &st) == 0 && (long)st.f_type == magic;
}

/*
 * The kernel filesystems the planner asks for in the new root before the pivot (EARLY): in a user
 * namespace the kernel mounts a proc or sysfs only while another one is fully visible in the mount
 * namespace (mount_too_revealing), which after the pivot none is. proc must succeed; a sysfs may be
 * refused (no net namespace of its own: the host's network), and the sys layer then binds the host's.
 */
static void early_mounts(const char *root, const char *early) {
  char path[PATH_MAX + 16];
  if (strstr(early, "proc")) {
    snprintf(path, sizeof path, "%s/proc", root);
    mkdir_p(path);
    if (mount("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) fail("view", "/proc");
  }
  if (strstr(early, "sysfs")) {
    snprintf(path, sizeof path, "%s/sys", root);
    mkdir_p(path);
    if (mount("sysfs", path, "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0 && errno != EPERM) fail("view", "/sys");
  }
}

/*
 * A copy-on-write root made inside a user namespace (overlayfs there: Linux 5.11): its upper and
 * work directories on a tmpfs of the sandbox's own, so writes to / are memory charged to the
 * sandbox and gone with it, and nothing of it lands on the host. Returns the new root.
 */
static const char *overlay_root(const char *staging, const char *lower, char *root, size_t size) {
  char options[PATH_MAX * 3 + 64];
  if (mount("tmpfs", staging, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755") < 0) fail("view", "the root overlay's tmpfs");
  snprintf(root, size, "%s/root", staging);
  snprintf(options, sizeof options, "%s/upper", staging);
  mkdir_p(options);
  snprintf(options, sizeof options, "%s/work", staging);
  mkdir_p(options);
  mkdir_p(root);
  /* userxattr: in a user namespace overlayfs keeps its own xattrs in user.overlay.* (5.11). */
  snprintf(options, sizeof options, "lowerdir=%s,upperdir=%s/upper,workdir=%s/work,userxattr", lower, staging, staging);
  if (mount("overlay", root, "overlay", 0, options) < 0) fail("view", "the root overlay (overlayfs in a user namespace: Linux 5.11)");
  return root;
}

static void root_step(const struct view_op *op) {
  const char *staging = op->arg[0], *kind = op->arg[1];
  char overlay[PATH_MAX];
  const char *root = staging;
  if (!strcmp(kind, "tmpfs")) {
    if (mount("tmpfs", staging, "tmpfs", MS_NOSUID | MS_NODEV, op->arg[2]) < 0) fail("view", "the root tmpfs");
  } else if (!strcmp(kind, "overlay")) root = overlay_root(staging, op->arg[2], overlay, sizeof overlay);
  else attach(op->source_fd, staging);
  if (strcmp(op->arg[3], "-")) early_mounts(root, op->arg[3]);
  pivot_into(root);
}

static const char *const PSEUDO[] = {"proc", "sysfs", "cgroup", "cgroup2", "devtmpfs", "devpts", "securityfs", "debugfs", "tracefs", "bpf",
                                     "configfs", "fusectl", "pstore", "efivarfs", "binfmt_misc", "mqueue", "nsfs", "autofs", "rpc_pipefs"};

/* Whether `path` is one of the colon-separated `keep` prefixes or under one. */
static int kept(const char *path, const char *keep) {
  for (const char *k = keep; *k;) {
    const char *end = strchr(k, ':');
    size_t len = end ? (size_t)(end - k) : strlen(k);
    if (len && !strncmp(path, k, len) && (path[len] == 0 || path[len] == '/')) return 1;
    if (!end) break;
    k = end + 1;
  }
  return 0;
}

/* An empty read-only tmpfs over `path` (a directory); nothing when it is not one any more. */
static void cover(const char *path) {
  struct stat st;
  if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) return;
  if (mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0k,nr_inodes=1,mode=555") < 0 && errno != ENOENT) fail("view", path);
}

static void detach_pseudo(const char *keep) {
  int n;
  struct mount_entry *m = mounts_under("/", &n);
  for (int i = n - 1; i >= 0; i--) {
    if (kept(m[i].path, keep)) continue;
    for (size_t t = 0; t < sizeof PSEUDO / sizeof *PSEUDO; t++)
      if (!strcmp(m[i].type, PSEUDO[t])) {
        if (umount2(m[i].path, MNT_DETACH) == 0) break;
        /* A normal user's sandbox cannot reach a mount under a directory the user may not search (another
         * user's 0700 directory): nor can anything inside it, since root there is the user. Left alone. */
        if (errno == EACCES && in_user_namespace) break;
        if (errno != EINVAL && errno != ENOENT) fail("view", m[i].path);
        /* A user namespace's copy of a host mount is locked to its parent (MNT_LOCKED): it cannot be
         * lifted off alone, but it can be covered — an empty read-only tmpfs over it. */
        if (errno == EINVAL && in_user_namespace) cover(m[i].path);
        break;
      }
  }
  free(m);
}

static void sysfs_step(const struct view_op *op) {
  int f = parse_flags(op->arg[1]);
  /* Mounted with the root already (its EARLY list), or fresh now. */
  if (fs_is(op->arg[0], SYSFS_MAGIC) || mount("sysfs", op->arg[0], "sysfs", ms_flags(f), NULL) == 0) {
    if (op->source_fd >= 0) close(op->source_fd);
    return;
  }
  /* Where the kernel refuses a fresh sysfs, the host's, alone (none of its submounts), read-only. */
  if (op->source_fd < 0) fail("view", "sysfs");
  /* A user namespace's clone of it is the whole tree (its submounts locked to it): read-only, all of it. */
  bind_clone(op->source_fd, op->arg[0], op->source_rec ? f | F_REC : f & ~F_REC);
}

static void mask_step(const struct view_op *op) {
  struct stat st;
  const char *path = op->arg[0];
  if (stat(path, &st) < 0) {
    close(op->source_fd);
    return; /* this kernel has no such path */
  }
  if (S_ISDIR(st.st_mode)) {
    close(op->source_fd);
    if (mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0k,nr_inodes=1,mode=555") < 0) fail("view", path);
  } else attach(op->source_fd, path);
}

static void step(const struct options *o, const struct view_op *op) {
  const char *n = op->name;
  const char *const *a = op->arg;
  if (!strcmp(n, "root")) root_step(op);
  else if (!strcmp(n, "tmpfs")) {
    int f = parse_flags(a[2]);
    if ((f & F_TRY) && !exists(a[0])) return;
    if (mount("tmpfs", a[0], "tmpfs", ms_flags(f), a[1]) < 0) fail("view", a[0]);
  } else if (!strcmp(n, "bind")) {
    if (op->source_fd < 0) return; /* "try", and the source is gone */
    bind_clone(op->source_fd, a[1], parse_flags(a[2]));
  } else if (!strcmp(n, "mkdir")) mkdir_p(a[0]);
  else if (!strcmp(n, "file")) make_file(a[0]);
  else if (!strcmp(n, "symlink")) {
    if (symlink(a[0], a[1]) < 0 && errno != EEXIST) fail("view", a[1]);
  } else if (!strcmp(n, "mount")) {
    const char *data = strcmp(a[3], "-") ? a[3] : NULL;
    if (mount(a[0], a[1], a[0], ms_flags(parse_flags(a[2])), data) == 0) return;
    /* A cgroup filesystem on its own superblock's root is EBUSY; where that mount could not be lifted
     * off (locked to its parent in a user namespace), a tmpfs goes between. */
    if (errno != EBUSY || !(fs_is(a[1], CGROUP2_MAGIC) || fs_is(a[1], CGROUP_MAGIC))) fail("view", a[1]);
    if (mount("tmpfs", a[1], "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=755") < 0 || mount(a[0], a[1], a[0], ms_flags(parse_flags(a[2])), data) < 0) fail("view", a[1]);
  } else if (!strcmp(n, "sysfs")) sysfs_step(op);
  else if (!strcmp(n, "mask")) mask_step(op);
  else if (!strcmp(n, "readonly")) {
    if (!exists(a[0])) return;
    if (mount(a[0], a[0], NULL, MS_BIND | MS_REC, NULL) < 0) fail("view", a[0]);
    set_attr(-1, a[0], F_RO | F_REC);
  } else if (!strcmp(n, "setattr")) set_attr(-1, a[0], parse_flags(a[1]));
  else if (!strcmp(n, "detach")) {
    if (umount2(a[0], MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT) fail("view", a[0]);
  } else if (!strcmp(n, "detach-pseudo")) detach_pseudo(a[0]);
  else if (!strcmp(n, "join")) {
    /* A standby's view so far was built in the caller's cgroups (its cost is not the run's); the rest in the sandbox's. */
    join_cgroups(o);
    if (unshare(CLONE_NEWCGROUP) < 0) fail("namespaces", "unshare cgroup");
  }
}

int view_has_join(const struct options *o) {
  for (int i = 0; i < o->nops; i++)
    if (!strcmp(o->ops[i].name, "join")) return 1;
  return 0;
}

void view_build(const struct options *o) {
  for (int i = 0; i < o->nops; i++) step(o, &o->ops[i]);
}
