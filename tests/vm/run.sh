#!/usr/bin/env bash
# Boots Debian's 6.1 kernel in our QEMU with a virtio-ipsec-pci device, loads
# virtio_ipsec.ko and runs the in-guest tests, VNF demo, shell or benchmarks.
# Usage: tests/vm/run.sh [--mode test|demo|shell|bench|run] [--timeout SECONDS] [--build DIR]
#                        [--qemu PATH] [--no-device] [--qmp]
# Environment (all optional):
#   ACCEL              auto (default), kvm or tcg: tests/vm/accel.sh decides
#                      (auto uses KVM only when a short probe boot under KVM
#                      reaches the guest's init; else TCG) and says why
#   VIPSEC_QEMU        QEMU binary (default BUILD/qemu/build/qemu-system-x86_64;
#                      there is deliberately no fallback to another QEMU)
#   VIPSEC_DEVICE      the -device argument (default virtio-ipsec-pci; add
#                      properties like virtio-ipsec-pci,foo=bar; empty = none)
#   VIPSEC_QEMU_ARGS   extra QEMU arguments (word-split), e.g. more -device
#   VIPSEC_TCG_QEMU_ARGS extra QEMU arguments only when the guest runs under
#                      TCG (the bench gives virtio-crypto our device's
#                      ioeventfd=auto choice there: -global ...ioeventfd=off)
#   VIPSEC_SMP         guest vCPUs (default 1; the vm-smp suite uses 2)
#   VIPSEC_APPEND      extra kernel command line (vipsec.require_device=0 lets
#                      the guest run its tests without the device: harness
#                      development only)
#   VIPSEC_TEST_TIMEOUT per-test-program timeout inside the guest (default 600)
#   VIPSEC_TIMEOUT_MULT scales the guest's timeouts (per program, Check's, the
#                      tests' own) for a slow kernel: vipsec.timeout_mult=N
#   VIPSEC_VMDIR       where the initramfs and log go (default BUILD/vm)
#   VIPSEC_BOOT_WATCHDOG seconds a boot may take to reach the guest's user
#                      space (its first line, "vipsec-init: user space up")
#                      before tests/vm/boot-watch.sh stops QEMU; the VM is then
#                      booted once more (default 240, against 10-25 s seen
#                      under TCG, debug kernel included; 0 = no watchdog; not in
#                      shell mode). A loaded host can stall a TCG guest in early
#                      boot (seen with the debug kernel, once with a KASAN
#                      report from an interrupt taken in cpu_detect, before
#                      any driver loads); this turns that into one more boot
#                      instead of a whole-run timeout, and prints the stalled
#                      boot's kernel reports. --timeout applies to each boot.
#   VIPSEC_TEST_STALL_BOOTS=N the first N boots hang before user space
#                      (vipsec.stall_boot=1): the watchdog's own test only
#   --qmp              gives the device id=vipsec0 (unless the -device string
#                      names one), opens a QMP socket in BUILD/vm and runs
#                      tests/vm/qmp-agent.py, which carries out the
#                      "VIPSEC-HOST-REQUEST: device_del|device_add ..." lines
#                      guest tests print (host-side hot-unplug); the guest
#                      sees vipsec.qmp=1 on its command line
#   VIPSEC_MODULE, VIPSEC_TESTS, VIPSEC_DEMO, VIPSEC_BENCH, VIPSEC_KROOT, VIPSEC_KRELEASE,
#   VIPSEC_SOLIB, VIPSEC_EXTRA, VIPSEC_CMD:
#                      inputs of tests/vm/mkinitramfs.sh
#   V=1                demo mode: the whole console instead of the report
#   VIPSEC_CONSOLE=1   mode run: show the whole console, not just the output
# Mode run (make vm-run CMD=... EXTRA=...) runs VIPSEC_CMD in the guest with
# the device and module loaded: stdout carries only the command's output
# (console lines between the guest's markers), this script's own lines go
# to stderr, and the exit status is the command's, or 125 when the VM run
# itself failed (no QEMU, timeout, kernel splat, setup failure: the judge's
# verdict says which).
# Output: the serial console on stdout and in BUILD/vm/<mode>.log, then a
# one-line verdict from tests/vm/judge.sh. Exit 0 only on PASS. Demo mode
# (make run) shows a short report instead of the console (tests/vm/report.sh);
# the kernel log only on failure or with V=1.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
mode="test"
tmo=
BUILD=${BUILD:-$top/build}
qemu=${VIPSEC_QEMU:-}
device=${VIPSEC_DEVICE-virtio-ipsec-pci}
use_qmp=0

usage() {
	sed -n '4,5s/^# //p' "$0" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case "$1" in
	--mode) mode=${2:?}; shift 2 ;;
	--mode=*) mode=${1#*=}; shift ;;
	--timeout) tmo=${2:?}; shift 2 ;;
	--timeout=*) tmo=${1#*=}; shift ;;
	--build) BUILD=${2:?}; shift 2 ;;
	--build=*) BUILD=${1#*=}; shift ;;
	--qemu) qemu=${2:?}; shift 2 ;;
	--no-device) device=; shift ;;
	--qmp) use_qmp=1; shift ;;
	-h | --help) usage ;;
	*) echo "run.sh: unknown argument $1" >&2; usage ;;
	esac
done
case "${VIPSEC_SMP:-1}" in
'' | *[!0-9]* | 0*) echo "run.sh: VIPSEC_SMP must be a number of vCPUs from 1, not '$VIPSEC_SMP'" >&2; exit 2 ;;
esac
case "$mode" in
test | demo | bench | run) tmo=${tmo:-900} ;;
shell) tmo=${tmo:-86400} ;;
*) echo "run.sh: --mode must be test, demo, shell, bench or run" >&2; exit 2 ;;
esac
# Mode run: fd 3 is the caller's stdout, for the command's output only.
# Any failure before the command's status is known exits 125.
run_status=
if [ "$mode" = run ]; then
	exec 3>&1 1>&2
	trap 'rc=$?; [ -n "$run_status" ] || [ "$rc" = 0 ] || exit 125' EXIT
fi
BUILD=$(mkdir -p "$BUILD" && cd "$BUILD" && pwd)
export BUILD
qemu=${qemu:-$BUILD/qemu/build/qemu-system-x86_64}
if [ ! -x "$qemu" ]; then
	echo "run.sh: QEMU not found at $qemu (build it: scripts/build-qemu.sh $BUILD; or set VIPSEC_QEMU)" >&2
	echo "VIPSEC-VM: FAIL: no QEMU at $qemu" >&2
	exit 1
fi
if [ ! -f "$BUILD/kernel/release" ] && [ -z "${VIPSEC_KRELEASE:-}" ]; then
	"$top/scripts/fetch-kernel.sh" "$BUILD"
fi
krel=${VIPSEC_KRELEASE:-$(cat "$BUILD/kernel/release")}
kernel=${VIPSEC_KERNEL:-${VIPSEC_KROOT:-$BUILD/kernel/root}/boot/vmlinuz-$krel}
[ -r "$kernel" ] || { echo "run.sh: no kernel at $kernel" >&2; exit 1; }

vmdir=${VIPSEC_VMDIR:-$BUILD/vm}
mkdir -p "$vmdir"
if ! accel_out=$(BUILD=$BUILD "$here/accel.sh" "$qemu" "$kernel"); then
	echo "VIPSEC-VM: FAIL: no usable accelerator (ACCEL=${ACCEL:-auto})" >&2
	exit 1
fi
accel=$(sed -n 1p <<<"$accel_out")
echo "run.sh: accelerator $accel: $(sed -n 2p <<<"$accel_out")"
case "$accel" in
kvm) accel_args=(-accel kvm -cpu host) ;;
*) accel_args=(-accel tcg -cpu max) ;;
esac
initrd=$vmdir/initramfs-$mode.cpio.gz
log=$vmdir/$mode.log
t0=$(date +%s.%N)
"$here/mkinitramfs.sh" "$mode" "$initrd"
t1=$(date +%s.%N)

append="console=ttyS0 panic=-1 quiet log_buf_len=4M vipsec.mode=$mode"
append+=" vipsec.test_timeout=${VIPSEC_TEST_TIMEOUT:-600} ${VIPSEC_APPEND:-}"
append+=" vipsec.timeout_mult=${VIPSEC_TIMEOUT_MULT:-1}"
qmp_sock=$vmdir/qmp-$mode.sock
if [ "$use_qmp" = 1 ] && [ -n "$device" ]; then
	case ",$device," in *,id=*) ;; *) device+=",id=vipsec0" ;; esac
	append+=" vipsec.qmp=1 vipsec.device=$device"
fi
boot_wd=${VIPSEC_BOOT_WATCHDOG:-240}
stall_boots=${VIPSEC_TEST_STALL_BOOTS:-0}
case "$boot_wd$stall_boots" in
'' | *[!0-9]*) echo "run.sh: VIPSEC_BOOT_WATCHDOG and VIPSEC_TEST_STALL_BOOTS must be numbers" >&2; exit 2 ;;
esac
[ "$mode" != shell ] || boot_wd=0
pidfile=$vmdir/qemu-$mode.pid
stalled=$vmdir/$mode.stalled
# -append comes per boot (the watchdog's test hook changes it).
args=("${accel_args[@]}" -m 1024 -smp "${VIPSEC_SMP:-1}" -nographic -no-reboot -nic none
	-L /usr/share/seabios -L /usr/share/qemu -pidfile "$pidfile"
	-kernel "$kernel" -initrd "$initrd")
[ -z "$device" ] || args+=(-device "$device")
# shellcheck disable=SC2206 # word splitting of the extra arguments is the point
[ -z "${VIPSEC_QEMU_ARGS:-}" ] || args+=(${VIPSEC_QEMU_ARGS})
# shellcheck disable=SC2206
[ "$accel" != tcg ] || [ -z "${VIPSEC_TCG_QEMU_ARGS:-}" ] || args+=(${VIPSEC_TCG_QEMU_ARGS})
qmp_args=()
[ "$use_qmp" != 1 ] || [ -z "$device" ] || qmp_args=(-qmp "unix:$qmp_sock,server=on,wait=off")

brief=0
[ "$mode" != demo ] || [ "${V:-0}" = 1 ] || brief=1
if [ "$brief" = 1 ]; then
	echo "run.sh: booting the VM; the console goes to $log (V=1 shows it)"
else
	echo "run.sh: $qemu ${args[*]} ${qmp_args[*]} -append '$append'"
fi
echo "run.sh: mode $mode, timeout ${tmo}s, log $log"

# One boot: QEMU with the console in $log (and where the mode sends it),
# the QMP agent when asked, the boot watchdog beside it. Sets rc.
boot() {
	local agent='' watch='' cmdline=$append
	[ "$1" -gt "$stall_boots" ] || cmdline+=" vipsec.stall_boot=1"
	local a=("${args[@]}" "${qmp_args[@]}" -append "$cmdline")
	rm -f "$pidfile" "$stalled"
	: >"$log"
	if [ ${#qmp_args[@]} -gt 0 ]; then
		rm -f "$qmp_sock"
		/usr/bin/python3 "$here/qmp-agent.py" "$qmp_sock" "$log" &
		agent=$!
	fi
	if [ "$boot_wd" != 0 ]; then
		"$here/boot-watch.sh" "$boot_wd" "$pidfile" "$log" "$stalled" &
		watch=$!
	fi
	set +e
	if [ "$mode" = shell ]; then
		timeout -k 10 "$tmo" "$qemu" "${a[@]}" 2>&1 | tee "$log"
	elif [ "$brief" = 1 ]; then
		echo "run.sh: $qemu ${a[*]}" >"$log.cmd"
		timeout -k 10 "$tmo" "$qemu" "${a[@]}" </dev/null 2>&1 | tee "$log" | "$here/report.sh" --live
	elif [ "$mode" = run ]; then
		timeout -k 10 "$tmo" "$qemu" "${a[@]}" </dev/null 2>&1 | tee "$log" |
			if [ "${VIPSEC_CONSOLE:-0}" = 1 ]; then
				cat >&3
			else
				awk '{ sub(/\r$/, "") }
				     $0 == "----- VIPSEC-RUN-OUTPUT END -----" { out = 0 }
				     out { print; fflush() }
				     $0 == "----- VIPSEC-RUN-OUTPUT BEGIN -----" { out = 1 }' >&3
			fi
	else
		timeout -k 10 "$tmo" "$qemu" "${a[@]}" </dev/null 2>&1 | tee "$log"
	fi
	rc=${PIPESTATUS[0]}
	set -e
	local p
	for p in $watch $agent; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	[ -z "$agent" ] || rm -f "$qmp_sock"
}

rc=0
boot 1
if [ -e "$stalled" ]; then
	mv "$log" "$log.stalled"
	echo "run.sh: the guest did not reach user space within ${boot_wd}s (kernel stalled in boot; console in $log.stalled): booting once more" >&2
	# What the stalled kernel reported before it stopped, as the judge
	# finds it (before /init, so before any code of ours ran); the
	# verdict is the next boot's.
	"$here/judge.sh" "$log.stalled" | sed -n 's/^  kernel: /run.sh: the stalled boot reported: /p' | head -n 3 >&2 || true
	boot 2
	if [ -e "$stalled" ]; then
		echo "run.sh: the second boot stalled too (no user space within ${boot_wd}s)" >&2
		# QEMU stopped by the watchdog may exit 0: never a pass.
		[ "$rc" != 0 ] || rc=1
	fi
fi
t2=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v c="$t2" -v rc="$rc" \
	'BEGIN {printf "run.sh: initramfs %.1fs, VM %.1fs, QEMU exit %s\n", b - a, c - b, rc}'
if [ "$brief" = 1 ]; then
	set +e
	"$here/judge.sh" --rc "$rc" --timeout "$tmo" "$log" >"$log.verdict"
	jrc=$?
	set -e
	"$here/report.sh" --final "$log" "$log.verdict" "$jrc"
	exit "$jrc"
fi
if [ "$mode" = run ]; then
	if ! "$here/judge.sh" --rc "$rc" --timeout "$tmo" "$log"; then
		echo "run.sh: the VM run failed (see above and $log): exit 125" >&2
		exit 125
	fi
	status=$(tr -d '\r' <"$log" | sed -n 's/^VIPSEC-RUN-STATUS: \([0-9][0-9]*\)$/\1/p' | tail -n 1)
	if [ -z "$status" ]; then
		echo "run.sh: no VIPSEC-RUN-STATUS line in $log: exit 125" >&2
		exit 125
	fi
	[ "$status" = 0 ] || echo "run.sh: the command exited with status $status" >&2
	run_status=$status
	exit "$status"
fi
exec "$here/judge.sh" --rc "$rc" --timeout "$tmo" "$log"
