#!/usr/bin/python3
"""tests/hostile-peer.py - a peer that breaks the wire protocol on purpose.

    hostile-peer.py MODE PORT INFOHASH PIECES

Listens on 127.0.0.1:PORT and answers every connection the same hostile way,
one connection at a time, until killed.  INFOHASH is the torrent's info hash in
hex, PIECES its piece count.  The modes (what bt-fetch-piece must detect):

  huge-length    a message length prefix of 2^31 right after the handshake
  bitfield-size  a bitfield one byte longer than the torrent needs
  bitfield-spare a bitfield with a spare bit (past the last piece) set
  have-range     a have for index PIECES (one past the last)
  bad-hash       serves every requested block, filled with the wrong bytes
  unrequested    answers the first request with a block nobody asked for
  garbage        an HTTP response instead of a handshake
  stall          serves the first requested block, then goes silent
  wrong-hash     answers the handshake with another torrent's info hash
  choke          unchokes, serves one block, then chokes
  fast-nobit     a have all (BEP 6) without the fast bit in its handshake
                 (this mode and the next are for bt-download: tests/10-fast.bats)
  fast-range     sets the fast bit, then an allowed fast for index PIECES

Written for btkit's tests; speaks only as much BEP 3 as each mode needs.
"""

import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peerwire import handshake, message, recv_handshake, recv_message, serve_forever  # noqa: E402


def full_bitfield(pieces):
    nbytes = (pieces + 7) // 8
    bits = bytearray(b"\xff" * nbytes)
    spare = nbytes * 8 - pieces
    if spare:
        bits[-1] &= (0xFF << spare) & 0xFF
    return bytes(bits)


def next_request(conn):
    """Wait for a request; return (index, begin, length)."""
    while True:
        body = recv_message(conn)
        if body and body[0] == 6 and len(body) == 13:
            return struct.unpack(">III", body[1:])


def serve(conn, mode, info_hash, pieces):
    if mode == "garbage":
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        time.sleep(1)
        return
    theirs = recv_handshake(conn)
    answer_hash = info_hash
    if mode == "wrong-hash":
        answer_hash = bytes(b ^ 0xFF for b in info_hash)
    reserved = bytes(7) + (b"\x04" if mode == "fast-range" else b"\x00")
    conn.sendall(handshake(reserved, answer_hash, b"-XX0000-hostilepeer!"))
    if mode == "wrong-hash":
        time.sleep(1)
        return
    bits = full_bitfield(pieces)
    if mode == "huge-length":
        conn.sendall(struct.pack(">I", 1 << 31))
        time.sleep(1)
        return
    if mode == "bitfield-size":
        conn.sendall(message(5, bits + b"\x00"))
        time.sleep(1)
        return
    if mode == "bitfield-spare":
        wrong = bytearray(b"\xff" * len(bits))
        if pieces % 8 == 0:
            wrong += b"\x80"  # no spare bits in the last byte: make the field longer
        conn.sendall(message(5, bytes(wrong)))
        time.sleep(1)
        return
    if mode == "fast-nobit":
        conn.sendall(message(14))
        time.sleep(1)
        return
    if mode == "fast-range":
        conn.sendall(message(14) + message(17, struct.pack(">I", pieces)))
        time.sleep(1)
        return
    if mode == "have-range":
        conn.sendall(message(4, struct.pack(">I", pieces)))
        time.sleep(1)
        return
    conn.sendall(message(5, bits) + message(1))
    index, begin, length = next_request(conn)
    if mode == "bad-hash":
        while True:
            conn.sendall(message(7, struct.pack(">II", index, begin) + b"\xa5" * length))
            index, begin, length = next_request(conn)
    if mode == "unrequested":
        other = (index + 1) % pieces if pieces > 1 else index
        conn.sendall(message(7, struct.pack(">II", other, begin + 1) + b"\x00" * length))
        time.sleep(1)
        return
    if mode in ("stall", "choke"):
        conn.sendall(message(7, struct.pack(">II", index, begin) + b"\x00" * length))
        if mode == "choke":
            conn.sendall(message(0))
        time.sleep(30)
        return
    raise SystemExit("unknown mode " + mode)


def main():
    mode, port, info_hash, pieces = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    info_hash = bytes.fromhex(info_hash)
    serve_forever(port, lambda conn: serve(conn, mode, info_hash, pieces))


if __name__ == "__main__":
    main()
