#!/usr/bin/python3
"""Host side of the VM harness's hot-plug tests (tests/vm/run.sh --qmp).

Follows the serial console log and, for each line
    VIPSEC-HOST-REQUEST: device_del <id>
    VIPSEC-HOST-REQUEST: device_add <driver>,id=<id>[,prop=value...]
    VIPSEC-HOST-REQUEST: qom-set <id> <property> <value> [#tag]
that a guest test prints, sends the QMP command to QEMU's monitor socket,
the way an operator would unplug or plug the accelerator (qom-set: the
device's test-only x-fault knobs, docs/virtio-ipsec-device.md; on/off are
booleans, anything else a string; #tag makes a request's line unique in
the log). Each request line is carried out once, and only once it is
complete (the log is read while the console writes it); the same request
printed again is carried out again (the hot-unplug soak repeats them).
device_add is retried for a while when QEMU still holds the id (the guest
sees the device gone before QEMU has finished the eject). Answers go to
stderr (the run log), never to the guest: the guest test watches its own
sysfs for the result.

usage: qmp-agent.py SOCKET LOG
"""
import json
import socket
import sys
import time

PREFIX = "VIPSEC-HOST-REQUEST: "


def qmp_connect(path, deadline):
    while True:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            break
        except OSError:
            s.close()
            if time.time() > deadline:
                raise
            time.sleep(0.2)
    f = s.makefile("rw")
    json.loads(f.readline())  # greeting
    qmp(f, "qmp_capabilities", {})
    return s, f


def qmp(f, cmd, args):
    f.write(json.dumps({"execute": cmd, "arguments": args}) + "\n")
    f.flush()
    while True:
        msg = json.loads(f.readline())
        if "return" in msg or "error" in msg:
            return msg
        # asynchronous events (DEVICE_DELETED, ...): log and go on
        print("qmp-agent: event %s" % msg.get("event"), file=sys.stderr)


def device_add_args(spec):
    parts = spec.split(",")
    args = {"driver": parts[0]}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        args[k] = v
    return args


def qom_set(f, words):
    if len(words) < 3:
        return {"error": "qom-set needs <id> <property> <value>"}
    dev, prop, value = words[:3]
    if value in ("on", "off"):
        value = value == "on"
    return qmp(f, "qom-set", {"path": "/machine/peripheral/" + dev,
                              "property": prop, "value": value})


def device_add(f, spec):
    deadline = time.time() + 30
    while True:
        r = qmp(f, "device_add", device_add_args(spec))
        if "error" not in r or "Duplicate" not in r["error"].get("desc", ""):
            return r
        if time.time() > deadline:
            return r
        time.sleep(0.2)


def main():
    sock, log = sys.argv[1], sys.argv[2]
    s, f = qmp_connect(sock, time.time() + 60)
    pos = 0
    partial = ""
    while True:
        try:
            with open(log, "r", errors="replace") as lf:
                lf.seek(pos)
                data = lf.read()
                pos = lf.tell()
        except FileNotFoundError:
            data = ""
        data = partial + data
        lines = data.split("\n")
        partial = lines.pop()  # an unfinished line waits for its end
        for line in lines:
            i = line.find(PREFIX)
            if i < 0:
                continue
            req = line[i + len(PREFIX):].strip()
            verb, _, arg = req.partition(" ")
            if verb == "device_del":
                r = qmp(f, "device_del", {"id": arg})
            elif verb == "device_add":
                r = device_add(f, arg)
            elif verb == "qom-set":
                r = qom_set(f, arg.split())
            else:
                r = {"error": "unknown request"}
            print("qmp-agent: %s -> %s" % (req, json.dumps(r)), file=sys.stderr)
        time.sleep(0.1)


if __name__ == "__main__":
    try:
        main()
    except (OSError, ValueError) as e:  # QEMU gone: the run is over
        print("qmp-agent: stopped: %s" % e, file=sys.stderr)
        sys.exit(0)
