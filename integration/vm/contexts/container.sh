#!/usr/bin/env bash
# The `container` context: the runner in a container as Docker or podman make
# one on a cgroup-v2 systemd host, with no systemd inside. The container's
# cgroup sits in the engine's unit with Delegate=yes (systemd cgroup driver),
# with the controllers available to it and only the container's own processes
# in it (the engine's shim is elsewhere); with its own cgroup namespace it is
# the root of the container's view, /sys/fs/cgroup is a fresh cgroup2 mount of
# it, and the host's /run (systemd's sockets, the bus) is not there.
# start.sh runs this in a unit with Delegate=yes, the engine's part.
#
#   container.sh CONTEXT
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
unit=/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup)
# What the checks from outside read of the engine's unit, while it exists (runner.sh cannot see systemd).
systemctl show -p OOMPolicy,Delegate,Slice "$(basename "$unit")" >"$(dirname "$HERE")/$1/unit.props" 2>/dev/null || true
# The engine's unit holds no process itself (the no-internal-process rule) and
# hands its controllers down: this script (the shim) goes to engine/, the
# container's processes to container/.
mkdir "$unit/engine" "$unit/container"
echo $$ >"$unit/engine/cgroup.procs"
for c in $(cat "$unit/cgroup.controllers"); do echo "+$c" >"$unit/cgroup.subtree_control"; done
echo "container: cgroup ${unit#/sys/fs/cgroup}/container with $(cat "$unit/container/cgroup.controllers")"

# In a pid namespace of its own; container-init.sh does the rest, as runc does.
# --kill-child: if unshare dies, so does everything in the container.
exec unshare --pid --fork --kill-child --mount --mount-proc --propagation private \
  bash "$HERE/container-init.sh" join "$unit/container" "$1"
