#!/usr/bin/env bash
# Builds the debug guest kernel (KASAN, lockdep, kmemleak, DEBUG_OBJECTS, ...)
# from Debian's linux-source-6.1, the same source as the stock guest image,
# configured with scripts/debug-kernel.config, and the guest driver against it.
#
# Usage: scripts/build-debug-kernel.sh [BUILD_DIR]
# Environment:
#   VIPSEC_DEBUG_KERNEL_CACHE  cache root (default /var/cache/virtio-ipsec/
#                              debug-kernel, or BUILD/debug-kernel-cache when
#                              that is not writable)
#   JOBS                       parallel make jobs (default 2); runs under nice -n 10
#   VIPSEC_DEBUG_KERNEL_ONLY=1 print the cache directory and exit 0 if the
#                              kernel is cached, exit 1 if not (builds nothing)
#
# The kernel is cached outside the clone, keyed by a hash of its inputs (the
# fragment, the source package version, this script), so CI and other clones
# on the same machine reuse it. The cache directory holds:
#   root/boot/vmlinuz-<release>, root/lib/modules/<release>/ (VIPSEC_KROOT)
#   release                      (VIPSEC_KRELEASE)
#   linux/                       the built tree, for out-of-tree modules
# BUILD/debug-kernel is a symlink to it. The module is built from a copy of
# the driver sources (so the stock build's objects are not disturbed) into
# BUILD/debug-module/virtio_ipsec.ko.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$(mkdir -p "${1:-$top/build}" && cd "${1:-$top/build}" && pwd)
fragment=$top/scripts/debug-kernel.config
jobs=${JOBS:-2}
pkg=linux-source-6.1

cache=${VIPSEC_DEBUG_KERNEL_CACHE:-/var/cache/virtio-ipsec/debug-kernel}
if ! mkdir -p "$cache" 2>/dev/null || [ ! -w "$cache" ]; then
	cache=$build/debug-kernel-cache
	mkdir -p "$cache"
fi

# The source version: the one installed, else the candidate apt would fetch.
srcver=$(dpkg-query -W -f '${Version}' "$pkg" 2>/dev/null || true)
[ -n "$srcver" ] || srcver=$(apt-cache policy "$pkg" | awk '/Candidate:/ {print $2}')
if [ -z "$srcver" ] || [ "$srcver" = "(none)" ]; then
	echo "build-debug-kernel: no $pkg package known to apt (apt-get update?)" >&2
	exit 1
fi
key=$({
	echo "$pkg $srcver"
	cat "$fragment"
	sed '/^# --- end of the cache key ---$/q' "$0"
} | sha256sum | cut -c1-16)
dir=$cache/$key

if [ "${VIPSEC_DEBUG_KERNEL_ONLY:-0}" = 1 ]; then
	echo "$dir"
	[ -f "$dir/done" ]
	exit
fi

# One build per key at a time (two clones may start it together).
exec 9>"$cache/.lock-$key"
flock 9

if [ ! -f "$dir/done" ]; then
	t0=$(date +%s)
	echo "build-debug-kernel: building $pkg $srcver with $fragment into $dir (10-25 min)"
	rm -rf "$dir"
	mkdir -p "$dir/src"
	(cd "$dir/src" && apt-get download -qq "$pkg=$srcver")
	dpkg -x "$dir/src/${pkg}_"*.deb "$dir/src/x"
	tarball=$(find "$dir/src/x/usr/src" -maxdepth 1 -name 'linux-source-*.tar.*' | head -n 1)
	[ -n "$tarball" ] || { echo "build-debug-kernel: no tarball in $pkg" >&2; exit 1; }
	mkdir -p "$dir/linux"
	tar -xf "$tarball" -C "$dir/linux" --strip-components=1
	rm -rf "$dir/src"

	k=(nice -n 10 make -C "$dir/linux" -j"$jobs")
	"${k[@]}" -s defconfig
	"${k[@]}" -s kvm_guest.config
	(cd "$dir/linux" && scripts/kconfig/merge_config.sh -m .config "$fragment" >/dev/null)
	"${k[@]}" -s olddefconfig
	# A fragment line the kernel did not take is a mistake in the fragment
	# (a dependency missing, a renamed symbol): refuse rather than build a
	# kernel without a check we think we have.
	missing=0
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*) grep -qxF -- "$line" "$dir/linux/.config" || {
			echo "build-debug-kernel: fragment line not in the final .config: $line" >&2
			missing=1
		} ;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }
			sym=${sym%% *}
			! grep -q "^$sym=" "$dir/linux/.config" || {
				echo "build-debug-kernel: $sym set although the fragment unsets it" >&2
				missing=1
			} ;;
		esac
	done <"$fragment"
	[ "$missing" = 0 ] || exit 1

	"${k[@]}" bzImage modules
	release=$("${k[@]}" -s kernelrelease)
	mkdir -p "$dir/root/boot"
	cp "$dir/linux/arch/x86/boot/bzImage" "$dir/root/boot/vmlinuz-$release"
	cp "$dir/linux/.config" "$dir/root/boot/config-$release"
	"${k[@]}" -s INSTALL_MOD_PATH="$dir/root" modules_install
	echo "$release" >"$dir/release"
	touch "$dir/done"
	echo "build-debug-kernel: $release built in $(($(date +%s) - t0)) s"
fi
# --- end of the cache key ---
# (Above this line the script decides what kernel is built: its text is part
# of the key. Below it only the module build, which is cheap and always runs.)
release=$(cat "$dir/release")
ln -sfn "$dir" "$build/debug-kernel"

# The driver, against this tree (KASAN-instrumented, its own vermagic).
modsrc=$build/debug-module/src
rm -rf "$modsrc"
mkdir -p "$modsrc"
cp -a "$top/Kbuild" "$top/kernel" "$top/include" "$modsrc/"
nice -n 10 make -s -C "$dir/linux" M="$modsrc" -j"$jobs" modules
cp "$modsrc/kernel/virtio_ipsec/virtio_ipsec.ko" "$build/debug-module/virtio_ipsec.ko"
vm=$(modinfo -F vermagic "$build/debug-module/virtio_ipsec.ko")
case "$vm" in
"$release "*) ;;
*) echo "build-debug-kernel: module vermagic '$vm' does not match $release" >&2; exit 1 ;;
esac
echo "build-debug-kernel: $release in $dir; module $build/debug-module/virtio_ipsec.ko"
