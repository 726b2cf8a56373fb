#!/usr/bin/env bash
# Host test of vipsec-gw's configuration parser (vipsec-gw --check): the
# shipped example is accepted; each bad file is refused (exit 1) with a
# message naming the file and the bad line, and nothing else is blamed.
# Usage: tests/gw/config-test.sh PATH/TO/vipsec-gw
# Prints one line per case and "N passed, N failed"; exit 0 only if all pass.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
gw=${1:?usage: config-test.sh PATH/TO/vipsec-gw}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { echo "ok:   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

head='tunnel vgw0
wan eth1
local 192.0.2.1'
k20=0x4c80cdefbb5d10da906ac73c3613a6342e443b68
sa_out="state src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1001 mode tunnel aead rfc4106(gcm(aes)) $k20 128"
sa_in="state src 192.0.2.2 dst 192.0.2.1 proto esp spi 0x2001 mode tunnel aead rfc4106(gcm(aes)) $k20 128 replay-window 64"

# good NAME CONTENT: accepted
good() {
	printf '%s\n' "$2" >"$tmp/c"
	if out=$("$gw" --check -c "$tmp/c" 2>&1); then ok "$1"; else bad "$1: refused: $out"; fi
}
# refuse NAME LINE PATTERN CONTENT: exit 1, "FILE:LINE: ...PATTERN..." and
# no other line blamed
refuse() {
	local name=$1 line=$2 pat=$3 out rc
	printf '%s\n' "$4" >"$tmp/c"
	out=$("$gw" --check -c "$tmp/c" 2>&1)
	rc=$?
	if [ "$rc" != 1 ]; then
		bad "$name: exit $rc, want 1 ($out)"
	elif ! grep -qF -- "$tmp/c:$line: " <<<"$out" || ! grep -F -- "$tmp/c:$line: " <<<"$out" | grep -q -- "$pat"; then
		bad "$name: no message for line $line matching '$pat': $out"
	elif grep -E -- "^$tmp/c:[0-9]+: " <<<"$out" | grep -v -F -- "$tmp/c:$line: " | grep -q .; then
		bad "$name: other lines blamed too: $out"
	else
		ok "$name: $(grep -F -- "$tmp/c:$line: " <<<"$out" | head -n 1 | sed "s|$tmp/c|FILE|")"
	fi
}

if out=$("$gw" --check -c "$here/../../userspace/vipsec-gw/vipsec-gw.conf.example" 2>&1); then
	ok "shipped example accepted: $out"
else
	bad "shipped example refused: $out"
fi
good "minimal file with CBC + HMAC-SHA-256, ESN, dir, quotes, comments" "$head
# comment
state src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1001 dir out enc 'cbc(aes)' 0x$(printf '%032d' 1) auth-trunc \"hmac(sha256)\" 0x$(printf '%064d' 2) 128 flag esn  # trailing
policy src 10.1.0.0/24 dst 10.2.0.0/24 dir out priority 5 tmpl src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1001 mode tunnel"
refuse "unknown keyword" 4 "unknown keyword 'frobnicate'" "$head
frobnicate yes"
refuse "unknown aead algorithm" 4 "unknown aead algorithm 'gcm(aes)'" "$head
state src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1001 aead gcm(aes) $k20 128"
refuse "key too short" 5 "key is 128 bits, want 160/224/288" "$head
$sa_in
state src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1001 aead rfc4106(gcm(aes)) 0x$(printf '%032d' 0) 128"
refuse "key not hex" 4 "'g' is not a hex digit" "$head
state src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1001 aead rfc4106(gcm(aes)) 0x4g80cdefbb5d10da906ac73c3613a6342e443b68 128"
refuse "odd ICV length" 4 "ICV of 100 bits" "$head
state src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1001 aead rfc4106(gcm(aes)) $k20 100"
refuse "transport mode" 4 "mode 'transport' not supported" "$head
state src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1001 mode transport aead rfc4106(gcm(aes)) $k20 128"
refuse "AH" 4 "proto 'ah' not supported" "$head
state src 192.0.2.1 dst 192.0.2.2 proto ah spi 0x1001 aead rfc4106(gcm(aes)) $k20 128"
refuse "reserved SPI" 4 "reserved" "$head
state src 192.0.2.1 dst 192.0.2.2 proto esp spi 255 aead rfc4106(gcm(aes)) $k20 128"
refuse "bad address" 4 "'192.0.2.300' is not an IPv4 address" "$head
state src 192.0.2.300 dst 192.0.2.2 proto esp spi 0x1001 aead rfc4106(gcm(aes)) $k20 128"
refuse "no algorithm" 4 "needs an algorithm" "$head
state src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1001"
refuse "enc without auth" 4 "no integrity" "$head
state src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1001 enc cbc(aes) 0x$(printf '%032d' 1)"
refuse "plain auth" 4 "use 'auth-trunc" "$head
state src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1001 enc cbc(aes) 0x$(printf '%032d' 1) auth hmac(sha256) 0x$(printf '%064d' 2)"
refuse "missing argument" 4 "'aead' needs 3 argument(s)" "$head
state src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1001 aead rfc4106(gcm(aes)) $k20"
refuse "duplicate SPI" 5 "SPI 0x00001001 already used by the outbound SA of line 4" "$head
$sa_out
state src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1001 aead rfc4106(gcm(aes)) $k20 128"
refuse "direction unknown" 4 "cannot tell the direction" "$head
state src 198.51.100.1 dst 198.51.100.2 proto esp spi 0x1001 aead rfc4106(gcm(aes)) $k20 128"
refuse "replay window on outbound SA" 4 "inbound SAs only" "$head
state src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1001 aead rfc4106(gcm(aes)) $k20 128 replay-window 32"
refuse "prefix with host bits" 5 "did you mean 10.1.0.0/24" "$head
$sa_out
policy src 10.1.0.1/24 dst 10.2.0.0/24 dir out tmpl src 192.0.2.1 dst 192.0.2.2 proto esp"
refuse "prefix length" 5 "'33' is not a number in 0..32" "$head
$sa_out
policy src 10.1.0.0/33 dst 10.2.0.0/24 dir out"
refuse "policy without dir" 5 "needs dir" "$head
$sa_out
policy src 10.1.0.0/24 dst 10.2.0.0/24"
refuse "policy action" 5 "'permit' is neither allow nor block" "$head
$sa_out
policy src 10.1.0.0/24 dst 10.2.0.0/24 dir out action permit"
refuse "tmpl matching no state" 6 "no outbound state with src 192.0.2.1 dst 192.0.2.7" "$head
$sa_out
$sa_in
policy src 10.1.0.0/24 dst 10.2.0.0/24 dir out tmpl src 192.0.2.1 dst 192.0.2.7 proto esp mode tunnel"
refuse "tmpl with a wrong spi" 6 "spi 0x00002001" "$head
$sa_out
$sa_in
policy src 10.1.0.0/24 dst 10.2.0.0/24 dir out tmpl src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x2001"
refuse "bad batch" 4 "batch: must be at least 1" "$head
batch 0
$sa_out"
refuse "interface name too long" 1 "not a valid interface name" "tunnel abcdefghijklmnopqrstuvwxyz
wan eth1
local 192.0.2.1
$sa_out"

# several bad lines: each one reported, with the count
printf '%s\n' "$head" "bogus 1" "$sa_out" "bogus 2" >"$tmp/c"
out=$("$gw" --check -c "$tmp/c" 2>&1)
if grep -q ":4: unknown keyword 'bogus'" <<<"$out" && grep -q ":6: unknown keyword 'bogus'" <<<"$out" &&
   grep -q "2 error(s)" <<<"$out"; then
	ok "every bad line reported in one run (2 errors)"
else
	bad "several bad lines: $out"
fi
# missing required statements and an unreadable file
printf 'local 192.0.2.1\n%s\n' "$sa_out" >"$tmp/c"
out=$("$gw" --check -c "$tmp/c" 2>&1)
if grep -q "no 'tunnel NAME' line" <<<"$out" && grep -q "no 'wan NAME' line" <<<"$out"; then
	ok "missing tunnel and wan lines named"
else
	bad "missing tunnel/wan: $out"
fi
out=$("$gw" --check -c "$tmp/nonexistent" 2>&1)
rc=$?
if [ "$rc" = 1 ] && grep -q "nonexistent: No such file or directory" <<<"$out"; then
	ok "unreadable file: $out"
else
	bad "unreadable file: exit $rc: $out"
fi

echo "gw-config: $pass passed, $fail failed"
[ "$fail" = 0 ]
