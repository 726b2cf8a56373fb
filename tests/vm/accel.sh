#!/usr/bin/env bash
# Picks the accelerator for the VM harness and says why.
# Usage: tests/vm/accel.sh QEMU KERNEL
# Environment:
#   ACCEL                    auto (default), kvm or tcg
#   VIPSEC_KVM_PROBE_TIMEOUT seconds the probe boot may take (default 30)
#   BUILD                    build dir; the auto verdict is cached in
#                            BUILD/vm/accel.cache per QEMU, kernel and host boot
# Prints two lines on stdout: the accelerator (kvm or tcg), then the reason.
# Exit 2 on a bad ACCEL value, 1 when ACCEL=kvm cannot work here.
#
# Why a probe boot and not just "/dev/kvm exists": under some nested
# hypervisors /dev/kvm opens and KVM_CREATE_VM succeeds, yet the guest never
# gets past its first instructions. The only reliable test is to boot the
# real kernel under KVM and wait, with a hard timeout, for a tiny init to
# print a marker. A hanging probe costs VIPSEC_KVM_PROBE_TIMEOUT seconds
# once per boot of the host (the verdict is cached), never a hung run.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
qemu=${1:?usage: accel.sh QEMU KERNEL}
kernel=${2:?usage: accel.sh QEMU KERNEL}
accel=${ACCEL:-auto}
probe_tmo=${VIPSEC_KVM_PROBE_TIMEOUT:-30}
BUILD=${BUILD:-$top/build}
busybox=${VIPSEC_BUSYBOX:-/bin/busybox}
marker=VIPSEC-KVM-PROBE-OK

# kvm_usable: /dev/kvm present and openable read-write by us
kvm_usable() {
	[ -c /dev/kvm ] || { why="no /dev/kvm on this host"; return 1; }
	{ : <>/dev/kvm; } 2>/dev/null || { why="/dev/kvm is not read-write for $(id -un)"; return 1; }
	"$qemu" -accel help 2>/dev/null | grep -qx kvm ||
		{ why="$qemu was built without KVM"; return 1; }
	return 0
}

# probe: boot KERNEL under KVM with an init that prints the marker.
probe() {
	local d rc out
	d=$(mktemp -d)
	mkdir -p "$d/root/bin" "$d/root/dev"
	cp "$busybox" "$d/root/bin/busybox"
	cat >"$d/root/init" <<-EOF
		#!/bin/busybox sh
		/bin/busybox mount -t devtmpfs dev /dev 2>/dev/null
		/bin/busybox echo $marker >/dev/ttyS0
		/bin/busybox poweroff -f
	EOF
	chmod +x "$d/root/init"
	(cd "$d/root" && find . | cpio -o -H newc --quiet | gzip -1) >"$d/probe.cpio.gz"
	set +e
	out=$(timeout -k 5 "$probe_tmo" "$qemu" -accel kvm -cpu host -m 256 -smp 1 \
		-nographic -no-reboot -nic none -L /usr/share/seabios -L /usr/share/qemu \
		-kernel "$kernel" -initrd "$d/probe.cpio.gz" \
		-append "console=ttyS0 panic=-1 quiet rdinit=/init" </dev/null 2>&1)
	rc=$?
	set -e
	rm -rf "$d"
	if grep -q "$marker" <<<"$out"; then
		return 0
	fi
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		why="a KVM probe boot did not reach the guest's init within ${probe_tmo}s (guests hang under this /dev/kvm, e.g. nested virtualisation)"
	else
		why="a KVM probe boot failed (QEMU exit $rc: $(tail -n 1 <<<"$out"))"
	fi
	return 1
}

why=
case "$accel" in
tcg)
	echo tcg
	echo "ACCEL=tcg"
	;;
kvm)
	if ! kvm_usable; then
		echo "accel.sh: ACCEL=kvm, but $why" >&2
		exit 1
	fi
	echo kvm
	echo "ACCEL=kvm (no probe; a hang ends at the run's timeout)"
	;;
auto)
	if ! kvm_usable; then
		echo tcg
		echo "ACCEL=auto: $why"
		exit 0
	fi
	key=$( { cat /proc/sys/kernel/random/boot_id; stat -c '%s %Y' "$qemu" "$kernel"; \
		echo "$probe_tmo"; } | sha1sum | cut -c1-40)
	cache=$BUILD/vm/accel.cache
	if [ -f "$cache" ] && [ "$(sed -n 1p "$cache")" = "$key" ]; then
		sed -n '2,3p' "$cache"
		exit 0
	fi
	if probe; then
		res=(kvm "ACCEL=auto: a KVM probe boot reached the guest's init")
	else
		res=(tcg "ACCEL=auto: $why; using TCG")
	fi
	mkdir -p "$BUILD/vm"
	printf '%s\n%s\n%s (probed %s)\n' "$key" "${res[0]}" "${res[1]}" "$(date -u +%FT%TZ)" >"$cache"
	sed -n '2,3p' "$cache"
	;;
*)
	echo "accel.sh: ACCEL must be auto, kvm or tcg (got '$accel')" >&2
	exit 2
	;;
esac
