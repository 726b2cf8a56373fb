#!/usr/bin/env bash
# The in-guest suite against the vhost-user form of the device: the
# vipsec-vhost backend (qemu-device/vhost/) serves a vhost-user-ipsec-pci
# device with two data queues to a two-vCPU guest, then a second, short
# boot kills the backend while a guest program uses an SA.
#
#   tests/vm/run-vhost.sh [--timeout SECONDS] [--build DIR] [--only suite|crash]
#
# 1. suite: tests/vm/run.sh --mode test --qmp (every guest test program,
#    the hot-unplug ones included: device_add reconnects to the backend),
#    judged as the in-QEMU run is; then the backend must exit 0 on SIGTERM
#    (it zeroes its keys on the way) and must not have reported a
#    protocol violation.
# 2. crash: mode run, the guest runs `vipsec sa probe` with a packet count
#    it cannot finish, prints VIPSEC-VHOST-KILL, and this script SIGKILLs
#    the backend. The probe must fail with an error (not hang: the guest
#    command has its own bound), and so must a new SA. Then restart: the
#    guest prints VIPSEC-VHOST-RESTART, this script starts a new backend
#    on the same socket, QEMU reconnects (the chardev's reconnect=1), the
#    driver says the device is ready again, a new SA must still fail until
#    the guest resets the device (driver unbind and bind), and must work
#    after it. The VM must still shut down cleanly (the judge: marker, no
#    splat, no timeout) and the new backend must exit 0 on SIGTERM.
# Prints "vm-vhost: N passed, N failed" (one per part) plus the guest
# suite's own counts.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-$top/build}
tmo=600
only=
while [ $# -gt 0 ]; do
	case "$1" in
	--timeout) tmo=${2:?}; shift 2 ;;
	--build) BUILD=${2:?}; shift 2 ;;
	--only) only=${2:?}; shift 2 ;;
	*) echo "usage: $0 [--timeout SECONDS] [--build DIR] [--only suite|crash]" >&2; exit 2 ;;
	esac
done
BUILD=$(realpath -m "$BUILD")
export BUILD
backend=$BUILD/vhost/vipsec-vhost
vmdir=${VIPSEC_VMDIR:-$BUILD/vm-vhost}
mkdir -p "$vmdir"
sock=$vmdir/vhost.sock
queues=2
pass=0 fail=0
ok() { echo "vm-vhost: PASS: $*"; pass=$((pass + 1)); }
bad() { echo "vm-vhost: FAIL: $*"; fail=$((fail + 1)); }
[ -x "$backend" ] || { echo "vm-vhost: no $backend (scripts/build-qemu.sh builds it)"; echo "vm-vhost: 0 passed, 1 failed"; exit 1; }

bpid=
# start_backend LOG: vipsec-vhost on $sock, waiting until it listens
start_backend() {
	rm -f "$sock"
	"$backend" --socket "$sock" --queues "$queues" --verbose >"$1" 2>&1 &
	bpid=$!
	for _ in $(seq 100); do
		[ -S "$sock" ] && return 0
		kill -0 "$bpid" 2>/dev/null || break
		sleep 0.1
	done
	echo "vm-vhost: the backend did not start:"; cat "$1"
	return 1
}
stop_backend() {
	[ -n "$bpid" ] || return 0
	kill -TERM "$bpid" 2>/dev/null
	wait "$bpid"
	local rc=$?
	bpid=
	return $rc
}
trap '[ -z "$bpid" ] || kill -KILL "$bpid" 2>/dev/null' EXIT

# The guest memory must be shared with the backend: a memfd of -m's size
export VIPSEC_SMP=$queues VIPSEC_VMDIR=$vmdir
export VIPSEC_DEVICE="vhost-user-ipsec-pci,chardev=vu0,num-queues=$queues"
# reconnect=1: a backend restarted after a crash is connected to again
# (docs/virtio-ipsec-device.md, vhost-user form); every boot uses it, so the
# hot-unplug tests run with it too.
export VIPSEC_QEMU_ARGS="-object memory-backend-memfd,id=mem,size=1024M,share=on -machine memory-backend=mem -chardev socket,path=$sock,id=vu0,reconnect=1 ${VIPSEC_QEMU_ARGS:-}"

# --- 1. the guest suite ---------------------------------------------------
blog=$vmdir/backend-suite.log
if [ "$only" = crash ]; then
	:
elif start_backend "$blog"; then
	"$here/run.sh" --mode test --qmp --timeout "$tmo" --build "$BUILD"
	rc=$?
	if [ "$rc" = 0 ]; then
		ok "guest suite on vhost-user-ipsec-pci"
	else
		bad "guest suite on vhost-user-ipsec-pci (run.sh exit $rc)"
	fi
	stop_backend
	brc=$?
	echo "--- backend log ($blog):"
	cat "$blog"
	if [ "$brc" != 0 ]; then
		bad "the backend exited $brc on SIGTERM"
	elif grep -q 'protocol violation' "$blog"; then
		bad "the backend saw a protocol violation from a well-behaved guest"
	else
		ok "the backend served the suite and exited cleanly"
	fi
else
	bad "backend start"
fi

# --- 2. backend killed while the guest holds an SA -----------------------
blog=$vmdir/backend-crash.log
rlog=$vmdir/run.log
[ "$only" != suite ] || { echo "vm-vhost: $pass passed, $fail failed"; [ "$fail" = 0 ]; exit; }
# The probe cannot finish 10^9 packets in the time given; the guest
# bounds the whole command too, so a hang fails instead of blocking.
cmd='vipsec sa probe --packets 20000 || { echo "crash-test: FAIL: probe before the kill failed"; exit 1; }
vipsec sa probe --packets 1000000000 >/tmp/probe.out 2>&1 & p=$!
sleep 3
echo VIPSEC-VHOST-KILL
w=0; while kill -0 $p 2>/dev/null && [ $w -lt 60 ]; do sleep 1; w=$((w + 1)); done
if kill -0 $p 2>/dev/null; then echo "crash-test: FAIL: probe still running 60 s after the backend died"; kill -9 $p; wait $p; cat /tmp/probe.out; exit 1; fi
wait $p; rc=$?; cat /tmp/probe.out
[ $rc != 0 ] || { echo "crash-test: FAIL: probe succeeded without a backend"; exit 1; }
if vipsec sa probe --packets 10; then echo "crash-test: FAIL: a new SA worked without a backend"; exit 1; fi
echo "crash-test: probe failed with status $rc after the backend died, as it must"
echo VIPSEC-VHOST-RESTART
w=0; while ! dmesg | grep -q "device ready again" && [ $w -lt 60 ]; do sleep 1; w=$((w + 1)); done
dmesg | grep -q "device ready again" || { echo "crash-test: FAIL: no \"device ready again\" 60 s after the backend restart"; exit 1; }
if vipsec sa probe --packets 10; then echo "crash-test: FAIL: a new SA worked on the broken device before its reset"; exit 1; fi
d=$(basename "$(readlink -f /sys/class/virtio_ipsec/*/device)")
echo "$d" >/sys/bus/virtio/drivers/virtio_ipsec/unbind || { echo "crash-test: FAIL: unbind $d"; exit 1; }
echo "$d" >/sys/bus/virtio/drivers/virtio_ipsec/bind || { echo "crash-test: FAIL: bind $d (probe after the reset failed)"; dmesg | tail -5; exit 1; }
vipsec sa probe --packets 20000 || { echo "crash-test: FAIL: no working SA after the backend restart and the device reset"; exit 1; }
echo "crash-test: recovered: the restarted backend serves new SAs after the device reset"'
blog2=$vmdir/backend-restart.log
pidf=$vmdir/backend-restart.pid
rcf=$vmdir/backend-restart.rc
if start_backend "$blog"; then
	: >"$rlog"
	rm -f "$pidf" "$rcf"
	# Kill the backend when the guest says so (the console goes to $rlog),
	# start a new one when it asks for that; the new one's pid and, once
	# it has exited, its status go to files (it is this subshell's child).
	# (A poll, not tail -F | grep: under pipefail that pipeline only ends
	# when tail next writes, and then with tail's SIGPIPE status.)
	(
		while ! grep -q 'VIPSEC-VHOST-KILL' "$rlog" 2>/dev/null; do
			sleep 0.2
		done
		kill -KILL "$bpid" 2>/dev/null && echo "vm-vhost: backend killed (SIGKILL)"
		while ! grep -q 'VIPSEC-VHOST-RESTART' "$rlog" 2>/dev/null; do
			sleep 0.2
		done
		bpid=
		start_backend "$blog2" || exit 1
		echo "vm-vhost: backend restarted"
		echo "$bpid" >"$pidf"
		wait "$bpid"
		echo $? >"$rcf"
	) &
	watcher=$!
	out=$(VIPSEC_EXTRA="$BUILD/lib/vipsec" VIPSEC_CMD="$cmd" \
		"$here/run.sh" --mode run --timeout "$tmo" --build "$BUILD" 2>&1 3>&1)
	rc=$?
	echo "$out"
	wait "$bpid" 2>/dev/null
	bpid=
	# The restarted backend, if any, must exit 0 on SIGTERM too
	brc=none
	if [ -s "$pidf" ]; then
		kill -TERM "$(cat "$pidf")" 2>/dev/null
		wait "$watcher" 2>/dev/null
		brc=$(cat "$rcf" 2>/dev/null || echo "?")
	else
		kill "$watcher" 2>/dev/null
		wait "$watcher" 2>/dev/null
	fi
	if [ "$rc" = 0 ] && grep -q '^crash-test: probe failed' <<<"$out"; then
		ok "backend killed under an SA: the application got errors, the VM shut down cleanly"
	else
		bad "backend killed under an SA (guest command status $rc; 125 = the VM run failed: $rlog)"
	fi
	if [ "$rc" = 0 ] && grep -q '^crash-test: recovered' <<<"$out" && [ "$brc" = 0 ]; then
		ok "backend restarted: QEMU reconnected, new SAs work after the device reset"
	else
		bad "backend restart (guest command status $rc, restarted backend's exit status $brc)"
	fi
	echo "--- backend log ($blog):"
	cat "$blog"
	echo "--- restarted backend log ($blog2):"
	cat "$blog2" 2>/dev/null
else
	bad "backend start (crash test)"
fi
echo "vm-vhost: $pass passed, $fail failed"
[ "$fail" = 0 ]
