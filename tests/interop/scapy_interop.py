#!/usr/bin/python3
"""ESP interoperability between our engine (through esp_tool, which drives
the same device core QEMU runs) and Scapy's independent ESP implementation.

Both directions, byte-for-byte on the inner packet:
  - packets we encapsulate are decrypted by Scapy;
  - packets Scapy encapsulates are decapsulated by us;
and the failures a peer relies on: a tampered packet is refused with the
ICV status and a replayed one with the replay status.

Prints "interop: N passed, N failed" and exits 0 only when nothing failed.
"""
import subprocess
import sys

from scapy.all import IP, UDP, Raw
from scapy.layers.ipsec import ESP, SecurityAssociation

STATUS_OK, STATUS_BADMSG, STATUS_REPLAY = 0, 2, 8

TUN_SRC, TUN_DST = "192.0.2.1", "198.51.100.1"
SIZES = [0, 1, 2, 3, 4, 5, 15, 16, 17, 100, 255, 512, 1000, 1372]
KEYS = {
    16: bytes.fromhex("feffe9928665731c6d6a8f9467308308"),
    24: bytes.fromhex("feffe9928665731c6d6a8f9467308308feffe9928665731c"),
    32: bytes.fromhex("abbccddef00112233445566778899aab"
                      "abbccddef00112233445566778899aab"),
}
SALT = bytes.fromhex("cafebabe")

passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


def run_tool(tool, op, spi, key, packets, window=None):
    args = [tool, op, "--spi", str(spi), "--key", key.hex(),
            "--salt", SALT.hex(), "--src", TUN_SRC, "--dst", TUN_DST]
    if window:
        args += ["--window", str(window)]
    stdin = "".join(bytes(p).hex() + "\n" for p in packets)
    out = subprocess.run(args, input=stdin, capture_output=True, text=True,
                         check=True).stdout
    results = []
    for line in out.splitlines():
        status, seq, data = line.split()
        results.append((int(status) if status.isdigit() else status,
                        int(seq), None if data == "-" else bytes.fromhex(data)))
    return results


def inner_packets():
    return [IP(src="10.1.0.1", dst="10.2.0.1", id=i) /
            UDP(sport=4000 + i, dport=5000) / Raw(bytes((i + j) & 0xff
                                                         for j in range(n)))
            for i, n in enumerate(SIZES)]


def scapy_sa(spi, key):
    return SecurityAssociation(ESP, spi=spi, crypt_algo="AES-GCM",
                               crypt_key=key + SALT,
                               tunnel_header=IP(src=TUN_SRC, dst=TUN_DST))


def ours_to_scapy(tool, klen):
    spi = 0x1000 + klen
    inner = inner_packets()
    res = run_tool(tool, "encap", spi, KEYS[klen], inner)
    sa = scapy_sa(spi, KEYS[klen])
    for i, (status, seq, data) in enumerate(res):
        what = f"encap AES-GCM-{klen * 8} packet {i} ({len(inner[i])} B)"
        check(status == STATUS_OK, f"{what}: status {status}")
        if data is None:
            continue
        outer = IP(data)
        check(outer.src == TUN_SRC and outer.dst == TUN_DST and
              outer.proto == 50, f"{what}: outer header {outer.summary()}")
        sent_sum = outer.chksum
        del outer.chksum
        check(IP(bytes(outer)).chksum == sent_sum, f"{what}: IPv4 checksum")
        outer = IP(data)
        check(outer[ESP].spi == spi and outer[ESP].seq == i + 1 == seq,
              f"{what}: SPI/seq {outer[ESP].spi:#x}/{outer[ESP].seq}")
        try:
            dec = sa.decrypt(outer)
            check(bytes(dec) == bytes(inner[i]),
                  f"{what}: Scapy's decryption differs from the original")
        except Exception as e:  # scapy raises on ICV failure
            check(False, f"{what}: Scapy refused it: {e}")


def scapy_to_ours(tool, klen):
    spi = 0x2000 + klen
    inner = inner_packets()
    sa = scapy_sa(spi, KEYS[klen])
    esp = [sa.encrypt(p, seq_num=i + 1) for i, p in enumerate(inner)]
    res = run_tool(tool, "decap", spi, KEYS[klen], esp, window=64)
    for i, (status, seq, data) in enumerate(res):
        what = f"decap AES-GCM-{klen * 8} packet {i} ({len(inner[i])} B)"
        check(status == STATUS_OK and data == bytes(inner[i]),
              f"{what}: status {status}, output differs" if status == 0
              else f"{what}: status {status}")

    # A tampered packet, then a replayed one, through one inbound SA.
    good = bytearray(bytes(esp[3]))
    bad = bytearray(good)
    bad[40] ^= 0x01  # inside the ciphertext (outer 20 + ESP 8 + IV 8 = 36)
    res = run_tool(tool, "decap", spi, KEYS[klen],
                   [bytes(bad), bytes(good), bytes(good)], window=64)
    check(res[0][0] == STATUS_BADMSG, f"tampered packet: status {res[0][0]}")
    check(res[1][0] == STATUS_OK, f"untampered packet: status {res[1][0]}")
    check(res[2][0] == STATUS_REPLAY, f"replayed packet: status {res[2][0]}")


def main():
    tool = sys.argv[1]
    for klen in sorted(KEYS):
        ours_to_scapy(tool, klen)
        scapy_to_ours(tool, klen)
    print(f"interop: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
