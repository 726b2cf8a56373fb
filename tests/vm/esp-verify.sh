#!/usr/bin/env bash
# Host side of the gateway demo (tests/gw/gw-demo.sh): a third ESP
# implementation, Wireshark's tshark, decodes the capture the guest printed
# on the console, given the SAs' keys the guest printed with it. Every
# frame must decrypt with a good ICV to an inner IPv4 packet between the
# two protected networks.
# Usage: tests/vm/esp-verify.sh LOG
# Writes LOG's base name + -wire.pcap and -esp_sa (Wireshark's UAT file:
# copy to ~/.config/wireshark/esp_sa to open the capture decrypted) and
# prints one "esp-verify: ..." verdict line. Exit 0 pass, 1 fail, 2 usage.
set -euo pipefail

log=${1:?usage: esp-verify.sh LOG}
[ -r "$log" ] || { echo "esp-verify: FAIL: cannot read $log"; exit 2; }
base=${log%.log}
pcap=$base-wire.pcap
uat=$base-esp_sa
clean=$(tr -d '\r' <"$log")

if ! command -v tshark >/dev/null; then
	echo "esp-verify: FAIL: tshark is not installed (scripts/install-deps.sh installs it)"
	exit 1
fi
awk '/^----- VIPSEC-PCAP BEGIN -----$/ {d = 1; b = ""; next}
     /^----- VIPSEC-PCAP END -----$/ {d = 0; last = b; next}
     d {b = b $0 "\n"}
     END {printf "%s", last}' <<<"$clean" | base64 -d >"$pcap" 2>/dev/null || {
	echo "esp-verify: FAIL: the capture on the console is not valid base64"
	exit 1
}
want=$(sed -n 's/^VIPSEC-PCAP-EXPECT: \([0-9]*\)$/\1/p' <<<"$clean" | tail -n 1)
if [ ! -s "$pcap" ] || [ -z "$want" ]; then
	echo "esp-verify: FAIL: no capture on the console"
	exit 1
fi

# The SAs, in tshark's esp_sa UAT format (Wireshark 3.x/4.x: protocol,
# source, destination, SPI, encryption, key, authentication, key).
: >"$uat"
while read -r _ src dst spi alg key icv; do
	case "$alg:$icv" in
	'rfc4106(gcm(aes)):64') enc="AES-GCM with 8 octet ICV [RFC4106]" ;;
	'rfc4106(gcm(aes)):96') enc="AES-GCM with 12 octet ICV [RFC4106]" ;;
	'rfc4106(gcm(aes)):128') enc="AES-GCM with 16 octet ICV [RFC4106]" ;;
	*)
		echo "esp-verify: FAIL: no tshark name for $alg with a $icv-bit ICV"
		exit 1
		;;
	esac
	printf '"IPv4","%s","%s","%s","%s","%s","NULL",""\n' "$src" "$dst" "$spi" "$enc" "$key" >>"$uat"
done < <(grep '^VIPSEC-ESP-SA: ' <<<"$clean" | sort -u)
if [ ! -s "$uat" ]; then
	echo "esp-verify: FAIL: no VIPSEC-ESP-SA lines on the console"
	exit 1
fi

opts=(-o esp.enable_encryption_decode:TRUE -o esp.enable_authentication_check:TRUE)
while IFS= read -r line; do opts+=(-o "uat:esp_sa:$line"); done <"$uat"
if ! fields=$(tshark -n -r "$pcap" "${opts[@]}" -T fields -E separator=/t \
	-e frame.number -e esp.spi -e esp.icv_good -e ip.src -e ip.dst -e _ws.malformed 2>"$base-tshark.err"); then
	echo "esp-verify: FAIL: tshark could not read $pcap: $(grep -v 'Running as user' "$base-tshark.err" | head -n 3)"
	exit 1
fi
# frame spi icv_good "outer,inner" "outer,inner" malformed
read -r total good bad <<<"$(awk -F'\t' '
	{n++}
	$3 == "1" && $6 == "" && split($4, s, ",") == 2 && split($5, d, ",") == 2 &&
	((s[2] ~ /^10\.1\.0\./ && d[2] ~ /^10\.2\.0\./) ||
	 (s[2] ~ /^10\.2\.0\./ && d[2] ~ /^10\.1\.0\./)) {g++; next}
	{b++; if (b <= 5) print "esp-verify: not decoded: frame " $1 " spi " $2 " icv_good " $3 " src " $4 " dst " $5 > "/dev/stderr"}
	END {print n + 0, g + 0, b + 0}' <<<"$fields")"
ver=$(tshark -v 2>/dev/null | awk 'NR == 1 {print "tshark", $3}')
if [ "$total" = "$want" ] && [ "$good" = "$want" ] && [ "$bad" = 0 ] && [ "$want" -gt 0 ]; then
	echo "esp-verify: $ver decrypted $good of $want ESP frames with the SA keys: ICV good, inner packets 10.1.0.0/24 <-> 10.2.0.0/24 ($pcap)"
	exit 0
fi
echo "esp-verify: FAIL: $ver decoded $good of $want ESP frames ($total read, $bad not decoded; $pcap, keys in $uat)"
exit 1
