#!/usr/bin/env bash
# Full-path benchmark: builds tests/bench, boots the VM in bench mode (TCG,
# see tests/vm/run.sh) and prints the guest's figures (configuration and one
# table). Benchmarks print figures; nothing here judges speed. Exit 0 when
# the run completed without a failed operation.
# Usage: tests/bench/run-vm-bench.sh [--secs S] [--backend ipsec-mb|kernel|auto]
#                                    [--device DEVICE_STRING] [--build DIR]
#   --secs     seconds per table row (default 2; 24 g-API + 6 AF_ALG rows)
#   --backend  crypto-backend of the device (default ipsec-mb: the design's
#              engine backend; "auto" would prefer the host's AF_ALG)
#   --device   full -device string instead (e.g. virtio-ipsec-pci,num-queues=2)
# Full console log: BUILD/vm/bench.log.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-$top/build}
secs=2
backend=ipsec-mb
device=

while [ $# -gt 0 ]; do
	case "$1" in
	--secs) secs=${2:?}; shift 2 ;;
	--backend) backend=${2:?}; shift 2 ;;
	--device) device=${2:?}; shift 2 ;;
	--build) BUILD=${2:?}; shift 2 ;;
	*) sed -n '6,10s/^# //p' "$0" >&2; exit 2 ;;
	esac
done
device=${device:-virtio-ipsec-pci,crypto-backend=$backend}
case "$device" in *" "*) echo "run-vm-bench: no spaces in the device string" >&2; exit 2 ;; esac
BUILD=$(mkdir -p "$BUILD" && cd "$BUILD" && pwd)
export BUILD

make -s -C "$here" BUILD="$BUILD" >/dev/null
mkdir -p "$BUILD/vm"
out=$BUILD/vm/bench-run.out
set +e
VIPSEC_DEVICE=$device \
VIPSEC_APPEND="${VIPSEC_APPEND:-} vipsec.bench_device=$device vipsec.bench_secs=$secs" \
	"$top/tests/vm/run.sh" --mode bench --timeout 300 --build "$BUILD" >"$out" 2>&1
rc=$?
set -e
log=$BUILD/vm/bench.log
grep -m1 '^run.sh: /' "$out" | sed 's/ -append .*//' || true
# Which accelerator ran the guest: TCG figures are emulation figures.
grep -m1 '^run.sh: accelerator' "$out" || true
# The guest's section of the console, without CRs and the kernel's lines.
tr -d '\r' <"$log" | awk '/^=== virtio-ipsec full-path benchmark/ {p = 1}
	p && !/^\[ *[0-9]+\.[0-9]+\] / {print}
	/^=== end of benchmark ===$/ {p = 0}'
grep -E '^(--- (FAIL|SKIP)|vipsec-init: FAIL|vipsec_vm_bench:)' <(tr -d '\r' <"$log") || true
grep -E '^run.sh: initramfs|^VIPSEC-VM:' "$out" || true
exit "$rc"
