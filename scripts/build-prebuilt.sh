#!/usr/bin/env bash
# The init helpers the package ships, so that installing cgbox needs no C
# compiler: native/prebuilt/linux-<arch>/cgbox-init for x64 and arm64, static
# (no libc of the host needed), built from every native/src/*.c. Each is then
# started once — the foreign one under qemu-user — without its status pipe, and
# must answer as cgbox-init does. Run when the package is packed (prepack).
#
# Needs, on Debian: gcc libc6-dev (static glibc: libc.a) gcc-aarch64-linux-gnu
# libc6-dev-arm64-cross qemu-user-static (scripts/setup.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/.."

host=$(uname -m)
fail() { echo "scripts/build-prebuilt.sh: $*" >&2; exit 1; }

compiler_for() { # x64|arm64 → the compiler that targets it from this host
  case "$1:$host" in
    x64:x86_64 | arm64:aarch64) echo "${CC:-gcc}" ;;
    x64:*) echo x86_64-linux-gnu-gcc ;;
    arm64:*) echo aarch64-linux-gnu-gcc ;;
  esac
}
runner_for() { # x64|arm64 → how this host runs it: natively, or under qemu-user (no binfmt needed)
  case "$1:$host" in
    x64:x86_64 | arm64:aarch64) echo "" ;;
    x64:*) echo qemu-x86_64-static ;;
    arm64:*) echo qemu-aarch64-static ;;
  esac
}
machine_of() { # what readelf calls each target
  case "$1" in x64) echo 'X86-64' ;; arm64) echo 'AArch64' ;; esac
}

for arch in x64 arm64; do
  cc=$(compiler_for "$arch")
  runner=$(runner_for "$arch")
  command -v "${cc%% *}" >/dev/null 2>&1 ||
    fail "no compiler for linux-$arch ($cc): apt-get install gcc libc6-dev gcc-aarch64-linux-gnu libc6-dev-arm64-cross"
  [ -z "$runner" ] || command -v "$runner" >/dev/null 2>&1 ||
    fail "cannot check the linux-$arch helper without $runner: apt-get install qemu-user-static"

  dir="native/prebuilt/linux-$arch"
  mkdir -p "$dir"
  out="$dir/cgbox-init"
  # Always rebuilt: a pack must never ship a helper older than the sources beside it.
  # shellcheck disable=SC2086 # CC may carry words of its own
  $cc -static -O2 -pthread -s -Wall -Wextra -Werror -o "$out.tmp" native/src/*.c ||
    fail "building $out failed (static glibc for $arch: apt-get install libc6-dev libc6-dev-arm64-cross)"

  header=$(readelf -h "$out.tmp")
  grep -q "Machine:.*$(machine_of "$arch")" <<<"$header" || fail "$out is not a $(machine_of "$arch") binary"
  ! readelf -l "$out.tmp" | grep -q 'INTERP' || fail "$out is not static: it names a dynamic loader"

  # Started without fd 3, cgbox-init refuses with exit 2 and says who starts it.
  status=0
  said=$($runner "$out.tmp" -- /bin/true 2>&1 3>&-) || status=$?
  [ "$status" = 2 ] && grep -q 'cgbox-init is started by cgbox' <<<"$said" ||
    fail "$out did not start as cgbox-init does (exit $status): $said"

  mv "$out.tmp" "$out"
  echo "built $out ($(stat -c %s "$out") bytes${runner:+, checked under $runner})" >&2
done
