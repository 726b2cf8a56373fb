#!/usr/bin/env bash
# Runs the whole guest suite (every program in BUILD/tests/guest, as make
# test's vm-guest does) on the debug kernel: KASAN, lockdep, PROVE_RCU,
# DEBUG_ATOMIC_SLEEP, DEBUG_OBJECTS, kmemleak (scripts/debug-kernel.config).
# Any report fails the run (tests/vm/splat.pat, judged like every run).
# Usage: tests/vm/run-debug.sh [--build DIR] [--timeout SECONDS]
# Environment (optional):
#   VIPSEC_TIMEOUT_MULT  timeout multiplier inside the guest (default 6: the
#                        debug kernel under TCG is ~5x slower)
#   VIPSEC_SOAK_CYCLES   hot-unplug soak cycles (default 100)
#   VIPSEC_QEMU, VIPSEC_TESTS, VIPSEC_APPEND  as for tests/vm/run.sh
# Builds the kernel (or takes it from the cache, see
# scripts/build-debug-kernel.sh) and the module against it first.
# Output: run.sh's, then one line counting the reports by kind.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-$top/build}
tmo=2400
while [ $# -gt 0 ]; do
	case "$1" in
	--build) BUILD=${2:?}; shift 2 ;;
	--timeout) tmo=${2:?}; shift 2 ;;
	*) echo "run-debug.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
BUILD=$(mkdir -p "$BUILD" && cd "$BUILD" && pwd)
export BUILD

t0=$(date +%s)
"$top/scripts/build-debug-kernel.sh" "$BUILD"
t1=$(date +%s)
dk=$BUILD/debug-kernel
export VIPSEC_KROOT=$dk/root
VIPSEC_KRELEASE=$(cat "$dk/release")
export VIPSEC_KRELEASE
export VIPSEC_MODULE=$BUILD/debug-module/virtio_ipsec.ko
export VIPSEC_VMDIR=$BUILD/vm-debug
export VIPSEC_TIMEOUT_MULT=${VIPSEC_TIMEOUT_MULT:-6}
# acpi=noirq: ACPI interrupt-routing methods hit the AML loop timeout when
# KASAN slows the interpreter. kmemleak.verbose=1: reports in the kernel log.
# The soft-lockup threshold scaled like the timeouts (60 s instead of 20 s):
# a TCG vCPU starved by a busy host is not a lockup. (The RCU stall timeout
# stays: its boot message would match the splat pattern for RCU stalls.)
append="acpi=noirq kmemleak.verbose=1 watchdog_thresh=30"
export VIPSEC_APPEND="$append vipsec.soak_cycles=${VIPSEC_SOAK_CYCLES:-100} ${VIPSEC_APPEND:-}"

set +e
"$here/run.sh" --mode test --qmp --timeout "$tmo" --build "$BUILD"
rc=$?
set -e

# Reports by kind, from the kernel log lines of the run (the dmesg dump and
# the console), once each.
log=$VIPSEC_VMDIR/test.log
count() {
	[ -r "$log" ] || { echo 0; return; }
	tr -d '\r' <"$log" | grep -E '^\[ *[0-9]+\.[0-9]+\] ' | sort -u |
		grep -cE "$1" || true
}
echo "run-debug.sh: $VIPSEC_KRELEASE: KASAN $(count 'BUG: KASAN')," \
	"lockdep/RCU $(count 'circular locking|recursive locking|inconsistent lock state|suspicious RCU usage|bad unlock balance')," \
	"DEBUG_OBJECTS $(count 'ODEBUG'), kmemleak $(count 'kmemleak: unreferenced object')," \
	"sleep-in-atomic $(count 'sleeping function called from invalid context') report(s);" \
	"kernel $((t1 - t0)) s, VM $(($(date +%s) - t1)) s"
exit "$rc"
