#!/usr/bin/env bash
# Grafts the virtio-ipsec device model into an unpacked QEMU 7.2 source tree.
#
#   graft.sh QEMU_SRC REPO ENGINE_LIB
#
# Idempotent: every edit is either a symlink, a block between
# "virtio-ipsec graft" markers that is replaced as a whole, or a one-line
# change guarded by a grep. A file is rewritten only when its content
# changes, so a second run does not trigger a rebuild. Sources are
# symlinked, so edits in the repository are picked up by ninja directly;
# the meson/Kconfig/trace-events fragments are re-synced on every run of
# scripts/build-qemu.sh.
set -euo pipefail

die() { echo "graft: error: $*" >&2; exit 1; }

[ $# -eq 3 ] || die "usage: graft.sh QEMU_SRC REPO ENGINE_LIB"
src=$1
repo=$2
engine_lib=$3
graft=$repo/qemu-device/graft
dev=$repo/qemu-device

[ -f "$src/hw/virtio/virtio.c" ] || die "$src is not a QEMU source tree"
[ -f "$src/VERSION" ] && case "$(cat "$src/VERSION")" in
	7.2.*) ;;
	*) die "expected QEMU 7.2, found $(cat "$src/VERSION")" ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# update_if_changed NEW DEST: move NEW over DEST unless identical.
update_if_changed() {
	if ! cmp -s "$1" "$2"; then
		cat "$1" >"$2"
		echo "graft: updated ${2#"$src"/}"
	fi
	rm -f "$1"
}

# link TARGET LINKNAME: symlink unless it already points there.
link() {
	[ -e "$1" ] || die "missing $1"
	if [ "$(readlink "$2" 2>/dev/null)" != "$1" ]; then
		ln -sfn "$1" "$2"
		echo "graft: linked ${2#"$src"/}"
	fi
}

# sync_block FILE TAG BLOCKFILE [ANCHOR]: drop the old TAG block from FILE
# and insert BLOCKFILE's content before the first line equal to ANCHOR
# (or at the end when ANCHOR is empty).
sync_block() {
	local file=$1 tag=$2 block=$3 anchor=${4:-}
	local begin="# BEGIN virtio-ipsec graft: $tag" end="# END virtio-ipsec graft: $tag"
	awk -v b="$begin" -v e="$end" '
		$0 == b { skip = 1; next }
		$0 == e { skip = 0; next }
		!skip { print }' "$file" >"$tmp/stripped"
	awk -v b="$begin" -v e="$end" -v anchor="$anchor" -v blk="$block" '
		function emit(  l) {
			print b
			while ((getline l < blk) > 0) print l
			print e
			done = 1
		}
		anchor != "" && !done && $0 == anchor { emit() }
		{ print }
		END { if (anchor == "") emit(); else if (!done) exit 3 }' \
		"$tmp/stripped" >"$tmp/new" ||
		die "anchor not found in $file: $anchor"
	update_if_changed "$tmp/new" "$file"
}

# 1. Sources and header: symlinks into the tree.
link "$dev/hw/virtio/virtio-ipsec.c" "$src/hw/virtio/virtio-ipsec.c"
link "$dev/hw/virtio/virtio-ipsec-faults.c" "$src/hw/virtio/virtio-ipsec-faults.c"
link "$dev/hw/virtio/virtio-ipsec-pci.c" "$src/hw/virtio/virtio-ipsec-pci.c"
link "$dev/include/hw/virtio/virtio-ipsec.h" "$src/include/hw/virtio/virtio-ipsec.h"
link "$dev/hw/virtio/vhost-user-ipsec.c" "$src/hw/virtio/vhost-user-ipsec.c"
link "$dev/hw/virtio/vhost-user-ipsec-pci.c" "$src/hw/virtio/vhost-user-ipsec-pci.c"
link "$dev/include/hw/virtio/vhost-user-ipsec.h" "$src/include/hw/virtio/vhost-user-ipsec.h"

# 2. Build system fragments.
sed -e "s|@VIPSEC_SHIM_DIR@|$graft/shim|g" \
    -e "s|@VIPSEC_ENGINE_DIR@|$repo/engine|g" \
    -e "s|@VIPSEC_ENGINE_LIB@|$engine_lib|g" \
    "$graft/meson.build" >"$tmp/meson-frag"
sync_block "$src/hw/virtio/meson.build" meson "$tmp/meson-frag" \
	"virtio_ss.add_all(when: 'CONFIG_VIRTIO_PCI', if_true: virtio_pci_ss)"
sync_block "$src/hw/virtio/Kconfig" Kconfig "$graft/Kconfig"
sync_block "$src/hw/virtio/trace-events" trace-events "$graft/trace-events"

# 3. Device ID 57: name table (QEMU asserts on unnamed IDs) and virtio_ids.h.
f=$src/hw/virtio/virtio.c
if ! grep -q 'VIRTIO_ID_IPSEC' "$f"; then
	grep -qx '    \[VIRTIO_ID_GPIO\] = "virtio-gpio"' "$f" ||
		die "virtio_device_names[] anchor not found in $f"
	sed -e 's|^    \[VIRTIO_ID_GPIO\] = "virtio-gpio"$|    [VIRTIO_ID_GPIO] = "virtio-gpio",\n    [VIRTIO_ID_IPSEC] = "virtio-ipsec"|' \
		"$f" >"$tmp/virtio.c"
	update_if_changed "$tmp/virtio.c" "$f"
fi
f=$src/include/standard-headers/linux/virtio_ids.h
if ! grep -q 'VIRTIO_ID_IPSEC' "$f"; then
	grep -q '^#define VIRTIO_ID_GPIO' "$f" || die "VIRTIO_ID_GPIO not found in $f"
	sed -e '/^#define VIRTIO_ID_GPIO/a #define VIRTIO_ID_IPSEC\t\t57 /* virtio ipsec (not OASIS-assigned) */' \
		"$f" >"$tmp/virtio_ids.h"
	update_if_changed "$tmp/virtio_ids.h" "$f"
fi

# 4. Import the device ABI header unchanged into standard-headers, as
#    scripts/update-linux-headers.sh does: headers_install strips the _UAPI
#    guard prefix, then QEMU's own cp_portable() rewrites types/includes.
eval "$(sed -n '/^cp_portable()/,/^}/p' "$src/scripts/update-linux-headers.sh")"
declare -F cp_portable >/dev/null || die "cp_portable() not found in update-linux-headers.sh"
mkdir -p "$tmp/hdr" "$tmp/out"
sed -E -e 's@#(ifndef|define|endif[[:space:]]*/[*])[[:space:]]*_UAPI@#\1 @' \
	"$repo/include/uapi/linux/virtio_ipsec.h" >"$tmp/hdr/virtio_ipsec.h"
(cp_portable "$tmp/hdr/virtio_ipsec.h" "$tmp/out") || die "importing virtio_ipsec.h failed"
update_if_changed "$tmp/out/virtio_ipsec.h" "$src/include/standard-headers/linux/virtio_ipsec.h"

# 5. The dfsg source has no edk2 blobs: never try to unpack them.
f=$src/meson.build
if grep -q '^    unpack_edk2_blobs = bzip2.found()$' "$f"; then
	sed -e 's|^    unpack_edk2_blobs = bzip2.found()$|    unpack_edk2_blobs = false # virtio-ipsec graft: no edk2 blobs in the dfsg source|' \
		"$f" >"$tmp/meson.build"
	update_if_changed "$tmp/meson.build" "$f"
fi
grep -q 'unpack_edk2_blobs = false # virtio-ipsec graft' "$f" ||
	die "could not disable edk2 unpacking in $f"
exit 0
