#!/usr/bin/env bash
# Fetches the guest kernel: the Debian 6.1 image that linux-image-amd64 points
# to, extracted (not installed) under build/kernel/, and the matching headers
# package installed so the module can be built against it.
# Writes build/kernel/release (e.g. 6.1.0-56-amd64) for the other scripts.
# Usage: scripts/fetch-kernel.sh [BUILD_DIR]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
out=$build/kernel
mkdir -p "$out"

image_pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/{print $2; exit}')
if [ -z "$image_pkg" ]; then
	echo "fetch-kernel: cannot resolve linux-image-amd64 (apt-get update?)" >&2
	exit 1
fi
release=${image_pkg#linux-image-}

if [ ! -f "$out/root/boot/vmlinuz-$release" ]; then
	rm -rf "$out/root" "$out"/*.deb
	(cd "$out" && apt-get download -qq "$image_pkg")
	dpkg -x "$out"/"$image_pkg"_*.deb "$out/root"
	rm -f "$out"/*.deb
fi

if [ ! -d "/usr/src/linux-headers-$release" ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"linux-headers-$release" >/dev/null
fi

echo "$release" >"$out/release"
echo "fetch-kernel: $release (image in $out/root, headers in /usr/src/linux-headers-$release)"
