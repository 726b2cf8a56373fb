#!/usr/bin/env bash
# The short report of make run (tests/vm/run.sh in demo mode without V=1).
#   report.sh --live            filter: the console on stdin, the report
#                               lines the guest prints ("vipsec-report: ")
#                               and each program's verdict on stdout, as
#                               they come (the progress of the run)
#   report.sh --final LOG VERDICT_FILE RC
#                               after the run: judge's lines and, on
#                               failure, what failed and the kernel log
set -uo pipefail

case "${1:-}" in
--live)
	while IFS= read -r line; do
		line=${line%$'\r'}
		case "$line" in
		'vipsec-report: '*) echo "  ${line#vipsec-report: }" ;;
		'=== RUN '*) echo "running ${line#=== RUN } ..." ;;
		'--- PASS '* | '--- FAIL '* | '--- SKIP '*) echo "${line#--- }" ;;
		'vipsec-init: FAIL'* | 'env-check: FAIL'*) echo "$line" ;;
		'VIPSEC-GUEST-RESULT: '*) echo "guest: ${line#VIPSEC-GUEST-RESULT: }" ;;
		esac
	done
	;;
--final)
	log=$2 verdict=$3 rc=$4
	clean=$(tr -d '\r' <"$log" | sed -E 's/\x1b(\[[0-9;?]*[A-Za-z]|[A-Za-z])//g')
	grep -v '^VIPSEC-VM: ' "$verdict" || true
	if [ "$rc" != 0 ]; then
		echo "----- what failed -----"
		grep -E 'FAIL|^    gw: ' <<<"$clean" |
			grep -v -E '^VIPSEC-|^vipsec-report: ' | tail -n 60
		echo "----- kernel log -----"
		if grep -qx -- '----- VIPSEC-GUEST-DMESG END -----' <<<"$clean"; then
			sed -n '/^----- VIPSEC-GUEST-DMESG BEGIN -----$/,/^----- VIPSEC-GUEST-DMESG END -----$/p' <<<"$clean" |
				sed '1d;$d' | tail -n 60
		else
			tail -n 80 <<<"$clean"
		fi
	fi
	grep '^VIPSEC-VM: ' "$verdict"
	echo "full log: $log"
	;;
*)
	echo "usage: report.sh --live | --final LOG VERDICT_FILE RC" >&2
	exit 2
	;;
esac
