#!/usr/bin/python3
"""lt-client.py - a real BitTorrent client (python3-libtorrent) for interop tests.

  lt-client.py hash TORRENT               print the info hash in hex
  lt-client.py seed TORRENT DIR PORT      seed DIR's copy of the data on 127.0.0.1:PORT
  lt-client.py leech TORRENT DIR PORT     download into DIR, print "complete", exit

Settings are those /work/shared/INTEROP.md found to work on loopback: no DHT, LSD,
UPnP, NAT-PMP or uTP, and several connections per IP allowed.  Every tracker
reply is logged as "announced N peers", so a test can wait for registration.
Runs until killed (seed), or until complete (leech).
"""
import sys
import time

import libtorrent as lt


def session(port):
    settings = {
        "listen_interfaces": "127.0.0.1:%d" % port,
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "enable_incoming_utp": False,
        "enable_outgoing_utp": False,
        "allow_multiple_connections_per_ip": True,
        "alert_mask": lt.alert.category_t.all_categories,
        "announce_to_all_trackers": True,
    }
    return lt.session(settings)


def main():
    mode, torrent = sys.argv[1], sys.argv[2]
    info = lt.torrent_info(torrent)
    if mode == "hash":
        print(str(info.info_hash()))
        return
    save, port = sys.argv[3], int(sys.argv[4])
    ses = session(port)
    params = {"ti": info, "save_path": save}
    if mode == "seed":
        params["flags"] = lt.torrent_flags.seed_mode
    handle = ses.add_torrent(params)
    print("listening %d" % port, flush=True)
    while True:
        for a in ses.pop_alerts():
            if isinstance(a, lt.tracker_reply_alert):
                print("announced %d peers" % a.num_peers, flush=True)
            elif isinstance(a, lt.tracker_error_alert):
                print("tracker error: %s" % a.message(), flush=True)
        if mode == "leech" and handle.status().is_seeding:
            print("complete", flush=True)
            return
        time.sleep(0.1)


if __name__ == "__main__":
    main()
