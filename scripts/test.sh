#!/usr/bin/env bash
# Quick start, second command (and what CI runs): set up, then the whole suite —
# the host suite, then the VM tier (cgroup v2 and cgroup v1 in qemu,
# integration/vm/run.sh); the closing line counts both.
set -euo pipefail
cd "$(dirname "$0")/.."
# The VM tier (cgroup v2, and v1 on an older kernel, in qemu) runs too unless CGBOX_VM=0.
vm=1
[ "${CGBOX_VM:-1}" = 0 ] && vm=0
bash scripts/setup.sh
report=$(mktemp /tmp/cgbox-test-report.XXXXXX.json)
summary=$(mktemp /tmp/cgbox-vm-summary.XXXXXX)
vm_failures=$(mktemp /tmp/cgbox-vm-failures.XXXXXX)
trap 'rm -f "$report" "$summary" "$vm_failures"' EXIT
status=0
npm test -- --reporter=default --reporter=json --outputFile.json="$report" || status=$?
# One plain closing line, 'N passed, N failed, N skipped', whatever the runner printed.
counts=$(node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`${r.numPassedTests} ${r.numFailedTests} ${skipped}`);
' "$report" || echo "0 1 0")
read -r passed failed skipped <<<"$counts"
# Failed outside any test (collection, the leftover check in global teardown): at least one failure.
host_outside=0
if [ "$status" != 0 ] && [ "$failed" = 0 ]; then failed=1 host_outside=1; fi
if [ "$vm" = 1 ]; then
  CGBOX_VM_SUMMARY="$summary" CGBOX_VM_FAILURES="$vm_failures" bash integration/vm/run.sh || status=1
  echo "host suite: $passed passed, $failed failed, $skipped skipped"
  # run.sh writes "VM PASSED FAILED SKIPPED" per VM it ran; none at all is a failure.
  [ -s "$summary" ] || failed=$((failed + 1))
  while read -r _ p f s; do passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s)); done <"$summary"
fi
# What failed, by name, just above the closing line: a log's tail is often all that is read.
if [ "$failed" != 0 ] || [ "$status" != 0 ]; then
  echo "what failed:"
  node scripts/failures.mjs "host=$report" || true
  [ "$host_outside" = 0 ] || echo "  ✗ host: the suite exited with $status outside any test (the leftover check in global teardown, or a file that did not load: see above)"
  cat "$vm_failures"
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
