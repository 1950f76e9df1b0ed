#!/usr/bin/python3
"""tests/fast-peer.py - a scripted peer that speaks the fast extension (BEP 6).

    fast-peer.py set IP INFOHASH PIECES K [WHOLE]
        print BEP 6's allowed fast set of the peer at IP (dotted quad) for the
        torrent INFOHASH (hex) of PIECES pieces, K indexes, comma-separated:
        an implementation of the BEP's algorithm independent of lib/wire/fast.c;
        with WHOLE, started from the whole address rather than its /24 (what
        libtorrent 2.0.8 does for a peer at 127.0.0.1)
    fast-peer.py choked PORT INFOHASH PIECES [NOBIT]
        dial 127.0.0.1:PORT with the fast bit set (without it, given NOBIT),
        print every message the peer sends before it would unchoke us (one
        line each: "have all", "allowed fast 3", "bitfield"...), then, never
        interested and so choked, request the first block of the lowest piece
        outside the allowed set and of the lowest inside it, and print the
        answer to each ("reject 5 0 16384", "piece 3 0 16384", or "no answer"
        after 2 s: BEP 3's answer to a choked peer's request)
    fast-peer.py stingy PORT INFOHASH INDEX...
        listen on 127.0.0.1:PORT as a seeder that sets the fast bit, says have
        all, allows the pieces INDEX... fast and never unchokes; print each
        request it gets ("request 3 0 16384"), answer none

Written for btkit's tests (tests/10-fast.bats); speaks only as much of BEP 3
and BEP 6 as that needs.
"""

import hashlib
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peerwire import handshake, message, recv_handshake, recv_message, serve_forever  # noqa: E402

BLOCK = 16384
NAMES = {0: "choke", 1: "unchoke", 4: "have", 5: "bitfield", 6: "request", 7: "piece", 13: "suggest",
         14: "have all", 15: "have none", 16: "reject", 17: "allowed fast", 20: "extended"}


def allowed_set(ip, info_hash, pieces, k, mask=0xFFFFFF00):
    """BEP 6, "Allowed Fast": the digest chain from the /24 and the info hash."""
    k = min(k, pieces)
    x = struct.pack(">I", struct.unpack(">I", socket.inet_aton(ip))[0] & mask) + info_hash
    out = []
    while len(out) < k:
        x = hashlib.sha1(x).digest()
        for i in range(5):
            if len(out) == k:
                break
            index = struct.unpack(">I", x[4 * i:4 * i + 4])[0] % pieces
            if index not in out:
                out.append(index)
    return out


def describe(body):
    name = NAMES.get(body[0], "id %d" % body[0])
    if body[0] in (4, 13, 17):
        return "%s %d" % (name, struct.unpack(">I", body[1:5])[0])
    if body[0] in (6, 16):
        return "%s %d %d %d" % ((name,) + struct.unpack(">III", body[1:13]))
    if body[0] == 7:
        index, begin = struct.unpack(">II", body[1:9])
        return "%s %d %d %d" % (name, index, begin, len(body) - 9)
    return name


def choked(port, info_hash, pieces, fast_bit):
    reserved = bytearray(8)
    if fast_bit:
        reserved[7] |= 0x04
    conn = socket.create_connection(("127.0.0.1", port), timeout=10)
    conn.sendall(handshake(reserved, info_hash, b"-XX0000-fastpeer0000"))
    theirs = recv_handshake(conn)
    print("handshake fast bit %d" % (1 if theirs[27] & 0x04 else 0), flush=True)
    allowed = []
    # What a seed says first: its pieces, then (BEP 6) its allowed fast set.
    # A short wait for more ends the greeting.
    conn.settimeout(1)
    try:
        while True:
            body = recv_message(conn)
            if not body or body[0] == 20:
                continue
            print(describe(body), flush=True)
            if body[0] == 17:
                allowed.append(struct.unpack(">I", body[1:5])[0])
    except socket.timeout:
        pass
    conn.settimeout(2)
    outside = [i for i in range(pieces) if i not in allowed]
    asks = [outside[0]] if outside else []
    asks += [min(allowed)] if allowed else []
    for index in asks:
        conn.sendall(message(6, struct.pack(">III", index, 0, BLOCK)))
        try:
            while True:
                body = recv_message(conn)
                if body and body[0] in (7, 16):
                    print(describe(body), flush=True)
                    break
        except socket.timeout:
            print("no answer", flush=True)
    conn.close()


def stingy(conn, info_hash, allowed):
    recv_handshake(conn)
    conn.sendall(handshake(bytes(7) + b"\x04", info_hash, b"-XX0000-stingypeer00"))
    conn.sendall(message(14) + b"".join(message(17, struct.pack(">I", i)) for i in allowed))
    while True:
        body = recv_message(conn)
        if body and body[0] == 6:
            print(describe(body), flush=True)


def main():
    if sys.argv[1] == "set":
        ip, info_hash, pieces, k = sys.argv[2], bytes.fromhex(sys.argv[3]), int(sys.argv[4]), \
            int(sys.argv[5])
        mask = 0xFFFFFFFF if len(sys.argv) > 6 and sys.argv[6] == "WHOLE" else 0xFFFFFF00
        print(",".join(str(i) for i in allowed_set(ip, info_hash, pieces, k, mask)))
    elif sys.argv[1] == "choked":
        choked(int(sys.argv[2]), bytes.fromhex(sys.argv[3]), int(sys.argv[4]),
               len(sys.argv) < 6 or sys.argv[5] != "NOBIT")
    elif sys.argv[1] == "stingy":
        info_hash, allowed = bytes.fromhex(sys.argv[3]), [int(i) for i in sys.argv[4:]]
        serve_forever(int(sys.argv[2]), lambda conn: stingy(conn, info_hash, allowed))
    else:
        raise SystemExit("unknown command " + sys.argv[1])


if __name__ == "__main__":
    main()
