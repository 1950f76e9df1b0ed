#!/usr/bin/env python3
"""torrent.py - read a .torrent and check it against its files, without btkit.

An independent implementation for tests/09-create.bats: a small bdecoder, and
BEP 3 / BEP 52 hashing with hashlib, so that what bt-create writes is checked
against code that shares nothing with it.

  torrent.py show FILE          the torrent as Python values, one key a line
  torrent.py get FILE KEY...    one value: KEY is a dict key or a list index
  torrent.py files FILE         v1 "files": "LENGTH PATH [attr]" a line
  torrent.py tree FILE          v2 "file tree": "PATH LENGTH ROOT|-" a line
  torrent.py v2pieces FILE      every v2 piece hash in hex, file by file: a
                                file's piece layer, or its root when it has none
  torrent.py verify FILE DATA   recompute every hash from DATA (the file or
                                directory the torrent was made of); exit 1 on
                                any difference
"""
import hashlib
import os
import sys

BLOCK = 16384


def bdecode(data):
    """Decode one bencoded value; strict: sorted unique keys, no trailing bytes."""

    def value(i):
        c = data[i : i + 1]
        if c == b"i":
            end = data.index(b"e", i)
            return int(data[i + 1 : end]), end + 1
        if c == b"l":
            items, i = [], i + 1
            while data[i : i + 1] != b"e":
                v, i = value(i)
                items.append(v)
            return items, i + 1
        if c == b"d":
            d, i, last = {}, i + 1, None
            while data[i : i + 1] != b"e":
                k, i = value(i)
                if not isinstance(k, bytes) or (last is not None and k <= last):
                    raise ValueError("dict keys not sorted at byte %d" % i)
                last = k
                d[k], i = value(i)
            return d, i + 1
        colon = data.index(b":", i)
        n = int(data[i:colon])
        return data[colon + 1 : colon + 1 + n], colon + 1 + n

    v, end = value(0)
    if end != len(data):
        raise ValueError("trailing bytes")
    return v


def load(path):
    with open(path, "rb") as f:
        return bdecode(f.read())


def text(v):
    if isinstance(v, bytes):
        try:
            return v.decode()
        except UnicodeDecodeError:
            return v.hex()
    return str(v)


def tree_files(tree, prefix=()):
    """The files of a v2 file tree, in its order: (path elements, leaf dict)."""
    for k, v in tree.items():
        if k == b"":
            yield prefix, v
        else:
            yield from tree_files(v, prefix + (k,))


def merkle(leaves, width, pad):
    layer = list(leaves) + [pad] * (width - len(leaves))
    while len(layer) > 1:
        layer = [hashlib.sha256(layer[i] + layer[i + 1]).digest() for i in range(0, len(layer), 2)]
    return layer[0]


def pow2(n):
    w = 1
    while w < n:
        w *= 2
    return w


def v2_hashes(data, piece_length):
    """A file's piece layer and its root (BEP 52)."""
    blocks = [hashlib.sha256(data[i : i + BLOCK]).digest() for i in range(0, len(data), BLOCK)]
    if len(data) <= piece_length:
        return b"", merkle(blocks, pow2(len(blocks)), bytes(32))
    per = piece_length // BLOCK
    layer = [merkle(blocks[i : i + per], per, bytes(32)) for i in range(0, len(blocks), per)]
    pad = merkle([], per, bytes(32))
    return b"".join(layer), merkle(layer, pow2(len(layer)), pad)


def verify(t, root):
    info = t[b"info"]
    pl = info[b"piece length"]
    problems = []
    if b"pieces" in info:
        if b"files" in info:
            parts = []
            for f in info[b"files"]:
                if f.get(b"attr") == b"p":
                    parts.append(bytes(f[b"length"]))
                else:
                    p = os.path.join(root, *[e.decode() for e in f[b"path"]])
                    parts.append(open(p, "rb").read())
            stream = b"".join(parts)
        else:
            stream = open(root, "rb").read()
            if len(stream) != info[b"length"]:
                problems.append("length")
        pieces = b"".join(hashlib.sha1(stream[i : i + pl]).digest() for i in range(0, len(stream), pl))
        if pieces != info[b"pieces"]:
            problems.append("v1 pieces")
    if b"file tree" in info:
        layers = t.get(b"piece layers", {})
        wanted = set()
        for elems, leaf in tree_files(info[b"file tree"]):
            # A single file's tree is {name: {"": leaf}}; a directory's paths
            # start inside it.
            p = root if os.path.isfile(root) else os.path.join(root, *[e.decode() for e in elems])
            data = open(p, "rb").read()
            name = b"/".join(elems).decode(errors="replace")
            if leaf[b"length"] != len(data):
                problems.append("length of " + name)
            if len(data) == 0:
                if b"pieces root" in leaf:
                    problems.append("pieces root of empty " + name)
                continue
            layer, r = v2_hashes(data, pl)
            if leaf.get(b"pieces root") != r:
                problems.append("pieces root of " + name)
            if layer:
                wanted.add(r)
                if layers.get(r) != layer:
                    problems.append("piece layer of " + name)
        if set(layers) != wanted:
            problems.append("piece layers hold other files")
    for p in problems:
        print("mismatch: " + p)
    return 1 if problems else 0


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    t = load(path)
    if cmd == "show":
        for k, v in t.items():
            print(text(k), v if not isinstance(v, bytes) else text(v))
    elif cmd == "get":
        v = t
        for k in sys.argv[3:]:
            v = v[int(k)] if isinstance(v, list) else v[k.encode()]
        if isinstance(v, dict):
            print(" ".join(text(k) for k in v))
        elif isinstance(v, list):
            print(" ".join(text(x) if not isinstance(x, list) else ",".join(map(text, x)) for x in v))
        else:
            print(text(v))
    elif cmd == "files":
        for f in t[b"info"][b"files"]:
            attr = " " + f[b"attr"].decode() if b"attr" in f else ""
            print("%d %s%s" % (f[b"length"], "/".join(map(text, f[b"path"])), attr))
    elif cmd == "tree":
        for elems, leaf in tree_files(t[b"info"][b"file tree"]):
            root = leaf[b"pieces root"].hex() if b"pieces root" in leaf else "-"
            print("%s %d %s" % ("/".join(map(text, elems)), leaf[b"length"], root))
    elif cmd == "v2pieces":
        layers = t.get(b"piece layers", {})
        for elems, leaf in tree_files(t[b"info"][b"file tree"]):
            if leaf[b"length"] == 0:
                continue
            layer = layers.get(leaf[b"pieces root"], leaf[b"pieces root"])
            for i in range(0, len(layer), 32):
                print(layer[i : i + 32].hex())
    elif cmd == "verify":
        return verify(t, sys.argv[3])
    return 0


if __name__ == "__main__":
    sys.exit(main())
