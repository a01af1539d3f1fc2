#!/usr/bin/env bash
# Quick start, second command (and what CI runs): set up, then the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
report=$(mktemp /tmp/cgbox-test-report.XXXXXX.json)
trap 'rm -f "$report"' EXIT
status=0
npm test -- --reporter=default --reporter=json --outputFile.json="$report" || status=$?
# One plain closing line, 'N passed, N failed, N skipped', whatever the runner printed.
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
' "$report" || echo "0 passed, 1 failed"
exit "$status"
