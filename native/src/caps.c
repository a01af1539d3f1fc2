#define _GNU_SOURCE
#include "caps.h"
#include "report.h"
#include <errno.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

void keep_capabilities(const char *mask_hex) {
  char *end;
  errno = 0;
  uint64_t keep = strtoull(mask_hex, &end, 16);
  if (errno || *end) {
    errno = EINVAL;
    fail("capabilities", mask_hex);
  }
  /* Up to the kernel's last capability: PR_CAPBSET_DROP says EINVAL past it. */
  for (int cap = 0; cap < 64; cap++) {
    if (keep & (1ULL << cap)) continue;
    int in_set = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
    if (in_set < 0) break; /* EINVAL: past the kernel's last capability */
    /* Already dropped (the init did, the command inherits): dropping again would need CAP_SETPCAP. */
    if (in_set && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) fail("capabilities", "drop from the bounding set");
  }
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) fail("capabilities", "clear ambient");
  struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct data[2] = {{0}};
  /* No more than this process holds ('ALL' on a host that withholds some, such as a container's). */
  if (syscall(SYS_capget, &header, data) < 0) fail("capabilities", "capget");
  keep &= (uint64_t)data[0].permitted | ((uint64_t)data[1].permitted << 32);
  for (int i = 0; i < 2; i++) {
    data[i].effective = data[i].permitted = (uint32_t)(keep >> (32 * i));
    data[i].inheritable = 0;
  }
  if (syscall(SYS_capset, &header, data) < 0) fail("capabilities", "capset");
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) fail("capabilities", "no_new_privs");
}
