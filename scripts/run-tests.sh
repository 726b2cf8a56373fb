#!/usr/bin/env bash
# Runs every test suite, keeps each one's output in BUILD/test-logs/, and
# adds up the results: Check's summary lines ("NN%: Checks: N, Failures: F,
# Errors: E") and plain "N passed, N failed" lines. A suite that exits
# non-zero without reporting a failure counts as one failure, so a crash,
# a timeout or a kernel splat can never pass silently. Skips are counted
# as skips, never as passes: "skipped: N of the checks above" (a Check
# runner's allowed skips, tests/lib/gapi_skip.c, which Check's summary
# counted as passed) moves N from passed to skipped, and "skipped: N test
# program(s)" (the VM judge's allowed skips, tests/vm/skips.allowed) and
# "skipped: N checks not run" (tests a runner did not register, e.g. the
# engine's cross-backend tests on a host without AF_ALG) add N. An
# unexpected skip is a failure where it happens.
# Usage: scripts/run-tests.sh [--host-only | --debug]
#   --debug: the judge's self-test and the guest suite on the debug kernel
#   (tests/vm/run-debug.sh: KASAN, lockdep, kmemleak, ...), for make test-debug
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
logs=$build/test-logs
mkdir -p "$logs"
host_only=0 debug=0
[ "${1:-}" = "--host-only" ] && host_only=1
[ "${1:-}" = "--debug" ] && debug=1

total_pass=0
total_fail=0
total_skip=0
summary=()

# run_suite NAME COMMAND...
run_suite() {
	local name=$1; shift
	local log=$logs/$name.log rc p=0 f=0 s=0 line
	echo "=== $name: $*"
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	while IFS= read -r line; do
		if [[ $line =~ ([0-9]+)%:\ Checks:\ ([0-9]+),\ Failures:\ ([0-9]+),\ Errors:\ ([0-9]+) ]]; then
			local n=${BASH_REMATCH[2]} fl=${BASH_REMATCH[3]} er=${BASH_REMATCH[4]}
			p=$((p + n - fl - er))
			f=$((f + fl + er))
		elif [[ $line =~ ^([A-Za-z-]+:\ )?([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
			p=$((p + BASH_REMATCH[2]))
			f=$((f + BASH_REMATCH[3]))
		elif [[ $line =~ ^skipped:\ ([0-9]+)\ of\ the\ checks\ above ]]; then
			p=$((p - BASH_REMATCH[1]))
			s=$((s + BASH_REMATCH[1]))
		elif [[ $line =~ ^skipped:\ ([0-9]+)\ (test\ program|checks?\ not\ run) ]]; then
			s=$((s + BASH_REMATCH[1]))
		fi
	done < <(tr -d '\r' <"$log")
	if [ "$rc" -eq 77 ] && [ "$p" -eq 0 ] && [ "$f" -eq 0 ] &&
		grep -qi skip "$log"; then
		# exit 77 is a skip (docs/layout.md) when the suite says why
		echo "=== $name: skipped"
		summary+=("$(printf '%-14s skipped (log %s)' "$name" "$log")")
		return
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "=== $name: exited $rc without a counted failure; counting it as one"
		f=1
	fi
	if [ "$rc" -eq 0 ] && [ "$p" -le 0 ] && [ "$f" -eq 0 ]; then
		echo "=== $name: ran no test; counting it as a failure"
		f=1
	fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	total_skip=$((total_skip + s))
	summary+=("$(printf '%-14s %5d passed %5d failed %4d skipped  (exit %d)' "$name" "$p" "$f" "$s" "$rc")")
	[ "$f" -eq 0 ] || why_failed "$name" "$log"
}

# why_failed NAME LOG: the lines that say why, for the digest after the
# summary. CI keeps only the end of the output, so the reasons must come
# last and be short: Check's failure lines (file:line:F|E:...), the VM
# judge's verdict, a harness's FAIL lines, QEMU's and the kernel's last
# words; at most 6 lines a suite, each cut to 200 characters.
why_failed() {
	local name=$1 log=$2 lines line
	lines=$(tr -d '\r' <"$log" | grep -aE ':[FE]:[^:]*:[^:]*:[0-9]+: |^VIPSEC-VM: FAIL|^  (kernel|guest): |^--- FAIL|^[a-z-]+: FAIL|FAIL: |^run\.sh: (the |no )|Assertion|Segmentation|Kernel panic|BUG:|WARNING:|timed out|Timeout' |
		grep -av '^run\.sh: accelerator' | awk '!seen[$0]++' | head -n 6 | cut -c1-200)
	[ -n "$lines" ] || lines=$(tr -d '\r' <"$log" | grep -av '^\s*$' | tail -n 3 | cut -c1-200)
	digest+=("$name:")
	while IFS= read -r line; do digest+=("  $line"); done <<<"$lines"
}
digest=()

if [ "$debug" -eq 1 ]; then
	run_suite vm-selftest "$top/tests/vm/selftest.sh"
	run_suite vm-debug "$top/tests/vm/run-debug.sh" --timeout "${VM_DEBUG_TIMEOUT:-2400}" --build "$build"
else
	run_suite unit make -s -C "$top/tests/unit" BUILD="$build" check
	run_suite unit-asan make -s -C "$top/tests/unit" BUILD="$build" check-asan
	run_suite unit-tsan make -s -C "$top/tests/unit" BUILD="$build" check-tsan
	run_suite lib make -s -C "$top/tests/lib" BUILD="$build" check
	run_suite ioctl-host make -s -C "$top/tests/guest" BUILD="$build" check-host
	run_suite interop make -s -C "$top/tests/interop" BUILD="$build" check
	run_suite fuzz make -s -C "$top/tests/fuzz" BUILD="$build" check
	run_suite gw-config make -s -C "$top/tests/gw" BUILD="$build" check
	run_suite vhost-front make -s -C "$top/tests/bench/vhost-loadgen" BUILD="$build" check
	run_suite vhost-hostile "$top/tests/bench/vhost-loadgen/run-hostile.sh" "$build"
	run_suite vm-selftest "$top/tests/vm/selftest.sh"
	run_suite vm-accel "$top/tests/vm/accel-selftest.sh"
	run_suite install "$top/tests/install/check.sh" "$build"
	if [ "$host_only" -eq 0 ]; then
		run_suite device-props "$top/tests/driver/device-props.sh"
		run_suite vm-guest "$top/tests/vm/run.sh" --mode test --qmp --timeout "${VM_TIMEOUT:-600}" --build "$build"
		# a multi-threaded VNF spreads over the data queues (one per vCPU)
		run_suite vm-smp env VIPSEC_SMP=2 VIPSEC_DEVICE=virtio-ipsec-pci,num-queues=2 \
			VIPSEC_TESTS="$build/tests/guest-mq" VIPSEC_VMDIR="$build/vm-smp" \
			"$top/tests/vm/run.sh" --mode test --timeout "${VM_SMP_TIMEOUT:-600}" --build "$build"
		# two devices in one guest: the g-API failover round trip
		# (tests/guest/failover.c), its own initramfs and log directory;
		# a third device plays one from before VIRTIO_IPSEC_F_SA_CAPS
		run_suite vm-failover env VIPSEC_QEMU_ARGS="-device virtio-ipsec-pci -device virtio-ipsec-pci,x-sa-caps=off" \
			VIPSEC_TESTS="$build/tests/failover" VIPSEC_VMDIR="$build/vm-failover" \
			"$top/tests/vm/run.sh" --mode test --timeout "${VM_TIMEOUT:-600}" --build "$build"
		# The same guest suite against the vhost-user form (vipsec-vhost
		# backend, two data queues, -smp 2), then the backend killed
		# under a guest's SA
		run_suite vm-vhost "$top/tests/vm/run-vhost.sh" --timeout "${VM_TIMEOUT:-600}" --build "$build"
		run_suite vm-migration "$top/tests/migration/run.sh" --timeout "${VM_MIGRATION_TIMEOUT:-900}" --build "$build"
		run_suite vm-run "$top/tests/install/vm-run.sh" "$build"
	fi
fi

echo
echo "=== Summary (logs in $logs)"
printf '%s\n' "${summary[@]}"
if [ ${#digest[@]} -gt 0 ]; then
	echo "=== Why the failed suites failed"
	printf '%s\n' "${digest[@]}"
fi
# the VM suites' accelerator (tests/vm/accel.sh's cached verdict)
[ ! -r "$build/vm/accel.cache" ] || echo "vm accel: $(sed -n 3p "$build/vm/accel.cache" | cut -c1-160)"
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ]
