#!/usr/bin/env bash
# The vhost-user back end driven from the host, no VM (`make bench`):
# tests/bench/vhost-loadgen/ plays the guest driver over vhost-user (shared
# memory, split virtqueues, kicks and calls) against qemu-device/vhost's
# vipsec-vhost, AES-128-GCM tunnel, batches of 32 packets, 1..Q data queues
# (one load thread and one back-end worker per queue), next to the engine
# alone on one core (engine/bench/vipsec_bench, measured in the same run:
# its out-of-place burst, the work the back end does, since a request's
# output lies in other buffers than its input; the in-place figure is
# printed too). Prints a table, writes BUILD/bench/vhost.csv (and vhost.png
# with gnuplot; kind backend-cpu rows carry the back end's CPU ns per
# packet in "mpps", loadgen-cpu rows the load thread's CPU share of the
# timed run in percent, loadgen-notify rows kicks and calls per request,
# engine-inplace the engine's in-place figure).
# Figures only, never pass/fail; the load generator checks what the back
# end returns (ESP lengths, SPI, sequence numbers, a decap round trip) and
# a wrong answer, or a program that fails to set up, exits non-zero.
# Usage: tests/bench/vhost-bench.sh [--build DIR]
# Environment: BENCH_SECS (per figure, default 1), BENCH_VHOST_QUEUES
# (Q, default the number of host cores; any Q >= 1), BENCH_VHOST_SIZES
# (default "64 512 1420"), BENCH_VHOST_DEPTH (requests of 32 packets in
# flight per queue, the load generator's --depth, default 32: the ring
# stays full, the load generator is not what limits the figure; its CPU
# share is printed), BENCH_VHOST_SPIN_US (back end's --spin-us, default
# none: with EVENT_IDX a busy worker is rarely kicked anyway, and spinning
# costs a core per queue while idle), BENCH_VHOST_SHARED_SA=1 (all queues
# on one SA instead of one SA each).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-$top/build}
[ "${1:-}" = --build ] && BUILD=${2:?}
BUILD=$(mkdir -p "$BUILD" && cd "$BUILD" && pwd)
secs=${BENCH_SECS:-1}
qmax=${BENCH_VHOST_QUEUES:-$(nproc)}
sizes=${BENCH_VHOST_SIZES:-64 512 1420}
depth=${BENCH_VHOST_DEPTH:-32}
out=$BUILD/bench
mkdir -p "$out"

if [ ! -f "$top/qemu-device/vhost/Makefile" ]; then
	echo "== vhost-user bench: no back end in this tree (qemu-device/vhost); skipped"
	exit 0
fi
if [ ! -f "$BUILD/qemu/src/subprojects/libvhost-user/libvhost-user.c" ]; then
	echo "== vhost-user bench: QEMU source not fetched (scripts/build-qemu.sh $BUILD); skipped"
	exit 0
fi
make -s -C "$top/engine" BUILD="$BUILD" "$BUILD/engine/vipsec_bench"
make -s -C "$top/qemu-device/vhost" BUILD="$BUILD"
make -s -C "$here/vhost-loadgen" BUILD="$BUILD" "$BUILD/bench/vipsec-loadgen"
backend=$BUILD/vhost/vipsec-vhost
loadgen=$BUILD/bench/vipsec-loadgen

tmp=$(mktemp -d)
bpid=
stop_backend() {
	if [ -n "$bpid" ]; then
		kill "$bpid" 2>/dev/null || true
		wait "$bpid" 2>/dev/null || true
	fi
	bpid=
}
trap 'stop_backend; rm -rf "$tmp"' EXIT
spin=()
[ -n "${BENCH_VHOST_SPIN_US:-}" ] && spin=(--spin-us "$BENCH_VHOST_SPIN_US")
shared=()
[ "${BENCH_VHOST_SHARED_SA:-0}" = 1 ] && shared=(--shared-sa)
# A fresh back end for each figure: every run starts from the same state.
start_backend() {
	rm -f "$tmp/vhost.sock"
	"$backend" --socket "$tmp/vhost.sock" --queues "$qmax" "${spin[@]}" \
		>"$tmp/backend.log" 2>&1 &
	bpid=$!
}

echo "== vhost-user back end from the host: 1..$qmax queues, ${secs}s per figure,"
echo "   AES-128-GCM tunnel IPv4, batch 32, $depth requests in flight per queue,"
echo "   $([ ${#shared[@]} -gt 0 ] && echo "one SA shared by all queues" || echo "one SA per queue")"
raw=$out/vhost-raw.csv
"$BUILD/engine/vipsec_bench" "$secs" 1 aes128gcm |
	awk -F, '$1 == "engine" && $4 == "outbound" {
		k = $2 == "burst32" ? "engine" : $2 == "burst32-inplace" ? "engine-inplace" : ""
		if (k != "") print k ",1,0," $5 "," $7 "," $8 }' >"$raw"
for size in $sizes; do
	for n in $(seq 1 "$qmax"); do
		start_backend
		if ! "$loadgen" --socket "$tmp/vhost.sock" --queues "$n" \
			--size "$size" --seconds "$secs" --depth "$depth" \
			"${shared[@]}" >>"$raw"; then
			echo "vhost-bench: the load generator failed (queues $n, size $size);" \
				"back end log:" >&2
			cat "$tmp/backend.log" >&2
			exit 1
		fi
		# The back end's own CPU time per packet (all its threads, from
		# /proc), next to the engine alone's (timed on its thread's CPU
		# clock): what the device path costs whatever else the host runs.
		# The back end is fresh and sleeps when idle, so its CPU time is
		# the figure's work plus set-up (one SA add per queue).
		ticks=$(awk '{ print $14 + $15 }' "/proc/$bpid/stat")
		awk -F, -v n="$n" -v s="$size" -v t="$ticks" -v hz="$(getconf CLK_TCK)" \
			-v secs="$secs" '
			$1 != "engine" && $2 == n && $3 == "total" && $4 == s { m = $5 }
			END { if (m > 0) printf "backend-cpu,%d,total,%s,%.1f,\n", n, s,
					t / hz * 1e9 / (m * 1e6 * secs) }' "$raw" >>"$raw"
		stop_backend
	done
done
{
	echo "kind,queues,queue,size,mpps,gbps"
	cat "$raw"
} >"$out/vhost.csv"

awk -F, '
NR == 1 { next }
$1 == "engine" { eng[$4] = $5; next }
$1 == "engine-inplace" { engip[$4] = $5; next }
$1 == "backend-cpu" { cpu[$4 "," $2] = $5; next }
$1 == "loadgen-cpu" { if ($5 > lg[$4 "," $2]) lg[$4 "," $2] = $5; next }
$1 == "loadgen-notify" { next }
$3 == "total" { tot[$4 "," $2] = $5; gb[$4 "," $2] = $6
		if (!($4 in seen)) { seen[$4] = 1; order[++ns] = $4 }
		if ($2 > nq) nq = $2; next }
{ per[$4 "," $2] = per[$4 "," $2] sprintf(" %6.3f", $5) }
END {
	printf "\nMpps (per queue, total), Gbit/s of inner bytes; /engine: total over the engine alone on one core;\n"
	printf "scaling: total over N x the one-queue total; cpu ns: the back end process'"'"'s CPU time per packet,\n"
	printf "eng/cpu: the engine alone'"'"'s CPU time per packet over it (1.00x: the device path costs nothing),\n"
	printf "lg cpu: the busiest load thread'"'"'s CPU share (under 100%%: it waited for the back end)\n"
	printf "%5s %3s | %-30s | %7s %7s | %7s %7s | %7s %7s | %6s\n", "size", "N", "per queue", "total", "Gbit/s", "/engine", "scaling", "cpu ns", "eng/cpu", "lg cpu"
	for (i = 1; i <= ns; i++) {
		s = order[i]
		for (n = 1; n <= nq; n++) {
			k = s "," n
			if (!(k in tot)) continue
			e = (s in eng && eng[s] > 0) ? sprintf("%6.2fx", tot[k] / eng[s]) : "      -"
			one = tot[s ",1"]
			sc = (one > 0) ? sprintf("%6.2fx", tot[k] / (n * one)) : "      -"
			c = (k in cpu) ? sprintf("%7.1f", cpu[k]) : "      -"
			ec = ((k in cpu) && cpu[k] > 0 && eng[s] > 0) ? sprintf("%6.2fx", 1e3 / eng[s] / cpu[k]) : "      -"
			l = (k in lg) ? sprintf("%5.1f%%", lg[k]) : "     -"
			printf "%5s %3d |%-31s | %7.3f %7.3f | %s %s | %s %s | %s\n", s, n, per[k], tot[k], gb[k], e, sc, c, ec, l
		}
		if (s in eng)
			printf "%5s %3s | %-30s | %7.3f %7s |\n", s, "eng", "engine alone, one core", eng[s], ""
		if (s in engip)
			printf "%5s %3s | %-30s | %7.3f %7s |\n", s, "eng", "engine alone, in place", engip[s], ""
	}
	# issue 10: one queue at 1420 B >= 0.90 x the engine alone; N queues
	# >= 0.85 x N x one queue (figures, not a verdict)
	s = "1420"
	if ((s ",1") in tot && eng[s] > 0) {
		printf "\n1420 B, 1 queue: %.3f Mpps = %.2fx the engine alone (%.3f; %.2fx in place), back end %.0f ns/pkt vs engine %.0f ns/pkt\n",
			tot[s ",1"], tot[s ",1"] / eng[s], eng[s], (engip[s] > 0 ? tot[s ",1"] / engip[s] : 0),
			cpu[s ",1"], 1e3 / eng[s]
		if (nq > 1)
			printf "1420 B, %d queues: %.3f Mpps total, %.3f per queue, %.2fx %d x one queue\n",
				nq, tot[s "," nq], tot[s "," nq] / nq, tot[s "," nq] / (nq * tot[s ",1"]), nq
	}
}' "$out/vhost.csv"
echo "CSV: $out/vhost.csv"

if command -v gnuplot >/dev/null; then
	awk -F, '$1 != "backend-cpu" && $3 == "total" { print $4, $2, $5 }' "$out/vhost.csv" >"$tmp/plot.dat"
	# the engine alone on one core, drawn across the queue counts
	awk -F, -v q="$qmax" '$1 == "engine" { print $4, 1, $5; print $4, q, $5 }' \
		"$out/vhost.csv" >"$tmp/engine.dat"
	gnuplot <<-GP && echo "plot: $out/vhost.png"
		set terminal pngcairo size 800,500
		set output "$out/vhost.png"
		set title "vipsec-vhost from the host: total Mpps by data queues (AES-128-GCM)"
		set xlabel "data queues (one worker thread each)"
		set ylabel "Mpps"
		set key top left
		set xtics 1
		set yrange [0:*]
		plot for [s in "$sizes"] "$tmp/plot.dat" using (\$1 == s ? \$2 : 1/0):3 with linespoints title s." B", \\
		     for [s in "$sizes"] "$tmp/engine.dat" using (\$1 == s ? \$2 : 1/0):3 with lines dashtype 2 title "engine alone ".s." B"
	GP
fi
