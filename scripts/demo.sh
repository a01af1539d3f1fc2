#!/usr/bin/env bash
# Quick start, first command: set up, then run the demo sandbox and print its report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run -s demo
