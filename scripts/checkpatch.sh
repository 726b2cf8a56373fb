#!/usr/bin/env bash
# Runs the kernel's checkpatch.pl on the guest driver and the uAPI headers.
# usage: scripts/checkpatch.sh [FILE...]   (default: every driver and uAPI
# file). Exits 0 only when checkpatch reports no error, warning or check.
#
# checkpatch.pl and the data files it reads next to itself (spelling.txt,
# const_structs.checkpatch) come from Debian's linux-source-6.1, the
# source of the guest kernel we build against, so the rules match that
# kernel. Only those three files are extracted, once per package version,
# into $VIPSEC_CHECKPATCH_CACHE (default /var/cache/virtio-ipsec/checkpatch,
# outside the clone like the debug kernel); the package is installed when
# missing (apt, needs root).
set -euo pipefail

top="$(cd "$(dirname "$0")/.." && pwd)"
pkg=linux-source-6.1
tarball=/usr/src/$pkg.tar.xz
cache_root=${VIPSEC_CHECKPATCH_CACHE:-/var/cache/virtio-ipsec/checkpatch}
files=(checkpatch.pl spelling.txt const_structs.checkpatch)

die() { echo "checkpatch.sh: $*" >&2; exit 2; }

pkg_version() { dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || true; }

ver=$(pkg_version)
if [ -z "$ver" ] || [ ! -f "$tarball" ]; then
	[ "$(id -u)" -eq 0 ] || die "$pkg is not installed (apt-get install -y $pkg, as root)"
	echo "checkpatch.sh: installing $pkg" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >&2 ||
		die "apt-get install $pkg failed"
	ver=$(pkg_version)
fi
[ -n "$ver" ] && [ -f "$tarball" ] || die "$pkg installed but $tarball missing"

cache=$cache_root/$ver
if [ ! -f "$cache/.complete" ]; then
	mkdir -p "$cache_root" || die "cannot create $cache_root"
	tmp=$(mktemp -d "$cache_root/.extract.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	echo "checkpatch.sh: extracting checkpatch from $tarball ($ver)" >&2
	tar -xJf "$tarball" -C "$tmp" "${files[@]/#/$pkg/scripts/}" ||
		die "cannot extract ${files[*]} from $tarball"
	mkdir -p "$cache"
	for f in "${files[@]}"; do
		cp "$tmp/$pkg/scripts/$f" "$cache/$f"
	done
	chmod +x "$cache/checkpatch.pl"
	touch "$cache/.complete"
fi

# Sources only: the module build writes *.mod.c and friends next to them.
if [ $# -eq 0 ]; then
	if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
		mapfile -t targets < <(git -C "$top" ls-files \
			'kernel/virtio_ipsec/*.[ch]' 'include/uapi/linux/virtio_ipsec*.h')
	else
		mapfile -t targets < <(cd "$top" && ls kernel/virtio_ipsec/*.[ch] \
			include/uapi/linux/virtio_ipsec*.h | grep -v '\.mod\.c$')
	fi
else
	targets=("$@")
fi
[ "${#targets[@]}" -gt 0 ] || die "no files to check"

# --no-tree: out-of-tree code, no kernel tree around it.
# --strict: also the CHECK-level rules in-tree drivers are held to.
# -f: whole files, not a patch.
# Every file: --ignore FILE_PATH_CHANGES, which asks for MAINTAINERS
# updates that only a patch against a kernel tree can carry.
common=(--no-tree --strict --show-types --color=never --summary-file)
ignore=FILE_PATH_CHANGES

# A few files get more, each for a false positive that cannot be written
# away, and only for that file so the rule still guards every other one:
#   virtio_ipsec_status.h: COMPLEX_MACRO, MACRO_ARG_REUSE: an X-macro list
#     (VIPSEC_STATUS_TABLE) and its row callbacks are token lists, not
#     expressions to parenthesise, and X is a macro name, not a value
#     evaluated twice.
#   chardev.c: MACRO_ARG_REUSE: VIPSEC_IOCTL() takes an ioctl number, a
#     constant, and reads it three times to check it at build time.
#   sysfs.c: MACRO_ARG_REUSE: VIPSEC_STAT_ATTR() takes a struct field name
#     and pastes it into the show function and the attribute.
extra_ignore() {
	case "$1" in
	include/uapi/linux/virtio_ipsec_status.h) echo ,COMPLEX_MACRO,MACRO_ARG_REUSE ;;
	kernel/virtio_ipsec/chardev.c | kernel/virtio_ipsec/sysfs.c) echo ,MACRO_ARG_REUSE ;;
	esac
}

# GIT_DIR: checkpatch caches CamelCase words in a
# .checkpatch-camelcase.git.* file in the tree when it finds a git
# directory; nothing is to be written into the clone.
export GIT_DIR=/nonexistent
cd "$top"
rc=0 plain=()
for f in "${targets[@]}"; do
	x=$(extra_ignore "$f")
	if [ -n "$x" ]; then
		perl "$cache/checkpatch.pl" "${common[@]}" --ignore "$ignore$x" \
			-f "$f" || rc=1
	else
		plain+=("$f")
	fi
done
if [ "${#plain[@]}" -gt 0 ]; then
	perl "$cache/checkpatch.pl" "${common[@]}" --ignore "$ignore" \
		-f "${plain[@]}" || rc=1
fi
if [ "$rc" -eq 0 ]; then
	echo "checkpatch.sh: ${#targets[@]} files, 0 errors, 0 warnings, 0 checks"
else
	echo "checkpatch.sh: findings above" >&2
fi
exit "$rc"
