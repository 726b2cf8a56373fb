#!/usr/bin/python3
"""ESP interoperability matrix between our engine (through esp_tool, which
drives the same device core QEMU runs) and Scapy's independent ESP code.

For every case of the matrix (algorithm, key and ICV length, mode, inner and
outer IP version, ESN, UDP encapsulation), both directions, byte-for-byte
on the inner packet:
  - packets we encapsulate are decrypted by Scapy;
  - packets Scapy encapsulates are decapsulated by us;
and the failures a peer relies on: a tampered packet is refused with the
ICV status and a replayed one with the replay status.

What the engine still refuses is listed in EXPECTED_REFUSED with the
status SA_ADD must give; those cases run anyway and must be refused with
exactly that status (an engine that starts to accept one fails here until
the list is updated: no silent skips). The list is also compared with what
the engine advertises (feature bits, algorithm masks). matrix() says how
the cross product is sampled (every pair of dimension values meets).

What Scapy 2.5 lacks and how it is covered here (the guest XFRM test,
tests/xfrm, covers all of them against the Linux kernel as well):
  - AES-GMAC and AES-XCBC-MAC-96: not in Scapy; not in this matrix.
  - ESN with a separate integrity algorithm: Scapy's ESP ignores seq_hi
    for HMACs (only its AEAD path and AH use it). For those cases the ICV
    is computed here with Python's hmac over ESP || seq_hi (RFC 4303
    2.2.1) and Scapy does the decryption.
  - AES-GCM with an 8 or 12-byte ICV: Scapy 2.5 always appends and
    expects the full 16-byte tag (it does not pass the ICV size to
    cryptography's AESGCM). Scapy's output is truncated here (RFC 4106:
    the ICV is the leading bytes of the tag), and our output is verified
    with pyca/cryptography's GCM mode and min_tag_length, the RFC 4106
    nonce/AAD and ESP trailer parsing done here.
  - UDP encapsulation: Scapy 2.5 writes a wrong UDP length (8) and its
    decrypt does not look under UDP, so the RFC 3948 UDP header is
    added/checked/stripped here (checksum 0 over IPv4, a real one over
    IPv6) and Scapy does the ESP part.

Prints "interop: N passed, N failed" and exits 0 only when nothing failed.
"""
import hashlib
import hmac
import struct
import subprocess
import sys
import zlib

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from scapy.all import IP, IPv6, UDP, Raw, raw
from scapy.layers.ipsec import ESP, SecurityAssociation

# Status codes (include/uapi/linux/virtio_ipsec.h).
OK, BADMSG, NOTSUPP, KEY_REJECT, REPLAY, SEQ_OVERFLOW = 0, 2, 3, 6, 8, 10

# What the engine (intel-ipsec-mb backend, the one esp_tool and QEMU use by
# default) still refuses, tag -> the SA_ADD status it must give. A case
# carrying such a tag is run anyway and both directions must be refused
# with exactly that status, so an engine that starts accepting it fails
# here until the entry is removed (no silent skips).
#   - AES-CCM with a 192-bit key: intel-ipsec-mb 1.3 has CCM-128/256 only,
#     so SA_ADD answers KEY_REJECT (status 6) on ipsec-mb. (The guest's
#     AF_ALG backend may do it; this host has no AF_ALG.) Not a feature
#     bit: the CCM algorithm bit stays advertised for 128/256.
# Everything else the g-API names is implemented and advertised; DES and
# HMAC-MD5 only with allow_weak_algos (esp_tool --weak).
EXPECTED_REFUSED = {
    "cipher:aes-ccm-192": KEY_REJECT,
}

# Tag -> (capability word, bit): the engine must advertise exactly the
# tags not in EXPECTED_REFUSED (bit numbers from virtio_ipsec.h). GMAC and
# XCBC are advertised and checked here; Scapy lacks them (see above).
CIPHER_IDS = {"null": 1, "des": 2, "3des": 3, "aes-cbc": 4, "aes-ctr": 5,
              "aes-gcm": 6, "aes-ccm": 7, "aes-gmac": 8,
              "chacha20-poly1305": 9}
AUTH_IDS = {"none": 1, "md5": 2, "sha1": 3, "xcbc": 4, "sha256": 5,
            "sha384": 6, "sha512": 7}
FEATURE_BITS = {"esn": 0, "udp": 1, "ipv6": 2, "transport": 3,
                "anti-replay": 4, "eventq": 5, "lifetime": 7, "sa-mod": 8,
                "sa-get": 9, "sa-state": 10, "err-events": 11,
                "sa-caps": 12}

# Our cipher name -> (Scapy name, salt length, is AEAD).
CIPHERS = {
    "aes-gcm": ("AES-GCM", 4, True),
    "aes-ccm": ("AES-CCM", 3, True),
    "chacha20-poly1305": ("CHACHA20-POLY1305", 4, True),
    "aes-cbc": ("AES-CBC", 0, False),
    "aes-ctr": ("AES-CTR", 4, False),
    "3des": ("3DES", 0, False),
    "des": ("DES", 0, False),
    "null": ("NULL", 0, False),
}
# Our auth name -> (Scapy name, key length, ICV length, hashlib name).
AUTHS = {
    "sha1": ("HMAC-SHA1-96", 20, 12, "sha1"),
    "sha256": ("SHA2-256-128", 32, 16, "sha256"),
    "sha384": ("SHA2-384-192", 48, 24, "sha384"),
    "sha512": ("SHA2-512-256", 64, 32, "sha512"),
    "md5": ("HMAC-MD5-96", 16, 12, "md5"),
}
WEAK = {"cipher:des", "auth:md5"}

ADDR = {4: ("192.0.2.1", "198.51.100.1"), 6: ("2001:db8::1", "2001:db8:1::1")}
INNER = {4: ("10.1.0.1", "10.2.0.1"), 6: ("fd00:1::1", "fd00:2::1")}
SIZES_FULL = [0, 1, 2, 3, 4, 5, 15, 16, 17, 100, 255, 512, 1000, 1372]
SIZES = [0, 1, 7, 16, 17, 100, 1000]
UDP_PORTS = (4500, 4500)

passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)
    return cond


def key_bytes(n, seed):
    return bytes((seed * 37 + i * 11 + 5) & 0xff for i in range(n))


class Case:
    """One SA configuration of the matrix."""

    def __init__(self, cipher, klen=16, icv=None, auth=None, mode="tunnel",
                 outer=4, inner=4, esn=False, udp=False, seq=0,
                 sizes=SIZES):
        self.cipher, self.klen, self.auth = cipher, klen, auth
        self.aead = CIPHERS[cipher][2]
        self.icv = icv if icv else (16 if self.aead else AUTHS[auth][2])
        self.mode, self.outer, self.esn, self.udp = mode, outer, esn, udp
        self.inner = inner if mode == "tunnel" else outer
        self.seq, self.sizes = seq, sizes
        self.ckey = key_bytes(klen, klen + len(cipher))
        self.salt = key_bytes(CIPHERS[cipher][1], 99)
        self.akey = key_bytes(AUTHS[auth][1], 7) if auth else b""
        self.spi = 0x100 + (zlib.crc32(self.name().encode()) & 0xffffff)

    def name(self):
        return (f"{self.cipher}-{self.klen * 8}/icv{self.icv}"
                f"{'/' + self.auth if self.auth else ''} {self.mode} "
                f"{self.inner}in{self.outer}{' esn' if self.esn else ''}"
                f"{' udp' if self.udp else ''}"
                f"{' seq=%#x' % self.seq if self.seq else ''}")

    def tags(self):
        t = {"cipher:" + self.cipher,
             "cipher:%s-%d" % (self.cipher, self.klen * 8)}
        if self.auth:
            t.add("auth:" + self.auth)
        if self.mode == "transport":
            t.add("transport")
        if self.outer == 6:
            t.add("ipv6")
        elif self.inner == 6:
            t.add("inner-ipv6")  # IPv6 in an IPv4 tunnel
        if self.esn:
            t.add("esn")
        if self.udp:
            t.add("udp")
        return t

    def tool_args(self, op, window=None):
        a = ["--mode", self.mode, "--ipv", str(self.outer),
             "--spi", str(self.spi), "--cipher", self.cipher,
             "--key", self.ckey.hex(), "--icv", str(self.icv),
             "--auth", self.auth or "none"]
        if self.salt:
            a += ["--salt", self.salt.hex()]
        if self.auth:
            a += ["--akey", self.akey.hex()]
        if self.mode == "tunnel":
            a += ["--src", ADDR[self.outer][0], "--dst", ADDR[self.outer][1]]
        if self.esn:
            a += ["--esn"]
        if self.udp:
            a += ["--udp", "%d:%d" % UDP_PORTS]
        if window:
            a += ["--window", str(window)]
        if self.seq and op == "encap":
            # initial_seq is for the outbound SA only: an inbound SA
            # refuses it (INVAL); its window starts wherever packets are.
            a += ["--seq", str(self.seq)]
        if self.tags() & WEAK:
            a += ["--weak"]
        return a

    def scapy_sa(self):
        ip = IP if self.outer == 4 else IPv6
        tun = (ip(src=ADDR[self.outer][0], dst=ADDR[self.outer][1])
               if self.mode == "tunnel" else None)
        kw = dict(crypt_algo=CIPHERS[self.cipher][0],
                  crypt_key=self.ckey + self.salt, tunnel_header=tun)
        if self.aead:
            kw["crypt_icv_size"] = self.icv
        if self.auth:
            kw.update(auth_algo=AUTHS[self.auth][0], auth_key=self.akey)
        return SecurityAssociation(ESP, spi=self.spi, **kw)

    def packets(self):
        ip = IP if self.inner == 4 else IPv6
        src, dst = INNER[self.inner] if self.mode == "tunnel" else ADDR[self.outer]
        out = []
        for i, n in enumerate(self.sizes):
            hdr = ip(src=src, dst=dst, id=i) if ip is IP else \
                ip(src=src, dst=dst, fl=i)
            out.append(ip(raw(hdr / UDP(sport=4000 + i, dport=5000) /
                              Raw(bytes((i + j) & 0xff for j in range(n))))))
        return out


def run_tool(tool, op, case, packets, window=None):
    """Returns ("refused", status) or ("ok", [(status, seq, bytes)])."""
    args = [tool, op] + case.tool_args(op, window)
    stdin = "".join(raw(p).hex() + "\n" for p in packets)
    proc = subprocess.run(args, input=stdin, capture_output=True, text=True)
    if proc.returncode == 3 and proc.stdout.startswith("sa-refused"):
        return "refused", int(proc.stdout.split()[1])
    if proc.returncode != 0:
        raise RuntimeError(f"esp_tool failed ({proc.returncode}): "
                           f"{proc.stderr.strip()}")
    results = []
    for line in proc.stdout.splitlines():
        status, seq, data = line.split()
        results.append((int(status) if status.isdigit() else status,
                        int(seq), None if data == "-" else bytes.fromhex(data)))
    return "ok", results


# ---- RFC 3948 framing and RFC 4303 ESN ICV done here (see the docstring) --

def esp_offset(pkt_bytes, outer):
    """Offset of the ESP header (or UDP header) in an outer packet."""
    if outer == 4:
        return (pkt_bytes[0] & 0x0f) * 4
    return 40  # our packets and Scapy's carry no IPv6 extension headers


def strip_udp(case, data, what):
    """Checks the RFC 3948 UDP header and returns the packet without it."""
    off = esp_offset(data, case.outer)
    proto = data[9] if case.outer == 4 else data[6]
    if not check(proto == 17, f"{what}: outer next protocol {proto}, want UDP"):
        return None
    sport, dport, ulen, csum = struct.unpack("!HHHH", data[off:off + 8])
    check((sport, dport) == UDP_PORTS, f"{what}: UDP ports {sport}/{dport}")
    check(ulen == len(data) - off, f"{what}: UDP length {ulen}")
    if case.outer == 4:
        check(csum == 0, f"{what}: UDP checksum {csum:#x}, RFC 3948 wants 0")
    else:  # IPv6 needs a real UDP checksum (RFC 8200 8.1)
        p = IPv6(data)
        del p[UDP].chksum
        want = IPv6(raw(p))[UDP].chksum
        check(csum == want, f"{what}: UDP/IPv6 checksum {csum:#x}, "
              f"want {want:#x}")
    return set_next_proto(case, data[:off] + data[off + 8:], 50)


def add_udp(case, data):
    off = esp_offset(data, case.outer)
    udp = struct.pack("!HHHH", *UDP_PORTS, len(data) - off + 8, 0)
    out = set_next_proto(case, data[:off] + udp + data[off:], 17)
    if case.outer == 6:  # Scapy fills in the IPv6 UDP checksum
        p = IPv6(out)
        del p[UDP].chksum
        out = raw(p)
    return out


def set_next_proto(case, data, proto):
    if case.outer == 4:
        p = IP(data)
        p.proto, p.len = proto, len(data)
        del p.chksum
        return raw(IP(raw(p)))
    p = IPv6(data)
    p.nh, p.plen = proto, len(data) - 40
    return raw(p)


def fix_len(case, data):
    return set_next_proto(case, data, data[9] if case.outer == 4 else data[6])


def short_gcm(case):
    return case.cipher == "aes-gcm" and case.icv != 16


def short_gcm_decrypt(case, data, seq_hi):
    """RFC 4106 decryption with a truncated ICV, through pyca/cryptography.
    Returns the inner packet (tunnel mode) or the original packet rebuilt
    from the outer header and the payload (transport mode)."""
    off = esp_offset(data, case.outer)
    e = data[off:]
    spi_seq, iv = e[:8], e[8:16]
    ct, tag = e[16:-case.icv], e[-case.icv:]
    aad = spi_seq[:4] + struct.pack("!L", seq_hi) + spi_seq[4:] \
        if case.esn else spi_seq
    dec = Cipher(algorithms.AES(case.ckey),
                 modes.GCM(case.salt + iv, tag, min_tag_length=case.icv)
                 ).decryptor()
    dec.authenticate_additional_data(aad)
    pt = dec.update(ct) + dec.finalize()
    padlen, nh = pt[-2], pt[-1]
    if pt[-2 - padlen:-2] != bytes(range(1, padlen + 1)):
        raise ValueError("bad ESP padding")
    if case.mode == "tunnel":
        return pt[:-2 - padlen]
    return set_next_proto(case, data[:off] + pt[:-2 - padlen], nh)


def esn_icv(case, esp_wo_icv, seq_hi):
    name = AUTHS[case.auth][3]
    mac = hmac.new(case.akey, esp_wo_icv + struct.pack("!L", seq_hi),
                   getattr(hashlib, name))
    return mac.digest()[:case.icv]


# ---- the two directions --------------------------------------------------

def ours_to_scapy(tool, case):
    inner = case.packets()
    kind, res = run_tool(tool, "encap", case, inner)
    if not check(kind == "ok", f"{case.name()}: SA_ADD (out) refused with "
                 f"status {res}"):
        return
    sa = case.scapy_sa()
    for i, (status, seq, data) in enumerate(res):
        what = f"{case.name()} encap #{i} ({len(inner[i])} B)"
        want_seq = case.seq + i + 1
        if not check(status == OK and data, f"{what}: status {status}"):
            continue
        check(seq == want_seq, f"{what}: reported seq {seq:#x}, "
              f"want {want_seq:#x}")
        if case.udp:
            data = strip_udp(case, data, what)
            if data is None:
                continue
        ip = IP if case.outer == 4 else IPv6
        outer = ip(data)
        if case.outer == 4:
            sent = outer.chksum
            del outer.chksum
            check(IP(raw(outer)).chksum == sent, f"{what}: IPv4 checksum")
            outer = IP(data)
        if case.mode == "tunnel":
            check((outer.src, outer.dst) == ADDR[case.outer],
                  f"{what}: outer addresses {outer.src} > {outer.dst}")
        if not check(ESP in outer, f"{what}: no ESP in {outer.summary()}"):
            continue
        e = outer[ESP]
        check(e.spi == case.spi and e.seq == want_seq & 0xffffffff,
              f"{what}: SPI/seq {e.spi:#x}/{e.seq:#x}")
        esn_hi = want_seq >> 32
        try:
            if short_gcm(case):
                dec = short_gcm_decrypt(case, data, esn_hi)
            elif case.esn and not case.aead:
                body = raw(e)
                check(body[-case.icv:] == esn_icv(case, body[:-case.icv],
                                                 esn_hi),
                      f"{what}: ESN ICV (HMAC over ESP || seq_hi) differs")
                dec = sa.decrypt(outer, verify=False)
            else:
                dec = sa.decrypt(outer, esn_en=case.esn, esn=esn_hi)
            check(raw(dec) == raw(inner[i]),
                  f"{what}: Scapy's decryption differs from the original\n"
                  f"  got  {raw(dec).hex()}\n  want {raw(inner[i]).hex()}")
        except Exception as ex:  # Scapy raises on ICV failure
            check(False, f"{what}: Scapy refused it: {ex}")


def scapy_encrypt(case, sa, pkt, seq64):
    hi, lo = seq64 >> 32, seq64 & 0xffffffff
    # Scapy writes `seq_num or self.seq_num`: a low half of 0 (the ESN wrap)
    # would become its own counter unless the counter is set too.
    sa.seq_num = lo
    if case.aead:
        e = sa.encrypt(pkt, seq_num=lo, esn_en=case.esn, esn=hi)
    else:
        e = sa.encrypt(pkt, seq_num=lo)
    data = raw(e)
    if short_gcm(case):  # Scapy wrote the whole 16-byte tag
        data = fix_len(case, data[:case.icv - 16])
    if case.esn and not case.aead:
        off = esp_offset(data, case.outer)
        body = data[off:-case.icv]
        data = data[:off] + body + esn_icv(case, body, hi)
    if case.udp:
        data = add_udp(case, data)
    return data


def scapy_to_ours(tool, case):
    inner = case.packets()
    sa = case.scapy_sa()
    seqs = [case.seq + i + 1 for i in range(len(inner))]
    esp = [scapy_encrypt(case, sa, p, s) for p, s in zip(inner, seqs)]
    kind, res = run_tool(tool, "decap", case, [Raw(e) for e in esp],
                         window=64)
    if not check(kind == "ok", f"{case.name()}: SA_ADD (in) refused with "
                 f"status {res}"):
        return
    for i, (status, seq, data) in enumerate(res):
        what = f"{case.name()} decap #{i} ({len(inner[i])} B)"
        if check(status == OK, f"{what}: status {status}"):
            check(data == raw(inner[i]), f"{what}: output differs\n"
                  f"  got  {data.hex() if data else data}\n"
                  f"  want {raw(inner[i]).hex()}")
            check(seq == seqs[i], f"{what}: seen seq {seq:#x}")

    # Tampered ICV, tampered payload, the good one, then a replay. The first
    # packet: a fresh receiver cannot place the others of the 2^32 cases
    # (their low half 0 is "sequence 0" to it, refused as LATE).
    good = esp[0]
    bad_icv = good[:-1] + bytes([good[-1] ^ 1])
    mid = len(good) - case.icv - 3
    bad_body = good[:mid] + bytes([good[mid] ^ 0x40]) + good[mid + 1:]
    kind, res = run_tool(tool, "decap", case,
                         [Raw(bad_icv), Raw(bad_body), Raw(good), Raw(good)],
                         window=64)
    if kind == "ok":
        sts = [r[0] for r in res]
        check(sts == [BADMSG, BADMSG, OK, REPLAY],
              f"{case.name()}: tampered ICV/tampered payload/good/replay got "
              f"statuses {sts}, want {[BADMSG, BADMSG, OK, REPLAY]}")


def esn_wrap_inbound(tool, case):
    """RFC 4303 Appendix A across 2^32: high bits inferred, late packets
    inside the window accepted once, replays refused."""
    sa = case.scapy_sa()
    base = 1 << 32
    order = [base - 2, base - 1, base, base + 1, base - 16, base + 1,
             base - 2, base + 70]
    want = [OK, OK, OK, OK, OK, REPLAY, REPLAY, OK]
    pkts = [case.packets()[1]] * len(order)
    esp = [Raw(scapy_encrypt(case, sa, p, s)) for p, s in zip(pkts, order)]
    kind, res = run_tool(tool, "decap", case, esp, window=64)
    if check(kind == "ok", f"{case.name()} wrap: SA_ADD refused {res}"):
        got = [(r[0], r[1]) for r in res]
        exp = [(w, s if w == OK else None) for w, s in zip(want, order)]
        check(all(g[0] == e[0] and (e[1] is None or g[1] == e[1])
                  for g, e in zip(got, exp)),
              f"{case.name()} wrap: got {[(s, hex(q)) for s, q in got]}, "
              f"want statuses {want} for seqs {[hex(s) for s in order]}")


# ---- the matrix -----------------------------------------------------------

TOPOS = [("tunnel", 4, 4), ("tunnel", 4, 6), ("tunnel", 6, 4),
         ("tunnel", 6, 6), ("transport", 4, 4), ("transport", 6, 6)]
HMACS = ("sha1", "sha256", "sha384", "sha512", "md5")


def algorithm_families():
    """(cipher, auth) -> its (klen, icv) variants: every algorithm with
    every key and ICV length its RFC allows."""
    fam = {("aes-gcm", None): [(k, i) for k in (16, 24, 32)
                                for i in (16, 8, 12)],
           ("aes-ccm", None): [(k, i) for k in (16, 32, 24)
                                for i in (16, 8, 12)],
           ("chacha20-poly1305", None): [(32, 16)]}
    for c, klens in (("aes-cbc", (16, 24, 32)), ("aes-ctr", (16, 24, 32)),
                     ("3des", (24,)), ("null", (0,)), ("des", (8,))):
        for a in HMACS:
            fam[(c, a)] = [(k, None) for k in klens]
    return fam


def matrix():
    """The cross product is ~1400 SAs; this samples it so that every pair
    of dimension values meets at least once:
      1. every algorithm x key length x ICV length (tunnel 4in4);
      2. every (cipher, auth) family x every topology, with ESN and UDP
         alternating so each family sees both values of each, and key and
         ICV lengths cycling;
      3. topology x ESN x UDP in full for three families (AEAD, CBC+HMAC,
         CTR+HMAC), which covers those dimensions pairwise among themselves;
      4. per family, outbound across 2^32 (ESN) and at the top of 32-bit
         space (no ESN: the SA stops with SEQ_OVERFLOW, never wraps).
    Inbound ESN wrap (RFC 4303 App. A) runs on every ESN case."""
    cases, seen = [], set()

    def add(c):
        if c.name() not in seen:
            seen.add(c.name())
            cases.append(c)
    fams = algorithm_families()
    for (c, a), variants in fams.items():
        for k, i in variants:
            full = c == "aes-gcm" and i == 16 or c == "aes-cbc" and a == "sha1"
            add(Case(c, k, i, auth=a, sizes=SIZES_FULL if full else SIZES))
    for f, ((c, a), variants) in enumerate(fams.items()):
        ok = [v for v in variants if "cipher:%s-%d" % (c, v[0] * 8)
              not in EXPECTED_REFUSED]
        for t, (mode, outer, inner) in enumerate(TOPOS):
            k, i = ok[(t + f) % len(ok)]
            add(Case(c, k, i, auth=a, mode=mode, outer=outer, inner=inner,
                     esn=bool((t + f) % 2), udp=bool((t // 2 + f) % 2)))
        k, i = ok[f % len(ok)]
        mode, outer, inner = TOPOS[f % len(TOPOS)]
        add(Case(c, k, i, auth=a, mode=mode, outer=outer, inner=inner,
                 esn=True, seq=(1 << 32) - 2, sizes=[1, 2, 3]))
        add(Case(c, k, i, auth=a, mode=mode, outer=outer, inner=inner,
                 seq=(1 << 32) - 3, sizes=[1, 2, 3, 4]))
    for alg in (dict(cipher="aes-gcm", klen=16),
                dict(cipher="aes-cbc", klen=16, auth="sha256"),
                dict(cipher="aes-ctr", klen=32, auth="sha512")):
        for mode, outer, inner in TOPOS:
            for esn in (False, True):
                for udp in (False, True):
                    add(Case(mode=mode, outer=outer, inner=inner, esn=esn,
                             udp=udp, **alg))
    return cases


def header_modes(tool):
    """Outer DSCP and DF on encapsulation: copy, clear, set (IPv4 tunnel)."""
    inner = IP(raw(IP(src=INNER[4][0], dst=INNER[4][1], tos=0xb8,
                      flags="DF") / UDP() / Raw(b"x" * 20)))
    for mode, want_dscp, want_df in (("copy", 46, 1), ("clear", 0, 0),
                                     ("set", 10, 1)):
        case = Case("aes-gcm", 16)
        args = [tool, "encap"] + case.tool_args("encap") + \
            ["--dscp-mode", mode, "--dscp", "10" if mode == "set" else "0",
             "--df-mode", mode]
        out = subprocess.run(args, input=raw(inner).hex() + "\n",
                             capture_output=True, text=True).stdout.split()
        what = f"outer header with dscp/df mode {mode}"
        if not check(len(out) == 3 and out[0] == "0", f"{what}: {out}"):
            continue
        o = IP(bytes.fromhex(out[2]))
        check(o.tos >> 2 == want_dscp, f"{what}: outer DSCP {o.tos >> 2}, "
              f"want {want_dscp}")
        check(int(o.flags.DF) == want_df, f"{what}: outer DF {o.flags}")


def tool_extra(tool, op, case, extra, pkts):
    """esp_tool with extra SA options; [(status, bytes or None)]."""
    args = [tool, op] + case.tool_args(op) + extra
    out = subprocess.run(args, input="".join(raw(p).hex() + "\n"
                                             for p in pkts),
                         capture_output=True, text=True).stdout
    res = []
    for line in out.splitlines():
        f = line.split()
        res.append((int(f[0]) if f[0].isdigit() else f[0],
                    None if f[2] == "-" else bytes.fromhex(f[2])))
    return res


def inner4(tos=0, ttl=64, n=40):
    return IP(raw(IP(src=INNER[4][0], dst=INNER[4][1], tos=tos, ttl=ttl) /
                  UDP(sport=1, dport=2) / Raw(b"e" * n)))


def encap_fields(tool):
    """Issue 11: outer TTL / hop limit, IPv6 flow label, TFC padding and
    RFC 6040 ECN (normal mode with --ecn, else Not-ECT) on encapsulation,
    decoded and decrypted by Scapy."""
    case = Case("aes-gcm", 16)
    for ecn_opt in (False, True):
        for ecn in range(4):
            p = inner4(tos=0xb8 | ecn)
            extra = ["--ttl", "17", "--tfc", "300"] + \
                (["--ecn"] if ecn_opt else [])
            r = tool_extra(tool, "encap", case, extra, [p])
            what = f"encap ecn-option {ecn_opt} inner ECN {ecn}"
            if not check(len(r) == 1 and r[0][0] == 0, f"{what}: {r}"):
                continue
            o = IP(r[0][1])
            want = ecn if ecn_opt else 0
            check(o.tos == 0xb8 | want, f"{what}: outer TOS {o.tos:#x}, "
                  f"want {0xb8 | want:#x} (RFC 6040 "
                  f"{'normal' if ecn_opt else 'compatibility'} mode)")
            check(o.ttl == 17, f"{what}: outer TTL {o.ttl}, want 17")
            inner = case.scapy_sa().decrypt(o)
            b = raw(inner)
            check(len(b) == 300 and b[:len(p)] == raw(p) and
                  not any(b[len(p):]),
                  f"{what}: TFC: {len(b)} bytes after decryption, want the "
                  f"packet and zeros up to 300")
    case6 = Case("aes-gcm", 16, outer=6)
    p = inner4(tos=0x02)
    r = tool_extra(tool, "encap", case6,
                   ["--ttl", "33", "--flow-label", "0x12345", "--ecn"], [p])
    if check(len(r) == 1 and r[0][0] == 0, f"IPv6 outer encap: {r}"):
        o = IPv6(r[0][1])
        check(o.hlim == 33 and o.fl == 0x12345 and o.tc & 3 == 2,
              f"IPv6 outer: hop limit {o.hlim} flow label {o.fl:#x} "
              f"ECN {o.tc & 3}, want 33 / 0x12345 / ECT(0)")
        check(raw(case6.scapy_sa().decrypt(o)) == raw(p),
              "IPv6 outer: inner packet after decryption")


def decap_fields(tool):
    """RFC 6040 decapsulation, TTL decrement and the inner-source selector
    on packets Scapy encrypted with a given outer ECN."""
    case = Case("aes-gcm", 16)
    rows = ((2, 3, ["--ecn"], 0, 3),   # ECT(0) under CE -> CE
            (1, 1, ["--ecn"], 0, 1),   # ECT(1) stays
            (2, 1, ["--ecn"], 0, 1),   # ECT(0) under ECT(1) -> ECT(1)
            (0, 2, ["--ecn"], 0, 0),   # Not-ECT under ECT(0) stays
            (0, 3, ["--ecn"], 12, None),  # Not-ECT under CE: dropped
            (2, 3, [], 0, 2))          # no option: inner left alone
    for seq, (iecn, oecn, opt, want_st, want_ecn) in enumerate(rows, 1):
        sa = case.scapy_sa()
        sa.tunnel_header.tos = oecn
        p = inner4(tos=0x20 | iecn)
        e = sa.encrypt(p, seq_num=seq)
        r = tool_extra(tool, "decap", case, opt, [IP(raw(e))])
        what = f"decap inner ECN {iecn} outer ECN {oecn} {opt}"
        if not check(len(r) == 1 and r[0][0] == want_st, f"{what}: {r}"):
            continue
        if want_ecn is not None:
            q = IP(r[0][1])
            ref = IP(raw(q))
            del ref.chksum
            check(q.tos == 0x20 | want_ecn and
                  q.chksum == IP(raw(ref)).chksum,
                  f"{what}: inner TOS {q.tos:#x} checksum {q.chksum:#x}")
    sa = case.scapy_sa()
    p = inner4(ttl=64)
    for seq, (opt, want_st, want_ttl) in enumerate((
            (["--dec-ttl"], 0, 63),
            (["--dec-ttl", "--sel", "10.1.0.0/16"], 0, 63),
            (["--sel", "10.9.0.0/16"], 19, None)), 1):
        r = tool_extra(tool, "decap", case, opt,
                       [IP(raw(sa.encrypt(p, seq_num=seq)))])
        what = f"decap {opt}"
        if not check(len(r) == 1 and r[0][0] == want_st, f"{what}: {r}"):
            continue
        if want_ttl:
            q = IP(r[0][1])
            ref = IP(raw(q))
            del ref.chksum
            check(q.ttl == want_ttl and q.chksum == IP(raw(ref)).chksum,
                  f"{what}: inner TTL {q.ttl} checksum {q.chksum:#x}")
    p1 = IP(raw(IP(src=INNER[4][0], dst=INNER[4][1], ttl=1) / UDP()))
    r = tool_extra(tool, "decap", case, ["--dec-ttl"],
                   [IP(raw(sa.encrypt(p1, seq_num=9)))])
    check(len(r) == 1 and r[0][0] == 12, f"decap --dec-ttl of TTL 1: {r}")


def check_caps(tool):
    """What the engine advertises must match EXPECTED_REFUSED exactly: every
    known algorithm and feature bit set, no unknown bit."""
    out = subprocess.run([tool, "caps", "--weak"], capture_output=True,
                         text=True, check=True).stdout.split()
    feat, cmask, amask = int(out[1], 16), int(out[3], 16), int(out[5], 16)
    for word, ids, prefix, got in (("cipher", CIPHER_IDS, "cipher:", cmask),
                                   ("auth", AUTH_IDS, "auth:", amask),
                                   ("feature", FEATURE_BITS, "", feat)):
        want = sum(1 << b for n, b in ids.items()
                   if prefix + n not in EXPECTED_REFUSED)
        extra = got & ~sum(1 << b for b in ids.values())
        if word == "feature":
            extra &= ~(1 << 6)  # MQ: a QEMU property, not an engine ability
        check(got & want == want and not extra,
              f"caps: {word} bits {got:#x}, want {want:#x} (missing "
              f"{want & ~got:#x}, unknown {extra:#x})")
    # Without the switch, config space must not offer the weak algorithms.
    out = subprocess.run([tool, "caps"], capture_output=True, text=True,
                         check=True).stdout.split()
    weak_c, weak_a = 1 << CIPHER_IDS["des"], 1 << AUTH_IDS["md5"]
    check(int(out[3], 16) == cmask & ~weak_c and
          int(out[5], 16) == amask & ~weak_a,
          f"caps without allow_weak_algos: cipher {out[3]} auth {out[5]}, "
          f"want {cmask & ~weak_c:#x} {amask & ~weak_a:#x} (DES/MD5 off)")
    # Weak algorithms need the device's explicit switch.
    for c in (Case("des", 8, auth="sha1"), Case("aes-cbc", 16, auth="md5")):
        args = [a for a in c.tool_args("encap") if a != "--weak"]
        r = subprocess.run([tool, "encap"] + args, input="",
                           capture_output=True, text=True)
        check(r.returncode == 3 and r.stdout.split() ==
              ["sa-refused", str(NOTSUPP)],
              f"{c.name()} without allow_weak_algos: {r.stdout.strip()}, "
              f"want sa-refused {NOTSUPP}")


def seq_overflow(tool, case):
    """No ESN, outbound from 2^32 - 3: seqs ...fe and ...ff go out, then the
    SA stops with SEQ_OVERFLOW and never wraps to 0."""
    kind, res = run_tool(tool, "encap", case, case.packets())
    if not check(kind == "ok", f"{case.name()}: SA_ADD refused {res}"):
        return
    sts = [(r[0], r[1]) for r in res]
    check([s for s, _ in sts] == [OK, OK, SEQ_OVERFLOW, SEQ_OVERFLOW] and
          [q for _, q in sts[:2]] == [case.seq + 1, case.seq + 2],
          f"{case.name()}: got {sts}, want OK {case.seq + 1:#x}, "
          f"OK {case.seq + 2:#x}, then SEQ_OVERFLOW")


def run_refused(tool, case):
    """Both directions must be refused at SA_ADD with the listed status."""
    want = {EXPECTED_REFUSED[t] for t in case.tags() & EXPECTED_REFUSED.keys()}
    for op in ("encap", "decap"):
        kind, res = run_tool(tool, op, case, case.packets()[:1],
                             window=64 if op == "decap" else None)
        check(kind == "refused" and {res} == want,
              f"{case.name()} {op}: expected SA_ADD to refuse with "
              f"{sorted(want)} (EXPECTED_REFUSED), got {kind} {res} - if "
              f"the engine does it now, update EXPECTED_REFUSED")


def main():
    tool = sys.argv[1]
    check_caps(tool)
    header_modes(tool)
    encap_fields(tool)
    decap_fields(tool)
    cases = matrix()
    refused = 0
    for case in cases:
        try:
            if case.tags() & EXPECTED_REFUSED.keys():
                refused += 1
                run_refused(tool, case)
                continue
            if case.seq and not case.esn:
                seq_overflow(tool, case)
                continue
            ours_to_scapy(tool, case)
            scapy_to_ours(tool, case)
            if case.esn and case.seq == 0:
                esn_wrap_inbound(tool, case)
        except Exception as ex:  # one broken case must not hide the rest
            check(False, f"{case.name()}: {type(ex).__name__}: {ex}")
    print(f"interop: {len(cases)} cases; {refused} expected refused "
          f"(checked to be refused with the listed status)")
    print(f"interop: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
