#!/usr/bin/env bash
# The README's "your own program in the VM", as a test: install the library
# (make install DESTDIR=... PREFIX=/usr), build the async example against it
# with pkg-config (dynamically linked: NEEDED libg_ipsec_la.so.0), and run it
# in the guest with the device through `make vm-run EXTRA=... CMD=...`; then
# once more through tests/vm/run.sh --mode run (what make vm-run calls) with
# "&& exit 7" after the program, which must come back as the exit status;
# then the boot watchdog: a stalled first boot is booted again, two fail.
# Usage: tests/install/vm-run.sh [BUILD]   (VIPSEC_QEMU, ACCEL, VM_TIMEOUT honoured)
# Prints "vm-run: N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${1:-${BUILD:-$top/build}}
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
dest=$d/root
result() { echo "vm-run: $1"; echo "vm-run: $2 passed, $3 failed"; [ "$3" = 0 ]; exit; }

make -s -C "$top" install DESTDIR="$dest" PREFIX=/usr BUILD="$build" >"$d/install.log" 2>&1 ||
	{ tail -n 30 "$d/install.log"; result "FAIL: make install" 0 1; }
pc() { PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_PATH=$dest/usr/lib/pkgconfig PKG_CONFIG_LIBDIR='' pkg-config "$@" g_ipsec_la; }
# shellcheck disable=SC2046 # pkg-config's words are the point
cc -O2 -o "$d/vnf_async" "$dest/usr/share/doc/libg_ipsec_la/examples/vnf_async.c" $(pc --cflags --libs) ||
	result "FAIL: building vnf_async against the installed library" 0 1
readelf -d "$d/vnf_async" | grep -q 'NEEDED.*\[libg_ipsec_la.so.0\]' ||
	result "FAIL: vnf_async is not dynamically linked against libg_ipsec_la.so.0" 0 1
echo "vm-run: built $d/vnf_async ($(du -k "$d/vnf_async" | cut -f1) KiB, dynamically linked)"

# 1. make vm-run: the command's output on stdout; make's own status is 0
# when the command succeeded (make turns any failure into 2).
out=$(make -s -C "$top" vm-run BUILD="$build" EXTRA="$d/vnf_async" \
	CMD='vnf_async virtio-ipsec0' VM_TIMEOUT="${VM_TIMEOUT:-600}" 2>"$d/stderr")
rc=$?
echo "--- make vm-run: output of the command in the guest (exit status $rc):"
echo "$out"
if [ "$rc" != 0 ] || ! grep -q '^vnf_async: 2048 of 2048 packets' <<<"$out" ||
	! grep -qx 'vnf_async: PASS' <<<"$out"; then
	echo "--- make vm-run's stderr:"
	tail -n 40 "$d/stderr"
	result "FAIL: expected exit status 0 and vnf_async: PASS (got status $rc)" 0 1
fi

# 2. the script behind it returns the command's exact status: the program
# must pass for the command to reach "exit 7".
out=$(VIPSEC_EXTRA="$d/vnf_async" VIPSEC_CMD='vnf_async virtio-ipsec0 && exit 7' \
	"$top/tests/vm/run.sh" --mode run --timeout "${VM_TIMEOUT:-600}" --build "$build" 2>"$d/stderr")
rc=$?
echo "--- tests/vm/run.sh --mode run: output (exit status $rc):"
echo "$out"
if ! [ "$rc" = 7 ] || ! grep -qx 'vnf_async: PASS' <<<"$out"; then
	echo "--- run.sh's stderr:"
	tail -n 40 "$d/stderr"
	result "FAIL: expected exit status 7 and vnf_async: PASS (got status $rc)" 1 1
fi
echo "vm-run: ok: dynamically linked vnf_async ran in the guest through the device; the command's exit status came back"

# 3. the boot watchdog (tests/vm/boot-watch.sh): a first boot that never
# reaches user space (the test hook hangs it there, as a stalled kernel
# would) is stopped and booted once more, and the command still runs.
out=$(VIPSEC_TEST_STALL_BOOTS=1 VIPSEC_BOOT_WATCHDOG=60 VIPSEC_CMD='echo vm-run-after-stall' \
	"$top/tests/vm/run.sh" --mode run --timeout "${VM_TIMEOUT:-600}" --build "$build" 2>"$d/stderr")
rc=$?
if [ "$rc" != 0 ] || [ "$out" != vm-run-after-stall ] ||
	! grep -q '^run.sh: the guest did not reach user space within 60s' "$d/stderr"; then
	echo "--- output: $out"
	tail -n 40 "$d/stderr"
	result "FAIL: a stalled first boot was not booted again (status $rc)" 2 1
fi
echo "vm-run: ok: a boot stalled before user space was stopped after 60 s and booted again"

# 4. two stalled boots: the run fails (125, the VM run's own failure), with
# the reason, and does not wait for the run's timeout.
t=$(date +%s)
out=$(VIPSEC_TEST_STALL_BOOTS=2 VIPSEC_BOOT_WATCHDOG=5 VIPSEC_CMD='echo never' \
	"$top/tests/vm/run.sh" --mode run --timeout "${VM_TIMEOUT:-600}" --build "$build" 2>"$d/stderr")
rc=$?
t=$(($(date +%s) - t))
if [ "$rc" != 125 ] || [ -n "$out" ] || [ "$t" -ge 120 ] ||
	! grep -q '^run.sh: the second boot stalled too' "$d/stderr"; then
	echo "--- output: $out"
	tail -n 40 "$d/stderr"
	result "FAIL: two stalled boots: expected exit 125 within 120 s with the reason (status $rc after ${t}s)" 3 1
fi
result "PASS: two stalled boots failed the run in ${t}s (exit 125) with the reason" 4 0
