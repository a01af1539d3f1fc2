#!/usr/bin/env bash
# A checkout's own build: native/bin/cgbox-init from every native/src/*.c with
# the system compiler (every warning an error: this is where new code is
# checked), then the test fixtures. Run by `npm run build` and by `npm ci` /
# `npm install` in a checkout (prepare). A checkout uses this build before the
# prebuilt helpers the package ships (src/host/init-binary.ts has the order);
# those are built by scripts/build-prebuilt.sh when the package is packed.
set -euo pipefail
cd "$(dirname "$0")/.."
cc="${CC:-cc}"
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "scripts/build-native.sh: no C compiler '$cc' found: building cgbox from a checkout needs one (Debian: apt-get install gcc libc6-dev)" >&2
  exit 1
fi
mkdir -p native/bin
out=native/bin/cgbox-init
stale=0
for src in native/src/*.c native/src/*.h; do [ "$out" -nt "$src" ] || stale=1; done
# A source removed since the last build leaves no newer file behind: compare the list too.
sources=$(cd native/src && ls -- *.c *.h 2>/dev/null | tr '\n' ' ')
[ "$(cat native/bin/.sources 2>/dev/null)" = "$sources" ] || stale=1
if [ "$stale" = 1 ]; then
  # shellcheck disable=SC2086 # CC may carry words of its own (ccache gcc)
  $cc -O2 -pthread -Wall -Wextra -Werror -o "$out.tmp" native/src/*.c
  mv "$out.tmp" "$out"
  printf '%s' "$sources" >native/bin/.sources
fi
if [ -f fixtures/build.sh ]; then bash fixtures/build.sh; fi
