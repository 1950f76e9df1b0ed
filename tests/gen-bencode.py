#!/usr/bin/python3
"""gen-bencode.py DIR COUNT SEED - write COUNT random canonical bencode values to
DIR/0.ben, DIR/1.ben, ...  for round-trip tests.

The values lean towards the awkward cases of bt-decode's JSON form: binary and
UTF-8 strings side by side, binary dict keys, keys named "$hex" and "$dict",
control characters, int64 extremes, empty and nested containers.  Same SEED,
same files.
"""
import os
import random
import sys

INTS = [0, 1, -1, 42, 2**53 + 1, 2**63 - 1, -(2**63)]
WORDS = ["", "a", "$hex", "$dict", "announce", "info", "caf\u00e9", "\u2603", "\U0001f600",
         "tab\there", "nul\0byte", "quote\"back\\slash", "\x7f\x1f"]


def bstr(b):
    return str(len(b)).encode() + b":" + b


def rand_bytes(rng):
    kind = rng.randrange(4)
    if kind == 0:
        return rng.choice(WORDS).encode()
    if kind == 1:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 41)))
    if kind == 2:  # text with one byte that breaks UTF-8
        text = bytearray(rng.choice(WORDS).encode())
        text.insert(rng.randrange(len(text) + 1), rng.choice([0x80, 0xc0, 0xed, 0xff]))
        return bytes(text)
    return "".join(chr(rng.choice([rng.randrange(0x20, 0x7f), rng.randrange(0xa0, 0xd7ff),
                                   rng.randrange(0x10000, 0x10ffff)]))
                   for _ in range(rng.randrange(8))).encode()


def value(rng, depth):
    kind = rng.randrange(5 if depth < 6 else 2)
    if kind == 0:
        return b"i%de" % (rng.choice(INTS) if rng.randrange(2) else rng.randrange(-10**6, 10**6))
    if kind == 1:
        return bstr(rand_bytes(rng))
    if kind == 2:
        return b"l" + b"".join(value(rng, depth + 1) for _ in range(rng.randrange(5))) + b"e"
    keys = sorted({rand_bytes(rng) for _ in range(rng.randrange(5))})
    if kind == 3 and rng.randrange(3) == 0:  # a lone "$hex" or "$dict" key
        keys = [rng.choice([b"$hex", b"$dict"])]
    return b"d" + b"".join(bstr(k) + value(rng, depth + 1) for k in keys) + b"e"


def main():
    out, count, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed)
    for i in range(count):
        with open(os.path.join(out, "%d.ben" % i), "wb") as f:
            f.write(value(rng, 0))


main()
