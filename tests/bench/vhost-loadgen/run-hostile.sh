#!/usr/bin/env bash
# make test suite "vhost-hostile": the vhost-user back end (qemu-device/vhost)
# under the hostile front end of this directory (hostile.c says what each
# case checks). The back end is built a second time with ASan and UBSan
# into BUILD/vhost-asan so that a bad access is a failure, not luck.
# Exit 0 all passed, 1 a failure, 77 skipped (no back end in this tree, or
# no QEMU source to take libvhost-user from).
# Usage: run-hostile.sh [BUILD] [CASE...]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
BUILD=${1:-$top/build}
shift || true
BUILD=$(mkdir -p "$BUILD" && cd "$BUILD" && pwd)

if [ ! -f "$top/qemu-device/vhost/Makefile" ]; then
	echo "SKIP: no vhost-user back end in this tree (qemu-device/vhost)"
	exit 77
fi
if [ ! -f "$BUILD/qemu/src/subprojects/libvhost-user/libvhost-user.c" ]; then
	echo "SKIP: QEMU source not fetched (scripts/build-qemu.sh $BUILD): no libvhost-user"
	exit 77
fi
make -s -C "$top/engine" BUILD="$BUILD"
# Flags through the environment: the back end's Makefile appends its own.
CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined" \
LDFLAGS="-fsanitize=address,undefined" \
	make -s -C "$top/qemu-device/vhost" BUILD="$BUILD" OUT="$BUILD/vhost-asan"
make -s -C "$here" BUILD="$BUILD" "$BUILD/tests/vhost/vipsec-vhost-hostile"
# Leaks at exit are not a trust problem; bad accesses are.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1
exec "$BUILD/tests/vhost/vipsec-vhost-hostile" "$BUILD/vhost-asan/vipsec-vhost" "$@"
