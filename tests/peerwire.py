"""tests/peerwire.py - the bits of the peer wire (BEP 3) that the tests' own
scripted peers share: reading whole messages, writing them, and a listener
that answers one connection at a time.

Imported by the scripted peers (hostile-peer.py, metadata-peer.py, pex-peer.py,
...); written for btkit's tests.
"""

import socket
import struct

PSTR = b"BitTorrent protocol"


def handshake(reserved, info_hash, peer_id):
    """Our 68-byte handshake: length, protocol string, reserved, hash, id."""
    return bytes([len(PSTR)]) + PSTR + bytes(reserved) + info_hash + peer_id


def bdecode(data, i=0):
    """Decode one value at i; return (value, end).  Trusts its input: the
    scripted peers read only what btkit sends them."""
    c = data[i : i + 1]
    if c == b"i":
        end = data.index(b"e", i)
        return int(data[i + 1 : end]), end + 1
    if c in (b"l", b"d"):
        items, i = [], i + 1
        while data[i : i + 1] != b"e":
            v, i = bdecode(data, i)
            items.append(v)
        if c == b"d":
            return dict(zip(items[::2], items[1::2])), i + 1
        return items, i + 1
    colon = data.index(b":", i)
    n = int(data[i:colon])
    return data[colon + 1 : colon + 1 + n], colon + 1 + n


def bencode(v):
    if isinstance(v, int):
        return b"i%de" % v
    if isinstance(v, bytes):
        return b"%d:%s" % (len(v), v)
    if isinstance(v, dict):
        return b"d" + b"".join(bencode(k) + bencode(v[k]) for k in sorted(v)) + b"e"
    raise TypeError(v)


def info_of(path):
    """The info dict's own bytes, as the torrent file holds them."""
    data = open(path, "rb").read()
    i = 1
    while data[i : i + 1] != b"e":
        key, i = bdecode(data, i)
        start = i
        _, i = bdecode(data, i)
        if key == b"info":
            return data[start:i]
    raise ValueError("no info dict")


def extended(ext_id, payload):
    """A BEP 10 extended message: id 20, the extension's id, its payload."""
    return struct.pack(">IBB", 2 + len(payload), 20, ext_id) + payload


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
