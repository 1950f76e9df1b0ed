"""tests/peerwire.py - the bits of the peer wire (BEP 3) that the tests' own
scripted peers share: reading whole messages, writing them, and a listener
that answers one connection at a time.

Imported by hostile-peer.py and metadata-peer.py; written for btkit's tests.
"""

import socket
import struct

PSTR = b"BitTorrent protocol"


def handshake(reserved, info_hash, peer_id):
    """Our 68-byte handshake: length, protocol string, reserved, hash, id."""
    return bytes([len(PSTR)]) + PSTR + bytes(reserved) + info_hash + peer_id


def recv_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def recv_handshake(conn):
    """Their 68-byte handshake.  Like any client that speaks only BEP 3, close
    (EOFError) a connection that opens with anything else: an MSE key
    exchange, say, which a dialler that prefers encryption then retries plain."""
    head = recv_exact(conn, 1 + len(PSTR))
    if head != bytes([len(PSTR)]) + PSTR:
        raise EOFError
    return head + recv_exact(conn, 68 - len(head))


def recv_message(conn):
    """One length-prefixed message's body (b"" for a keep-alive)."""
    (length,) = struct.unpack(">I", recv_exact(conn, 4))
    return recv_exact(conn, length) if length else b""


def message(msg_id, payload=b""):
    return struct.pack(">IB", 1 + len(payload), msg_id) + payload


def serve_forever(port, serve_one, errors=(EOFError, OSError)):
    """Listen on 127.0.0.1:port and hand each connection to serve_one(conn),
    one at a time, until killed; a connection that ends in one of errors is
    closed and the next one served."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(8)
    while True:
        conn, _ = listener.accept()
        try:
            serve_one(conn)
        except errors:
            pass
        finally:
            conn.close()
