"""Captures real VICI packets from charon into fuzz/corpus/vici_msg (seeds for fuzz_vici_msg).

Builds a data-plane test bed (tests/dataplane/bed.sh, root), brings one tunnel up and down while
a raw socket registered for events records every frame charon sends, then issues a few commands
and records their responses and streams. Each file is one framed packet (length prefix
included), named for what it is. Run: /usr/bin/python3 fuzz/capture_vici.py (needs
build/asan/tests/vici_tool)."""

import os
import socket
import struct
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "dataplane"))
from dataplane import Bed, Conn  # noqa: E402

OUT = os.path.join(HERE, "corpus", "vici_msg")


def packet(op, name=None, msg=b""):
    body = bytes([op]) + (bytes([len(name)]) + name.encode() if name else b"") + msg
    return struct.pack(">I", len(body)) + body


def read_frame(s):
    head = b""
    while len(head) < 4:
        chunk = s.recv(4 - len(head))
        if not chunk:
            return None
        head += chunk
    n = struct.unpack(">I", head)[0]
    body = b""
    while len(body) < n:
        chunk = s.recv(n - len(body))
        if not chunk:
            return None
        body += chunk
    return head + body


def kind(frame):
    op = frame[4]
    if op in (0, 3, 4, 7):
        return "%d-%s" % (op, frame[6:6 + frame[5]].decode(errors="replace"))
    return str(op)


# Hand-made messages (no framing): the README's encoding example and the structure limits.
README_MSG = (b"\x03\x04key1\x00\x06value1\x01\x08section1\x01\x0bsub-section"
              b"\x03\x04key2\x00\x06value2\x02\x04\x05list1\x05\x00\x05item1"
              b"\x05\x00\x05item2\x06\x02")
HANDMADE = {
    "readme-example": README_MSG,
    "nested-32-sections": b"\x01\x01s" * 32 + b"\x02" * 32,
    "nested-33-sections-refused": b"\x01\x01s" * 33 + b"\x02" * 33,
    "list-in-list-refused": b"\x04\x01l\x04\x01m\x06\x06",
    "readme-example-framed-as-response": packet(1, None, README_MSG),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in HANDMADE.items():
        with open(os.path.join(OUT, name), "wb") as out:
            out.write(data)
    tmp = tempfile.mkdtemp(prefix="vici-capture-")
    bed = Bed(tmp)
    saved = {}
    try:
        bed.start("cloud")
        bed.start("peer")
        path = bed.uri("cloud")[len("unix://"):]
        ev = socket.socket(socket.AF_UNIX)
        ev.connect(path)
        for name in ("ike-updown", "child-updown", "ike-rekey", "child-rekey", "log"):
            ev.sendall(packet(3, name))
            read_frame(ev)
        frames = []

        def reader():
            while True:
                f = read_frame(ev)
                if f is None:
                    return
                frames.append(f)
        t = threading.Thread(target=reader, daemon=True)
        t.start()
        conn = Conn(tmp, 1, ike_version="v2")
        conn.cloud_load(bed)
        bed.peer_load(conn)
        time.sleep(1)
        bed.swanctl("peer", "--rekey", "--child", "rule1", "--ike", conn.name)
        bed.swanctl("peer", "--rekey", "--ike", conn.name)
        time.sleep(0.5)
        cmd = socket.socket(socket.AF_UNIX)
        cmd.connect(path)
        cmd.sendall(packet(3, "list-sa"))
        read_frame(cmd)
        for name in ("version", "stats", "list-sas", "get-conns", "get-shared", "no-such-cmd"):
            cmd.sendall(packet(0, name))
            while True:
                f = read_frame(cmd)
                frames.append(f)
                if f[4] != 7:
                    break
        conn.cloud_unload(bed)
        time.sleep(0.5)
        ev.shutdown(socket.SHUT_RDWR)
        t.join(timeout=2)
        ev.close()
        cmd.close()
        for f in frames:
            k = kind(f)
            n = saved.get(k, 0)
            if n >= 3:  # a few of each kind
                continue
            saved[k] = n + 1
            with open(os.path.join(OUT, "charon-%s-%d" % (k, n)), "wb") as out:
                out.write(f)
    finally:
        bed.down()
    print("saved %d packets: %s" % (sum(saved.values()), sorted(saved)))


if __name__ == "__main__":
    main()
