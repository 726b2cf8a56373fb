#!/usr/bin/env bash
# Tests the VM harness's judge (tests/vm/judge.sh) on crafted console logs,
# without booting anything. Exit 0 if every verdict is the expected one.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# expect runs at the end of pipelines (subshells): results go to a file.
results=$tmp/results
: >"$results"

# A plausible clean run: BIOS escapes, CR LF endings, init output, dmesg dump.
good_body() {
	printf '\033c\033[?7l\033[2JSeaBIOS (version 1.16.2)\r\n'
	printf 'env-check: ok: modprobe esp4 esp6\r\n'
	printf '=== RUN vipsec_guest_test\r\n100%%: Checks: 3, Failures: 0, Errors: 0\r\n'
	printf -- '--- PASS vipsec_guest_test\r\n'
	printf 'vipsec-init: rmmod virtio_ipsec: ok\r\n'
	printf -- '----- VIPSEC-GUEST-DMESG BEGIN -----\r\n'
	printf '[    0.523746] Spectre V1 : Mitigation: usercopy/swapgs barriers\r\n'
	printf '[    0.600000] RETBleed: WARNING: Spectre v2 mitigation leaves CPU vulnerable to RETBleed attacks, data leaks possible!\r\n'
	printf '[    3.449993] Initializing XFRM netlink socket\r\n'
	printf '%s\r\n' "${1-}"
	printf -- '----- VIPSEC-GUEST-DMESG END -----\r\n'
}

# expect NAME WANT(PASS|FAIL) REASON_REGEX [judge args...] < log
expect() {
	local name=$1 want=$2 why=$3 out rc
	shift 3
	cat >"$tmp/$name.log"
	set +e
	out=$("$here/judge.sh" "$@" "$tmp/$name.log" 2>&1)
	rc=$?
	set -e
	local verdict
	verdict=$(grep '^VIPSEC-VM: ' <<<"$out" || true)
	if [ "$want" = PASS ] && [ "$rc" = 0 ] && [[ "$verdict" == "VIPSEC-VM: PASS"* ]]; then
		echo "ok   $name" | tee -a "$results"
	elif [ "$want" = FAIL ] && [ "$rc" = 1 ] && [[ "$verdict" == "VIPSEC-VM: FAIL"* ]] &&
		grep -Eq -- "$why" <<<"$out"; then
		echo "ok   $name" | tee -a "$results"
	else
		echo "FAIL $name: wanted $want matching /$why/, judge exit $rc said:"
		awk '{print "       " $0}' <<<"$out"
		echo "FAIL $name" >>"$results"
	fi
}

{ good_body; printf 'VIPSEC-GUEST-RESULT: PASS\r\n[    4.1] reboot: Power down\r\n'; } |
	expect pass PASS ''
{ good_body; printf 'VIPSEC-GUEST-RESULT: PASS\n'; } |
	expect pass-lf-only PASS ''
good_body | expect missing-marker FAIL 'no VIPSEC-GUEST-RESULT marker'
{ good_body; printf 'VIPSEC-GUEST-RESULT: PASSED\r\n'; } |
	expect marker-not-exact FAIL 'no VIPSEC-GUEST-RESULT marker'
{ printf 'VIPSEC-GUEST-RESULT: PASS\r\n'; good_body; printf 'VIPSEC-GUEST-RESULT: PASS\r\n'; } |
	expect two-markers FAIL '2 PASS markers'
{ printf 'vipsec-init: FAIL: no /dev/virtio-ipsec0: no virtio device with id 57\r\n'
  good_body; printf 'VIPSEC-GUEST-RESULT: FAIL\r\n'; } |
	expect fail-marker FAIL 'reported VIPSEC-GUEST-RESULT: FAIL.*|guest: vipsec-init: FAIL: no /dev/virtio-ipsec0'
{ good_body "[   12.345678] WARNING: CPU: 0 PID: 77 at drivers/virtio/virtio_ring.c:2000 vring_del_virtqueue+0x10/0x20 [virtio_ring]"
  printf 'VIPSEC-GUEST-RESULT: PASS\r\n'; } |
	expect warning-splat FAIL 'kernel: WARNING: CPU: 0 PID: 77'
{ good_body '[    9.1] BUG: KASAN: slab-use-after-free in vipsec_done+0x1/0x2 [virtio_ipsec]'
  printf 'VIPSEC-GUEST-RESULT: PASS\r\n'; } |
	expect kasan-splat FAIL 'kernel: BUG: KASAN'
{ good_body '[    9.2] WARNING: possible circular locking dependency detected'
  printf 'VIPSEC-GUEST-RESULT: PASS\r\n'; } |
	expect lockdep-splat FAIL 'circular locking'
{ good_body '[    9.3] refcount_t: underflow; use-after-free.'
  printf 'VIPSEC-GUEST-RESULT: PASS\r\n'; } |
	expect refcount-splat FAIL 'refcount_t: underflow'
{ good_body '[   30.0] rcu: INFO: rcu_preempt self-detected stall on CPU'
  printf 'VIPSEC-GUEST-RESULT: PASS\r\n'; } |
	expect rcu-stall FAIL 'self-detected stall'
# Debug kernel (make test-debug): kmemleak.verbose=1 reports, DEBUG_OBJECTS
# and DEBUG_LIST lines, as 6.1 prints them.
{ good_body '[  210.5] kmemleak: unreferenced object 0xffff888004c2a000 (size 64):'
  printf 'VIPSEC-GUEST-RESULT: PASS\r\n'; } |
	expect kmemleak-object FAIL 'kernel: kmemleak: unreferenced object'
{ good_body '[  611.0] kmemleak: 2 new suspected memory leaks (see /sys/kernel/debug/kmemleak)'
  printf 'VIPSEC-GUEST-RESULT: PASS\r\n'; } |
	expect kmemleak-summary FAIL 'suspected memory leak'
{ good_body '[   40.0] ODEBUG: free active (active state 0) object type: timer_list hint: vipsec_tmo+0x0/0x10 [virtio_ipsec]'
  printf 'VIPSEC-GUEST-RESULT: PASS\r\n'; } |
	expect debugobjects FAIL 'kernel: ODEBUG: free active'
{ good_body '[   41.0] list_del corruption. prev->next should be ffff888005d1c0a8, but was dead000000000100'
  printf 'VIPSEC-GUEST-RESULT: PASS\r\n'; } |
	expect list-corruption FAIL 'list_del corruption'
# An oops on the console with no dmesg dump after it (the guest died).
{ printf 'env-check: ok\r\n[    5.0] general protection fault, probably for non-canonical address 0xdead: 0000 [#1] PREEMPT SMP NOPTI\r\n'
  printf '[    5.1] Kernel panic - not syncing: Fatal exception\r\n'; } |
	expect gpf-no-dump FAIL 'general protection fault.*|no VIPSEC-GUEST-RESULT marker'
# A test program printing "WARNING:" itself is not a kernel splat.
{ good_body; printf 'WARNING: this is user output\r\nVIPSEC-GUEST-RESULT: PASS\r\n'; } |
	expect user-warning-ignored PASS ''
{ printf 'SeaBIOS\r\n=== RUN vipsec_guest_test\r\n'; } |
	expect timeout FAIL 'timeout: QEMU killed after 900s' --rc 124 --timeout 900
{ good_body; printf 'VIPSEC-GUEST-RESULT: PASS\r\n'; } |
	expect timeout-after-marker FAIL 'timeout' --rc 124 --timeout 60
printf "qemu-system-x86_64: -device virtio-ipsec-pci: 'virtio-ipsec-pci' is not a valid device model name\n" |
	expect qemu-error FAIL 'QEMU exited with status 1' --rc 1

# Skips (tests/vm/skips.allowed): only a listed program, for its listed
# reason, and not when the log shows the condition that rules it out.
skip_run() { # $1 program, $2 its SKIP line, $3 extra kernel line
	printf '=== RUN %s\r\n%s\r\n--- SKIP %s (exit 77; reason above)\r\n' "$1" "$2" "$1"
	good_body "${3-}"
}
{ skip_run vipsec_gw_demo 'gw: SKIP: this kernel has no TUN driver (CONFIG_TUN), which vipsec-gw needs'
  printf 'VIPSEC-GUEST-RESULT: PASS\r\n'; } |
	expect skip-allowed PASS ''
{ skip_run vipsec_gw_demo 'gw: SKIP: this kernel has no TUN driver (CONFIG_TUN), which vipsec-gw needs'
  printf 'VIPSEC-GUEST-RESULT: PASS\r\n'; } |
	expect skip-counted PASS ''
grep -q '^skipped: 1 test program' <<<"$("$here/judge.sh" "$tmp/skip-counted.log")" &&
	echo "ok   skip-counted-line" | tee -a "$results" ||
	echo "FAIL skip-counted-line: no 'skipped: 1 test program' line" | tee -a "$results"
{ skip_run vipsec_gapi_test 'vipsec_gapi_test: SKIP: no /dev/virtio-ipsec<N>'
  printf 'VIPSEC-GUEST-RESULT: PASS\r\n'; } |
	expect skip-unexpected FAIL 'unexpected skip of vipsec_gapi_test \(vipsec_gapi_test: SKIP: no /dev'
{ skip_run vipsec_gw_demo 'gw: SKIP: no virtio-ipsec accelerator'
  printf 'VIPSEC-GUEST-RESULT: PASS\r\n'; } |
	expect skip-other-reason FAIL 'unexpected skip of vipsec_gw_demo'
{ skip_run vipsec_soak_unplug 'SKIP: hot-unplug soak: no host QMP agent (tests/vm/run.sh --qmp)' \
	'[    0.0] Command line: console=ttyS0 vipsec.mode=test vipsec.qmp=1'
  printf 'VIPSEC-GUEST-RESULT: PASS\r\n'; } |
	expect skip-ruled-out FAIL 'unexpected skip of vipsec_soak_unplug'
{ skip_run vipsec_soak_unplug 'SKIP: hot-unplug soak: no host QMP agent (tests/vm/run.sh --qmp)'
  printf 'VIPSEC-GUEST-RESULT: PASS\r\n'; } |
	expect skip-no-qmp PASS ''

# The gateway demo's capture goes to tshark (tests/vm/esp-verify.sh). The
# fixture: three ESP frames (AES-GCM-128, SPI 0x1234abcd, key
# 0x0102..1314, inner ICMP 10.1.0.2 -> 10.2.0.2) made by the library's
# software accelerator.
capture() { # $1: key, $2: expected count, $3: sed applied to the base64
	printf 'VIPSEC-ESP-SA: 192.0.2.1 192.0.2.2 0x1234abcd rfc4106(gcm(aes)) %s 128\r\n' "$1"
	printf 'VIPSEC-PCAP-EXPECT: %s\r\n----- VIPSEC-PCAP BEGIN -----\r\n' "$2"
	base64 "$here/testdata/esp-gcm128.pcap" | sed -e "${3:-}" -e 's/$/\r/'
	printf -- '----- VIPSEC-PCAP END -----\r\n'
}
key=0x0102030405060708090a0b0c0d0e0f1011121314
if command -v tshark >/dev/null; then
	{ good_body; capture "$key" 3; printf 'VIPSEC-GUEST-RESULT: PASS\r\n'; } |
		expect capture-decoded PASS ''
	{ good_body; capture "${key%4}5" 3; printf 'VIPSEC-GUEST-RESULT: PASS\r\n'; } |
		expect capture-wrong-key FAIL 'tshark could not decode'
	{ good_body; capture "$key" 4; printf 'VIPSEC-GUEST-RESULT: PASS\r\n'; } |
		expect capture-frames-missing FAIL 'tshark could not decode'
	{ good_body; capture "$key" 3 '5s/[A-Za-z]/0/g'; printf 'VIPSEC-GUEST-RESULT: PASS\r\n'; } |
		expect capture-corrupted FAIL 'tshark could not decode'
else
	echo "FAIL capture-*: tshark is not installed (scripts/install-deps.sh)" | tee -a "$results"
fi

pass=$(grep -c '^ok' "$results" || true)
fail=$(grep -c '^FAIL' "$results" || true)
echo "selftest: $pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
