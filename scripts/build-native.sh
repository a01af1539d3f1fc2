#!/usr/bin/env bash
# Compiles cgbox's init helper (and the test fixtures, when present) with the
# system compiler. Run by `npm install` (postinstall) and `npm run build`.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cc >/dev/null 2>&1; then
  echo "cgbox: no C compiler found; cgbox builds a small init helper at install. Install one: apt-get install gcc" >&2
  exit 1
fi
mkdir -p native/bin
stale=0
for src in native/src/*.c native/src/*.h; do [ native/bin/cgbox-init -nt "$src" ] || stale=1; done
if [ "$stale" = 1 ]; then
  cc -O2 -Wall -Wextra -Werror -o native/bin/cgbox-init.tmp native/src/*.c
  mv native/bin/cgbox-init.tmp native/bin/cgbox-init
fi
if [ -f fixtures/build.sh ]; then bash fixtures/build.sh; fi
