#!/usr/bin/env bash
# Builds the guest initramfs for the VM harness.
# Usage: tests/vm/mkinitramfs.sh MODE OUT.cpio.gz
# Inputs (environment, defaults under $BUILD):
#   BUILD            build dir (default: <top>/build)
#   VIPSEC_KROOT     extracted kernel package root (default: $BUILD/kernel/root)
#   VIPSEC_KRELEASE  kernel release (default: contents of $BUILD/kernel/release)
#   VIPSEC_MODULE    virtio_ipsec.ko (default: $BUILD/module/virtio_ipsec.ko)
#   VIPSEC_TESTS     dir of static guest test programs (default: $BUILD/tests/guest)
#   VIPSEC_DEMO      static demo binary (default: $BUILD/lib/vnf_demo)
#   VIPSEC_BENCH     dir of static guest benchmarks (default: $BUILD/tests/bench)
#   VIPSEC_GW        the gateway VNF (default: $BUILD/lib/vipsec-gw) and
#   VIPSEC_GW_TOOLS  its demo/test programs (default: $BUILD/tests/gw), with
#                    socat and tcpdump from the host: /bin in every mode
#   VIPSEC_SOLIB     the g-API shared library, shipped as /usr/lib/<soname>
#                    with what ldd says it needs (default:
#                    $BUILD/lib/libg_ipsec_la.so.0), so that dynamically
#                    linked programs run in the guest
#   VIPSEC_EXTRA     whitespace-separated files or directories of one's own,
#                    copied (directories recursively) to /extra/<name> in any
#                    mode; the shared libraries ldd finds for ELF files among
#                    them come along
#   VIPSEC_CMD       mode run: the shell command the guest runs (in /extra,
#                    with /extra on PATH)
# Mode test packs the tests, demo packs the demo, shell packs both, bench
# packs the benchmarks (as /bench/*), run packs only VIPSEC_CMD and extras.
# Missing module/tests/demo are not an error here: the guest reports them.
# The build is skipped when a fingerprint of every input is unchanged.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
mode=${1:?usage: mkinitramfs.sh MODE OUT.cpio.gz}
out=${2:?usage: mkinitramfs.sh MODE OUT.cpio.gz}
BUILD=${BUILD:-$top/build}
kroot=${VIPSEC_KROOT:-$BUILD/kernel/root}
if [ -z "${VIPSEC_KRELEASE:-}" ] && [ ! -f "$BUILD/kernel/release" ]; then
	echo "mkinitramfs: $BUILD/kernel/release missing: run scripts/fetch-kernel.sh $BUILD" >&2
	exit 1
fi
krel=${VIPSEC_KRELEASE:-$(cat "$BUILD/kernel/release")}
kmods=$kroot/lib/modules/$krel
module=${VIPSEC_MODULE:-$BUILD/module/virtio_ipsec.ko}
tests=${VIPSEC_TESTS:-$BUILD/tests/guest}
demo=${VIPSEC_DEMO:-$BUILD/lib/vnf_demo}
bench=${VIPSEC_BENCH:-$BUILD/tests/bench}
solib=${VIPSEC_SOLIB:-$BUILD/lib/libg_ipsec_la.so.0}
read -r -a extras <<<"${VIPSEC_EXTRA:-}"
for x in "${extras[@]}"; do
	if [ ! -e "$x" ]; then
		echo "mkinitramfs: extra file $x does not exist (EXTRA= / VIPSEC_EXTRA)" >&2
		exit 1
	fi
done
# The operators' tool, shipped as /bin/vipsec (tests drive it like a user).
cli=${VIPSEC_CLI:-$BUILD/lib/vipsec}
busybox=${VIPSEC_BUSYBOX:-/bin/busybox}
gw=${VIPSEC_GW:-$BUILD/lib/vipsec-gw}
gw_tools=${VIPSEC_GW_TOOLS:-$BUILD/tests/gw}
# Debian's tools the gateway demo drives (missing: the demo says so).
host_tools=()
for t in socat tcpdump; do
	p=$(command -v "$t" || true)
	[ -z "$p" ] || host_tools+=("$p")
done
iproute=$(command -v ip || true)
case "$iproute" in /*) ;; *) iproute=/usr/bin/ip ;; esac

# Kernel modules the guest loads (see init.sh) or may auto-load (the rest of
# the algorithms the device offers); dependencies resolved below. The
# rfc7539esp template finds chacha20 and poly1305 by name, not by symbol, so
# modinfo lists no dependency: they are named here.
want_mods=(virtio virtio_ring virtio_pci
	gcm ghash-generic ctr authenc authencesn seqiv echainiv sha512_generic
	af_alg algif_aead algif_skcipher algif_hash crypto_null drbg jitterentropy_rng
	ccm des_generic des3_ede-x86_64 xcbc md5
	chacha20poly1305 chacha_generic poly1305_generic
	aesni-intel ghash-clmulni-intel
	xfrm_algo xfrm_user esp4 esp6 veth)

for f in "$kmods/modules.order" "$busybox" "$iproute"; do
	if [ ! -e "$f" ]; then
		echo "mkinitramfs: missing $f" >&2
		exit 1
	fi
done

payload=()
case "$mode" in
test) [ -d "$tests" ] && payload+=("$tests") ;;
demo) [ -e "$demo" ] && payload+=("$demo") ;;
shell) [ -d "$tests" ] && payload+=("$tests"); [ -e "$demo" ] && payload+=("$demo") ;;
bench) [ -d "$bench" ] && payload+=("$bench") ;;
run)
	if [ -z "${VIPSEC_CMD:-}" ]; then
		echo "mkinitramfs: mode run needs a command (CMD= / VIPSEC_CMD)" >&2
		exit 1
	fi
	;;
*) echo "mkinitramfs: unknown mode $mode" >&2; exit 1 ;;
esac

# Fingerprint: paths, sizes and mtimes of every input plus this script's inputs.
fingerprint() {
	{
		echo "$mode $krel ${want_mods[*]}"
		printf 'cmd %s\nextras %s\n' "${VIPSEC_CMD:-}" "${extras[*]}"
		[ ! -e "$solib" ] || find -L "$solib" -printf '%p %s %T@\n'
		[ ${#extras[@]} = 0 ] || find "${extras[@]}" -printf '%p %s %T@\n'
		find "$here/init.sh" "$here/mkinitramfs.sh" "$here/env-check.sh" "$here/splat.pat" "$here/splat-allow.pat" \
			"$busybox" "$iproute" "$kmods/modules.order" \
			"$module" "$cli" "$gw" "$gw_tools" "${host_tools[@]}" "${payload[@]}" -printf '%p %s %T@\n' 2>/dev/null || true
	} | sha1sum | cut -c1-40
}
fp=$(fingerprint)
if [ -f "$out" ] && [ -f "$out.fp" ] && [ "$(cat "$out.fp")" = "$fp" ]; then
	echo "mkinitramfs: $out up to date"
	exit 0
fi

stage=$out.d
rm -rf "$stage"
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,etc/vipsec,proc,sys,dev,run,tmp,root,tests,bench,lib/modules}
mkdir -p "$stage/var"
ln -s ../run "$stage/var/run"

# busybox and its applets (iproute2's ip replaces busybox ip: it has xfrm).
cp "$busybox" "$stage/bin/busybox"
while read -r applet; do
	case "${applet##*/}" in busybox | ip) continue ;; esac
	mkdir -p "$stage/$(dirname "$applet")"
	[ -e "$stage/$applet" ] || ln -s /bin/busybox "$stage/$applet"
done < <("$busybox" --list-full)

# iproute2 ip, socat and tcpdump with their shared libraries and the
# dynamic loader.
copy_libs() {
	ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' |
		while read -r lib; do
			mkdir -p "$stage/$(dirname "$lib")"
			[ -e "$stage/$lib" ] || cp -L "$lib" "$stage/$lib"
		done
}
cp "$iproute" "$stage/sbin/ip"
ln -sf /sbin/ip "$stage/bin/ip"
copy_libs "$iproute"
for t in "${host_tools[@]}"; do
	cp "$t" "$stage/usr/bin/"
	copy_libs "$t"
done

# copy_elf_deps FILE: the shared libraries (and dynamic loader) ldd finds
# for FILE, at their host paths; nothing for static or non-ELF files.
copy_elf_deps() {
	local lib
	# A static executable: ldd fails, which pipefail would make fatal
	ldd "$1" >/dev/null 2>&1 || return 0
	ldd "$1" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' |
		while read -r lib; do
			[ -e "$stage/$lib" ] && continue
			mkdir -p "$stage/$(dirname "$lib")"
			cp -L "$lib" "$stage/$lib"
		done
	ldd "$1" 2>/dev/null | awk '$3 == "not" {print $1}' | while read -r lib; do
		# Ours comes from $solib, whatever the host has installed.
		[ "$lib" = "${solib##*/}" ] && [ -e "$solib" ] && continue
		echo "mkinitramfs: warning: $1 needs $lib, which ldd cannot find on this host" >&2
	done
}

# Kernel modules: the deb ships no modules.dep, so resolve with modinfo.
declare -A path_of=()
while read -r p; do
	n=${p##*/}
	n=${n%%.ko*}
	path_of[${n//-/_}]=${p#"$kmods/"}
done < <([ ! -d "$kmods/kernel" ] || find "$kmods/kernel" -name '*.ko*')
declare -A builtin=()
while read -r p; do
	n=${p##*/}
	n=${n%%.ko*}
	builtin[${n//-/_}]=1
done <"$kmods/modules.builtin"
declare -A seen=()
add_mod() {
	local n=${1//-/_} p d
	[ -n "${seen[$n]:-}" ] && return 0
	seen[$n]=1
	p=${path_of[$n]:-}
	if [ -z "$p" ]; then
		[ -n "${builtin[$n]:-}" ] && return 0
		echo "mkinitramfs: module $1 neither in $kmods nor built in" >&2
		exit 1
	fi
	mkdir -p "$stage/lib/modules/$krel/${p%/*}"
	cp "$kmods/$p" "$stage/lib/modules/$krel/$p"
	for d in $(modinfo -F depends "$kmods/$p" | tr ',' ' '); do
		add_mod "$d"
	done
}
for m in "${want_mods[@]}"; do add_mod "$m"; done
# Optional: the peer device of the full-path bench (virtio-crypto), and TUN
# for the gateway demo; a kernel without one (the debug kernel has no TUN)
# has no such bench row, and the demo reports a skip with the reason.
for m in virtio_crypto tun; do
	if [ -n "${path_of[$m]:-}" ]; then add_mod "$m"; fi
done
if [ -f "$module" ]; then
	cp "$module" "$stage/lib/modules/virtio_ipsec.ko"
	for d in $(modinfo -F depends "$module" | tr ',' ' '); do add_mod "$d"; done
fi
# (A kernel with everything built in, like the debug kernel, adds no module
# above: the directory must exist all the same, for depmod and modprobe.)
mkdir -p "$stage/lib/modules/$krel"
cp "$kmods"/modules.order "$kmods"/modules.builtin* "$stage/lib/modules/$krel/"
depmod -b "$stage" "$krel"

# Our programs.
cp "$here/init.sh" "$stage/init"
chmod 755 "$stage/init"
cp "$here/splat.pat" "$here/splat-allow.pat" "$stage/etc/vipsec/"
cp "$here/env-check.sh" "$stage/bin/vipsec-env-check"
for p in "${payload[@]}"; do
	if [ "$mode" = bench ]; then
		find "$p" -maxdepth 1 -type f -perm -u+x -exec cp {} "$stage/bench/" \;
	elif [ -d "$p" ]; then
		find "$p" -maxdepth 1 -type f -perm -u+x -exec cp {} "$stage/tests/" \;
	else
		cp "$p" "$stage/bin/vnf_demo"
	fi
done
if [ -x "$cli" ]; then
	cp "$cli" "$stage/bin/vipsec"
	strip --strip-all "$stage/bin/vipsec" 2>/dev/null || true
fi
# The gateway VNF and its demo/test tools (tests/gw/).
if [ -x "$gw" ]; then
	cp "$gw" "$stage/bin/vipsec-gw"
	strip --strip-all "$stage/bin/vipsec-gw" 2>/dev/null || true
fi
if [ -d "$gw_tools" ]; then
	find "$gw_tools" -maxdepth 1 -type f -perm -u+x -exec cp {} "$stage/bin/" \;
fi
# The g-API shared library in the system search path of the dynamic loader
# (no ld.so.cache needed), with its dependencies.
if [ -e "$solib" ]; then
	mkdir -p "$stage/usr/lib"
	cp -L "$solib" "$stage/usr/lib/${solib##*/}"
	copy_elf_deps "$solib"
fi
# One's own files (EXTRA=) and what their ELF files need.
if [ ${#extras[@]} -gt 0 ]; then
	mkdir -p "$stage/extra"
	for x in "${extras[@]}"; do
		cp -a -L "$x" "$stage/extra/"
	done
	while read -r f; do
		copy_elf_deps "$f"
	done < <(find "$stage/extra" -type f -exec sh -c 'head -c4 "$1" | grep -q "^.ELF"' sh {} \; -print)
fi
if [ "$mode" = run ]; then
	printf '%s\n' "$VIPSEC_CMD" >"$stage/etc/vipsec/cmd"
fi
echo "root:x:0:0:root:/root:/bin/sh" >"$stage/etc/passwd"
echo "root:x:0:" >"$stage/etc/group"
# For the interactive shell: make "ip" mean iproute2's ip (see init.sh).
echo 'ip() { /sbin/ip "$@"; }' >"$stage/etc/profile"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$stage/etc/hosts"
mknod -m 600 "$stage/dev/console" c 5 1 2>/dev/null || true
mknod -m 666 "$stage/dev/null" c 1 3 2>/dev/null || true

(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) |
	gzip -6 >"$out.tmp"
mv "$out.tmp" "$out"
echo "$fp" >"$out.fp"
nmods=$(find "$stage/lib/modules" -name '*.ko*' | wc -l)
rm -rf "$stage"
echo "mkinitramfs: built $out ($(du -k "$out" | cut -f1) KiB, $nmods kernel modules)"
