#define _GNU_SOURCE
#include "mountinfo.h"
#include "report.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

static void unescape(char *s) {
  char *w = s;
  for (char *r = s; *r; r++) {
    if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] && r[3]) {
      *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
      r += 3;
    } else *w++ = *r;
  }
  *w = 0;
}

static unsigned long options_flags(const char *opts) {
  unsigned long f = 0;
  char buf[512];
  snprintf(buf, sizeof buf, "%s", opts);
  for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    if (!strcmp(t, "ro")) f |= MS_RDONLY;
    else if (!strcmp(t, "nosuid")) f |= MS_NOSUID;
    else if (!strcmp(t, "nodev")) f |= MS_NODEV;
    else if (!strcmp(t, "noexec")) f |= MS_NOEXEC;
    else if (!strcmp(t, "noatime")) f |= MS_NOATIME;
    else if (!strcmp(t, "nodiratime")) f |= MS_NODIRATIME;
    else if (!strcmp(t, "relatime")) f |= MS_RELATIME;
  }
  return f;
}

struct mount_entry *mounts_under(const char *prefix, int *count) {
  FILE *f = fopen("/proc/self/mountinfo", "re");
  if (!f) fail("view", "/proc/self/mountinfo");
  size_t cap = 64, n = 0, plen = strlen(prefix);
  struct mount_entry *list = malloc(cap * sizeof *list);
  char *line = NULL;
  size_t len = 0;
  while (list && getline(&line, &len, f) > 0) {
    char point[PATH_MAX], opts[512], type[64];
    /* id parent dev root POINT OPTIONS [optional...] - TYPE source super */
    if (sscanf(line, "%*s %*s %*s %*s %4095s %511s", point, opts) != 2) continue;
    char *dash = strstr(line, " - ");
    if (!dash || sscanf(dash + 3, "%63s", type) != 1) continue;
    unescape(point);
    int under = !strcmp(prefix, "/") || !strcmp(point, prefix) || (!strncmp(point, prefix, plen) && point[plen] == '/');
    if (!under) continue;
    if (n == cap) list = realloc(list, (cap *= 2) * sizeof *list);
    if (!list) break;
    snprintf(list[n].path, sizeof list[n].path, "%s", point);
    snprintf(list[n].type, sizeof list[n].type, "%s", type);
    list[n].flags = options_flags(opts);
    n++;
  }
  free(line);
  fclose(f);
  if (!list) fail("view", "out of memory");
  *count = (int)n;
  return list;
}

