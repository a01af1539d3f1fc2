#define _GNU_SOURCE
#include "userns.h"
#include "report.h"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

int in_user_namespace;

/* "0:1000:1" and nothing else: the caller's own id, which it may map itself. */
static int own_id_only(const char *map, unsigned id) {
  unsigned inside, outside, count;
  int end = 0;
  return sscanf(map, "%u:%u:%u%n", &inside, &outside, &count, &end) == 3 && map[end] == 0 && inside == 0 && outside == id && count == 1;
}

/* "a:b:c,d:e:f" → "a b c\nd e f\n", as /proc/PID/uid_map takes it. */
static void map_text(const char *map, char *out, size_t size) {
  size_t n = 0;
  for (const char *p = map; *p && n + 2 < size; p++) out[n++] = *p == ':' ? ' ' : *p == ',' ? '\n' : *p;
  out[n++] = '\n';
  out[n] = 0;
}

static void write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) fail("userns", path);
  close(fd);
}

/* HELPER PID INSIDE OUTSIDE COUNT…, with its stderr into `err`. Returns its exit status (-1: not run). */
static int run_helper(const char *helper, pid_t pid, const char *map, int err) {
  char *argv[64];
  char buf[1024], pidtext[16];
  int argc = 0;
  snprintf(pidtext, sizeof pidtext, "%d", (int)pid);
  snprintf(buf, sizeof buf, "%s", map);
  argv[argc++] = (char *)helper;
  argv[argc++] = pidtext;
  for (char *save = NULL, *t = strtok_r(buf, ":,", &save); t && argc < 62; t = strtok_r(NULL, ":,", &save)) argv[argc++] = t;
  argv[argc] = NULL;
  pid_t child = fork();
  if (child < 0) return -1;
  if (child == 0) {
    dup2(err, 1);
    dup2(err, 2);
    execv(helper, argv);
    dprintf(err, "%s: %s", helper, strerror(errno));
    _exit(127);
  }
  int status;
  while (waitpid(child, &status, 0) < 0)
    if (errno != EINTR) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The maps written from outside by newuidmap/newgidmap: a helper that stays in this namespace. */
static void map_with_helpers(const struct options *o) {
  int go[2], res[2];
  if (pipe2(go, O_CLOEXEC) < 0 || pipe2(res, O_CLOEXEC) < 0) fail("userns", "pipe");
  pid_t outer = getpid();
  pid_t helper = fork();
  if (helper < 0) fail("userns", "fork");
  if (helper == 0) {
    close(go[1]);
    close(res[0]);
    char c;
    if (read(go[0], &c, 1) != 1) _exit(1); /* the outer could not unshare: nothing to map */
    int u = run_helper(o->newuidmap, outer, o->uid_map, res[1]);
    int g = u == 0 ? run_helper(o->newgidmap, outer, o->gid_map, res[1]) : 0;
    if (u != 0 || g != 0) dprintf(res[1], " (%s exited with %d)", u != 0 ? o->newuidmap : o->newgidmap, u != 0 ? u : g);
    _exit(u != 0 || g != 0);
  }
  close(go[0]);
  close(res[1]);
  int unshared = unshare(CLONE_NEWUSER);
  int unshare_errno = errno;
  if (unshared == 0 && write(go[1], "x", 1) != 1) unshared = -1;
  close(go[1]);
  char msg[768];
  size_t n = 0;
  for (ssize_t r; n < sizeof msg - 1 && (r = read(res[0], msg + n, sizeof msg - 1 - n)) != 0;) {
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) break;
    n += (size_t)r;
  }
  msg[n] = 0;
  close(res[0]);
  int status;
  while (waitpid(helper, &status, 0) < 0)
    if (errno != EINTR) fail("userns", "wait for newuidmap");
  if (unshared < 0) {
    errno = unshare_errno;
    fail("userns", "unshare(CLONE_NEWUSER)");
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    for (char *p = msg; *p; p++)
      if (*p == '\n') *p = ' ';
    errno = EPERM;
    fail("userns", msg[0] ? msg : "newuidmap/newgidmap failed");
  }
  /* The host's supplementary groups have no business inside (they show as nogroup there). */
  if (setgroups(0, NULL) < 0) fail("userns", "setgroups");
}

void enter_user_namespace(const struct options *o) {
  if (own_id_only(o->uid_map, geteuid()) && own_id_only(o->gid_map, getegid())) {
    char text[64];
    if (unshare(CLONE_NEWUSER) < 0) fail("userns", "unshare(CLONE_NEWUSER)");
    write_file("/proc/self/setgroups", "deny");
    map_text(o->uid_map, text, sizeof text);
    write_file("/proc/self/uid_map", text);
    map_text(o->gid_map, text, sizeof text);
    write_file("/proc/self/gid_map", text);
  } else {
    if (!o->newuidmap || !o->newgidmap) {
      errno = EINVAL;
      fail("userns", "a map beyond the caller's own id needs newuidmap and newgidmap (--idmap-helpers)");
    }
    map_with_helpers(o);
  }
  in_user_namespace = 1;
  if (unshare(CLONE_NEWNS) < 0) fail("userns", "unshare(CLONE_NEWNS)");
  /* Mounts made here stay here: not propagated back to whatever the copy is a slave of. */
  if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0) fail("userns", "make / a slave");
}

/* cp -R of a template's content into a fresh volume, by the cp Node found (--cp). */
static void copy_in(const char *cp, const char *from, const char *to) {
  char src[4096];
  snprintf(src, sizeof src, "%s/.", from);
  pid_t child = fork();
  if (child < 0) fail("volume", "fork cp");
  if (child == 0) {
    dup2(2, 1); /* nothing of cp's reaches the command's stdout */
    execl(cp, cp, "-R", "--preserve=mode,timestamps,links", "--", src, to, (char *)NULL);
    _exit(127);
  }
  int status;
  while (waitpid(child, &status, 0) < 0)
    if (errno != EINTR) fail("volume", "wait for cp");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    errno = EIO;
    fail("volume", from);
  }
}

void mount_tmpfs_volumes(const struct options *o) {
  for (int i = 0; i < o->nvolumes; i++) {
    const struct tmpfs_volume *v = &o->volumes[i];
    if (mount("tmpfs", v->path, "tmpfs", MS_NOSUID | MS_NODEV, v->options) < 0) fail("volume", v->path);
    if (v->from) {
      if (!o->cp) {
        errno = EINVAL;
        fail("volume", "a template needs --cp");
      }
      copy_in(o->cp, v->from, v->path);
    }
  }
}

void report_tmpfs_volumes(const struct options *o) {
  for (int i = 0; i < o->nvolumes; i++) {
    struct statfs st;
    if (statfs(o->volumes[i].path, &st) < 0) continue;
    report("volume-used %llu %s", (unsigned long long)(st.f_blocks - st.f_bfree) * (unsigned long long)st.f_bsize, o->volumes[i].path);
  }
}

/* The probe's steps, in the child: the first that fails is named. */
static const char *probe_steps(uid_t uid, gid_t gid) {
  char text[64];
  if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) return "unshare(CLONE_NEWUSER|CLONE_NEWNS)";
  int fd = open("/proc/self/setgroups", O_WRONLY | O_CLOEXEC);
  if (fd >= 0 && write(fd, "deny", 4) != 4) return "write setgroups";
  if (fd >= 0) close(fd);
  snprintf(text, sizeof text, "0 %u 1\n", (unsigned)uid);
  if ((fd = open("/proc/self/uid_map", O_WRONLY | O_CLOEXEC)) < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) return "write uid_map";
  close(fd);
  snprintf(text, sizeof text, "0 %u 1\n", (unsigned)gid);
  if ((fd = open("/proc/self/gid_map", O_WRONLY | O_CLOEXEC)) < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) return "write gid_map";
  close(fd);
  /* Where a policy withholds capabilities from the namespace (Ubuntu's AppArmor restriction), this fails. */
  if (mount("tmpfs", "/", "tmpfs", 0, "size=4k") < 0) return "mount a tmpfs in it";
  return NULL;
}

int probe_userns(void) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) return 1;
  uid_t uid = geteuid();
  gid_t gid = getegid();
  pid_t child = fork();
  if (child < 0) return 1;
  if (child == 0) {
    const char *failed = probe_steps(uid, gid);
    if (failed) dprintf(fds[1], "error %d %s: %s\n", errno, failed, strerror(errno));
    else dprintf(fds[1], "ok\n");
    _exit(failed ? 1 : 0);
  }
  close(fds[1]);
  char line[256];
  ssize_t n = read(fds[0], line, sizeof line - 1);
  int status;
  waitpid(child, &status, 0);
  if (n <= 0) strcpy(line, "error 0 the probe died\n");
  else line[n] = 0;
  fputs(line, stdout);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
