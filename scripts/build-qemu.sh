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
# 4. configures into BUILD/qemu/build (again when the options, the source
#    path or the repository path change, or when the build directory was
#    configured for another path: a copied or moved tree; KVM and TCG both
#    enabled) and builds only qemu-system-x86_64, printing ninja's [n/N]
#    progress at most every QEMU_PROGRESS_EVERY seconds (default 5);
# 5. builds the vhost-user backend BUILD/vhost/vipsec-vhost
#    (qemu-device/vhost/, on this source's libvhost-user).
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
# ccache, where installed (optional; CI does not need it): a second
# checkout (a git worktree, a fresh clone) rebuilds QEMU from the cache in
# a minute instead of ten. Paths are made relative to the checkouts' parent
# and the working directory is left out of the hash, so checkouts at
# different paths share the cache.
cc_opt=()
if command -v ccache >/dev/null 2>&1 && [ "${VIPSEC_NO_CCACHE:-}" != 1 ]; then
	cc_opt=(--cc="ccache cc")
	export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(cd "$top/../.." && pwd)}
	export CCACHE_NOHASHDIR=1
fi
conf_opts=(
	"${cc_opt[@]}"
	--target-list=x86_64-softmmu
	--without-default-features
	--enable-kvm
	--enable-tcg
	# nettle: the RSA of virtio-crypto's builtin backend, the peer device of
	# `make bench` (without it the guest's RSA self-test fails and warns)
	--enable-nettle
	# vhost-user: the vhost-user-ipsec-pci front end, whose queues are
	# served by the vipsec-vhost backend process (qemu-device/vhost/)
	--enable-vhost-user
	--disable-docs
	--disable-install-blobs
	--disable-werror
)
# The stamp names the paths too: meson build directories hold absolute
# paths, and one configured for another checkout (a copied or moved tree)
# makes ninja regenerate that other directory's build.ninja, forever.
conf_stamp="src=$SRC repo=$top opts=${conf_opts[*]}"
old_stamp=$(cat "$OUT/.vipsec-configure" 2>/dev/null || true)
# meson_dirs: "SOURCE BUILD" the directory was configured for, or nothing.
meson_dirs() {
	python3 - "$OUT/meson-info/meson-info.json" <<-'PY' 2>/dev/null || true
		import json, sys
		d = json.load(open(sys.argv[1]))["directories"]
		print(d["source"], d["build"])
	PY
}
reconf=
if [ ! -f "$OUT/build.ninja" ]; then
	reconf="not configured yet"
elif [ "$(meson_dirs)" != "$SRC $OUT" ]; then
	reconf="configured for another tree ($(meson_dirs)), not $SRC $OUT (copied or moved checkout)"
elif [ "$old_stamp" = "${conf_opts[*]}" ]; then
	# A stamp from before the paths were in it, with the paths just
	# checked: bring it up to date without a rebuild.
	echo "$conf_stamp" >"$OUT/.vipsec-configure"
elif [ "$old_stamp" != "$conf_stamp" ]; then
	reconf="configure stamp changed (was: ${old_stamp:-none})"
fi
if [ -n "$reconf" ]; then
	log "configuring QEMU in $OUT: $reconf (about a minute; log: $OUT/configure.log)"
	log "options: ${conf_opts[*]}"
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

# Progress: ninja's "[n/N] ..." status lines (one per step when not on a
# terminal) go to the log; one every QEMU_PROGRESS_EVERY seconds, and the
# last, are shown with the percentage and the elapsed time. (A shell loop,
# not awk: mawk reads a pipe in blocks and would show nothing until the end.)
progress() {
	local every=${QEMU_PROGRESS_EVERY:-5} line last='' shown='' t=-1000 t0=$SECONDS
	show() {
		local s=${last%%]*}
		s=${s#[}
		printf 'build-qemu: [%s] %d%% (%ds)\n' "$s" $((100 * ${s%/*} / ${s#*/})) $((SECONDS - t0))
		shown=$last
	}
	while IFS= read -r line; do
		case "$line" in
		\[[0-9]*/[0-9]*\]\ *)
			last=$line
			if [ $((SECONDS - t)) -ge "$every" ]; then
				t=$SECONDS
				show
			fi
			;;
		esac
	done
	if [ -n "$last" ] && [ "$last" != "$shown" ]; then show; fi
}
log "ninja -j$JOBS qemu-system-x86_64 (log: $OUT/ninja.log)"
set +e
ninja -C "$OUT" -j"$JOBS" qemu-system-x86_64 2>&1 | tee "$OUT/ninja.log" | progress
rc=${PIPESTATUS[0]}
set -e
if grep -q 'still dirty after' "$OUT/ninja.log"; then
	# Never loop on it: a build directory that regenerates itself forever
	# is one configured for another tree; the check above should have
	# caught it, so say so instead of trying again.
	die "ninja keeps regenerating build.ninja in $OUT; remove $OUT and run again (full log: $OUT/ninja.log)"
fi
if [ "$rc" != 0 ]; then
	grep -E -A5 'error|FAILED' "$OUT/ninja.log" | head -n 60 >&2
	die "build failed (full log: $OUT/ninja.log)"
fi
grep -E 'warning:' "$OUT/ninja.log" | grep -E 'virtio-ipsec' | sort -u >&2 || true
[ -x "$BIN" ] || die "no $BIN after build"
log "built $BIN"

# --- 5. the vhost-user backend ---------------------------------------------
# vipsec-vhost (qemu-device/vhost/) serves -device vhost-user-ipsec-pci; it
# compiles libvhost-user from this QEMU source, so it is built here.
make -s -C "$top/qemu-device/vhost" BUILD="$BUILD" QEMU_SRC="$SRC" ||
	die "building the vhost-user backend (qemu-device/vhost) failed"
log "built $BUILD/vhost/vipsec-vhost"
