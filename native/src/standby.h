#ifndef CGBOX_STANDBY_H
#define CGBOX_STANDBY_H
#include "options.h"

/* A standby init has joined its cgroups ahead of time (on cgroup v1 the first
 * task migration waits for an RCU grace period, milliseconds that would
 * otherwise sit in every sandbox's start-up) and waits here for its orders.
 * They come on the status socket (STATUS_FD, a socket pair: Node writes the
 * orders one way while the statuses go the other, and ends its side once
 * they are sent — a socket of their own cost Node a handle per spare):
 * NUL-terminated tokens — a count N, then N option tokens as on the command
 * line (ending with -- FILE ARGS...), then the command's environment, one
 * VAR=value per token, until EOF. A count of 0 means the standby was
 * discarded: exit quietly. EOF with nothing means Node is dying: wait to be
 * killed by the parent-death chain, which also removes the cgroups. */

void await_orders(struct options *o);

#endif
