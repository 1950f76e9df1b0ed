#!/usr/bin/python3
"""make-torrent.py - write a .torrent for a file or directory, independently of btkit.

  make-torrent.py OUT.torrent PIECE_LENGTH PATH [ANNOUNCE_URL]

PATH is one file (single-file torrent) or a directory (multi-file torrent, files
in sorted order, empty files included).  The bencoding is written here from
scratch so that the tests check btkit against a second implementation.
"""
import hashlib
import os
import sys


def bencode(v):
    if isinstance(v, int):
        return b"i%de" % v
    if isinstance(v, str):
        v = v.encode()
    if isinstance(v, bytes):
        return b"%d:%s" % (len(v), v)
    if isinstance(v, list):
        return b"l" + b"".join(bencode(x) for x in v) + b"e"
    if isinstance(v, dict):
        items = sorted((k.encode() if isinstance(k, str) else k, x) for k, x in v.items())
        return b"d" + b"".join(bencode(k) + bencode(x) for k, x in items) + b"e"
    raise TypeError(type(v))


def main():
    out, piece_length, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    announce = sys.argv[4] if len(sys.argv) > 4 else None
    path = path.rstrip("/")
    if os.path.isdir(path):
        files = []
        for root, dirs, names in os.walk(path):
            dirs.sort()
            for n in sorted(names):
                full = os.path.join(root, n)
                files.append((os.path.relpath(full, path).split(os.sep), full))
        files.sort()
    else:
        files = [([os.path.basename(path)], path)]
    pieces, buf = [], b""
    for _, full in files:
        with open(full, "rb") as f:
            while True:
                chunk = f.read(1 << 20)
                if not chunk:
                    break
                buf += chunk
                while len(buf) >= piece_length:
                    pieces.append(hashlib.sha1(buf[:piece_length]).digest())
                    buf = buf[piece_length:]
    if buf:
        pieces.append(hashlib.sha1(buf).digest())
    info = {"name": os.path.basename(path), "piece length": piece_length, "pieces": b"".join(pieces)}
    if os.path.isdir(path):
        info["files"] = [{"length": os.path.getsize(full), "path": p} for p, full in files]
    else:
        info["length"] = os.path.getsize(path)
    meta = {"info": info}
    if announce:
        meta["announce"] = announce
    with open(out, "wb") as f:
        f.write(bencode(meta))


if __name__ == "__main__":
    main()
