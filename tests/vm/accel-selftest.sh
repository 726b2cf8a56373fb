#!/usr/bin/env bash
# Tests tests/vm/accel.sh, the accelerator choice of the VM harness, without
# booting a real guest: a stand-in QEMU plays a KVM that hangs, a KVM that
# works and a QEMU built without KVM. The last case asks the QEMU we build
# whether it has KVM. Prints "accel-selftest: N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-$top/build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
skip=0

ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }

# The stand-in: FAKE_ACCELS lists what "-accel help" prints, FAKE_BOOT says
# what a boot does (hang, ok = print the probe marker, crash). Every call is
# counted in FAKE_CALLS.
fake=$tmp/qemu
cat >"$fake" <<'EOF'
#!/usr/bin/env bash
echo x >>"$FAKE_CALLS"
if [ "$1 $2" = "-accel help" ]; then
	echo "Accelerators supported in QEMU binary:"
	for a in $FAKE_ACCELS; do echo "$a"; done
	exit 0
fi
case "$FAKE_BOOT" in
hang) exec sleep 1000 ;;
ok) echo "VIPSEC-KVM-PROBE-OK"; exit 0 ;;
*) echo "qemu: could not initialize kvm"; exit 1 ;;
esac
EOF
chmod +x "$fake"
kernel=$tmp/vmlinuz
echo kernel >"$kernel"
export FAKE_CALLS=$tmp/calls

# run_accel ACCEL FAKE_ACCELS FAKE_BOOT: sets out, rc, secs, calls
run_accel() {
	local t0
	: >"$FAKE_CALLS"
	rm -f "$tmp/build/vm/accel.cache"
	t0=$(date +%s)
	set +e
	out=$(ACCEL=$1 FAKE_ACCELS=$2 FAKE_BOOT=$3 BUILD=$tmp/build \
		VIPSEC_KVM_PROBE_TIMEOUT=3 "$here/accel.sh" "$fake" "$kernel" 2>&1)
	rc=$?
	set -e
	secs=$(($(date +%s) - t0))
	calls=$(wc -l <"$FAKE_CALLS")
}

kvm_dev=0
{ [ -c /dev/kvm ] && { : <>/dev/kvm; } 2>/dev/null; } && kvm_dev=1

run_accel bogus "tcg kvm" ok
[ "$rc" = 2 ] && grep -q "must be auto, kvm or tcg" <<<"$out" && ok bad-value ||
	bad bad-value "rc $rc: $out"

run_accel tcg "tcg kvm" hang
[ "$rc" = 0 ] && [ "$(sed -n 1p <<<"$out")" = tcg ] && [ "$calls" = 0 ] &&
	ok forced-tcg || bad forced-tcg "rc $rc calls $calls: $out"

run_accel auto "tcg" ok
if [ "$kvm_dev" = 1 ]; then
	[ "$(sed -n 1p <<<"$out")" = tcg ] && grep -q "built without KVM" <<<"$out" &&
		ok auto-no-kvm-build || bad auto-no-kvm-build "$out"
	run_accel kvm "tcg" ok
	[ "$rc" = 1 ] && grep -q "built without KVM" <<<"$out" &&
		ok forced-kvm-no-kvm-build || bad forced-kvm-no-kvm-build "rc $rc: $out"
else
	[ "$(sed -n 1p <<<"$out")" = tcg ] && grep -q "no /dev/kvm" <<<"$out" &&
		ok auto-no-dev-kvm || bad auto-no-dev-kvm "$out"
fi

if [ "$kvm_dev" = 1 ]; then
	# A /dev/kvm on which guests hang: bounded by the probe timeout.
	run_accel auto "tcg kvm" hang
	[ "$rc" = 0 ] && [ "$(sed -n 1p <<<"$out")" = tcg ] &&
		grep -q "did not reach the guest's init within 3s" <<<"$out" &&
		[ "$secs" -lt 15 ] && ok auto-hanging-kvm ||
		bad auto-hanging-kvm "rc $rc ${secs}s: $out"
	run_accel auto "tcg kvm" crash
	[ "$(sed -n 1p <<<"$out")" = tcg ] && grep -q "probe boot failed (QEMU exit 1" <<<"$out" &&
		ok auto-failing-kvm || bad auto-failing-kvm "$out"
	run_accel auto "tcg kvm" ok
	[ "$(sed -n 1p <<<"$out")" = kvm ] && grep -q "reached the guest's init" <<<"$out" &&
		ok auto-working-kvm || bad auto-working-kvm "$out"
	# Second call: from the cache, no new probe boot.
	before=$(wc -l <"$FAKE_CALLS")
	out2=$(ACCEL=auto FAKE_ACCELS="tcg kvm" FAKE_BOOT=hang BUILD=$tmp/build \
		VIPSEC_KVM_PROBE_TIMEOUT=3 "$here/accel.sh" "$fake" "$kernel")
	after=$(wc -l <"$FAKE_CALLS")
	[ "$(sed -n 1p <<<"$out2")" = kvm ] && [ $((after - before)) = 1 ] &&
		ok auto-cached || bad auto-cached "calls $((after - before)): $out2"
	run_accel kvm "tcg kvm" hang
	[ "$rc" = 0 ] && [ "$(sed -n 1p <<<"$out")" = kvm ] && ok forced-kvm ||
		bad forced-kvm "rc $rc: $out"
else
	echo "skip auto-hanging-kvm, auto-failing-kvm, auto-working-kvm, auto-cached, forced-kvm: no usable /dev/kvm on this host"
	skip=$((skip + 5))
fi

# The QEMU we build has both accelerators.
qemu=${VIPSEC_QEMU:-$BUILD/qemu/build/qemu-system-x86_64}
if [ -x "$qemu" ]; then
	accels=$("$qemu" -accel help)
	grep -qx kvm <<<"$accels" && grep -qx tcg <<<"$accels" && ok built-with-kvm-and-tcg ||
		bad built-with-kvm-and-tcg "$accels"
else
	bad built-with-kvm-and-tcg "no QEMU at $qemu"
fi

echo "accel-selftest: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
