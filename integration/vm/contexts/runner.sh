#!/usr/bin/env bash
# The test runner of one caller context: what `npx vitest` is wherever a user
# starts it. job.sh starts it from each context (contexts/start.sh); it runs
# vitest on the context's files, and leaves beside the report what the checks
# from outside need: the cgroup and unit it started in, that unit's OOMPolicy
# and Delegate (read now: a unit that ends well is gone by the time of the
# checks), and whether it was sent SIGTERM (the sign of systemd stopping its
# unit). (`cgbox doctor` is caller-context.test.ts's, in-process: the CLI's
# start costs half a minute under emulation.)
#
#   runner.sh CONTEXT     (files: FILES_<CONTEXT> in job.env)
set -u
SHARE=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=/dev/null
. "$SHARE/job.env"
ctx=$1
out="$SHARE/$ctx"
files_var="FILES_$ctx"
read -ra files <<<"${!files_var:-}"
t0=$SECONDS

# shellcheck source=start.sh
. "$SHARE/contexts/start.sh" # runner_unit
cat /proc/self/cgroup >"$out/runner.cgroup"
# The unit as it starts: cgbox may move this runner into a cgroup of its own later.
CGBOX_VM_RUNNER_UNIT=$(runner_unit "$out/runner.cgroup")
echo "runner: pid $$ in $(sed -n 's/^0:://p; s/^[0-9]*:name=systemd://p' /proc/self/cgroup | head -n 1)${CGBOX_VM_RUNNER_UNIT:+ (unit $CGBOX_VM_RUNNER_UNIT)}"
if [ -n "$CGBOX_VM_RUNNER_UNIT" ] && [ -d /run/systemd/system ]; then
  systemctl show -p OOMPolicy,Delegate,Slice "$CGBOX_VM_RUNNER_UNIT" >"$out/unit.props" 2>/dev/null || true
  echo "runner: $(tr '\n' ' ' <"$out/unit.props")"
fi
sigterms=0
trap 'sigterms=$((sigterms + 1)); echo "runner: SIGTERM received $((SECONDS - t0))s into the run"' TERM

cd "$PROJECT" || exit 1
export CGBOX_VM_TIER CGBOX_VM_CONTEXT="$ctx" CGBOX_VM_RUNNER_UNIT CGBOX_SCRATCH_DISK=/dev/vdb
# In the background, so that a SIGTERM is seen (and counted) while vitest runs.
node node_modules/vitest/vitest.mjs run --project integration --no-color --no-isolate --experimental.fsModuleCache \
  --reporter=default --reporter=json --outputFile.json="$out/report.json" "${files[@]}" &
pid=$!
wait "$pid"
status=$?
# A trapped signal ends `wait` early: wait again until vitest itself is gone;
# bash keeps a reaped child's status for a later `wait`.
while kill -0 "$pid" 2>/dev/null; do wait "$pid"; done
wait "$pid"
status=$?
echo "runner: vitest exited with $status after $((SECONDS - t0))s; SIGTERM received: $sigterms"
printf 'vitest=%s sigterm=%s seconds=%s\n' "$status" "$sigterms" "$((SECONDS - t0))" >"$out/runner.status"
exit "$status"
