#!/usr/bin/python3
"""tests/lt-peer.py - a libtorrent peer on loopback for btkit's interop tests.

    lt-peer.py seed  TORRENT SAVE_PATH PORT
    lt-peer.py leech TORRENT SAVE_PATH PORT SEED_PORT SECONDS

seed: serves TORRENT's data from SAVE_PATH (the directory holding its name) on
127.0.0.1:PORT until killed; prints "seeding" once it does.
leech: downloads TORRENT into SAVE_PATH, dialling 127.0.0.1:SEED_PORT, and
exits 0 once libtorrent has checked every piece, 1 after SECONDS.

Settings follow shared knowledge of libtorrent on loopback: no DHT, LSD, UPnP,
NAT-PMP or uTP, and several connections per IP allowed.
"""

import sys
import time

import libtorrent as lt


def session(port):
    settings = lt.high_performance_seed()
    settings.update({
        "listen_interfaces": "127.0.0.1:%d" % port,
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "enable_incoming_utp": False,
        "enable_outgoing_utp": False,
        "allow_multiple_connections_per_ip": True,
        "alert_mask": 0,
    })
    return lt.session(settings)


def main():
    mode, torrent, save_path, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    ses = session(port)
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(torrent)
    params.save_path = save_path
    if mode == "seed":
        params.flags |= lt.torrent_flags.seed_mode
    handle = ses.add_torrent(params)
    if mode == "seed":
        while not handle.status().is_seeding:
            time.sleep(0.05)
        print("seeding", flush=True)
        while True:
            time.sleep(1)
    seed_port, limit = int(sys.argv[5]), float(sys.argv[6])
    deadline = time.time() + limit
    handle.connect_peer(("127.0.0.1", seed_port))
    while time.time() < deadline:
        status = handle.status()
        if status.is_seeding:
            print("done", flush=True)
            return 0
        if status.num_peers == 0 and int(time.time() * 2) % 4 == 0:
            handle.connect_peer(("127.0.0.1", seed_port))
        time.sleep(0.1)
    print("timed out at %.1f%%" % (handle.status().progress * 100), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
