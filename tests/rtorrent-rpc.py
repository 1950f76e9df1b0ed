#!/usr/bin/python3
"""tests/rtorrent-rpc.py - call one XML-RPC method of a running rtorrent.

    rtorrent-rpc.py SOCKET METHOD [ARG...]

rtorrent (0.9.8) takes commands as XML-RPC over SCGI, here on the Unix socket
its rtorrent.rc opened with network.scgi.open_local.  An ARG written i:N is
the integer N, any other a string.  Prints the result, a list one item a
line; exits 1 with rtorrent's message when it answers with a fault.

    rtorrent-rpc.py rt.sock d.complete HASH              1 once every piece is checked
    rtorrent-rpc.py rt.sock add_peer HASH 127.0.0.1:PORT dial a peer
    rtorrent-rpc.py rt.sock p.multicall HASH "" p.address= p.port=

SCGI (https://python.ca/scgi/protocol.txt) is a netstring of NUL-separated
headers, CONTENT_LENGTH first, then the body; rtorrent answers with
HTTP-style headers, a blank line, and the XML.
"""

import socket
import sys
import xmlrpc.client


def call(path, method, params):
    body = xmlrpc.client.dumps(tuple(params), method).encode()
    headers = b"".join(b"%s\0" % h for h in (b"CONTENT_LENGTH", b"%d" % len(body), b"SCGI", b"1"))
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(10)
        s.connect(path)
        s.sendall(b"%d:%s,%s" % (len(headers), headers, body))
        reply = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            reply += chunk
    _, _, xml = reply.partition(b"\r\n\r\n")
    return xmlrpc.client.loads(xml)[0][0]


def show(value):
    if isinstance(value, list):
        for item in value:
            print(" ".join(str(x) for x in item) if isinstance(item, list) else item)
    else:
        print(value)


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: rtorrent-rpc.py SOCKET METHOD [ARG...]")
    params = [int(a[2:]) if a.startswith("i:") else a for a in sys.argv[3:]]
    try:
        show(call(sys.argv[1], sys.argv[2], params))
    except xmlrpc.client.Fault as f:
        print("rtorrent-rpc.py: %s: %s" % (sys.argv[2], f.faultString), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
