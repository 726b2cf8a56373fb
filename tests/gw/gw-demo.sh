#!/bin/sh
# The gateway demo and test (guest side; /bin/vipsec-gw-demo, run by
# tests/vm/init.sh in demo mode and, as /tests/vipsec_gw_demo, in test mode).
#
#   [lan] 10.1.0.2 --veth-- 10.1.0.1 [gw: vipsec-gw, vgw0 TUN] 192.0.2.1
#         --veth (the wire, captured)-- 192.0.2.2 [peer: Linux XFRM] 10.2.0.2
#
# Three network namespaces: a LAN host, the gateway running vipsec-gw with
# the accelerator, and a WAN peer whose ESP is the kernel's own XFRM with
# the same SAs mirrored (random keys each run). Pings across the tunnel,
# sends SIZE_MB of random data each way over TCP (socat) and compares
# SHA-256 sums, captures the wire (tcpdump, at the gateway) and checks it
# carried only ESP (and ARP), compares the gateway's, the accelerator's
# and the peer's counters, then (unless --no-abuse) plays a hostile peer:
# forged ESP, unknown SPIs, truncated packets, replays; each must be
# counted and dropped, and the tunnel must still work. The first ESP
# frames of the capture go to the console in base64 for the host, which
# decodes them with tshark given the keys (tests/vm/esp-verify.sh).
#
# Lines starting "vipsec-report: " are the short report make run shows.
# Exit 0 pass, 1 fail, 77 skip (no accelerator).
set -u
IP=/sbin/ip
SIZE_MB=${VIPSEC_GW_SIZE_MB:-4}
abuse=1
[ "${1:-}" = "--no-abuse" ] && abuse=0
work=/tmp/gw-demo
fails=0
gw_pid=
cap_pid=

say() { echo "vipsec-gw-demo: $*"; }
report() { echo "vipsec-report: $*"; }
check() { # $1: ok|FAIL, rest: what
	r=$1
	shift
	report "  [$r] $*"
	[ "$r" = ok ] || fails=$((fails + 1))
}
in_ns() { ns=$1; shift; "$IP" netns exec "$ns" "$@"; }
now() { cut -d' ' -f1 /proc/uptime; }
hexkey() { head -c "$1" /dev/urandom | od -An -tx1 -v | tr -d ' \n'; }
# counter NAME [FILE]: the last value the gateway printed for NAME
counter() {
	awk -v k="$1" '$1 == k && NF >= 2 {v = $2} END {print v + 0}' "${2:-$work/gw.log}"
}
# sa_pkts SPI: the gateway's own count for one SA; dev_sa_pkts: the device's
sa_pkts() { awk -v s="$1" '$1 == "sa" && $3 == s {v = $6} END {print v + 0}' "$work/gw.log"; }
dev_sa_pkts() { awk -v s="$1" '$1 == "sa" && $3 == s {for (i = 1; i < NF; i++) if ($i == "device:") v = $(i + 2)} END {print v + 0}' "$work/gw.log"; }
# xfrm_pkts SRC DST: packets the peer's XFRM SA src->dst processed
xfrm_pkts() {
	in_ns vipsec-peer "$IP" -s xfrm state get src "$1" dst "$2" proto esp spi "$3" |
		awk '/lifetime current:/ {getline; sub(/\(packets\).*/, ""); sub(/.*, /, ""); print; exit}'
}
xfrm_failed() {
	in_ns vipsec-peer "$IP" -s xfrm state get src "$1" dst "$2" proto esp spi "$3" |
		awk '/replay-window .* replay .* failed/ {for (i = 1; i < NF; i++) if ($i == "failed") print $(i + 1); exit}'
}
usr1() { # ask the gateway for its counters, wait for the whole block
	n=$(grep -c 'end of counters$' "$work/gw.log")
	kill -USR1 "$gw_pid"
	i=0
	while [ "$(grep -c 'end of counters$' "$work/gw.log")" = "$n" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

cleanup() {
	[ -n "$cap_pid" ] && kill "$cap_pid" 2>/dev/null
	[ -n "$gw_pid" ] && kill "$gw_pid" 2>/dev/null && wait "$gw_pid" 2>/dev/null
	for ns in vipsec-lan vipsec-gw vipsec-peer; do "$IP" netns del "$ns" 2>/dev/null; done
}
trap cleanup EXIT

for t in vipsec-gw socat tcpdump vipsec-gw-inject busybox; do
	if ! command -v "$t" >/dev/null; then
		say "FAIL: $t is not in the guest image (scripts/install-deps.sh installs socat and tcpdump; make builds vipsec-gw)"
		exit 1
	fi
done
# VIPSEC_GW_ACCEL=software: the library's in-process accelerator instead
# of the device (developing the demo on a host; no sysfs counters then)
accel=${VIPSEC_GW_ACCEL:-}
if [ "$accel" = software ]; then
	sysdev=
else
	sysdev=$(ls -d /sys/class/virtio_ipsec/virtio-ipsec* 2>/dev/null | head -n 1)
	if [ -z "$sysdev" ]; then
		say "SKIP: no virtio-ipsec accelerator"
		exit 77
	fi
	accel=${sysdev##*/}
	if ! modprobe tun 2>/dev/null && [ ! -e /sys/class/misc/tun ]; then
		# a kernel built without TUN (the debug kernel's config has none)
		# is a skip; a TUN module that does not load is a failure
		if [ -z "$(find /lib/modules/"$(uname -r)" -name 'tun.ko*' 2>/dev/null)" ]; then
			say "SKIP: this kernel has no TUN driver (CONFIG_TUN), which vipsec-gw needs"
			exit 77
		fi
		say "FAIL: modprobe tun"
		exit 1
	fi
fi
sysfs() { if [ -n "$sysdev" ]; then cat "$sysdev/$1"; else echo 0; fi; }
rm -rf "$work"
mkdir -p "$work"

# --- the three namespaces ----------------------------------------------------
for ns in vipsec-lan vipsec-gw vipsec-peer; do
	"$IP" netns add "$ns" || exit 1
	# IPv4 only: no router solicitations or MLD on the wire
	in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	in_ns "$ns" "$IP" link set lo up
done
"$IP" link add lan0 netns vipsec-lan type veth peer name gw-lan netns vipsec-gw &&
"$IP" link add wan0 netns vipsec-peer type veth peer name gw-wan netns vipsec-gw || exit 1
in_ns vipsec-lan "$IP" addr add 10.1.0.2/24 dev lan0
in_ns vipsec-lan "$IP" link set lan0 up
in_ns vipsec-lan "$IP" route add default via 10.1.0.1
in_ns vipsec-gw "$IP" addr add 10.1.0.1/24 dev gw-lan
in_ns vipsec-gw "$IP" addr add 192.0.2.1/24 dev gw-wan
in_ns vipsec-gw "$IP" link set gw-lan up
in_ns vipsec-gw "$IP" link set gw-wan up
in_ns vipsec-gw sysctl -qw net.ipv4.ip_forward=1
in_ns vipsec-peer "$IP" addr add 192.0.2.2/24 dev wan0
in_ns vipsec-peer "$IP" addr add 10.2.0.2/32 dev lo
in_ns vipsec-peer "$IP" link set wan0 up
in_ns vipsec-peer "$IP" route add 10.1.0.0/24 via 192.0.2.1 src 10.2.0.2

# --- the SAs, once for each side ----------------------------------------------
spi_out=0x$(hexkey 4)       # gateway -> peer
spi_in=0x$(hexkey 4)        # peer -> gateway
case $spi_out in 0x000000*) spi_out=0x1000a001 ;; esac
case $spi_in in 0x000000*) spi_in=0x2000b002 ;; esac
[ "$spi_in" != "$spi_out" ] || spi_in=0x2000b002
key_out=0x$(hexkey 20)      # AES-128 key || 4-byte salt (RFC 4106)
key_in=0x$(hexkey 20)
alg='rfc4106(gcm(aes))'
cat >"$work/gw.conf" <<CONF
# vipsec-gw configuration written by vipsec-gw-demo
tunnel vgw0                 # protected side: TUN device
wan gw-wan                  # unprotected side
local 192.0.2.1
batch 32
accelerator $accel
state src 192.0.2.1 dst 192.0.2.2 proto esp spi $spi_out mode tunnel aead $alg $key_out 128
state src 192.0.2.2 dst 192.0.2.1 proto esp spi $spi_in mode tunnel aead $alg $key_in 128 replay-window 64
policy src 10.1.0.0/24 dst 10.2.0.0/24 dir out tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel
policy src 10.2.0.0/24 dst 10.1.0.0/24 dir fwd tmpl src 192.0.2.2 dst 192.0.2.1 proto esp mode tunnel
policy src 0.0.0.0/0 dst 0.0.0.0/0 dir out action block
CONF
# the peer: the same SAs, the kernel's XFRM
in_ns vipsec-peer "$IP" xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi "$spi_out" \
	mode tunnel aead "$alg" "$key_out" 128 replay-window 64 &&
in_ns vipsec-peer "$IP" xfrm state add src 192.0.2.2 dst 192.0.2.1 proto esp spi "$spi_in" \
	mode tunnel aead "$alg" "$key_in" 128 &&
in_ns vipsec-peer "$IP" xfrm policy add src 10.2.0.0/24 dst 10.1.0.0/24 dir out \
	tmpl src 192.0.2.2 dst 192.0.2.1 proto esp mode tunnel &&
in_ns vipsec-peer "$IP" xfrm policy add src 10.1.0.0/24 dst 10.2.0.0/24 dir in \
	tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel || { say "FAIL: peer XFRM setup"; exit 1; }
# for the host's tshark: the SAs with their keys (test keys, used once)
echo "VIPSEC-ESP-SA: 192.0.2.1 192.0.2.2 $spi_out $alg $key_out 128"
echo "VIPSEC-ESP-SA: 192.0.2.2 192.0.2.1 $spi_in $alg $key_in 128"

report "setup: LAN host 10.1.0.2 -- gateway (vipsec-gw on $accel) -- Linux XFRM peer 192.0.2.2/10.2.0.2"
report "       SAs: AES-GCM-128 tunnel, SPI $spi_out out, $spi_in in (random keys)"

# --- start the capture and the gateway -------------------------------------------
# (not through in_ns: $! must be the program itself, for kill). On the
# gateway's end of the wire: on the peer's end, AF_PACKET also sees the
# packets XFRM decapsulated, re-injected on the same interface.
"$IP" netns exec vipsec-gw tcpdump -i gw-wan -n -U --immediate-mode -s 0 -B 16384 -Z root -w "$work/wire.pcap" 2>"$work/tcpdump.err" &
cap_pid=$!
pkts_out0=$(sysfs packets_out)
pkts_in0=$(sysfs packets_in)
active0=$(sysfs active_sas)
"$IP" netns exec vipsec-gw vipsec-gw -c "$work/gw.conf" >"$work/gw.log" 2>&1 &
gw_pid=$!
i=0
while ! grep -q 'ready:' "$work/gw.log" && [ $i -lt 100 ]; do
	kill -0 "$gw_pid" 2>/dev/null || break
	sleep 0.1
	i=$((i + 1))
done
sed 's/^/    gw: /' "$work/gw.log"
if ! grep -q 'ready:' "$work/gw.log"; then
	report "  [FAIL] vipsec-gw did not start (log above)"
	exit 1
fi
in_ns vipsec-gw "$IP" route add 10.2.0.0/24 dev vgw0 || exit 1
# the capture is on when tcpdump has said "listening"
i=0
while ! grep -q listening "$work/tcpdump.err" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done

# --- traffic ----------------------------------------------------------------------------
if in_ns vipsec-lan busybox ping -c 5 -W 5 10.2.0.2 >"$work/ping.out" 2>&1 &&
   grep -q '^5 packets transmitted, 5 packets received' "$work/ping.out"; then
	check ok "ping LAN -> peer across the tunnel: $(grep -o '[0-9]* packets received' "$work/ping.out"), $(grep -o 'min/avg/max = [0-9./]* ms' "$work/ping.out")"
else
	sed 's/^/    /' "$work/ping.out"
	check FAIL "ping LAN -> peer: $(grep -o '[0-9]* packets received' "$work/ping.out")"
fi

# transfer SRC_NS DST_NS DST_ADDR NAME: SIZE_MB of random data over TCP
transfer() {
	head -c $((SIZE_MB * 1048576)) /dev/urandom >"$work/tx.$4"
	rm -f "$work/rx.$4"
	"$IP" netns exec "$2" socat -u TCP-LISTEN:5001,reuseaddr OPEN:"$work/rx.$4",creat,trunc 2>"$work/socat-rx.$4" &
	rx=$!
	i=0
	# listening on port 5001 (0x1389): state 0A in /proc/net/tcp
	while ! in_ns "$2" awk '$2 ~ /:1389$/ && $4 == "0A" {f = 1} END {exit !f}' /proc/net/tcp &&
		[ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	t0=$(now)
	timeout 300 "$IP" netns exec "$1" socat -u OPEN:"$work/tx.$4" TCP:"$3":5001 2>"$work/socat-tx.$4"
	txrc=$?
	wait "$rx"
	t1=$(now)
	a=$(sha256sum <"$work/tx.$4" | cut -c1-64)
	b=$(sha256sum <"$work/rx.$4" 2>/dev/null | cut -c1-64)
	rate=$(awk -v s="$SIZE_MB" -v a="$t0" -v b="$t1" 'BEGIN {d = b - a; if (d <= 0) d = 0.01; printf "%.1f s, %.2f MB/s (%.1f Mbit/s)", d, s / d, s * 8.388608 / d}')
	if [ "$txrc" = 0 ] && [ "$a" = "$b" ]; then
		check ok "TCP $4: $SIZE_MB MiB in $rate, SHA-256 equal (${a%"${a#????????????????}"}...)"
	else
		cat "$work/socat-tx.$4" "$work/socat-rx.$4" | sed 's/^/    /'
		check FAIL "TCP $4: sender exit $txrc, $(wc -c <"$work/rx.$4" 2>/dev/null || echo 0) of $((SIZE_MB * 1048576)) bytes arrived, SHA-256 ${b:-none} vs $a"
	fi
	rm -f "$work/tx.$4" "$work/rx.$4"
}
transfer vipsec-lan vipsec-peer 10.2.0.2 "LAN -> peer"
transfer vipsec-peer vipsec-lan 10.1.0.2 "peer -> LAN"

# --- counters: gateway, accelerator, peer -------------------------------------------
usr1
g_encap=$(counter encap_ok) g_decap=$(counter decap_ok) g_esp_rx=$(counter esp_rx)
g_tun_tx=$(counter tun_tx) g_esp_tx=$(counter esp_tx) g_lost=$(counter esp_rx_lost)
g_drops=$(( $(counter malformed) + $(counter no_sa) + $(counter auth_fail) + $(counter replay) + $(counter decap_err) + $(counter encap_err) + $(counter in_policy_drop) + $(counter tx_err) ))
d_out=$(( $(sysfs packets_out) - pkts_out0 ))
d_in=$(( $(sysfs packets_in) - pkts_in0 ))
if [ -z "$sysdev" ]; then # software: the per-SA statistics only
	d_out=$(dev_sa_pkts "$spi_out") d_in=$(dev_sa_pkts "$spi_in")
fi
p_in=$(xfrm_pkts 192.0.2.1 192.0.2.2 "$spi_out")
p_out=$(xfrm_pkts 192.0.2.2 192.0.2.1 "$spi_in")
p_fail=$(xfrm_failed 192.0.2.1 192.0.2.2 "$spi_out")
report "counters: gateway out $g_encap encapsulated / $g_esp_tx sent, in $g_esp_rx received (+$g_lost lost in the socket) / $g_decap decapsulated / $g_tun_tx delivered, $g_drops errors"
report "          accelerator (sysfs) +$d_out encapsulated, +$d_in decapsulated; per SA: out $(dev_sa_pkts "$spi_out"), in $(dev_sa_pkts "$spi_in")"
report "          peer XFRM: $p_in received from the gateway (${p_fail:-?} failed), $p_out sent to it"
if [ "$g_encap" -gt 0 ] && [ "$g_encap" = "$g_esp_tx" ] && [ "$g_encap" = "$d_out" ] &&
   [ "$g_encap" = "$p_in" ] && [ "$(sa_pkts "$spi_out")" = "$g_encap" ] &&
   [ "$(dev_sa_pkts "$spi_out")" = "$g_encap" ] && [ "${p_fail:-x}" = 0 ]; then
	check ok "outbound counters agree: gateway = accelerator = peer XFRM = $g_encap packets"
else
	check FAIL "outbound counters differ (gateway $g_encap/$g_esp_tx, SA $(sa_pkts "$spi_out"), device $d_out/$(dev_sa_pkts "$spi_out"), peer $p_in, peer failed ${p_fail:-?})"
fi
# what the kernel dropped before the gateway read it (receive buffer full)
# is counted by the socket, and TCP sent it again
if [ "$g_decap" -gt 0 ] && [ "$((g_esp_rx + g_lost))" = "$p_out" ] && [ "$g_esp_rx" = "$g_decap" ] &&
   [ "$g_decap" = "$d_in" ] && [ "$g_tun_tx" = "$g_decap" ] &&
   [ "$(dev_sa_pkts "$spi_in")" = "$g_decap" ] && [ "$g_drops" = 0 ]; then
	check ok "inbound counters agree: peer XFRM $p_out = gateway $g_esp_rx (+$g_lost lost in the socket) = accelerator $g_decap packets, 0 errors"
else
	check FAIL "inbound counters differ (peer $p_out, gateway $g_esp_rx+$g_lost lost/$g_decap/$g_tun_tx, device $d_in/$(dev_sa_pkts "$spi_in"), errors $g_drops)"
fi

# --- the wire -----------------------------------------------------------------------
sleep 0.5
kill -INT "$cap_pid"
wait "$cap_pid"
cap_pid=
n_all=$(tcpdump -Z root -r "$work/wire.pcap" -n 2>/dev/null | wc -l)
n_esp=$(tcpdump -Z root -r "$work/wire.pcap" -n esp 2>/dev/null | wc -l)
n_arp=$(tcpdump -Z root -r "$work/wire.pcap" -n arp 2>/dev/null | wc -l)
n_other=$((n_all - n_esp - n_arp))
cap_drop=$(sed -n 's/^\([0-9]*\) packets dropped by kernel$/\1/p' "$work/tcpdump.err")
if [ "$n_esp" -gt 0 ] && [ "$n_other" = 0 ] && [ "$n_esp" = $((g_esp_tx + g_esp_rx + g_lost)) ]; then
	check ok "wire gateway<->peer: $n_all frames: $n_esp ESP (all the gateway sent and was sent), $n_arp ARP, 0 other"
else
	tcpdump -Z root -r "$work/wire.pcap" -n 'not esp and not arp' 2>&1 | head -n 10 | sed 's/^/    not ESP: /'
	sed 's/^/    tcpdump: /' "$work/tcpdump.err"
	check FAIL "wire gateway<->peer: $n_all frames: $n_esp ESP (gateway sent $g_esp_tx, was sent $((g_esp_rx + g_lost))), $n_arp ARP, $n_other other; capture dropped ${cap_drop:-?}"
fi

# --- a hostile peer -------------------------------------------------------------------
if [ "$abuse" = 1 ]; then
	inj() { in_ns vipsec-peer vipsec-gw-inject "$@" >/dev/null; }
	before_no_sa=$(counter no_sa) before_bad=$(( $(counter auth_fail) + $(counter malformed) ))
	before_replay=$(counter replay) before_ok=$(counter decap_ok)
	inj --src 192.0.2.2 --dst 192.0.2.1 --spi 0xdead0001 --count 20 --len 120 &&
	# forgeries ahead of the replay window, so that they reach the ICV check
	inj --src 192.0.2.2 --dst 192.0.2.1 --spi "$spi_in" --count 20 --len 100 --seq 1000000 &&
	inj --src 192.0.2.2 --dst 192.0.2.1 --spi "$spi_in" --count 5 --len 6 &&
	inj --src 192.0.2.2 --replay "$work/wire.pcap" --last 10 &&
	inj --src 192.0.2.2 --replay "$work/wire.pcap" --first 10 ||
		check FAIL "vipsec-gw-inject could not send"
	sleep 1
	usr1
	no_sa=$(( $(counter no_sa) - before_no_sa ))
	bad=$(( $(counter auth_fail) + $(counter malformed) - before_bad ))
	rep=$(( $(counter replay) - before_replay ))
	ok=$(( $(counter decap_ok) - before_ok ))
	if kill -0 "$gw_pid" 2>/dev/null && [ "$no_sa" = 20 ] && [ "$bad" = 25 ] &&
	   [ "$rep" = 20 ] && [ "$ok" = 0 ]; then
		check ok "hostile peer: 20 unknown SPIs, 20 forged + 5 truncated, 20 replays: all counted and dropped, gateway running"
	else
		check FAIL "hostile peer: no_sa +$no_sa (want 20), auth/malformed +$bad (want 25), replay +$rep (want 20), accepted +$ok (want 0), gateway $(kill -0 "$gw_pid" 2>/dev/null && echo running || echo dead)"
	fi
	if in_ns vipsec-lan busybox ping -c 3 -W 5 10.2.0.2 >"$work/ping2.out" 2>&1 &&
	   grep -q '^3 packets transmitted, 3 packets received' "$work/ping2.out"; then
		check ok "tunnel still carries traffic after the abuse (ping 3/3)"
	else
		check FAIL "ping after the abuse: $(grep -o '[0-9]* packets received' "$work/ping2.out")"
	fi
fi

# --- stop the gateway: counters at exit, SAs deleted -------------------------------------
kill -TERM "$gw_pid"
wait "$gw_pid"
gw_rc=$?
gw_pid=
sed -n '/counters$/,$p' "$work/gw.log" | tail -n 40 | sed 's/^/    gw: /'
active1=$(sysfs active_sas)
if [ "$gw_rc" = 0 ] && grep -q 'deleted 2 SA(s)$' "$work/gw.log" && [ "$active1" = "$active0" ]; then
	check ok "vipsec-gw stopped on SIGTERM, deleted its 2 SAs (accelerator: $active1 active)"
else
	check FAIL "vipsec-gw exit $gw_rc, $(grep 'deleted' "$work/gw.log"), active SAs $active0 -> $active1"
fi

# --- the capture for the host's tshark ----------------------------------------------------
tcpdump -Z root -r "$work/wire.pcap" -w "$work/tshark.pcap" -c 120 esp 2>/dev/null
n_dec=$(tcpdump -Z root -r "$work/tshark.pcap" -n 2>/dev/null | wc -l)
echo "VIPSEC-PCAP-EXPECT: $n_dec"
echo "----- VIPSEC-PCAP BEGIN -----"
base64 "$work/tshark.pcap"
echo "----- VIPSEC-PCAP END -----"
report "capture: first $n_dec ESP frames of the wire sent to the host for tshark"

if [ "$fails" = 0 ]; then
	report "gateway demo: all checks passed"
	exit 0
fi
report "gateway demo: $fails check(s) FAILED"
exit 1
