#!/usr/bin/env bash
# The `container` context's init (container.sh starts it as pid 1 of a pid and
# mount namespace of its own), in runc's order: join the container's cgroup,
# then unshare the cgroup namespace (rooted where the process is then), then
# mount that view at /sys/fs/cgroup; then the runner.
#
#   container-init.sh join CGROUP CONTEXT     (then, re-executed: inside CONTEXT)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
case "$1" in
  join)
    echo 0 >"$2/cgroup.procs" # 0: the writer itself
    exec unshare --cgroup bash "$0" inside "$3"
    ;;
  inside)
    # The host's cgroup2 mount comes off first: a second one on top of it is EBUSY.
    umount /sys/fs/cgroup || umount -l /sys/fs/cgroup
    mount -t cgroup2 -o rw,nosuid,nodev,noexec,relatime cgroup2 /sys/fs/cgroup
    # No systemd to talk to, as in a container: /run/systemd/system is how a program tells that
    # systemd runs the host, and /run holds its sockets and the bus.
    mount -t tmpfs -o rw,nosuid,nodev,mode=755 tmpfs /run
    echo "container: pid $$ in cgroup $(sed -n 's/^0:://p' /proc/self/cgroup) of its own namespace; /sys/fs/cgroup has $(cat /sys/fs/cgroup/cgroup.controllers)"
    # Not exec'd: pid 1 stays this shell, as a container's init would be.
    bash "$HERE/runner.sh" "$2"
    ;;
esac
