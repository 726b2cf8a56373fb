#!/usr/bin/python3
"""Host half of the migration test (tests/migration/run.sh).

Starts the source QEMU, follows the active QEMU's serial log for the guest
program's requests (tests/migration/vipsec_migrate_guest.c)
    VIPSEC-HOST-REQUEST: migrate live|mismatch|file
carries each out over QMP, checks the outcome and answers the guest on its
second serial port (a unix socket chardev, the guest's /dev/ttyS1) with
"done <phase> <ok|refused>" once it runs where it should:
  live      migrate over a unix socket to a second QEMU (return-path on,
            so a destination that refuses is reported to the source);
  mismatch  migrate to a destination with a smaller max-sas: it must
            refuse with a message naming max-sas and exit cleanly, the
            source must resume the VM;
  file      save the VM to a file (exec:cat >file) and quit; restores of a
            truncated copy, of a copy with one byte of the device's engine
            stream flipped and of the intact file into a destination with a
            smaller max-sas must each be refused (clean exit, no crash, a
            message); the intact file restores and the guest continues.
Prints one "migration: <check>: PASS|FAIL ..." line per check and
"N passed, N failed" at the end; exits 0 only when everything passed and
the guest reported VIPSEC-GUEST-RESULT: PASS.

usage: migrate.py DIR TIMEOUT QEMU ARGS...   (ARGS: the common QEMU
arguments without -device virtio-ipsec-pci, serial ports and QMP)
"""
import json
import os
import socket
import subprocess
import sys
import time

DIR, TIMEOUT, QEMU, COMMON = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
DEADLINE = time.time() + TIMEOUT
DEVICE = "virtio-ipsec-pci,id=vipsec0"
ENGINE_MAGIC = b"VIPSECMG"
results = []


def check(name, ok, detail=""):
    results.append(ok)
    print("migration: %s: %s%s" % (name, "PASS" if ok else "FAIL",
                                   " (%s)" % detail if detail else ""),
          flush=True)
    return ok


def left():
    return max(1, DEADLINE - time.time())


class Qemu:
    def __init__(self, name, props="", incoming=None):
        self.name = name
        self.log = os.path.join(DIR, name + ".log")
        self.qmp_path = os.path.join(DIR, name + "-qmp.sock")
        self.ctl_path = os.path.join(DIR, name + "-ctl.sock")
        for p in (self.qmp_path, self.ctl_path):
            if os.path.exists(p):
                os.unlink(p)
        args = [QEMU] + COMMON + [
            "-device", DEVICE + props,
            "-chardev", "socket,id=ctl,path=%s,server=on,wait=off" % self.ctl_path,
            # ttyS0 the console, ttyS1 the control port (an explicit
            # isa-serial device would drop -nographic's default serial)
            "-serial", "mon:stdio", "-serial", "chardev:ctl",
            "-qmp", "unix:%s,server=on,wait=off" % self.qmp_path]
        if incoming:
            args += ["-incoming", incoming]
        self.logf = open(self.log, "w")
        self.proc = subprocess.Popen(
            ["timeout", "-k", "10", str(int(left())) ] + args,
            stdin=subprocess.DEVNULL, stdout=self.logf, stderr=subprocess.STDOUT)
        self.pos = 0
        self.f = None
        print("migration: started %s: %s" % (name, " ".join(args)), flush=True)

    def connect(self):
        end = time.time() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited %s before QMP" % (self.name, self.proc.returncode))
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(self.qmp_path)
                break
            except OSError:
                s.close()
                if time.time() > end:
                    raise
                time.sleep(0.1)
        self.sock = s
        self.f = s.makefile("rw")
        json.loads(self.f.readline())
        self.qmp("qmp_capabilities")

    def qmp(self, cmd, **args):
        if self.f is None and cmd != "qmp_capabilities":
            self.connect()
        self.f.write(json.dumps({"execute": cmd, "arguments": args}) + "\n")
        self.f.flush()
        while True:
            msg = json.loads(self.f.readline())
            if "return" in msg or "error" in msg:
                return msg

    def wait_migration(self, want):
        while time.time() < DEADLINE:
            st = self.qmp("query-migrate")["return"].get("status")
            if st in ("completed", "failed", "cancelled"):
                return st
            time.sleep(0.2)
        return "timeout"

    def wait_running(self, secs=120):
        end = min(DEADLINE, time.time() + secs)
        while time.time() < end:
            r = self.qmp("query-status")["return"]
            if r.get("running"):
                return True
            time.sleep(0.2)
        return False

    def tell_guest(self, line):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(self.ctl_path)
        s.sendall((line + "\n").encode())
        # keep it open a moment: the UART takes the bytes at its own pace
        time.sleep(1)
        s.close()

    def lines(self):
        with open(self.log, "r", errors="replace") as lf:
            lf.seek(self.pos)
            data = lf.read()
        # only whole lines
        cut = data.rfind("\n") + 1
        self.pos += len(data[:cut].encode(errors="replace"))
        return data[:cut].splitlines()

    def wait_line(self, pred):
        while time.time() < DEADLINE:
            for ln in self.lines():
                if pred(ln):
                    return ln
            if self.proc.poll() is not None:
                for ln in self.lines():
                    if pred(ln):
                        return ln
                print("migration: %s exited with status %s" %
                      (self.name, self.proc.returncode), flush=True)
                return None
            time.sleep(0.2)
        return None

    def finish(self, secs=30):
        try:
            self.proc.wait(timeout=secs)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.logf.close()
        return self.proc.returncode

    def text(self):
        with open(self.log, "r", errors="replace") as lf:
            return lf.read()


def request(q, phase):
    ln = q.wait_line(lambda l: "VIPSEC-HOST-REQUEST: migrate" in l or
                     "VIPSEC-GUEST-RESULT" in l or "migrate-guest: FAIL" in l)
    ok = ln is not None and ln.strip().endswith("VIPSEC-HOST-REQUEST: migrate " + phase)
    return check("guest asks for '%s'" % phase, ok, ln.strip() if ln else "no request")


def set_return_path(q, on=True):
    r = q.qmp("migrate-set-capabilities",
              capabilities=[{"capability": "return-path", "state": on}])
    # 7.2 defaults to 32 MiB/s: the test needs no rate limit
    q.qmp("migrate-set-parameters", **{"max-bandwidth": 1 << 34})
    return "error" not in r


def refused_cleanly(q, name, want):
    rc = q.finish(120)
    txt = q.text()
    # a clean refusal: exit status 1, not a signal (negative) or an abort
    return check(name, rc == 1 and want in txt,
                 "exit %s, %s" % (rc, "message found" if want in txt else
                                  "no '%s' in %s" % (want, q.log)))


def phase_live(src):
    dst = Qemu("dst-live", incoming="defer")
    set_return_path(dst)
    set_return_path(src)
    uri = "unix:" + os.path.join(DIR, "live.sock")
    dst.qmp("migrate-incoming", uri=uri)
    t0 = time.time()
    src.qmp("migrate", uri=uri)
    st = src.wait_migration("completed")
    check("live migration completes", st == "completed",
          "%s after %.1f s" % (st, time.time() - t0))
    check("guest runs on the destination", dst.wait_running())
    src.qmp("quit")
    src.finish()
    dst.tell_guest("done live ok")
    return dst


def phase_mismatch(cur):
    bad = Qemu("dst-small", props=",max-sas=16", incoming="defer")
    set_return_path(bad)
    set_return_path(cur)
    uri = "unix:" + os.path.join(DIR, "small.sock")
    bad.qmp("migrate-incoming", uri=uri)
    cur.qmp("migrate", uri=uri)
    st = cur.wait_migration("failed")
    check("migration to max-sas=16 refused", st == "failed", "source status %s" % st)
    refused_cleanly(bad, "destination with max-sas=16 exits with a message",
                    "migration refused: destination max-sas=16 is below the source's")
    check("source resumes the VM", cur.wait_running())
    cur.tell_guest("done mismatch refused")
    return cur


def phase_file(cur):
    state = os.path.join(DIR, "state.bin")
    if os.path.exists(state):
        os.unlink(state)
    # a file has no return path
    set_return_path(cur, False)
    cur.qmp("migrate", uri="exec:cat > " + state)
    st = cur.wait_migration("completed")
    check("save to a file", st == "completed" and os.path.getsize(state) > 0,
          "%s, %d bytes" % (st, os.path.getsize(state) if os.path.exists(state) else 0))
    cur.qmp("quit")
    cur.finish()
    data = open(state, "rb").read()
    at = data.find(ENGINE_MAGIC)
    check("the file holds the engine stream", at > 0, "at offset %d" % at)
    # keys travel in it: the file is as secret as the keys
    os.chmod(state, 0o600)

    trunc = os.path.join(DIR, "state-truncated.bin")
    with open(trunc, "wb") as f:
        f.write(data[:at + 200])
    q = Qemu("restore-truncated", incoming="exec:cat " + trunc)
    refused_cleanly(q, "truncated file refused", "load of migration failed")

    flip = os.path.join(DIR, "state-flipped.bin")
    b = bytearray(data)
    b[at + 60] ^= 0x01
    with open(flip, "wb") as f:
        f.write(bytes(b))
    q = Qemu("restore-flipped", incoming="exec:cat " + flip)
    refused_cleanly(q, "corrupted engine stream refused",
                    "virtio-ipsec: migration refused: stream corrupted (CRC mismatch)")

    q = Qemu("restore-small", props=",max-sas=16", incoming="exec:cat " + state)
    refused_cleanly(q, "restore into max-sas=16 refused",
                    "migration refused: destination max-sas=16")

    for p in (trunc, flip):
        os.unlink(p)
    dst = Qemu("restore", incoming="exec:cat " + state)
    check("restored guest runs", dst.wait_running())
    os.unlink(state)
    dst.tell_guest("done file ok")
    return dst


def main():
    src = Qemu("source")
    cur = src
    for phase, fn in (("live", phase_live), ("mismatch", phase_mismatch),
                      ("file", phase_file)):
        if not request(cur, phase):
            break
        cur = fn(cur)
    ln = cur.wait_line(lambda l: "VIPSEC-GUEST-RESULT" in l)
    check("guest program and suite pass on the last destination",
          ln is not None and "PASS" in ln, ln.strip() if ln else "no result line")
    rc = cur.finish(120)
    with open(cur.log, errors="replace") as lf:
        for l in lf:
            if l.startswith("migrate-guest:") or "=== RUN" in l or "--- " in l:
                print("  " + l.rstrip())
    npass = sum(1 for r in results if r)
    nfail = len(results) - npass
    print("migration: %d passed, %d failed" % (npass, nfail))
    return 0 if nfail == 0 else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, RuntimeError, ValueError, KeyError) as e:
        check("harness", False, str(e))
        print("migration: %d passed, %d failed" % (sum(results), len(results) - sum(results)))
        sys.exit(1)
