#!/usr/bin/python3
"""tests/mse-peer.py - a peer that breaks Message Stream Encryption on purpose.

    mse-peer.py MODE PORT

The listening modes answer every connection to 127.0.0.1:PORT the same hostile
way, one at a time, until killed:

  stall     reads Ya, sends Yb and 100 bytes of PadB, then says nothing more
  big-pad   reads Ya, sends Yb and 600 random bytes: PadB over the 512 allowed

The dialling modes connect to 127.0.0.1:PORT once, then wait for the other side
to close and print "closed after N.N s":

  dial-stall    sends Ya and 50 bytes of PadA, then says nothing more
  dial-big-pad  sends Ya and 600 random bytes: PadA over the 512 allowed

Only the Diffie-Hellman public key is real (G^X mod P with the spec's prime):
nothing here gets as far as a cipher.  Written for btkit's tests.
"""

import os
import socket
import sys
import time

P = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374F"
    "E1356D6D51C245E485B576625E7EC6F44C42E9A63A36210000000000090563", 16)
KEY_LEN = 96


def public_key():
    x = int.from_bytes(os.urandom(20), "big")
    return pow(2, x, P).to_bytes(KEY_LEN, "big")


def recv_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def wait_closed(conn):
    """Read until the peer closes (its bytes are dropped)."""
    try:
        while conn.recv(4096):
            pass
    except OSError:
        pass


def serve(mode, port):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(8)
    while True:
        conn, _ = srv.accept()
        with conn:
            if recv_exact(conn, KEY_LEN) is None:
                continue
            pad = b"\0" * 100 if mode == "stall" else os.urandom(600)
            conn.sendall(public_key() + pad)
            wait_closed(conn)


def dial(mode, port):
    conn = socket.create_connection(("127.0.0.1", port), timeout=60)
    pad = os.urandom(50) if mode == "dial-stall" else os.urandom(600)
    start = time.monotonic()
    conn.sendall(public_key() + pad)
    wait_closed(conn)
    print("closed after %.1f s" % (time.monotonic() - start), flush=True)


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("stall", "big-pad", "dial-stall",
                                                 "dial-big-pad"):
        sys.exit("usage: mse-peer.py stall|big-pad|dial-stall|dial-big-pad PORT")
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode.startswith("dial-"):
        dial(mode, port)
    else:
        serve(mode, port)


if __name__ == "__main__":
    main()
