#ifndef CGBOX_PINNED_H
#define CGBOX_PINNED_H
#include <sys/types.h>

/* A process named by its pid and its start time (field 22 of /proc/PID/stat, clock ticks after
 * boot): the pair names one process for the machine's life, where a pid alone is reused once the
 * process is reaped. The start mode reports both for the init; exec mode is given both back. */

/* --no-pidfd: take the path of kernels before 5.3 (the start time read again), for its test. */
extern int pin_without_pidfd;

/* The start time of a live process; 0 when there is none with that pid. */
unsigned long long start_time_of(pid_t pid);

/* Holds on to the process with this pid and start time (a pidfd, Linux 5.3; -1 on older kernels)
 * before its /proc/PID files are opened. Fails step "enter" when that process is gone. */
int pin_process(pid_t pid, unsigned long long start);

/* After the /proc/PID files are open: they were that process's. With a pidfd, the process it pins
 * is still alive, so the pid was never reused in between; without one, its start time again. */
void check_pinned(int pidfd, pid_t pid, unsigned long long start);

#endif
