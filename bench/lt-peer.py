#!/usr/bin/python3
"""lt-peer.py - python3-libtorrent as a fast seeder or a leecher for bench/download.

  lt-peer.py seed TORRENT DIR PORT [--upload-limit BYTES] [--connect PORT]...
  lt-peer.py leech TORRENT DIR PORT

A seeder starts from libtorrent's high_performance_seed() settings and trusts
its data (seed_mode), so it is not the bottleneck; --upload-limit caps the
torrent handle, because loopback peers are in libtorrent's "local" class which
ignores session limits; --connect dials a peer that will not dial us
(transmission ignores loopback peers named by a tracker).  A leecher uses the
default settings and exits when every piece is verified.  Both keep to
127.0.0.1: no DHT, LSD, UPnP, NAT-PMP or uTP.  Prints "ready" once the tracker
has answered, so the caller can start its clock.
"""
import sys

import libtorrent as lt


def session(port, fast):
    settings = lt.high_performance_seed() if fast else lt.default_settings()
    settings.update({
        "listen_interfaces": "127.0.0.1:%d" % port,
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "enable_incoming_utp": False,
        "enable_outgoing_utp": False,
        "allow_multiple_connections_per_ip": True,
        "alert_mask": lt.alert.category_t.status_notification | lt.alert.category_t.error_notification
        | lt.alert.category_t.tracker_notification,
    })
    return lt.session(settings)


def main():
    mode, torrent, save, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    limit, dial = 0, []
    rest = sys.argv[5:]
    while rest:
        if rest[0] == "--upload-limit":
            limit = int(rest[1])
        elif rest[0] == "--connect":
            dial.append(int(rest[1]))
        else:
            sys.exit("lt-peer.py: unknown option %s" % rest[0])
        rest = rest[2:]

    ses = session(port, mode == "seed")
    params = {"ti": lt.torrent_info(torrent), "save_path": save}
    if mode == "seed":
        params["flags"] = lt.torrent_flags.seed_mode
    handle = ses.add_torrent(params)
    if limit > 0:
        handle.set_upload_limit(limit)
    for p in dial:
        handle.connect_peer(("127.0.0.1", p))
    ready = False
    while True:
        for a in ses.pop_alerts():
            if isinstance(a, lt.tracker_reply_alert) and not ready:
                print("ready", flush=True)
                ready = True
            elif isinstance(a, lt.tracker_error_alert):
                print("tracker error: %s" % a.message(), flush=True)
        if mode == "leech" and handle.status().is_seeding:
            print("complete", flush=True)
            return
        ses.wait_for_alert(100)


if __name__ == "__main__":
    main()
