#!/usr/bin/env bash
# Builds qemu-system-x86_64 with the virtio-ipsec-pci device.
#
#   scripts/build-qemu.sh [--fetch-only] [BUILD]   (BUILD defaults to <repo>/build)
#
# 1. fetches Debian bookworm's qemu source package (7.2) into BUILD/qemu/src
#    once (apt-get source; deb-src must be enabled: scripts/install-deps.sh);
# 2. builds the ESP engine (make -C engine) into a static library;
# 3. grafts the device model (qemu-device/graft/graft.sh: symlinks, ID 57,
#    meson/Kconfig/trace-events fragments, header import);
# 4. configures into BUILD/qemu/build (again when the options change; KVM and
#    TCG both enabled) and builds only qemu-system-x86_64.
# Idempotent and incremental: a second run without changes only runs ninja.
# JOBS (default 2) sets the parallelism.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# --fetch-only: step 1 alone (make style needs QEMU's checkpatch.pl)
fetch_only=0
if [ "${1:-}" = "--fetch-only" ]; then
	fetch_only=1
	shift
fi
BUILD=$(realpath -m "${1:-$top/build}")
JOBS=${JOBS:-2}
Q=$BUILD/qemu
SRC=$Q/src
OUT=$Q/build

log() { echo "build-qemu: $*"; }
die() { echo "build-qemu: error: $*" >&2; exit 1; }

for tool in meson ninja gcc make pkg-config python3 dpkg-source apt-get; do
	command -v "$tool" >/dev/null ||
		die "'$tool' not found; run scripts/install-deps.sh (as root)"
done
[ -f /usr/include/intel-ipsec-mb.h ] ||
	die "intel-ipsec-mb headers missing (libipsec-mb-dev); run scripts/install-deps.sh"

# --- 1. QEMU source --------------------------------------------------------
if [ ! -f "$SRC/.vipsec-fetched" ]; then
	log "fetching Debian's qemu source package into $SRC"
	rm -rf "$Q/dl" "$SRC"
	mkdir -p "$Q/dl"
	if ! (cd "$Q/dl" && apt-get source -q qemu >fetch.log 2>&1); then
		tail -n 20 "$Q/dl/fetch.log" >&2
		die "apt-get source qemu failed (is deb-src enabled? run scripts/install-deps.sh)"
	fi
	d=$(find "$Q/dl" -maxdepth 1 -type d -name 'qemu-7.2*' | head -n 1)
	[ -n "$d" ] || die "no qemu-7.2* directory after apt-get source (wrong release?)"
	case "$(cat "$d/VERSION")" in
		7.2.*) ;;
		*) die "expected QEMU 7.2, got $(cat "$d/VERSION")" ;;
	esac
	mv "$d" "$SRC"
	rm -rf "$Q/dl"
	date -u >"$SRC/.vipsec-fetched"
fi

[ "$fetch_only" -eq 0 ] || exit 0

# --- 2. ESP engine ----------------------------------------------------------
ENG=$top/engine
[ -f "$ENG/vipsec_core.h" ] || die "missing $ENG/vipsec_core.h"
if [ -f "$ENG/Makefile" ]; then
	ENGINE_LIB=$BUILD/engine/libvipsec_engine.a
	log "building the engine (make -C engine)"
	make -s -C "$ENG" -j"$JOBS" BUILD="$BUILD" || die "engine build failed"
	[ -f "$ENGINE_LIB" ] || die "engine Makefile did not produce $ENGINE_LIB"
else
	# No Makefile (yet): compile every engine source with plain flags.
	shopt -s nullglob
	srcs=("$ENG"/*.c)
	shopt -u nullglob
	[ ${#srcs[@]} -gt 0 ] ||
		die "no engine sources in $ENG yet (vipsec_core_* is needed to link the device)"
	ENGINE_LIB=$Q/engine/libvipsec_engine.a
	mkdir -p "$Q/engine"
	objs=()
	for s in "${srcs[@]}"; do
		o=$Q/engine/$(basename "${s%.c}").o
		objs+=("$o")
		if [ ! -f "$o" ] || [ -n "$(find "$s" "$ENG"/*.h "$top/include/uapi/linux" -newer "$o" 2>/dev/null | head -n 1)" ]; then
			gcc -std=gnu11 -O2 -g -Wall -D_GNU_SOURCE -fPIE \
				-I"$top/include/uapi" -I"$ENG" -c "$s" -o "$o" ||
				die "compiling $s failed"
		fi
	done
	if [ ! -f "$ENGINE_LIB" ] || [ -n "$(find "${objs[@]}" -newer "$ENGINE_LIB" | head -n 1)" ]; then
		rm -f "$ENGINE_LIB"
		ar rcs "$ENGINE_LIB" "${objs[@]}"
	fi
fi

# --- 3. graft ---------------------------------------------------------------
bash "$top/qemu-device/graft/graft.sh" "$SRC" "$top" "$ENGINE_LIB" ||
	die "grafting failed"

# --- 4. configure (again only when the options change), build --------------
# KVM is what production users run; TCG stays for hosts without a usable
# /dev/kvm (and for our own tests: tests/vm/accel.sh picks one at run time).
conf_opts=(
	--target-list=x86_64-softmmu
	--without-default-features
	--enable-kvm
	--enable-tcg
	# nettle: the RSA of virtio-crypto's builtin backend, the peer device of
	# `make bench` (without it the guest's RSA self-test fails and warns)
	--enable-nettle
	--disable-docs
	--disable-install-blobs
	--disable-werror
)
conf_stamp="${conf_opts[*]}"
if [ ! -f "$OUT/build.ninja" ] || [ "$(cat "$OUT/.vipsec-configure" 2>/dev/null)" != "$conf_stamp" ]; then
	log "configuring QEMU in $OUT ($conf_stamp)"
	rm -rf "$OUT"
	mkdir -p "$OUT"
	if ! (cd "$OUT" && "$SRC/configure" "${conf_opts[@]}" >configure.log 2>&1); then
		tail -n 30 "$OUT/configure.log" >&2
		rm -f "$OUT/build.ninja"
		die "configure failed (full log: $OUT/configure.log)"
	fi
	echo "$conf_stamp" >"$OUT/.vipsec-configure"
fi

# The engine is linked as an external static library, which ninja does not
# track: relink when it is newer than the binary.
BIN=$OUT/qemu-system-x86_64
if [ -f "$BIN" ] && [ "$ENGINE_LIB" -nt "$BIN" ]; then
	rm -f "$BIN"
fi

log "ninja -j$JOBS qemu-system-x86_64 (log: $OUT/ninja.log)"
if ! ninja -C "$OUT" -j"$JOBS" qemu-system-x86_64 >"$OUT/ninja.log" 2>&1; then
	grep -E -A5 'error|FAILED' "$OUT/ninja.log" | head -n 60 >&2
	die "build failed (full log: $OUT/ninja.log)"
fi
grep -E 'warning:' "$OUT/ninja.log" | grep -E 'virtio-ipsec' | sort -u >&2 || true
[ -x "$BIN" ] || die "no $BIN after build"
log "built $BIN"
