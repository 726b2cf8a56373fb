#!/bin/sh
# Guest /init for the virtio-ipsec VM harness (busybox sh, PID 1).
# Mode comes from the kernel command line: vipsec.mode=test|demo|shell|bench|run.
# Mode run (make vm-run) runs the command in /etc/vipsec/cmd in /extra,
# prints its output between VIPSEC-RUN-OUTPUT markers and its exit status
# as "VIPSEC-RUN-STATUS: N"; that status is the command's, not the run's
# verdict (the host's run.sh returns it).
# First line of its own: "vipsec-init: user space up" (the host's boot
# watchdog waits for it).
# Optional: vipsec.test_timeout=SECONDS (per test program, default 600);
# vipsec.timeout_mult=N scales every timeout for a slow (debug) kernel: the
# per-program one here, Check's (CK_TIMEOUT_MULTIPLIER) and the tests' own
# (VIPSEC_TIMEOUT_MULT); vipsec.soak_cycles=N (VIPSEC_SOAK_CYCLES for the
# hot-unplug soak). A kernel with kmemleak gets a scan-and-clear after boot
# (what boot left is not ours) and a final scan after the module is gone.
# Always ends with the dmesg dump, exactly one VIPSEC-GUEST-RESULT line and
# poweroff -f, whatever happened before: never "no output means pass".

export PATH=/sbin:/usr/sbin:/bin:/usr/bin
export HOME=/root TERM="${TERM:-linux}"

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
# The harness's boot watchdog (tests/vm/boot-watch.sh) waits for this line:
# the kernel is up. vipsec.stall_boot=1 (its own test) hangs here instead.
case " $(cat /proc/cmdline) " in
*" vipsec.stall_boot=1 "*) while :; do sleep 3600; done ;;
esac
echo "vipsec-init: user space up"
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
echo /sbin/modprobe >/proc/sys/kernel/modprobe
hostname vipsec-guest
# Debian's busybox-static runs its own applets before searching PATH, and its
# ip has no xfrm: name iproute2's by path (programs that execvp("ip") get it).
/sbin/ip link set lo up
export VIPSEC_IP=/sbin/ip

mode="test"
test_timeout=600
require_device=1 # 0: harness development only, tests run without the device
read -r cmdline </proc/cmdline
for arg in $cmdline; do
	case "$arg" in
	vipsec.mode=*) mode=${arg#vipsec.mode=} ;;
	vipsec.test_timeout=*) test_timeout=${arg#vipsec.test_timeout=} ;;
	vipsec.require_device=0) require_device=0 ;;
	vipsec.qmp=1) export VIPSEC_QMP=1 ;; # host carries out device_del/add
	vipsec.device=*) export VIPSEC_DEVICE_SPEC="${arg#vipsec.device=}" ;;
	vipsec.timeout_mult=*) timeout_mult=${arg#vipsec.timeout_mult=} ;;
	vipsec.soak_cycles=*) export VIPSEC_SOAK_CYCLES="${arg#vipsec.soak_cycles=}" ;;
	esac
done
case "${timeout_mult:-1}" in
'' | *[!0-9]* | 0) timeout_mult=1 ;;
esac
test_timeout=$((test_timeout * timeout_mult))
export CK_TIMEOUT_MULTIPLIER="$timeout_mult" VIPSEC_TIMEOUT_MULT="$timeout_mult"

fail=0
say() { echo "vipsec-init: $*"; }
bad() { echo "vipsec-init: FAIL: $*"; fail=1; }
nodev() { # missing device or driver: fatal unless vipsec.require_device=0
	if [ "$require_device" = 0 ]; then
		say "(ignored: vipsec.require_device=0) $*"
	else
		bad "$*"
	fi
}

# Kernel log scan, same pattern files as the host judge (tests/vm/judge.sh).
dmesg_lines=0
check_dmesg() { # $1: what just ran
	dmesg >/tmp/dmesg.now
	n=$(wc -l </tmp/dmesg.now)
	if tail -n +"$((dmesg_lines + 1))" /tmp/dmesg.now | sed 's/^\[[ 0-9.]*\] //' |
		grep -E -f /etc/vipsec/splat.pat | grep -v -E -f /etc/vipsec/splat-allow.pat \
		>/tmp/splat; then
		bad "kernel log splat during $1:"
		sed 's/^/    /' /tmp/splat
	fi
	dmesg_lines=$n
}

# --- modules --------------------------------------------------------------
# Required: virtio transport; the crypto the tests compare against (AF_ALG
# gcm/authenc/authencesn; seqiv/echainiv need crypto_null and stdrng = drbg);
# XFRM (esp4/esp6 interop); veth for namespaces.
for m in virtio virtio_ring virtio_pci \
	gcm ghash_generic ctr authenc authencesn seqiv echainiv sha512_generic \
	af_alg algif_aead algif_skcipher algif_hash crypto_null drbg \
	xfrm_algo xfrm_user esp4 esp6 veth; do
	if [ -d "/sys/module/$m" ]; then continue; fi
	modprobe "$m" || bad "modprobe $m failed"
done
# Optional: accelerated implementations (need AES-NI/PCLMUL: -cpu max has
# them); the jitter entropy source (its health test may fail under TCG, drbg
# then continues without it); ChaCha20-Poly1305 and the two algorithms its
# template looks up by name (built in on the debug kernel; the XFRM and
# AF_ALG cases fail by themselves if they are missing).
for m in aesni_intel ghash_clmulni_intel jitterentropy_rng \
	chacha_generic poly1305_generic chacha20poly1305; do
	modprobe -q "$m" 2>/dev/null || say "note: optional module $m not loaded"
done

# kmemleak (debug kernel): forget what boot left, so that a report later is
# about what the driver and the tests did.
kmemleak=/sys/kernel/debug/kmemleak
if [ -w "$kmemleak" ]; then
	echo scan >"$kmemleak" && echo clear >"$kmemleak" &&
		say "kmemleak: boot scanned and cleared"
fi

vipsec-env-check || bad "guest environment check failed (modules, ip xfrm, netns)"

ko=/lib/modules/virtio_ipsec.ko
loaded=0
if [ ! -f "$ko" ]; then
	nodev "no virtio_ipsec.ko in the initramfs (was build/module/virtio_ipsec.ko built? run 'make module')"
elif ! insmod "$ko"; then
	bad "insmod virtio_ipsec.ko failed (see kernel log below)"
else
	loaded=1
	i=0
	while [ ! -c /dev/virtio-ipsec0 ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ ! -c /dev/virtio-ipsec0 ]; then
		have=no
		for d in /sys/bus/virtio/devices/*; do
			[ -f "$d/device" ] && [ "$(cat "$d/device")" = 0x0039 ] && have=$d
		done
		if [ "$have" = no ]; then
			nodev "no /dev/virtio-ipsec0: no virtio device with id 57 (QEMU started without -device virtio-ipsec-pci?)"
		else
			nodev "no /dev/virtio-ipsec0: device $have (virtio id 57) exists but the driver did not create the node"
		fi
	else
		say "virtio_ipsec loaded, /dev/virtio-ipsec0 present"
	fi
fi
check_dmesg "boot and module load"

# --- the work ---------------------------------------------------------------
run_one() { # $1: program; runs it, prints verdict, returns 0 pass 1 fail 2 skip
	name=${1##*/}
	echo "=== RUN $name"
	timeout "$test_timeout" "$1"
	rc=$?
	case $rc in
	0) echo "--- PASS $name" ;;
	77 | 4) echo "--- SKIP $name (exit $rc; reason above)" ;;
	124 | 137 | 143) echo "--- FAIL $name (killed after ${test_timeout}s timeout, exit $rc)" ;;
	*) echo "--- FAIL $name (exit $rc)" ;;
	esac
	check_dmesg "$name"
	case $rc in 0) return 0 ;; 77 | 4) return 2 ;; *) return 1 ;; esac
}

case "$mode" in
test)
	if [ "$fail" = 0 ]; then
		npass=0 nfail=0 nskip=0
		for t in /tests/*; do
			if [ ! -f "$t" ] || [ ! -x "$t" ]; then continue; fi
			run_one "$t"
			case $? in 0) npass=$((npass + 1)) ;; 2) nskip=$((nskip + 1)) ;; *) nfail=$((nfail + 1)) ;; esac
		done
		say "tests: $npass passed, $nfail failed, $nskip skipped"
		[ "$nfail" = 0 ] || bad "$nfail test program(s) failed"
		[ $((npass + nfail + nskip)) -gt 0 ] || bad "no test programs in /tests (build/tests/guest/ empty?)"
		[ "$npass" -gt 0 ] || [ "$nfail" != 0 ] || bad "every test program skipped: nothing was tested"
	else
		say "not running tests: setup failed"
	fi
	;;
demo)
	if [ "$fail" = 0 ]; then
		if [ -x /bin/vnf_demo ]; then
			run_one /bin/vnf_demo || bad "vnf_demo failed or skipped"
		else
			bad "no /bin/vnf_demo in the initramfs (build/lib/vnf_demo missing?)"
		fi
		# the gateway VNF between a LAN host and a Linux XFRM peer
		if [ -x /bin/vipsec-gw-demo ]; then
			run_one /bin/vipsec-gw-demo || bad "the gateway demo failed or skipped"
		else
			bad "no /bin/vipsec-gw-demo in the initramfs (make -C tests/gw not run?)"
		fi
	else
		say "not running the demo: setup failed"
	fi
	;;
bench) # benchmarks print figures; only a failing operation fails the run
	# the peer device, when QEMU has one (run-vm-bench.sh adds it)
	modprobe -q virtio_crypto 2>/dev/null || say "note: no virtio_crypto module"
	if [ "$fail" = 0 ]; then
		nb=0
		for b in /bench/*; do
			if [ ! -f "$b" ] || [ ! -x "$b" ]; then continue; fi
			nb=$((nb + 1))
			run_one "$b"
			[ $? != 1 ] || bad "benchmark ${b##*/} failed"
		done
		[ "$nb" -gt 0 ] || bad "no benchmark programs in /bench (build/tests/bench/ empty?)"
	else
		say "not running benchmarks: setup failed"
	fi
	;;
run)
	if [ "$fail" != 0 ]; then
		say "not running the command: setup failed"
	elif [ ! -r /etc/vipsec/cmd ]; then
		bad "no /etc/vipsec/cmd in the initramfs (VIPSEC_CMD unset?)"
	else
		echo "----- VIPSEC-RUN-OUTPUT BEGIN -----"
		(
			cd /extra 2>/dev/null || cd /
			PATH=/extra:$PATH
			exec sh /etc/vipsec/cmd
		) </dev/null
		rc=$?
		echo "----- VIPSEC-RUN-OUTPUT END -----"
		echo "VIPSEC-RUN-STATUS: $rc"
		check_dmesg "the command"
	fi
	;;
shell)
	[ ! -d /extra ] || say "your files (EXTRA=) are in /extra"
	say "interactive shell; exit it to unload the module and power off"
	setsid cttyhack sh -l
	check_dmesg "the shell session"
	;;
*)
	bad "unknown vipsec.mode=$mode"
	;;
esac

# --- teardown: the unload is the leak/refcount check -------------------------
if [ "$loaded" = 1 ]; then
	if rmmod virtio_ipsec; then
		say "rmmod virtio_ipsec: ok"
	else
		bad "rmmod virtio_ipsec failed (module still in use: leaked reference?)"
		lsmod | grep virtio_ipsec
	fi
	check_dmesg "rmmod"
fi

# The final kmemleak scan: objects must be unreferenced for 5 s (kmemleak's
# minimum age) before a scan reports them; kmemleak.verbose=1 puts the
# reports in the kernel log, the splat patterns catch them there.
if [ -w "$kmemleak" ]; then
	sleep 6
	t0=$(date +%s)
	echo scan >"$kmemleak"
	nleak=$(grep -c '^unreferenced object' "$kmemleak")
	say "kmemleak: final scan in $(($(date +%s) - t0)) s, $nleak unreferenced object(s)"
	if [ "$nleak" != 0 ]; then
		bad "kmemleak: $nleak unreferenced object(s) after the run:"
		head -n 200 "$kmemleak" | sed 's/^/    /'
	fi
	check_dmesg "the final kmemleak scan"
fi

echo "----- VIPSEC-GUEST-DMESG BEGIN -----"
dmesg
echo "----- VIPSEC-GUEST-DMESG END -----"
if [ "$fail" = 0 ]; then
	echo "VIPSEC-GUEST-RESULT: PASS"
else
	echo "VIPSEC-GUEST-RESULT: FAIL"
fi
sync
poweroff -f
