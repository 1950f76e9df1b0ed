#!/usr/bin/python3
"""tests/deluge-rpc.py - drive a running deluged (2.0.3) through its own RPC client.

    deluge-rpc.py CONFIG PORT COMMAND [ARG...]

CONFIG is the daemon's config directory (deluged -c): its auth file holds
the localclient password this client logs in with.  PORT is the daemon's
RPC port (deluged -p).  The commands:

  add TORRENT DIR [seed]   add TORRENT, its data in DIR; "seed" trusts DIR's
                           data without a check (libtorrent's seed_mode);
                           prints the info hash
  peer HASH IP PORT        dial IP:PORT for the torrent (core.connect_peer)
  state HASH               print its state and progress: "Seeding 100.0"
  wait HASH STATE SECONDS  until the torrent's state is STATE; exit 1 with the
                           last state seen after SECONDS
  upload-limit HASH KIB    cap the torrent's upload at KIB KiB/s
  peers HASH               the connected peers, "IP:PORT CLIENT" a line

deluge-console can add a torrent but not dial a peer, and takes about 4 s to
start; this takes under one.  Both speak the same RPC (TLS, rencode).
"""

import base64
import os
import sys
import time

import deluge.configmanager
from deluge.common import get_localhost_auth
from deluge.ui.client import client
from twisted.internet import defer, reactor

POLL_S = 0.2


def sleep(seconds):
    d = defer.Deferred()
    reactor.callLater(seconds, d.callback, None)
    return d


@defer.inlineCallbacks
def run(port, command, args):
    user, password = get_localhost_auth()
    yield client.connect("127.0.0.1", port, user, password)
    status = 0
    if command == "add":
        with open(args[0], "rb") as f:
            dump = base64.b64encode(f.read()).decode()
        options = {"download_location": os.path.abspath(args[1]), "add_paused": False,
                   "seed_mode": len(args) > 2 and args[2] == "seed"}
        tid = yield client.core.add_torrent_file(os.path.basename(args[0]), dump, options)
        print(tid)
    elif command == "peer":
        yield client.core.connect_peer(args[0], args[1], int(args[2]))
    elif command == "state":
        st = yield client.core.get_torrent_status(args[0], ["state", "progress"])
        print(st["state"], st["progress"])
    elif command == "wait":
        deadline = time.time() + float(args[2])
        while True:
            st = yield client.core.get_torrent_status(args[0], ["state", "progress"])
            if st.get("state") == args[1]:
                print(st["state"], st["progress"])
                break
            if time.time() > deadline:
                print("deluge-rpc.py: not %s after %s s: %s" % (args[1], args[2], st),
                      file=sys.stderr)
                status = 1
                break
            yield sleep(POLL_S)
    elif command == "upload-limit":
        yield client.core.set_torrent_options([args[0]], {"max_upload_speed": float(args[1])})
    elif command == "peers":
        st = yield client.core.get_torrent_status(args[0], ["peers"])
        for p in st["peers"]:
            print(p["ip"], p["client"])
    else:
        print("deluge-rpc.py: unknown command %s" % command, file=sys.stderr)
        status = 2
    yield client.disconnect()
    return status


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: deluge-rpc.py CONFIG PORT COMMAND [ARG...]")
    deluge.configmanager.set_config_dir(sys.argv[1])
    result = {"status": 1}

    def done(status):
        result["status"] = status

    def failed(failure):
        print("deluge-rpc.py: %s" % failure.getErrorMessage(), file=sys.stderr)

    def start():
        d = run(int(sys.argv[2]), sys.argv[3], sys.argv[4:])
        d.addCallbacks(done, failed)
        d.addBoth(lambda _: reactor.stop())

    reactor.callWhenRunning(start)
    reactor.run()
    return result["status"]


if __name__ == "__main__":
    sys.exit(main())
