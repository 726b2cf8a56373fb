#!/bin/sh
# Guest self-check of the VM environment (installed as /bin/vipsec-env-check):
# module auto-loading through /sbin/modprobe, iproute2's ip with xfrm, network
# namespaces with veth, i.e. what the interop tests rely on. Exit 0 or 1.
set -u
# Debian's busybox-static prefers its own applets over PATH inside sh, and its
# ip has no xfrm: always name iproute2's ip by path.
IP=/sbin/ip
rc=0
check() { # $1: what; rest: command
	what=$1
	shift
	if out=$("$@" 2>&1); then
		echo "env-check: ok: $what"
	else
		echo "env-check: FAIL: $what: $out"
		rc=1
	fi
}
check "modprobe esp4 esp6" modprobe -a esp4 esp6
check "ip xfrm state (list)" "$IP" xfrm state
key=0x0102030405060708090a0b0c0d0e0f1011121314
check "xfrm SA rfc4106(gcm(aes))" "$IP" xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp \
	spi 0x100 mode tunnel aead 'rfc4106(gcm(aes))' "$key" 128
check "xfrm SA authencesn(hmac(sha256),cbc(aes)) with ESN" "$IP" xfrm state add src 10.0.0.1 \
	dst 10.0.0.2 proto esp spi 0x101 mode tunnel flag esn replay-window 64 \
	auth-trunc 'hmac(sha256)' 0x"$(printf '%064d' 7)" 128 enc 'cbc(aes)' 0x"$(printf '%032d' 3)"
# ccm is not loaded by /init: this one needs kernel module auto-loading.
check "xfrm SA rfc4309(ccm(aes)) (auto-loads ccm)" "$IP" xfrm state add src 10.0.0.1 \
	dst 10.0.0.2 proto esp spi 0x102 mode tunnel aead 'rfc4309(ccm(aes))' 0x"$(printf '%038d' 5)" 128
# shellcheck disable=SC2016 # expanded by the inner sh
check "xfrm SA count" sh -c '[ "$(/sbin/ip xfrm state | grep -c "^src")" = 3 ]'
check "ip xfrm state flush" "$IP" xfrm state flush
check "netns + veth" sh -c '/sbin/ip netns add vipsec-a && /sbin/ip link add va type veth peer name vb &&
	/sbin/ip link set vb netns vipsec-a && /sbin/ip netns exec vipsec-a /sbin/ip link set vb up &&
	/sbin/ip netns exec vipsec-a /sbin/ip -o link show vb | grep -q UP && /sbin/ip netns del vipsec-a'
exit $rc
