#!/usr/bin/env bash
# The engine next to its peers, one host core, one run (`make bench`):
#   engine         engine/bench/vipsec_bench (1 SA and NUM_SAS)
#   dpdk           tests/bench/dpdk/rte_ipsec_peer: DPDK 22.11 rte_ipsec,
#                  lookaside-none and cpu-crypto, ipsec-mb PMDs
#   ipsec-mb-raw   intel-ipsec-mb AES-GCM alone (the limit)
# Prints a table with the ratios, writes BUILD/bench/engine.csv (every
# figure) and BUILD/bench/engine.png (gnuplot). Figures only, never
# pass/fail; a program that fails to set up makes the script exit non-zero.
# Usage: tests/bench/engine-bench.sh [--build DIR]
# Environment: BENCH_SECS (per figure, default 1), BENCH_SAS (default
# 1000000), BENCH_REPS (runs of each program, best figure kept; default 3),
# BENCH_NO_DPDK=1 to leave the peer out.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-$top/build}
[ "${1:-}" = --build ] && BUILD=${2:?}
BUILD=$(mkdir -p "$BUILD" && cd "$BUILD" && pwd)
secs=${BENCH_SECS:-1}
sas=${BENCH_SAS:-1000000}
reps=${BENCH_REPS:-3}
out=$BUILD/bench
mkdir -p "$out"

make -s -C "$top/engine" BUILD="$BUILD" "$BUILD/engine/vipsec_bench"
[ "${BENCH_NO_DPDK:-0}" = 1 ] || make -s -C "$here/dpdk" BUILD="$BUILD"
# A noisy host: the programs run alternately, reps times, and each figure
# is the best of its runs (the many-SA table once: its set-up is long).
echo "== engine and DPDK rte_ipsec peer alternately, $reps runs each, best of runs;"
echo "   one core, ${secs}s per figure, 1 SA (and $sas SAs in the first run)"
: >"$out/engine-raw.csv"
: >"$out/dpdk.csv"
for r in $(seq 1 "$reps"); do
	"$BUILD/engine/vipsec_bench" "$secs" "$([ "$r" = 1 ] && echo "$sas" || echo 1)" \
		>>"$out/engine-raw.csv"
	if [ "${BENCH_NO_DPDK:-0}" != 1 ]; then
		"$BUILD/bench/rte_ipsec_peer" --no-huge --no-pci -l 0 -m 512 \
			--log-level=error --vdev crypto_aesni_gcm0 --vdev crypto_aesni_mb0 \
			-- "$secs" >>"$out/dpdk.csv"
	fi
done
{
	echo "peer,mode,alg,dir,size,sas,mpps,gbps"
	grep -hv -e '^peer,' -e '^#' "$out/engine-raw.csv" "$out/dpdk.csv" |
		awk -F, '{ k = $1 "," $2 "," $3 "," $4 "," $5 "," $6
			   if (!(k in best) || $7 > best[k]) { best[k] = $7; line[k] = $0 }
			   if (!(k in seen)) { seen[k] = 1; order[++n] = k } }
			 END { for (i = 1; i <= n; i++) print line[order[i]] }'
} >"$out/engine.csv"
grep -h '^#' "$out/engine-raw.csv" || true

# The table: one row per algorithm, direction and size.
awk -F, -v many="$sas" '
NR == 1 { next }
{
	k = $3 "," $4 "," $5
	if (!(k in seen)) { seen[k] = 1; order[++n] = k }
	if ($1 == "engine" && $2 == "request32") { if ($6 == 1) q1[k] = $7; else qm[k] = $7 }
	else if ($1 == "engine" && $2 ~ /inplace/) { if ($6 == 1) ip[k] = $7 }
	else if ($1 == "engine" && $6 == 1) e1[k] = $7
	else if ($1 == "engine") em[k] = $7
	else if ($2 == "lookaside-none") la[k] = $7
	else if ($2 == "cpu-crypto") cc[k] = $7
	else if ($1 == "ipsec-mb-raw") raw[k] = $7
}
function r(a, b) { return (a != "" && b != "" && b > 0) ? sprintf("%5.2fx", a / b) : "    -" }
function f(a) { return a != "" ? sprintf("%7.3f", a) : "      -" }
END {
	printf "\nMpps, one core (ratios: engine / peer; cost: per-packet cost with %d SAs vs 1 SA;\n", many
	printf "in-place: outbound with the inner packet after headroom in the output buffer, as DPDK mbufs)\n"
	printf "%-17s %-8s %5s | %7s %7s %7s %7s | %6s %6s %6s | %7s %7s | %8s %6s %6s %6s\n",
		"algorithm", "dir", "size", "engine", "dpdk-la", "dpdk-cc", "raw-mb",
		"/la", "/cc", "/raw", "engineN", "cost", "in-place", "/la", "/cc", "/raw"
	for (i = 1; i <= n; i++) {
		k = order[i]
		if (!(k in e1)) continue
		split(k, p, ",")
		cost = (k in em && em[k] > 0) ? sprintf("%+6.1f%%", (e1[k] / em[k] - 1) * 100) : "      -"
		printf "%-17s %-8s %5s | %s %s %s %s | %s %s %s | %s %s | %8s %s %s %s\n",
			p[1], p[2], p[3], f(e1[k]), f(la[k]), f(cc[k]), f(raw[k]),
			r(e1[k], la[k]), r(e1[k], cc[k]), r(e1[k], raw[k]), f(em[k]), cost,
			f(ip[k]), r(ip[k], la[k]), r(ip[k], cc[k]), r(ip[k], raw[k])
	}
	printf "\nThe device path, Mpps: requests of 32 packets naming their SAs by id through the\n"
	printf "request decoder (SA lookup, admission, statistics); /burst: request / engine burst\n"
	printf "%-17s %-8s %5s | %7s %6s | %7s %7s\n", "algorithm", "dir", "size", "request", "/burst", "reqN", "cost"
	for (i = 1; i <= n; i++) {
		k = order[i]
		if (!(k in q1)) continue
		split(k, p, ",")
		cost = (k in qm && qm[k] > 0) ? sprintf("%+6.1f%%", (q1[k] / qm[k] - 1) * 100) : "      -"
		printf "%-17s %-8s %5s | %s %s | %s %s\n", p[1], p[2], p[3], f(q1[k]),
			r(q1[k], e1[k]), f(qm[k]), cost
	}
}' "$out/engine.csv"

# The plot: Mpps per workload, engine next to both DPDK modes.
awk -F, 'NR > 1 && $6 == 1 {
	k = $3 "-" substr($4, 1, 3) "-" $5
	if (!(k in seen)) { seen[k] = 1; order[++n] = k }
	if ($1 == "engine" && $2 == "request32") next
	if ($1 == "engine" && $2 ~ /inplace/) ip[k] = $7
	else if ($1 == "engine") e[k] = $7
	else if ($2 == "lookaside-none") la[k] = $7
	else if ($2 == "cpu-crypto") cc[k] = $7
}
END {
	for (i = 1; i <= n; i++) {
		k = order[i]
		printf "%s %s %s %s %s\n", k, (k in e) ? e[k] : 0, (k in la) ? la[k] : 0, (k in cc) ? cc[k] : 0, (k in ip) ? ip[k] : 0
	}
}' "$out/engine.csv" >"$out/engine-plot.dat"
if command -v gnuplot >/dev/null; then
	gnuplot <<-EOF
		set terminal pngcairo size 1400,700
		set output "$out/engine.png"
		set title "ESP throughput, one core, 1 SA (engine vs DPDK rte_ipsec)" noenhanced
		set ylabel "Mpps"
		set style data histograms
		set style histogram clustered gap 1
		set style fill solid 0.8 border -1
		set xtics rotate by -45 font ",9"
		set rmargin 12
		set key top right
		set grid ytics
		plot "$out/engine-plot.dat" using 2:xtic(1) title "engine", \
		     "" using 3 title "DPDK lookaside-none", \
		     "" using 4 title "DPDK cpu-crypto", \
		     "" using 5 title "engine in place (outbound)"
	EOF
	echo "engine-bench: wrote $out/engine.csv and $out/engine.png"
else
	echo "engine-bench: wrote $out/engine.csv (no gnuplot: no plot)"
fi
