#!/usr/bin/python3
"""tests/pex-peer.py - a peer with no pieces that tells whoever connects of
other peers by PEX (BEP 11, ut_pex over BEP 10), honestly, as a flood, or
malformed.

    pex-peer.py MODE PORT TORRENT [ADDR...]   serve on 127.0.0.1:PORT until killed

It logs to stdout, a line each: "offers ut_pex N" (the id the connecting
peer's extension handshake gives ut_pex, 0 if it offers none), then what it
sent.  The modes:

  tell       one ut_pex message whose added peers are the ADDRs (ip:port, or
             [v6]:port, which go to added6); an ADDR after a "-" is dropped
             instead (dropped, dropped6).  Sent under id 1 even to a peer
             that offered no ut_pex (a private torrent's downloader must
             ignore it all the same)
  flood      10,000 addresses, 50 a message, 200 messages at once: the first
             ones 127.0.0.1, ports 1 to 1023 (where nothing listens here),
             the rest on other loopback addresses (127.0.0.2-127.0.0.11)
  oversized  one message of 1,300 addresses and their flags (9,100 bytes:
             over bt-download's limit for ut_pex, under the peer wire's)
  malformed  one message whose added list is 7 bytes: no whole number of
             6-byte peers

Written for btkit's tests; speaks only as much BEP 3, 10 and 11 as it needs.
"""

import hashlib
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peerwire import (  # noqa: E402
    bdecode, bencode, extended, handshake, info_of, recv_handshake, recv_message, serve_forever)

OUR_UT_PEX = 1  # the id we ask to receive ut_pex under
FLOOD = 10000
PER_MESSAGE = 50  # BEP 11's "no more than 50"


def compact(addrs):
    """BEP 23's 6-byte entries of the IPv4 addresses, BEP 7's 18-byte ones of
    the IPv6."""
    return b"".join(
        socket.inet_pton(socket.AF_INET6 if ":" in h else socket.AF_INET, h) + struct.pack(">H", p)
        for h, p in addrs
    )


def pex(addrs, dropped=()):
    """The payload: IPv4 peers in added and dropped, IPv6 ones in added6 and
    dropped6, keys that would be empty left out, but for added.f and dropped."""
    v6 = [a for a in addrs if ":" in a[0]]
    v4 = [a for a in addrs if ":" not in a[0]]
    d6 = [a for a in dropped if ":" in a[0]]
    msg = {
        b"added": compact(v4),
        b"added.f": bytes(len(v4)),
        b"dropped": compact([a for a in dropped if ":" not in a[0]]),
    }
    if v6:
        msg[b"added6"] = compact(v6)
        msg[b"added6.f"] = bytes(len(v6))
    if d6:
        msg[b"dropped6"] = compact(d6)
    return bencode(msg)


def flood_addrs():
    """FLOOD distinct loopback addresses on ports where nothing listens."""
    out = [("127.0.0.1", port) for port in range(1, 1024)]
    host = 2
    while len(out) < FLOOD:
        out += [("127.0.0.%d" % host, port) for port in range(1, 1024)]
        host += 1
    return out[:FLOOD]


def say(text):
    print(text, flush=True)


def serve(conn, mode, info_hash, addrs, dropped):
    recv_handshake(conn)
    reserved = bytearray(8)
    reserved[5] = 0x10
    conn.sendall(handshake(reserved, info_hash, b"-XX0000-pexpeer00000"))
    conn.sendall(extended(0, bencode({b"m": {b"ut_pex": OUR_UT_PEX}, b"v": b"pex-peer"})))
    their_id = None
    while their_id is None:
        body = recv_message(conn)
        if len(body) >= 2 and body[0] == 20 and body[1] == 0:
            m, _ = bdecode(body[2:])
            their_id = m.get(b"m", {}).get(b"ut_pex", 0)
    say("offers ut_pex %d" % their_id)
    send_id = their_id or 1
    if mode == "tell":
        conn.sendall(extended(send_id, pex(addrs, dropped)))
        say("sent %d added" % len(addrs) + (", %d dropped" % len(dropped) if dropped else ""))
    elif mode == "flood":
        every = flood_addrs()
        for i in range(0, FLOOD, PER_MESSAGE):
            conn.sendall(extended(send_id, pex(every[i : i + PER_MESSAGE])))
        say("sent %d added in %d messages" % (FLOOD, FLOOD // PER_MESSAGE))
    elif mode == "oversized":
        conn.sendall(extended(send_id, pex(flood_addrs()[:1300])))
        say("sent 1300 added in one message")
    elif mode == "malformed":
        conn.sendall(extended(send_id, bencode({b"added": b"\x7f\x00\x00\x01\x1a\xe1\x00"})))
        say("sent 7 bytes of added")
    # Stay, answering nothing, until the other side hangs up.
    while True:
        recv_message(conn)


def main():
    mode, port, torrent = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    addrs, dropped = [], []
    for a in sys.argv[4:]:
        to = dropped if a.startswith("-") else addrs
        host, p = a.lstrip("-").rsplit(":", 1)
        to.append((host.strip("[]"), int(p)))
    info_hash = hashlib.sha1(info_of(torrent)).digest()
    serve_forever(
        port, lambda conn: serve(conn, mode, info_hash, addrs, dropped), (EOFError, OSError)
    )


if __name__ == "__main__":
    main()
