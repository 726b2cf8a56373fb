#!/usr/bin/env bash
# Judges one VM run from its serial-console log. Separate from run.sh so that
# tests/vm/selftest.sh can feed it crafted logs without booting anything.
# Usage: tests/vm/judge.sh [--rc QEMU_EXIT_STATUS] [--timeout SECONDS] LOG
#   --rc 124 (timeout(1)'s status) means the run was killed by the timeout.
# Prints the offending lines and one verdict line:
#   VIPSEC-VM: PASS (<log>)   or   VIPSEC-VM: FAIL: <reasons> (<log>)
# Exit status: 0 on PASS, 1 on FAIL, 2 on usage errors.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
rc=0
tmo="?"
while [ $# -gt 1 ]; do
	case "$1" in
	--rc) rc=$2; shift 2 ;;
	--timeout) tmo=$2; shift 2 ;;
	*) break ;;
	esac
done
if [ $# != 1 ] || [ ! -r "$1" ]; then
	echo "usage: judge.sh [--rc N] [--timeout S] LOG (readable)" >&2
	exit 2
fi
log=$1

reasons=()
# Console lines end in CR LF and SeaBIOS/the kernel emit terminal escapes:
# compare without either.
clean=$(tr -d '\r' <"$log" | sed -E 's/\x1b(\[[0-9;?]*[A-Za-z]|[A-Za-z])//g')

if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	reasons+=("timeout: QEMU killed after ${tmo}s (exit $rc)")
elif [ "$rc" != 0 ]; then
	reasons+=("QEMU exited with status $rc")
fi

npass=$(grep -cx 'VIPSEC-GUEST-RESULT: PASS' <<<"$clean" || true)
nfail=$(grep -cx 'VIPSEC-GUEST-RESULT: FAIL' <<<"$clean" || true)
if [ "$nfail" != 0 ]; then
	reasons+=("guest reported VIPSEC-GUEST-RESULT: FAIL")
	grep -E '^vipsec-init: FAIL|^--- FAIL' <<<"$clean" | sed 's/^/  guest: /' || true
elif [ "$npass" = 0 ]; then
	reasons+=("no VIPSEC-GUEST-RESULT marker on the console (guest crashed, hung or never ran /init)")
elif [ "$npass" != 1 ]; then
	reasons+=("$npass PASS markers (expected exactly one)")
fi

# Skips: every "--- SKIP <program>" must be one tests/vm/skips.allowed
# lists, for the reason the program gave (its last line with SKIP before
# the verdict); any other skip fails the run. Allowed skips are counted
# ("skipped: N test program(s)") so scripts/run-tests.sh reports them.
nskip=0
while IFS= read -r prog; do
	[ -n "$prog" ] || continue
	why=$(awk -v p="$prog" '$0 == "=== RUN " p {w = ""; on = 1; next}
		on && index($0, "--- SKIP " p) == 1 {print w; exit}
		on && /SKIP/ {w = $0}' <<<"$clean")
	ok=
	while IFS='|' read -r aprog areason aunless awhy; do
		case "$aprog" in '' | '#'*) continue ;; esac
		[ "$aprog" = "$prog" ] || continue
		grep -Eq -- "$areason" <<<"$why" || continue
		if [ -n "$aunless" ] && grep -Eq -- "$aunless" <<<"$clean"; then
			continue
		fi
		ok=$awhy
		break
	done <"$here/skips.allowed"
	if [ -n "$ok" ]; then
		nskip=$((nskip + 1))
		echo "  skip: $prog: ${why:-no reason given} (allowed: $ok)"
	else
		reasons+=("unexpected skip of $prog (${why:-no SKIP reason printed}; not in tests/vm/skips.allowed)")
	fi
done < <(sed -n 's/^--- SKIP \([^ ]*\).*/\1/p' <<<"$clean")
[ "$nskip" = 0 ] || echo "skipped: $nskip test program(s), each allowed by tests/vm/skips.allowed"

# Kernel log: the dmesg dump between the delimiters, plus any timestamped kernel
# console line outside it (panics and oopses print there even with quiet). If
# the dump never came (crash), every line is scanned.
kernel_lines() {
	if grep -qx -- '----- VIPSEC-GUEST-DMESG END -----' <<<"$clean"; then
		awk '/^----- VIPSEC-GUEST-DMESG BEGIN -----$/ {d = 1; next}
		     /^----- VIPSEC-GUEST-DMESG END -----$/ {d = 0; next}
		     d || /^\[ *[0-9]+\.[0-9]+\] / {print}' <<<"$clean"
	else
		cat <<<"$clean"
	fi
}
splats=$(kernel_lines | sed -E 's/^\[ *[0-9]+\.[0-9]+\] //' |
	grep -E -f "$here/splat.pat" | grep -v -E -f "$here/splat-allow.pat" || true)
if [ -n "$splats" ]; then
	reasons+=("kernel log splat ($(wc -l <<<"$splats") line(s))")
	awk '!s[$0]++ {print "  kernel: " $0}' <<<"$splats" | head -n 40
fi

# The gateway demo's capture (tests/gw/gw-demo.sh): tshark must decode it
# with the keys printed next to it (tests/vm/esp-verify.sh).
if grep -qx -- '----- VIPSEC-PCAP BEGIN -----' <<<"$clean"; then
	if esp=$("$here/esp-verify.sh" "$log" 2>&1); then
		sed 's/^/  /' <<<"$esp"
	else
		sed 's/^/  /' <<<"$esp"
		reasons+=("tshark could not decode the gateway's ESP capture")
	fi
fi

if [ ${#reasons[@]} = 0 ]; then
	echo "VIPSEC-VM: PASS ($log)"
	exit 0
fi
msg=${reasons[0]}
for r in "${reasons[@]:1}"; do msg="$msg; $r"; done
echo "VIPSEC-VM: FAIL: $msg ($log)"
exit 1
