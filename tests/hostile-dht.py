#!/usr/bin/python3
"""tests/hostile-dht.py - a DHT node (BEP 5) that misbehaves on purpose, and a
probe that sends one datagram and prints what comes back.

    hostile-dht.py MODE PORT        answer on 127.0.0.1:PORT as MODE says, until killed
    hostile-dht.py probe PORT HEX   send the bytes HEX to 127.0.0.1:PORT, print the answer's
                                    length and its bencoded "y" (or "none" after 2 s)
    hostile-dht.py flood PORT N     send N pings from one socket as fast as it can, then print
                                    how many answers came within 2 s

Modes (what a node of ours must survive, still answering and still ending):

  oversized   answers every query with 5,000 bytes of "nodes"
  ragged      answers with "nodes" of 27 bytes (not a multiple of 26)
  loop        answers find_node and get_peers with a node that is itself under a
              new random id every time, forever closer to the target
  garbage     answers with bytes that are not bencode
  wrong-tid   answers with a transaction id of its own
  collide     ids that collide: answers with eight nodes that all carry one id
              (the target's) at eight addresses (127.0.0.1, ports 1 to 8, where
              nothing answers) and one that carries the asker's own id

Written for btkit's tests; speaks only as much KRPC as each mode needs.
"""

import os
import socket
import sys
import time


def bstr(b):
    return str(len(b)).encode() + b":" + b


def bdict(d):
    out = b"d"
    for k in sorted(d):
        v = d[k]
        out += bstr(k)
        if isinstance(v, dict):
            out += bdict(v)
        elif isinstance(v, int):
            out += b"i%de" % v
        else:
            out += bstr(v)
    return out + b"e"


def field(msg, key):
    """The string value of key in a flat bencoded dict (enough for "t" and "y")."""
    at = msg.find(bstr(key))
    if at < 0:
        return None
    at += len(bstr(key))
    colon = msg.index(b":", at)
    n = int(msg[at:colon])
    return msg[colon + 1 : colon + 1 + n]


def target_of(msg):
    for key in (b"target", b"info_hash"):
        v = field(msg, key)
        if v is not None and len(v) == 20:
            return v
    return os.urandom(20)


def closer(target):
    """A random id that shares one more leading byte with target each call."""
    closer.n = min(getattr(closer, "n", 0) + 1, 19)
    return target[: closer.n] + os.urandom(20 - closer.n)


ME = os.urandom(20)


def answer(mode, msg, port):
    tid = field(msg, b"t") or b"xx"
    me = os.urandom(20)
    if mode == "garbage":
        return b"\xff\xfe not bencode at all"
    if mode == "wrong-tid":
        tid = b"zz"
    r = {b"id": me}
    if mode == "collide":
        r[b"id"] = ME  # one id, so that it stays in the asker's table
        asker = field(msg, b"id") or me
        same = target_of(msg)
        r[b"nodes"] = b"".join(same + bytes([127, 0, 0, 1]) + p.to_bytes(2, "big") for p in range(1, 9))
        r[b"nodes"] += asker + bytes([127, 0, 0, 1]) + (9).to_bytes(2, "big")
        r[b"token"] = b"tok"
    if mode == "oversized":
        r[b"nodes"] = os.urandom(5000 // 26 * 26)
    elif mode == "ragged":
        r[b"nodes"] = os.urandom(27)
    elif mode == "loop":
        r[b"nodes"] = closer(target_of(msg)) + bytes([127, 0, 0, 1]) + port.to_bytes(2, "big")
        r[b"token"] = b"tok"
    return bdict({b"r": r, b"t": tid, b"y": b"r"})


def serve(mode, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    while True:
        msg, addr = s.recvfrom(65536)
        if field(msg, b"y") == b"q":
            s.sendto(answer(mode, msg, port), addr)


def probe(port, hexbytes):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    s.sendto(bytes.fromhex(hexbytes), ("127.0.0.1", port))
    try:
        msg = s.recv(65536)
        print(len(msg), (field(msg, b"y") or b"?").decode())
    except socket.timeout:
        print("none")


def flood(port, n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for i in range(n):
        q = bdict({b"a": {b"id": os.urandom(20)}, b"q": b"ping", b"t": b"%04d" % i, b"y": b"q"})
        s.sendto(q, ("127.0.0.1", port))
    s.settimeout(2)
    got = 0
    try:
        while True:
            s.recv(65536)
            got += 1
    except socket.timeout:
        pass
    print(got)


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "probe":
        probe(port, sys.argv[3])
    elif mode == "flood":
        flood(port, int(sys.argv[3]))
    else:
        serve(mode, port)


if __name__ == "__main__":
    main()
