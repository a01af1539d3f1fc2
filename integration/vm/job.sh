#!/usr/bin/env bash
# Runs INSIDE the guest (vmjob.service → vmjob-run → this), from the 9p share
# the host runner filled with job.env (which VM, which test files, where the
# project goes); the project itself is /dev/vdc. Its output and exit status go
# back through the share.
set -euo pipefail
SHARE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=/dev/null
. "$SHARE/job.env" # CGBOX_VM_TIER, VM_FILES, PROJECT
t0=$SECONDS
echo "guest: Linux $(uname -r), $(stat -fc %T /sys/fs/cgroup) at /sys/fs/cgroup, $(nproc) CPUs, $(free -m | awk '/^Mem:/ {print $2}') MiB, swap $(awk 'NR > 1 {s += $3} END {print s / 1024}' /proc/swaps) MiB"
echo "guest: /proc/cmdline: $(cat /proc/cmdline)"
echo "guest: in $(cut -d: -f3 /proc/self/cgroup | tail -n 1)"

# The project, as the host built it, on a disk of its own (/dev/vdc), at the
# host's path: error messages and vitest's module cache read the same.
mkdir -p "$PROJECT"
mount /dev/vdc "$PROJECT"
cd "$PROJECT"

# Only the files that need what the development hosts lack, and a smoke of
# the core on this cgroup version (integration/vm/run.sh chose them).
read -ra files <<<"$VM_FILES"
# The image boots without OVS (it costs ~20 s): started only for tests that
# use it, beside cgbox doctor, and waited for before the tests.
ovs=
if grep -qs -e openvswitch -e ovs-vsctl "${files[@]}"; then
  systemctl start openvswitch-switch &
  ovs=$!
fi

echo "guest: cgbox doctor"
node dist/cli/main.js doctor | sed 's/^/  /' || true
if [ -n "$ovs" ]; then
  wait "$ovs" && echo "guest: openvswitch started after $((SECONDS - t0))s"
fi

export CGBOX_VM_TIER CGBOX_SCRATCH_DISK=/dev/vdb
status=0
node node_modules/vitest/vitest.mjs run --project integration --no-color --no-isolate --experimental.fsModuleCache \
  --reporter=default --reporter=json --outputFile.json="$SHARE/report.json" "${files[@]}" || status=$?
echo "guest: vitest exited with $status after $((SECONDS - t0))s"

# Nothing of cgbox may outlive the suite: no run cgroup, no process in this
# job's cgroup but this script's own (the spare sandbox included).
sleep 1
left=$(find /sys/fs/cgroup -name 'cgbox-*' -type d 2>/dev/null || true)
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then # v2: the job's cgroup, above cgbox's leaf
  own=$(sed -n 's/^0:://p' /proc/self/cgroup)
  base=/sys/fs/cgroup${own%/cgbox.leaf}
else # v1: the job's cgroup in systemd's own hierarchy, where cgbox makes nothing
  base=/sys/fs/cgroup/systemd$(sed -n 's/^[0-9]*:name=systemd://p' /proc/self/cgroup)
fi
procs=$(find "$base" -name cgroup.procs || true)
others=() # read with builtins only: a subshell here would list itself
for f in $procs; do
  while read -r pid; do [ "$pid" = $$ ] || [ "$pid" = "$PPID" ] || others+=("$pid"); done <"$f"
done
if [ -n "$left" ] || [ ${#others[@]} -gt 0 ]; then
  echo "guest: LEFT BEHIND after the suite:"
  [ -z "$left" ] || echo "$left" | sed 's/^/  cgroup /'
  for pid in "${others[@]}"; do echo "  process $pid: $(tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null)"; done
  [ "$status" != 0 ] || status=1
else
  echo "guest: nothing of cgbox left behind"
fi
exit "$status"
