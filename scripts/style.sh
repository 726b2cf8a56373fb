#!/usr/bin/env bash
# make style: each part of the tree judged by the tool of the project it
# follows (docs/HACKING.md):
#   kernel/ and the uAPI headers  the kernel's checkpatch (scripts/checkpatch.sh)
#   engine/, userspace/           clang-format with the top-level .clang-format
#   qemu-device/                  QEMU's own scripts/checkpatch.pl
# Exit 0 only when all three are clean. Usage: scripts/style.sh [--fix]
# (--fix rewrites the clang-format part in place; the checkpatches only report).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
fix=0
[ "${1:-}" = "--fix" ] && fix=1
cd "$top"
fail=0

echo "== style: kernel checkpatch (kernel/virtio_ipsec, include/uapi)"
scripts/checkpatch.sh || fail=1

echo "== style: clang-format (engine, userspace)"
command -v clang-format >/dev/null || {
	echo "style: clang-format missing (apt-get install clang-format)" >&2
	exit 1
}
mapfile -t files < <(git ls-files 'engine/*.[ch]' 'userspace/*.[ch]')
bad=0
for f in "${files[@]}"; do
	if [ "$fix" -eq 1 ]; then
		clang-format -i "$f"
	elif ! clang-format --dry-run -Werror "$f" 2>/dev/null; then
		echo "style: $f is not clang-formatted (scripts/style.sh --fix; or clang-format -i $f)"
		bad=$((bad + 1))
	fi
done
echo "clang-format: ${#files[@]} files, $bad not formatted"
[ "$bad" -eq 0 ] || fail=1

echo "== style: QEMU checkpatch (qemu-device)"
qcp=$BUILD/qemu/src/scripts/checkpatch.pl
if [ ! -f "$qcp" ]; then
	# The QEMU source scripts/build-qemu.sh fetches carries it.
	scripts/build-qemu.sh --fetch-only "$BUILD" >/dev/null || {
		echo "style: cannot fetch QEMU's source for its checkpatch" >&2
		exit 1
	}
fi
mapfile -t qfiles < <(git ls-files 'qemu-device/*.[ch]')
qbad=0
for f in "${qfiles[@]}"; do
	if ! out=$(perl "$qcp" --no-tree -q -f "$f" 2>&1); then
		echo "$out"
		qbad=$((qbad + 1))
	fi
done
echo "QEMU checkpatch: ${#qfiles[@]} files, $qbad with problems"
[ "$qbad" -eq 0 ] || fail=1

[ "$fail" -eq 0 ] && echo "style: clean"
exit "$fail"
