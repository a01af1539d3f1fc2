/* /proc/self/mountinfo as the sandbox's view sees it (needs /proc mounted in it). */
#ifndef CGBOX_MOUNTINFO_H
#define CGBOX_MOUNTINFO_H
#include <limits.h>

struct mount_entry {
  char path[PATH_MAX]; /* the mount point, unescaped */
  char type[64];
  unsigned long flags; /* MS_RDONLY, MS_NOSUID… of this mount (not of its superblock) */
};

/* Every mount at or under `prefix` ("/" for all), in mountinfo's order; free() the list. */
struct mount_entry *mounts_under(const char *prefix, int *count);

#endif
