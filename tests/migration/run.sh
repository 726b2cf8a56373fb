#!/usr/bin/env bash
# Live migration, snapshot-to-file and refused migrations of a guest that
# streams ESP traffic through virtio-ipsec (issue 13). Boots the guest with
# only tests/migration/vipsec_migrate_guest as its /tests, then
# tests/migration/migrate.py drives the QEMU processes (source,
# destinations, restores) over QMP and answers the guest.
# Usage: tests/migration/run.sh [--build DIR] [--timeout SECONDS]
# Environment: VIPSEC_QEMU, ACCEL (tests/vm/accel.sh), as tests/vm/run.sh.
# Output: per-check lines "migration: <check>: PASS|FAIL", the guest's own
# lines, "migration: N passed, N failed", then the judge's verdict on the
# last QEMU's console log (guest result, kernel splats). Logs: BUILD/migration/.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-$top/build}
tmo=900
while [ $# -gt 0 ]; do
	case "$1" in
	--build) BUILD=${2:?}; shift 2 ;;
	--timeout) tmo=${2:?}; shift 2 ;;
	*) echo "usage: tests/migration/run.sh [--build DIR] [--timeout SECONDS]" >&2; exit 2 ;;
	esac
done
BUILD=$(mkdir -p "$BUILD" && cd "$BUILD" && pwd)
export BUILD
qemu=${VIPSEC_QEMU:-$BUILD/qemu/build/qemu-system-x86_64}
if [ ! -x "$qemu" ]; then
	echo "migration: FAIL: no QEMU at $qemu (scripts/build-qemu.sh $BUILD)" >&2
	exit 1
fi
[ -f "$BUILD/kernel/release" ] || "$top/scripts/fetch-kernel.sh" "$BUILD"
krel=$(cat "$BUILD/kernel/release")
kernel=$BUILD/kernel/root/boot/vmlinuz-$krel

make -s -C "$here" BUILD="$BUILD" >/dev/null
dir=$BUILD/migration
mkdir -p "$dir"
if ! accel_out=$(BUILD=$BUILD "$top/tests/vm/accel.sh" "$qemu" "$kernel"); then
	echo "migration: FAIL: no usable accelerator" >&2
	exit 1
fi
case "$(sed -n 1p <<<"$accel_out")" in
kvm) accel_args=(-accel kvm -cpu host) ;;
*) accel_args=(-accel tcg -cpu max) ;;
esac
echo "migration: accelerator $(sed -n 1p <<<"$accel_out")"
initrd=$dir/initramfs.cpio.gz
VIPSEC_TESTS=$BUILD/tests/migration/guest "$top/tests/vm/mkinitramfs.sh" test "$initrd"

append="console=ttyS0 panic=-1 quiet log_buf_len=4M vipsec.mode=test"
append+=" vipsec.test_timeout=${VIPSEC_TEST_TIMEOUT:-600} vipsec.timeout_mult=1"
set +e
/usr/bin/python3 "$here/migrate.py" "$dir" "$tmo" "$qemu" \
	"${accel_args[@]}" -m 1024 -smp 1 -nographic -no-reboot -nic none \
	-L /usr/share/seabios -L /usr/share/qemu \
	-kernel "$kernel" -initrd "$initrd" -append "$append"
rc=$?
set -e
last=$(ls -t "$dir"/*.log | head -n 1)
"$top/tests/vm/judge.sh" --rc 0 --timeout "$tmo" "$last" || rc=1
exit "$rc"
