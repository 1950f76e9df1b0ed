#!/usr/bin/python3
"""tests/metadata-peer.py - a peer that serves a torrent's metadata (BEP 9),
honestly or in one hostile way, and a helper that prints a torrent's raw info
dict.

    metadata-peer.py info TORRENT          print the info dict's bytes as in the file
    metadata-peer.py MODE PORT TORRENT     serve on 127.0.0.1:PORT until killed

The modes (what a metadata fetcher must survive, dropping the peer with a
reason and moving on):

  serve          answer every request honestly
  no-extension   a handshake without the extension bit (BEP 10)
  no-metadata    an extension handshake that offers no ut_metadata
  oversized      metadata_size of 1 GiB
  no-size        ut_metadata without metadata_size
  wrong-hash     the right size, every byte flipped
  bad-total      data whose total_size disagrees with metadata_size
  reject         a reject for every request
  silent         offers the metadata, then never answers a request

and, serving the metadata honestly, for the BEP 52 hash requests of a v2
torrent's piece layers (a v2-only torrent's peers meet under its SHA-256
info hash cut to 20 bytes):

  hashes-bad     hashes of the right size that prove nothing (all zero)
  hashes-reject  a hash reject for every hash request
  hashes-unasked hashes for the range after the one asked for
  hashes-silent  never answers a hash request

Written for btkit's tests; speaks only as much BEP 3, 9 and 10 as it needs.
"""

import hashlib
import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peerwire import (  # noqa: E402
    bencode, extended, handshake, info_of, recv_handshake, recv_message, serve_forever)

OUR_UT_METADATA = 7  # the id we ask to receive ut_metadata under


def bdecode(data, i=0):
    """Decode one value at i; return (value, end).  Dict values keep their span."""
    c = data[i : i + 1]
    if c == b"i":
        end = data.index(b"e", i)
        return int(data[i + 1 : end]), end + 1
    if c == b"l":
        items, i = [], i + 1
        while data[i : i + 1] != b"e":
            v, i = bdecode(data, i)
            items.append(v)
        return items, i + 1
    if c == b"d":
        d, i = {}, i + 1
        while data[i : i + 1] != b"e":
            k, i = bdecode(data, i)
            start = i
            v, i = bdecode(data, i)
            d[k] = (v, start, i)
        return d, i + 1
    colon = data.index(b":", i)
    n = int(data[i:colon])
    return data[colon + 1 : colon + 1 + n], colon + 1 + n


def answer_hashes(conn, mode, payload):
    """A hash request's answer in one of the hashes-* modes (BEP 52)."""
    root, base, index, length, proofs = struct.unpack(">32sIIII", payload)
    if mode == "hashes-silent":
        return
    if mode == "hashes-reject":
        conn.sendall(struct.pack(">IB", 1 + len(payload), 23) + payload)
        return
    if mode == "hashes-unasked":
        index += length
    uncles = max(0, proofs - ((length - 1).bit_length() - 1))
    body = struct.pack(">32sIIII", root, base, index, length, proofs) + bytes(32 * (length + uncles))
    conn.sendall(struct.pack(">IB", 1 + len(body), 22) + body)


def serve(conn, mode, info_hash, info):
    recv_handshake(conn)
    reserved = bytearray(8)
    if mode != "no-extension":
        reserved[5] = 0x10
    conn.sendall(handshake(reserved, info_hash, b"-XX0000-metadatapeer"))
    if mode == "no-extension":
        time.sleep(10)
        return
    hs = {b"m": {b"ut_metadata": OUR_UT_METADATA}, b"v": b"metadata-peer"}
    if mode == "no-metadata":
        hs[b"m"] = {b"ut_pex": 1}
    if mode != "no-size":
        hs[b"metadata_size"] = (1 << 30) if mode == "oversized" else len(info)
    conn.sendall(extended(0, bencode(hs)))
    their_id = 0
    while True:
        body = recv_message(conn)
        if len(body) == 49 and body[0] == 21 and mode.startswith("hashes-"):
            answer_hashes(conn, mode, body[1:])
            continue
        if len(body) < 2 or body[0] != 20:
            continue
        if body[1] == 0:
            m, _ = bdecode(body[2:])
            their_id = m.get(b"m", ({}, 0, 0))[0].get(b"ut_metadata", (0, 0, 0))[0]
            continue
        if body[1] != OUR_UT_METADATA or their_id == 0:
            continue
        req, _ = bdecode(body[2:])
        piece = req[b"piece"][0]
        if mode == "silent":
            continue
        if mode == "reject":
            answer = bencode({b"msg_type": 2, b"piece": piece})
        else:
            chunk = info[piece * 16384 : (piece + 1) * 16384]
            total = len(info) + 1 if mode == "bad-total" else len(info)
            if mode == "wrong-hash":
                chunk = bytes(b ^ 0xFF for b in chunk)
            answer = bencode({b"msg_type": 1, b"piece": piece, b"total_size": total}) + chunk
        conn.sendall(extended(their_id, answer))


def main():
    if sys.argv[1] == "info":
        sys.stdout.buffer.write(info_of(sys.argv[2]))
        return
    mode, port, torrent = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    info = info_of(torrent)
    top, _ = bdecode(info)
    if b"pieces" in top:
        info_hash = hashlib.sha1(info).digest()
    else:  # v2-only: the SHA-256, cut to 20 bytes
        info_hash = hashlib.sha256(info).digest()[:20]
    serve_forever(
        port, lambda conn: serve(conn, mode, info_hash, info), (EOFError, OSError, ValueError, KeyError)
    )


if __name__ == "__main__":
    main()
