#!/usr/bin/env bash
# Builds the guest driver against the guest kernel's headers.
# usage: scripts/build-module.sh [BUILD]   (extra make args via MAKEFLAGS_EXTRA,
# e.g. MAKEFLAGS_EXTRA="W=1" or "C=2")
set -euo pipefail

top="$(cd "$(dirname "$0")/.." && pwd)"
build="$(mkdir -p "${1:-$top/build}" && cd "${1:-$top/build}" && pwd)"

if [ ! -f "$build/kernel/release" ]; then
	echo "build-module: $build/kernel/release missing (run scripts/fetch-kernel.sh)" >&2
	exit 1
fi
release="$(cat "$build/kernel/release")"
kdir="/usr/src/linux-headers-$release"
if [ ! -d "$kdir" ]; then
	echo "build-module: $kdir missing (apt-get install linux-headers-$release)" >&2
	exit 1
fi

jobs="${JOBS:-2}"
# shellcheck disable=SC2086
make -C "$kdir" M="$top" -j"$jobs" ${MAKEFLAGS_EXTRA:-} modules
mkdir -p "$build/module"
cp "$top/kernel/virtio_ipsec/virtio_ipsec.ko" "$build/module/virtio_ipsec.ko"
echo "build-module: $build/module/virtio_ipsec.ko"
