#!/usr/bin/env bash
# Runs INSIDE the guest (vmjob.service → vmjob-run → this), from the 9p share
# the host runner filled with job.env (which VM, which contexts, each one's
# test files, where the project goes) and contexts/; the project itself is
# /dev/vdc. For each caller context in turn (contexts/start.sh) it starts the
# test runner there, waits for it, and checks from outside what became of the
# runner's unit and what is left on the host (contexts/checks.sh). Output,
# reports and checks go back through the share: SHARE/CONTEXT/{report.json,
# runner.status, checks, done}.
set -euo pipefail
SHARE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=/dev/null
. "$SHARE/job.env" # CGBOX_VM_TIER, PROJECT, CONTEXTS, FILES_<context>, CONTEXT_MAX_<context>
# shellcheck source=contexts/start.sh
. "$SHARE/contexts/start.sh"
# shellcheck source=contexts/checks.sh
. "$SHARE/contexts/checks.sh"
t0=$SECONDS
echo "guest: Linux $(uname -r), $(stat -fc %T /sys/fs/cgroup) at /sys/fs/cgroup, systemd $(systemctl --version | awk 'NR == 1 {print $2}'), $(nproc) CPUs, $(free -m | awk '/^Mem:/ {print $2}') MiB, swap $(awk 'NR > 1 {s += $3} END {print s / 1024}' /proc/swaps) MiB"
echo "guest: /proc/cmdline: $(cat /proc/cmdline)"
echo "guest: job in $(sed -n 's/^0:://p; s/^[0-9]*:name=systemd://p' /proc/self/cgroup | head -n 1); contexts: $CONTEXTS"

# The project, as the host built it, on a disk of its own (/dev/vdc), at the
# host's path: error messages and vitest's module cache read the same.
mkdir -p "$PROJECT"
mount /dev/vdc "$PROJECT"

# The image boots without OVS (it costs ~20 s): started only when a context's
# tests use it, and waited for before the first context.
all_files=$(for ctx in $CONTEXTS; do v="FILES_$ctx"; echo "${!v:-}"; done | tr ' ' '\n' | sort -u | sed "s|^|$PROJECT/|")
# shellcheck disable=SC2086
if grep -qs -e openvswitch -e ovs-vsctl $all_files; then
  systemctl start openvswitch-switch
  echo "guest: openvswitch started after $((SECONDS - t0))s"
fi

status=0
for ctx in $CONTEXTS; do
  out="$SHARE/$ctx"
  mkdir -p "$out"
  max_var="CONTEXT_MAX_$ctx"
  c0=$SECONDS
  cursor=$(journal_cursor)
  echo "guest: ▶ context $ctx ($((SECONDS - t0))s into the job)"
  set +e
  start_context "$ctx" "${!max_var:-900}" 2>&1 </dev/null | sed -u "s/^/$ctx| /"
  launched=${PIPESTATUS[0]}
  set -e
  # systemd's own bookkeeping (the unit's result, the journal) lands just after the runner's end.
  sleep 2
  outside_checks "$ctx" "$out" "$cursor" "$launched"
  fails=$(grep -c '^FAIL ' "$out/checks" || true)
  echo "guest: ◀ context $ctx: runner exited with $launched after $((SECONDS - c0))s; outside checks: $fails failed"
  echo "$launched $((SECONDS - c0))" >"$out/done"
  if [ "$launched" != 0 ] || [ "$fails" != 0 ]; then status=1; fi
  clean_after "$ctx" "$out"
done
echo "guest: job done after $((SECONDS - t0))s"
exit "$status"
