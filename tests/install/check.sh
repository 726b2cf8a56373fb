#!/usr/bin/env bash
# Host checks of `make install`, the man pages and the installed library:
#  1. make install DESTDIR=$(mktemp -d) PREFIX=/usr installs exactly the
#     expected files (expected-files.txt, the man pages, the examples, the
#     driver's DKMS source), the .so link points at the soname; without
#     PREFIX everything but the DKMS source goes under /usr/local;
#  2. every exported g_ipsec_la_* function has its own man3 page, whose
#     rendered NAME section names it (so `man FUNCTION` works);
#  3. `man -l` renders every installed page without a warning;
#  4. `man FUNCTION` finds a page through MANPATH;
#  5. vipsec --help lists the same commands and options as vipsec(8);
#  6. the async example builds against the installed library with
#     pkg-config: dynamically linked (clean "no accelerator" here), and
#     statically with the software accelerator, which must pass.
# Usage: tests/install/check.sh [BUILD]   Prints "install: N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${1:-${BUILD:-$top/build}}
lib=$top/userspace/libg_ipsec_la
npass=0 nfail=0
pass() { echo "PASS: $*"; npass=$((npass + 1)); }
fail() { echo "FAIL: $*"; nfail=$((nfail + 1)); }

d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
dest=$d/root
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")

# 1. the file list
if ! make -s -C "$top" install DESTDIR="$dest" PREFIX=/usr BUILD="$build" >"$d/install.log" 2>&1; then
	tail -n 30 "$d/install.log"
	fail "make install DESTDIR=$dest PREFIX=/usr failed"
	echo "install: $npass passed, $nfail failed"
	exit 1
fi
{
	grep -v -e '^#' -e '^$' "$here/expected-files.txt" | sed "s/@VER@/$ver/g"
	for f in "$lib"/man/*.3; do echo "usr/share/man/man3/${f##*/}"; done
	for f in "$lib"/man/*.8; do echo "usr/share/man/man8/${f##*/}"; done
	for f in "$lib"/examples/*.c; do echo "usr/share/doc/libg_ipsec_la/examples/${f##*/}"; done
	(cd "$top" && find kernel/virtio_ipsec include/uapi/linux -type f \
		\( -name '*.[ch]' -o -name Kbuild \) ! -name '*.mod.c') |
		sed "s|^|usr/src/virtio-ipsec-$ver/|"
} | LC_ALL=C sort -u >"$d/want"
(cd "$dest" && find . ! -type d -printf '%P\n') | LC_ALL=C sort >"$d/got"
if cmp -s "$d/want" "$d/got"; then
	pass "make install installed the $(wc -l <"$d/got") expected files"
else
	fail "installed files differ from the expected list (< missing, > unexpected):"
	diff "$d/want" "$d/got" | grep '^[<>]' | sed 's/^/    /'
fi
if [ "$(readlink "$dest/usr/lib/libg_ipsec_la.so")" = libg_ipsec_la.so.0 ] &&
	readelf -d "$dest/usr/lib/libg_ipsec_la.so.0" | grep -q 'SONAME.*\[libg_ipsec_la.so.0\]'; then
	pass "libg_ipsec_la.so -> libg_ipsec_la.so.0, SONAME libg_ipsec_la.so.0"
else
	fail "libg_ipsec_la.so link or SONAME wrong"
fi
if grep -q '^prefix=/usr$' "$dest/usr/lib/pkgconfig/g_ipsec_la.pc"; then
	pass "g_ipsec_la.pc has prefix=/usr"
else
	fail "g_ipsec_la.pc does not honour PREFIX=/usr"
fi

# The default PREFIX is /usr/local (the DKMS source stays in /usr/src).
if make -s -C "$top" install DESTDIR="$d/default" BUILD="$build" >"$d/install-default.log" 2>&1 &&
	grep -q '^prefix=/usr/local$' "$d/default/usr/local/lib/pkgconfig/g_ipsec_la.pc" &&
	[ -x "$d/default/usr/local/bin/vipsec" ] && [ -f "$d/default/usr/local/share/man/man3/g_ipsec_la_open.3" ] &&
	[ -f "$d/default/usr/src/virtio-ipsec-$ver/dkms.conf" ] && [ ! -e "$d/default/usr/bin" ]; then
	pass "make install without PREFIX installs under /usr/local"
else
	fail "make install without PREFIX does not install under /usr/local"
	tail -n 20 "$d/install-default.log"
fi

# 2. one man page per exported function, naming it
man3=$dest/usr/share/man/man3
syms=$(nm -D --defined-only "$dest/usr/lib/libg_ipsec_la.so.0" | awk '$2 == "T" {sub(/@.*/, "", $3); print $3}' | sort -u)
nsym=0 missing=()
for s in $syms; do
	nsym=$((nsym + 1))
	if [ ! -f "$man3/$s.3" ]; then
		missing+=("$s (no $s.3)")
		continue
	fi
	name=$(cd "$dest/usr/share/man" && LC_ALL=C MANWIDTH=2000 man -l -P cat "man3/$s.3" 2>/dev/null |
		sed -n '/^NAME$/{n;p;q}')
	grep -qw -- "$s" <<<"${name//,/ }" || missing+=("$s (its page's NAME does not name it)")
done
if [ "$nsym" -gt 0 ] && [ ${#missing[@]} = 0 ]; then
	pass "all $nsym exported functions have a man3 page that names them"
else
	fail "exported functions without a page of their own ($nsym exported): ${missing[*]:-none exported}"
fi

# 3. every page renders without warnings (.so links resolve from the man root)
npages=0 bad=()
while read -r p; do
	npages=$((npages + 1))
	warn=$(cd "$dest/usr/share/man" && LC_ALL=C MANWIDTH=80 man --warnings -l -P cat "$p" 2>&1 >/dev/null)
	out=$(cd "$dest/usr/share/man" && LC_ALL=C MANWIDTH=80 man -l -P cat "$p" 2>/dev/null | wc -l)
	if [ -n "$warn" ] || [ "$out" -lt 5 ]; then
		bad+=("$p: ${warn:-only $out lines}")
	fi
done < <(cd "$dest/usr/share/man" && find man3 man8 -type f | sort)
if [ ${#bad[@]} = 0 ] && [ "$npages" -gt 0 ]; then
	pass "man -l renders all $npages pages without warnings"
else
	fail "man pages with warnings:"
	printf '    %s\n' "${bad[@]}"
fi

# 4. man finds a function's page the way a user asks for it
if MANPATH=$dest/usr/share/man LC_ALL=C man -P cat g_ipsec_la_packet_encap 2>/dev/null | grep -q 'g_ipsec_la_packet_encap'; then
	pass "man g_ipsec_la_packet_encap finds its page"
else
	fail "man g_ipsec_la_packet_encap finds nothing under $dest/usr/share/man"
fi

# 5. vipsec's usage text against its man page
if out=$("$here/usage-vs-man.sh" "$dest/usr/bin/vipsec" "$dest/usr/share/man/man8/vipsec.8"); then
	pass "$out"
else
	fail "vipsec usage and man page differ"
	echo "$out"
fi

# 6. build against the installed library with pkg-config: dynamically (the
# guest runs that build: tests/install/vm-run.sh; on this host, with no
# device, it must say so cleanly), and statically with the software
# accelerator, which must carry the traffic here.
pc() { PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_PATH=$dest/usr/lib/pkgconfig PKG_CONFIG_LIBDIR='' pkg-config "$@"; }
ex=$dest/usr/share/doc/libg_ipsec_la/examples/vnf_async.c
# shellcheck disable=SC2046 # pkg-config's words are the point
if cc -O2 -Wall -Wextra -Werror -o "$d/vnf_async" "$ex" \
	$(pc --cflags --libs g_ipsec_la) 2>"$d/cc.log" &&
	readelf -d "$d/vnf_async" | grep -q 'NEEDED.*\[libg_ipsec_la.so.0\]'; then
	out=$(LD_LIBRARY_PATH=$dest/usr/lib "$d/vnf_async" software 2>&1)
	rc=$?
	if [ "$rc" -eq 77 ] && grep -q 'SKIP: no accelerator software' <<<"$out"; then
		pass "vnf_async built with pkg-config against the installed library, dynamically linked; without a device or the software accelerator it reports 'no accelerator' (exit 77)"
	else
		fail "vnf_async (dynamic, no accelerator) exited $rc:"
		sed 's/^/    /' <<<"$out"
	fi
else
	fail "building vnf_async against the installed library failed:"
	sed 's/^/    /' "$d/cc.log"
fi
# shellcheck disable=SC2046
if cc -O2 -Wall -Wextra -Werror -DVNF_WITH_SOFTWARE -o "$d/vnf_async_sw" "$ex" \
	$(pc --static --cflags --libs g_ipsec_la_sw) 2>"$d/cc-sw.log"; then
	if out=$("$d/vnf_async_sw" software 2>&1) && grep -q '^vnf_async: PASS$' <<<"$out"; then
		pass "vnf_async built with pkg-config --static g_ipsec_la_sw passes on the software accelerator"
	else
		fail "vnf_async (software accelerator) failed:"
		sed 's/^/    /' <<<"$out"
	fi
else
	fail "building vnf_async against the installed software accelerator failed:"
	sed 's/^/    /' "$d/cc-sw.log"
fi

echo "install: $npass passed, $nfail failed"
[ "$nfail" = 0 ]
