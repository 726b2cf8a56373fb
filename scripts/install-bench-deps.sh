#!/usr/bin/env bash
# Installs what `make bench` needs beyond the build: Debian's DPDK (the
# rte_ipsec peer in tests/bench/dpdk) and gnuplot (the plot). Never needed
# by `make test`. Idempotent. Must run as root.
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
	echo "install-bench-deps: must run as root (apt-get)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
PKGS=(libdpdk-dev gnuplot-nox)
missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} = 0 ]; then
	exit 0
fi
echo "install-bench-deps: installing ${missing[*]}"
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
