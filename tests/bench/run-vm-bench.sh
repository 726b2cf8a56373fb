#!/usr/bin/env bash
# Full-path benchmark: builds tests/bench, boots the VM in bench mode (TCG,
# see tests/vm/run.sh) and prints the guest's figures (configuration and one
# table, with QEMU's host CPU per packet from /proc), writes
# BUILD/bench/vm.csv and vm.png. The peer device, virtio-crypto-pci, is in
# the same boot. Benchmarks print figures; nothing here judges speed. Exit 0 when
# the run completed without a failed operation.
# Usage: tests/bench/run-vm-bench.sh [--secs S] [--backend ipsec-mb|kernel|auto]
#                                    [--device DEVICE_STRING] [--build DIR]
#   --secs     seconds per table row (default 2; 24 g-API + 6 g-API with
#              the driver's zero_copy off (A/B) + 6 AF_ALG + 6 virtio-crypto rows)
#   --backend  crypto-backend of the device (default ipsec-mb: the design's
#              engine backend; "auto" would prefer the host's AF_ALG)
#   --device   full -device string instead (e.g. virtio-ipsec-pci,num-queues=2)
# Full console log: BUILD/vm/bench.log.
# Only some sizes (profiling, A/B): VIPSEC_APPEND=vipsec.bench_sizes=1420
# (a comma list of 64, 512, 1420).
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
mkdir -p "$BUILD/vm" "$BUILD/bench"
out=$BUILD/vm/bench-run.out
log=$BUILD/vm/bench.log
hostcpu=$BUILD/bench/vm-host-cpu.txt
rm -f "$log" "$hostcpu"
# The peer device in the same boot: QEMU's virtio-crypto with its builtin
# backend (the guest reaches it through AF_ALG, see bench_vcrypto.c).
vcrypto="-object cryptodev-backend-builtin,id=vipsec-vcrypto0 -device virtio-crypto-pci,cryptodev=vipsec-vcrypto0"
# Same kick handling for both devices: under TCG virtio-ipsec-pci's
# ioeventfd=auto lets the vCPU serve its own kick (no main-loop wake-up per
# request); the peer gets that choice too, or the ratio would partly
# measure QEMU's defaults. Under KVM both keep their ioeventfd.
export VIPSEC_TCG_QEMU_ARGS="${VIPSEC_TCG_QEMU_ARGS:-} -global virtio-crypto-pci.ioeventfd=off"
# Named threads ("CPU 0/TCG"), so that host-cpu.py can tell vCPUs apart.
vcrypto+=" -name vipsec-bench,debug-threads=on"
# Host CPU per packet of QEMU's threads, sampled at the guest's row markers.
/usr/bin/python3 "$here/host-cpu.py" "$log" "$BUILD/vm/initramfs-bench.cpio.gz" "$hostcpu" &
sampler=$!
set +e
VIPSEC_DEVICE=$device \
VIPSEC_QEMU_ARGS="${VIPSEC_QEMU_ARGS:-} $vcrypto" \
VIPSEC_APPEND="${VIPSEC_APPEND:-} vipsec.bench_device=$device vipsec.bench_secs=$secs" \
	"$top/tests/vm/run.sh" --mode bench --timeout 300 --build "$BUILD" >"$out" 2>&1
rc=$?
set -e
kill "$sampler" 2>/dev/null || true
wait "$sampler" 2>/dev/null || true
grep -m1 '^run.sh: /' "$out" | sed 's/ -append .*//' || true
# Which accelerator ran the guest: TCG figures are emulation figures.
grep -m1 '^run.sh: accelerator' "$out" || true
# The guest's section of the console, without CRs and the kernel's lines.
tr -d '\r' <"$log" | awk '/^=== virtio-ipsec full-path benchmark/ {p = 1}
	p && !/^\[ *[0-9]+\.[0-9]+\] / && !/^VIPSEC-BENCH-MARK / {print}
	/^=== end of benchmark ===$/ {p = 0}' | tee "$BUILD/bench/vm-bench.txt"
if [ -s "$hostcpu" ]; then
	echo "host CPU per packet of QEMU's threads (from /proc), by row #:"
	echo "  vcpu = vCPU threads (under TCG: the emulated guest, and both devices,"
	echo "  which have no ioeventfd there: virtio-ipsec's ioeventfd=auto, the"
	echo "  peer given ioeventfd=off alike); main = QEMU's main loop, where a"
	echo "  device with an ioeventfd runs (KVM, or --device ...,ioeventfd=on);"
	echo "  other = the rest. One clock tick = 10 ms per row."
	printf '%3s %9s %12s %12s %12s\n' "#" packets "vcpu us/pkt" "main us/pkt" "other us/pkt"
	awk '{printf "%3s %9s %12s %12s %12s\n", $1, $2, $3, $4, $5}' "$hostcpu"
else
	echo "host CPU per packet: no samples (host-cpu.py found no QEMU or no markers)"
fi
# One CSV of every row (with its host CPU), and the ratios the project
# tracks: g-API at 1420 B, batch 32 (best of sync/async) against the
# guest's own AF_ALG and against virtio-crypto, same boot.
awk -v hc="$hostcpu" '
BEGIN {
	while ((getline l < hc) > 0) { split(l, f, " "); vc[f[1]] = f[3]; mn[f[1]] = f[4]; ot[f[1]] = f[5] }
	print "row,bytes,path,dir,batch,depth,packets,pps,host_vcpu_us,host_main_us,host_other_us"
}
$1 ~ /^[0-9]+$/ && $2 ~ /^[0-9]+$/ && NF >= 13 {
	path = $3; for (i = 4; i <= NF - 10; i++) path = path " " $i
	j = NF - 9
	printf "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", $1, $2, path, $j, $(j+1), $(j+2), $(j+3), $(j+5), vc[$1], mn[$1], ot[$1]
}' "$BUILD/bench/vm-bench.txt" >"$BUILD/bench/vm.csv"
awk -F, 'NR > 1 && $2 == 1420 {
	if ($3 ~ /^g-API/ && $3 !~ /copy/ && $5 == 32 && $8 > best[$4 == "encap" ? "enc" : "dec"]) best[$4 == "encap" ? "enc" : "dec"] = $8
	else if ($3 ~ /^AF_ALG/) af[$4] = $8
	else if ($3 ~ /^virtio-crypto/) vc[$4] = $8
	if ($3 == "g-API sync" && $5 == 32) zc[$4] = $8
	if ($3 == "g-API sync copy" && $5 == 32) cp[$4] = $8
}
END {
	for (d in cp)
		printf "driver A/B, 1420 B, sync batch 32, %s: zero-copy %.0f pkt/s, copy path %.0f pkt/s (%.2fx, same boot)\n", d, zc[d], cp[d], (cp[d] > 0 ? zc[d] / cp[d] : 0)
	for (d in best) {
		ra = (af[d] > 0) ? sprintf("%.2f", best[d] / af[d]) : "-"
		rv = (vc[d] > 0) ? sprintf("%.2f", best[d] / vc[d]) : "-"
		printf "full path, 1420 B, batch 32, %s: g-API %.0f pkt/s = %s x guest AF_ALG, %s x virtio-crypto (same boot)\n", d, best[d], ra, rv
	}
}' "$BUILD/bench/vm.csv"
if command -v gnuplot >/dev/null; then
	awk -F, 'NR > 1 && $2 == 1420 { l = $3 " " $4 " b" $5 "x" $6; gsub(/ /, "_", l); print l, $8 }' \
		"$BUILD/bench/vm.csv" >"$BUILD/bench/vm-plot.dat"
	gnuplot <<-EOF
		set terminal pngcairo size 1400,700
		set output "$BUILD/bench/vm.png"
		set title "Full path in the VM, 1420-byte packets (pkt/s; $(grep -m1 -o 'accelerator [a-z]*' "$out" || echo accelerator ?))"
		set ylabel "packets/s"
		set style data histograms
		set style fill solid 0.8 border -1
		set xtics rotate by -45 font ",9" noenhanced
		set grid ytics
		plot "$BUILD/bench/vm-plot.dat" using 2:xtic(1) notitle
	EOF
	echo "run-vm-bench: wrote $BUILD/bench/vm.csv and $BUILD/bench/vm.png"
else
	echo "run-vm-bench: wrote $BUILD/bench/vm.csv"
fi
grep -E '^(--- (FAIL|SKIP)|vipsec-init: FAIL|vipsec_vm_bench:)' <(tr -d '\r' <"$log") || true
grep -E '^run.sh: initramfs|^VIPSEC-VM:' "$out" || true
exit "$rc"
