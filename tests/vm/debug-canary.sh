#!/usr/bin/env bash
# Proves that make test-debug can fail: boots the debug kernel with the
# deliberately buggy tests/debug-canary module instead of the driver and
# checks that the VM judge reports each of its bugs (KASAN use-after-free,
# kmemleak unreferenced object, DEBUG_OBJECTS, lockdep, sleep in atomic).
# Run by hand after a change to the debug kernel, the patterns or the guest
# init; never part of a suite (it is a failing run by design).
# Usage: tests/vm/debug-canary.sh [--build DIR]
# Exit 0 when the judge failed the run and named every bug.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-$top/build}
[ "${1:-}" != --build ] || BUILD=${2:?}
BUILD=$(mkdir -p "$BUILD" && cd "$BUILD" && pwd)
export BUILD

"$top/scripts/build-debug-kernel.sh" "$BUILD" >/dev/null
dk=$BUILD/debug-kernel
out=$BUILD/debug-canary
rm -rf "$out"
mkdir -p "$out/src" "$out/tests"
cp "$top/tests/debug-canary/Kbuild" "$top/tests/debug-canary/vipsec_canary.c" "$out/src/"
make -s -C "$dk/linux" M="$out/src" modules

export VIPSEC_KROOT=$dk/root
VIPSEC_KRELEASE=$(cat "$dk/release")
export VIPSEC_KRELEASE
export VIPSEC_MODULE=$out/src/vipsec_canary.ko
export VIPSEC_TESTS=$out/tests # none: the module load is the test
export VIPSEC_VMDIR=$out/vm
export VIPSEC_APPEND="acpi=noirq kmemleak.verbose=1 vipsec.require_device=0"
set +e
verdict=$("$here/run.sh" --mode test --no-device --timeout 900 --build "$BUILD" 2>&1 | tee "$out/run.out")
set -e

ok=1
grep -q '^VIPSEC-VM: FAIL' <<<"$verdict" || { echo "debug-canary: the judge did not fail the run"; ok=0; }
for want in 'BUG: KASAN: (slab-)?use-after-free' 'kmemleak: unreferenced object' \
	'ODEBUG: free active' 'possible circular locking dependency' \
	'BUG: sleeping function called from invalid context'; do
	if grep -qE "^  kernel: .*$want" <<<"$verdict"; then
		echo "debug-canary: caught: $(grep -m1 -oE "$want.*" <<<"$verdict")"
	else
		echo "debug-canary: NOT caught: $want"
		ok=0
	fi
done
if [ "$ok" = 1 ]; then
	echo "debug-canary: PASS: every check fired and the judge failed the run"
	exit 0
fi
echo "debug-canary: FAIL (log $VIPSEC_VMDIR/test.log)"
exit 1
