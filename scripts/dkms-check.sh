#!/usr/bin/env bash
# CI check of dkms.conf: installs the module's DKMS source the way
# `make install` does (into a scratch DESTDIR), then runs `dkms add` and
# `dkms build -k <guest kernel release>` against the installed headers
# (/lib/modules/<release>/build -> /usr/src/linux-headers-<release>, from
# scripts/fetch-kernel.sh) in a scratch DKMS tree, so the system's
# /var/lib/dkms is not touched, and checks the built module's vermagic.
# (dkms install is left out: it runs depmod on the host's
# /lib/modules/<release>, which belongs to the machine, not to a check.)
# Usage: scripts/dkms-check.sh [BUILD]   Exit 0 pass, 1 fail.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-${BUILD:-$top/build}}

say() { echo "dkms-check: $*"; }
fail() { say "FAIL: $*"; echo "dkms: 0 passed, 1 failed"; exit 1; }

if ! command -v dkms >/dev/null; then
	[ "$(id -u)" = 0 ] || fail "dkms is not installed (apt-get install dkms, as root)"
	say "installing Debian's dkms"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends dkms >/dev/null ||
		fail "apt-get install dkms failed"
fi
[ -f "$build/kernel/release" ] || "$top/scripts/fetch-kernel.sh" "$build"
rel=$(cat "$build/kernel/release")
[ -d "/lib/modules/$rel/build" ] ||
	fail "/lib/modules/$rel/build missing (apt-get install linux-headers-$rel)"
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")
[ -n "$ver" ] || fail "no PACKAGE_VERSION in dkms.conf"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
make -s -C "$top" install-dkms-src DESTDIR="$tmp/root" >/dev/null ||
	fail "make install-dkms-src failed"
mkdir -p "$tmp/dkms"
opts=(--dkmstree "$tmp/dkms" --sourcetree "$tmp/root/usr/src" -m virtio-ipsec -v "$ver")
dkms add "${opts[@]}" >"$tmp/add.log" 2>&1 || { cat "$tmp/add.log"; fail "dkms add"; }
say "dkms build -m virtio-ipsec -v $ver -k $rel"
if ! dkms build "${opts[@]}" -k "$rel" >"$tmp/build.log" 2>&1; then
	cat "$tmp/build.log"
	find "$tmp/dkms" -name make.log -exec tail -n 40 {} \;
	fail "dkms build"
fi
ko=$tmp/dkms/virtio-ipsec/$ver/$rel/$(uname -m)/module/virtio_ipsec.ko
[ -f "$ko" ] || ko=$(find "$tmp/dkms/virtio-ipsec/$ver/$rel" -name 'virtio_ipsec.ko*' | head -n 1)
if [ -z "$ko" ] || [ ! -f "$ko" ]; then fail "dkms build left no virtio_ipsec.ko"; fi
vermagic=$(modinfo -F vermagic "$ko")
case "$vermagic" in
"$rel "*) ;;
*) fail "module vermagic '$vermagic' is not for $rel" ;;
esac
status=$(dkms status "${opts[@]}" -k "$rel")
case "$status" in
*": built"* | *", built"*) ;;
*) fail "dkms status says '$status'" ;;
esac
say "PASS: built ${ko##*/} for $rel ($status)"
echo "dkms: 1 passed, 0 failed"
