#!/usr/bin/env bash
# The VM harness's boot watchdog; tests/vm/run.sh starts it beside QEMU.
# Usage: boot-watch.sh SECONDS PIDFILE LOG FLAG
# Waits for the guest's first user-space line ("vipsec-init: user space up",
# tests/vm/init.sh) in LOG. When it has not come SECONDS after the start,
# the kernel stalled in boot (a TCG guest starved by a loaded host can stop
# in early boot for good: seen with the debug kernel at its RCU self-tests):
# it writes FLAG and stops the QEMU whose pid is in PIDFILE (QEMU's
# -pidfile), TERM and then KILL, so that run.sh can boot once more instead
# of waiting for the whole run's timeout. run.sh kills it when QEMU ends.
set -u
secs=$1 pidfile=$2 log=$3 flag=$4
start=$(date +%s)
while :; do
	if grep -qa 'vipsec-init: user space up' "$log" 2>/dev/null; then
		echo "run.sh: guest user space after $(($(date +%s) - start))s" >&2
		exit 0
	fi
	[ $(($(date +%s) - start)) -lt "$secs" ] || break
	sleep 1
done
echo "$secs" >"$flag"
# QEMU writes its pid file before the guest runs; wait for it a little
# (a watchdog of a second or two can fire first).
for _ in $(seq 30); do
	[ -s "$pidfile" ] && break
	sleep 1
done
pid=$(cat "$pidfile" 2>/dev/null) || exit 0
kill -TERM "$pid" 2>/dev/null || exit 0
for _ in 1 2 3 4 5; do
	kill -0 "$pid" 2>/dev/null || exit 0
	sleep 1
done
kill -KILL "$pid" 2>/dev/null || true
