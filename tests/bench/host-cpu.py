#!/usr/bin/python3
"""Host CPU time per packet of QEMU's threads, per row of the VM bench.

Usage: host-cpu.py CONSOLE_LOG QEMU_CMDLINE_NEEDLE OUT

The guest benchmark prints "VIPSEC-BENCH-MARK begin ID" before a row's
timed loop and "VIPSEC-BENCH-MARK end ID PKTS" after it. This script follows
the console log as it grows, finds the QEMU process whose command line
contains QEMU_CMDLINE_NEEDLE (the bench's initramfs path: unique to this
run), and at each marker reads utime+stime of every QEMU thread from
/proc/PID/task/*/stat. Per row it writes to OUT one line:

  ID PKTS vcpu_us_per_pkt main_us_per_pkt other_us_per_pkt

vcpu = the vCPU threads ("CPU n/TCG" or "CPU n/KVM"), main = QEMU's main
loop thread, where virtio-crypto's builtin backend runs, and the
virtio-ipsec device when its kicks come through an ioeventfd (KVM, or
ioeventfd=on; under TCG its default handles a kick in the vCPU thread),
other = every other thread (RCU, I/O workers). Under TCG the vCPU time is
the emulated guest (with the device, by default); "main" is then the
device path's own host cost only with ioeventfd=on. Resolution is one
clock tick (10 ms) per row of ~2 s.

It exits when the QEMU process is gone (or after 2 minutes without one).
"""
import os
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def find_qemu(needle):
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if needle in cmd and "qemu-system" in cmd.split(" ", 1)[0]:
            return int(pid)
    return None


def sample(pid):
    """{class: ticks} for the threads of pid."""
    out = {"vcpu": 0, "main": 0, "other": 0}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                st = f.read()
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                comm = f.read().strip()
        except OSError:
            continue
        # fields after the ")" that closes comm: utime, stime are 14, 15
        rest = st[st.rindex(")") + 2:].split()
        ticks = int(rest[11]) + int(rest[12])
        if comm.startswith("CPU ") and ("/TCG" in comm or "/KVM" in comm):
            out["vcpu"] += ticks
        elif int(tid) == pid:
            out["main"] += ticks
        else:
            out["other"] += ticks
    return out


def main():
    log, needle, outp = sys.argv[1:4]
    pid = None
    t0 = time.time()
    while pid is None:
        pid = find_qemu(needle)
        if pid is None:
            if time.time() - t0 > 120:
                return 1
            time.sleep(0.2)
    begins = {}
    pos = 0
    buf = ""
    with open(outp, "w") as out:
        while os.path.exists(f"/proc/{pid}"):
            try:
                with open(log, "r", errors="replace") as f:
                    f.seek(pos)
                    chunk = f.read()
                    pos = f.tell()
            except OSError:
                chunk = ""
            if not chunk:
                time.sleep(0.05)
                continue
            buf += chunk
            lines = buf.split("\n")
            buf = lines.pop()
            for line in lines:
                line = line.strip("\r")
                i = line.find("VIPSEC-BENCH-MARK ")
                if i < 0:
                    continue
                w = line[i:].split()
                if len(w) >= 3 and w[1] == "begin":
                    begins[w[2]] = sample(pid)
                elif len(w) >= 4 and w[1] == "end" and w[2] in begins:
                    a, b = begins.pop(w[2]), sample(pid)
                    pkts = int(w[3])
                    if not a or not b or pkts <= 0:
                        continue
                    us = {k: (b[k] - a[k]) * 1e6 / TICK / pkts for k in a}
                    out.write(f"{w[2]} {pkts} {us['vcpu']:.2f} "
                              f"{us['main']:.2f} {us['other']:.2f}\n")
                    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
