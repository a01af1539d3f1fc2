#!/usr/bin/env bash
# Quick start, second command (and what CI runs): set up, then the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm test
