#!/usr/bin/env python3
"""hostile-tracker.py - a scripted tracker that misbehaves on purpose.

No real tracker sends truncated, mistyped, huge or slow answers, so the tests of
bt-announce get them from here.  HTTP and UDP listen on one port of 127.0.0.1:

  hostile-tracker.py [UDP-MODE]

prints the port on stdout once ready and logs every request on stderr (the
HTTP request line, or "udp connect" / "udp announce" with the fields), so that
tests can check what crossed the wire.  The HTTP behaviour is chosen by the
URL path (see HTTP_BODIES and the special paths in Handler); the UDP behaviour
by UDP-MODE (see udp_serve).
"""
import gzip
import http.server
import socket
import struct
import sys
import threading
import time

PEER_A = bytes([192, 0, 2, 7]) + struct.pack(">H", 6881)
PEER_B = bytes([198, 51, 100, 9]) + struct.pack(">H", 51413)
PEER6 = socket.inet_pton(socket.AF_INET6, "2001:db8::7") + struct.pack(">H", 6881)


def bstr(b):
    return str(len(b)).encode() + b":" + b


HTTP_BODIES = {
    "/ok": b"d8:completei1e10:incompletei2e8:intervali900e12:min intervali60e5:peers"
    + bstr(PEER_A + PEER_B)
    + b"6:peers6"
    + bstr(PEER6)
    + b"e",
    "/noncompact": b"d8:intervali900e5:peersl"
    b"d2:ip9:192.0.2.77:peer id20:AAAAAAAAAAAAAAAAAAAA4:porti6881ee"
    b"d2:ip11:2001:db8::74:porti6882ee"
    b"d2:ip11:example.org4:porti6883ee"
    b"ee",
    "/failure": b"d14:failure reason19:torrent not allowede",
    "/warning": b"d8:intervali900e15:warning message15:tracker is old!5:peers0:e",
    "/escape": b"d14:failure reason12:bad\x1b[31mredxe",
    "/truncated": b"d8:intervali900e5:peers12:" + PEER_A,
    "/notbencoded": b"<html><body>Tracker</body></html>",
    "/wrongtype": b"d8:interval3:abc5:peers0:e",
    "/peerslist": b"d8:intervali900e5:peersi7ee",
    "/peers7": b"d8:intervali900e5:peers7:" + PEER_A + b"Xe",
    "/peers6bad": b"d8:intervali900e5:peers0:6:peers65:abcdee",
    "/notdict": b"l8:intervale",
    "/emptybody": b"",
    "/deep": b"d5:peers" + b"l" * 500 + b"e" * 500 + b"e",
}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send_body(self, status, body, extra=()):
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        print("http " + self.requestline, file=sys.stderr, flush=True)
        path = self.path.split("?", 1)[0]
        if path in HTTP_BODIES:
            self.send_body(200, HTTP_BODIES[path])
        elif path == "/gzip":
            self.send_body(200, gzip.compress(HTTP_BODIES["/ok"]), [("Content-Encoding", "gzip")])
        elif path == "/status404":
            self.send_body(404, b"no such tracker")
        elif path == "/status500":
            self.send_body(500, b"d14:failure reason13:out of memorye")
        elif path == "/huge":
            # 2 MiB declared and sent: more than bt-announce's 1 MiB cap.
            self.send_body(200, b"d5:peers2097152:" + b"\0" * (2 << 20) + b"e")
        elif path == "/hugechunked":
            # No Content-Length: only the write callback's cap can stop it.
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                chunk = b"\0" * 65536
                for _ in range(64):
                    self.wfile.write(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass
        elif path == "/slow":
            time.sleep(30)
        elif path == "/redirect-file":
            self.send_body(302, b"", [("Location", "file:///etc/passwd")])
        else:
            self.send_body(404, b"unknown hostile path")


def udp_serve(sock, mode):
    """Answer BEP 15 packets as mode says:
    ok          connect, then an announce answer with two peers
    silent      never answer
    drop-first  ignore the first connect, answer the retransmission
    wrong-txid  send an answer with another transaction id first, then the right one
    error       answer the announce with an error action
    short       an announce answer 12 bytes long
    peers-odd   an announce answer with 7 bytes of peers
    """
    connects = 0
    conn_id = 0x1122334455667788
    while True:
        data, addr = sock.recvfrom(4096)
        if len(data) < 16:
            continue
        action, txid = struct.unpack(">II", data[8:16])
        if action == 0:
            connects += 1
            print("udp connect %d" % connects, file=sys.stderr, flush=True)
            if mode == "silent" or (mode == "drop-first" and connects == 1):
                continue
            reply = struct.pack(">IIQ", 0, txid, conn_id)
            if mode == "wrong-txid":
                sock.sendto(struct.pack(">IIQ", 0, txid ^ 1, 42), addr)
            sock.sendto(reply, addr)
            continue
        if action != 1 or len(data) < 98:
            continue
        cid = struct.unpack(">Q", data[0:8])[0]
        event, _ip, key, numwant, port = struct.unpack(">IIIiH", data[80:98])
        print(
            "udp announce cid=%x event=%d numwant=%d port=%d left=%d"
            % (cid, event, numwant, port, struct.unpack(">Q", data[64:72])[0]),
            file=sys.stderr,
            flush=True,
        )
        if mode == "error":
            sock.sendto(struct.pack(">II", 3, txid) + b"torrent not registered", addr)
        elif mode == "short":
            sock.sendto(struct.pack(">III", 1, txid, 900), addr)
        elif mode == "peers-odd":
            sock.sendto(struct.pack(">IIIII", 1, txid, 900, 1, 1) + PEER_A + b"X", addr)
        else:
            sock.sendto(struct.pack(">IIIII", 1, txid, 900, 1, 1) + PEER_A + PEER_B, addr)


def main():
    udp_mode = sys.argv[1] if len(sys.argv) > 1 else "ok"
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    port = httpd.server_address[1]
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", port))
    threading.Thread(target=udp_serve, args=(udp, udp_mode), daemon=True).start()
    print(port, flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    main()
