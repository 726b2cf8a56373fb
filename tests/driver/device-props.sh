#!/usr/bin/env bash
# Host test of the QEMU device's realize-time checks: a max-packet-len
# below the engine's floor (VPE_CORE_MIN_PACKET_LEN, 256) is refused
# with a message that names the property and the bounds (the device
# allowed 64 and the engine then failed with its own, later message), the
# floor itself is accepted, values above the engine's maximum packet
# length and batch (VPE_CORE_MAX_*) are refused there too, and the
# test-only x-fault knobs (docs/virtio-ipsec-device.md section 8) take
# only their documented values.
# Usage: tests/driver/device-props.sh   (VIPSEC_QEMU or BUILD locate QEMU)
# Prints "N passed, N failed"; exit 0 only when all passed.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$top/build}
qemu=${VIPSEC_QEMU:-$BUILD/qemu/build/qemu-system-x86_64}
pass=0 fail=0

if [ ! -x "$qemu" ]; then
	echo "device-props: no QEMU at $qemu: skip"
	echo "0 passed, 0 failed"
	exit 77
fi

# start DEVICE: QEMU's exit status and output, quitting at once when it
# comes up (the monitor reads "quit").
start() {
	echo quit | timeout 60 "$qemu" -M pc -accel tcg -S -display none \
		-nodefaults -L /usr/share/seabios -L /usr/share/qemu \
		-monitor stdio -device "$1" 2>&1
}

# expect NAME WANT_RC(0|fail) DEVICE [PATTERN]
expect() {
	local name=$1 want=$2 dev=$3 pat=${4:-} out rc
	out=$(start "$dev")
	rc=$?
	if { [ "$want" = 0 ] && [ "$rc" -eq 0 ]; } ||
	   { [ "$want" = fail ] && [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] &&
	     grep -qF -- "$pat" <<<"$out"; }; then
		echo "PASS $name"
		pass=$((pass + 1))
	else
		echo "FAIL $name: exit $rc, want $want${pat:+ with '$pat'}; output:"
		sed 's/^/    /' <<<"$out" | head -n 20
		fail=$((fail + 1))
	fi
}

expect "max-packet-len 100 refused at realize" fail \
	virtio-ipsec-pci,max-packet-len=100 \
	"'max-packet-len' must be between 256 and 65535, got 100"
expect "max-packet-len 255 refused at realize" fail \
	virtio-ipsec-pci,max-packet-len=255 \
	"'max-packet-len' must be between 256 and 65535, got 255"
expect "max-packet-len 128 refused at realize (issue 9)" fail \
	virtio-ipsec-pci,max-packet-len=128 \
	"'max-packet-len' must be between 256 and 65535, got 128"
expect "max-packet-len 256 accepted" 0 virtio-ipsec-pci,max-packet-len=256
expect "max-packet-len 65536 refused at realize" fail \
	virtio-ipsec-pci,max-packet-len=65536 \
	"'max-packet-len' must be between 256 and 65535, got 65536"
expect "max-batch 4097 refused at realize" fail \
	virtio-ipsec-pci,max-batch=4097 \
	"'max-batch' must be between 1 and 4096, got 4097"
expect "x-fault=hang accepted" 0 virtio-ipsec-pci,x-fault=hang
expect "x-fault=bogus refused" fail virtio-ipsec-pci,x-fault=bogus \
	"'x-fault' must be none, short-used, bad-status, bad-ids, hang or no-irq, got 'bogus'"
expect "x-fault-queues=bogus refused" fail \
	virtio-ipsec-pci,x-fault-queues=bogus \
	"'x-fault-queues' must be ctrl, data or all, got 'bogus'"

echo "device-props: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
