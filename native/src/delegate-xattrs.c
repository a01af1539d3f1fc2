/*
 * cgbox-init --delegate-xattrs DIR...: prints the marks systemd leaves on the
 * cgroups it delegates (Delegate=yes): trusted.delegate, set by the system
 * manager, and user.delegate, set by a user's manager (which may not write
 * trusted.*). One line per mark found: NAME TAB VALUE TAB DIR. Node has no
 * getxattr(2); the placement probe (src/host/caller-context.ts) asks here.
 * Reading trusted.* needs CAP_SYS_ADMIN: without it those marks are not seen.
 */
#include <stdio.h>
#include <sys/xattr.h>

int print_delegate_xattrs(int argc, char **argv) {
  static const char *const names[] = {"trusted.delegate", "user.delegate"};
  for (int i = 0; i < argc; i++)
    for (size_t j = 0; j < sizeof names / sizeof *names; j++) {
      char value[64];
      ssize_t n = getxattr(argv[i], names[j], value, sizeof value - 1);
      if (n < 0) continue; /* absent (ENODATA), not permitted, or no such cgroup */
      value[n] = 0;
      printf("%s\t%s\t%s\n", names[j], value, argv[i]);
    }
  return fflush(stdout) == 0 ? 0 : 1;
}
