#!/usr/bin/python3
"""tests/leaf-peer.py - a seeder of a one-file v2 torrent that lies about
its blocks or its leaf hashes (BEP 52), for the per-block merkle checks.

    leaf-peer.py MODE PORT INFOHASH PIECE_LENGTH FILE

Listens on 127.0.0.1:PORT and serves FILE, one connection at a time, until
killed.  INFOHASH is the handshake's 20 bytes in hex (a v2-only torrent's
SHA-256 info hash cut to 20), PIECE_LENGTH the torrent's.  It announces every
piece, unchokes whoever is interested, and answers hash requests for the leaf
layer (base 0) at once; anything else gets a hash reject.  The modes:

  bad-block   honest leaf hashes; every block with its first byte flipped
  bad-leaves  leaf hashes that prove nothing (all zero); honest blocks

Written for btkit's tests; speaks only as much BEP 3 and 52 as it needs.
"""

import hashlib
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peerwire import handshake, message, recv_handshake, recv_message, serve_forever  # noqa: E402

BLOCK = 16384


def leaves(data, index, length, mode):
    out = b""
    for i in range(index, index + length):
        block = data[i * BLOCK : (i + 1) * BLOCK]
        if mode == "bad-leaves" or not block:
            out += bytes(32)  # past the end: a zero leaf
        else:
            out += hashlib.sha256(block).digest()
    return out


def serve(conn, mode, info_hash, piece_length, data):
    recv_handshake(conn)
    conn.sendall(handshake(bytes(8), info_hash, b"-XX0000-leafpeer0000"))
    pieces = (len(data) + piece_length - 1) // piece_length
    bits = bytearray((pieces + 7) // 8)
    for i in range(pieces):
        bits[i // 8] |= 0x80 >> (i % 8)
    conn.sendall(message(5, bytes(bits)))
    while True:
        body = recv_message(conn)
        if not body:
            continue
        if body[0] == 2:
            conn.sendall(message(1))
        elif body[0] == 6 and len(body) == 13:
            index, begin, length = struct.unpack(">III", body[1:])
            at = index * piece_length + begin
            block = bytearray(data[at : at + length])
            if mode == "bad-block":
                block[0] ^= 0xFF
            conn.sendall(message(7, struct.pack(">II", index, begin) + bytes(block)))
        elif body[0] == 21 and len(body) == 49:
            root, base, index, length, proofs = struct.unpack(">32sIIII", body[1:])
            if base != 0 or proofs != 0:
                conn.sendall(message(23, body[1:]))
                continue
            conn.sendall(message(22, body[1:] + leaves(data, index, length, mode)))


def main():
    mode, port, info_hash, piece_length, path = sys.argv[1:6]
    if mode not in ("bad-block", "bad-leaves"):
        sys.exit("leaf-peer.py: unknown mode " + mode)
    with open(path, "rb") as f:
        data = f.read()
    serve_forever(int(port), lambda conn: serve(conn, mode, bytes.fromhex(info_hash),
                                                int(piece_length), data))


if __name__ == "__main__":
    main()
