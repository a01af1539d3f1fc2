/* Sleeps `us` microseconds, the whole of them, whatever signal interrupts the sleep. */
#ifndef CGBOX_PAUSE_H
#define CGBOX_PAUSE_H

#include <errno.h>
#include <time.h>

static inline void pause_us(long us) {
  struct timespec t = {.tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000};
  while (nanosleep(&t, &t) < 0 && errno == EINTR) {}
}

#endif
