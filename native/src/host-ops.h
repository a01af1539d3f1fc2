/*
 * cgbox-init --host-ops: the host-side system calls of volumes and cgroups, served without a process of a tool
 * each. mount(8), umount(8), losetup(8) and btrfs(8) each cost a fork and an exec and then parse the mount table
 * or the filesystem's trees (3–9 ms a command here); the calls they make take microseconds, the
 * kernel's own work aside. Started once by Node (src/host/host-ops.ts), with pipes on 0 and 1.
 *
 * Each request on stdin is "ARGC\0OP\0ARG\0…" (ARGC counts OP and its arguments). A volume's is served
 * by a thread of its own, so that a slow one (a snapshot's commit) holds up none after it — a thread,
 * not a fork, which made a run with a snapshot volume (four requests) ~0.5 ms longer here. A cgroup's,
 * whose calls take microseconds, is served at once by the thread that reads the requests, and only
 * one that has to wait (tasks still to leave, an rmdir refused for a moment) goes on a thread. Its reply is
 * one line on stdout, written whole before any other:
 *   ID 0 VALUE        done (VALUE is empty but for `referenced`, `loop-attach` and `cgroup-read`)
 *   ID ERRNO TEXT     failed with that errno; TEXT says which call
 * ID counts the requests from 1, in the order they came. The ops:
 *   mount TYPE SOURCE TARGET FLAGS DATA    mount(2); FLAGS as the view's (view.h: ro, nosuid, nodev,
 *                                          noexec, or "-"), DATA may be empty
 *   umount TARGET                          umount2(2), detached lazily (MNT_DETACH) if busy
 *   subvolume-create PATH                  a btrfs subvolume at PATH
 *   snapshot FROM TO READONLY              a snapshot of the subvolume FROM at TO (READONLY 0 or 1)
 *   subvolume-delete PATH                  deletes the subvolume PATH (ENOTEMPTY with subvolumes inside)
 *   qgroup-limit PATH BYTES                max referenced bytes of PATH's own qgroup (0/<id>)
 *   referenced PATH                        commits, then PATH's qgroup's referenced bytes
 *   commit PATH                            commits the btrfs filesystem PATH is on, and again a few ms
 *                                          later if a transaction began since
 *   loop-attach IMAGE                      a free loop device with IMAGE behind it (direct IO where it
 *                                          can be); VALUE is its path
 *   loop-detach DEVICE                     detaches it (autoclear when it is still open elsewhere)
 *   cgroup-make, cgroup-read, cgroup-drain, cgroup-remove: a run's cgroups (cgroup-ops.h)
 * It ends with its parent (PR_SET_PDEATHSIG, or a parent seen gone), a call under way completing in the
 * kernel unanswered; first, at EOF of its requests and again then, it removes the cgroups it made that
 * Node had not removed yet and that hold no task (made-cgroups.h). A SIGTERM to the whole process group
 * is ignored, as a terminal's signals are.
 */
#ifndef CGBOX_HOST_OPS_H
#define CGBOX_HOST_OPS_H

int serve_host_ops(void);

#endif
