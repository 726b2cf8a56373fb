#!/usr/bin/env bash
# Installs everything the build and the tests need on a Debian bookworm machine.
# Idempotent: a second run installs nothing new. Must run as root.
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: must run as root (apt-get)" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive

# QEMU's source comes from Debian's source package: enable deb-src once.
enable_deb_src() {
	local f=/etc/apt/sources.list.d/debian.sources
	if [ -f "$f" ] && ! grep -q 'deb-src' "$f"; then
		sed -i 's/^Types: deb$/Types: deb deb-src/' "$f"
		return 0
	fi
	if [ -f /etc/apt/sources.list ] && grep -q '^deb ' /etc/apt/sources.list &&
	   ! grep -q '^deb-src ' /etc/apt/sources.list; then
		grep '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' \
			>/etc/apt/sources.list.d/virtio-ipsec-src.list
	fi
}

PKGS=(
	# toolchain and host tests
	build-essential pkg-config check libipsec-mb-dev libnl-genl-3-dev
	# QEMU 7.2 build
	dpkg-dev ninja-build meson libglib2.0-dev libpixman-1-dev libfdt-dev
	flex bison python3-venv libgcrypt20-dev
	# guest boot: firmware, initramfs tools, guest userland
	seabios qemu-system-data busybox-static cpio kmod iproute2
	# kernel module build (headers are chosen by scripts/fetch-kernel.sh)
	bc libelf-dev sparse
	# interop; the gateway demo: traffic and capture in the guest, the
	# capture decoded on the host (tshark: a third ESP implementation)
	python3-scapy socat tcpdump tshark
	# fuzzing (libFuzzer runtime, sanitizers)
	clang libclang-rt-14-dev
)

stamp=/var/lib/virtio-ipsec-deps.stamp
want="$(printf '%s\n' "${PKGS[@]}" | sha1sum | cut -c1-12)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && grep -rqs deb-src /etc/apt/sources.list.d/ /etc/apt/sources.list; then
	echo "install-deps: already done"
	exit 0
fi

enable_deb_src
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${PKGS[@]}" >/dev/null
echo "$want" >"$stamp"
echo "install-deps: done"
