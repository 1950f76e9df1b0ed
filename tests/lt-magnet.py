#!/usr/bin/python3
"""tests/lt-magnet.py - libtorrent fetching a magnet link's metadata (BEP 9).

    lt-magnet.py MAGNET PEER_PORT OUT SECONDS

Adds MAGNET to a loopback-only libtorrent session, dials 127.0.0.1:PEER_PORT,
and once the metadata has arrived writes the info dict's bytes, as libtorrent
received and checked them, to OUT and exits 0; exits 1 after SECONDS.
"""

import sys
import tempfile
import time

import libtorrent as lt


def main():
    magnet, peer_port, out, limit = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
    ses = lt.session({
        "listen_interfaces": "127.0.0.1:0",
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "enable_incoming_utp": False,
        "enable_outgoing_utp": False,
        "allow_multiple_connections_per_ip": True,
        "alert_mask": 0,
    })
    params = lt.parse_magnet_uri(magnet)
    params.save_path = tempfile.mkdtemp()
    # Only the metadata is wanted: do not start downloading the files.
    params.flags |= lt.torrent_flags.upload_mode
    handle = ses.add_torrent(params)
    deadline = time.time() + limit
    while time.time() < deadline:
        if handle.status().has_metadata:
            info = handle.torrent_file().info_section()
            with open(out, "wb") as f:
                f.write(info)
            print("metadata", len(info), flush=True)
            return 0
        if handle.status().num_peers == 0 and int(time.time() * 2) % 4 == 0:
            handle.connect_peer(("127.0.0.1", peer_port))
        time.sleep(0.1)
    print("no metadata after %.0f s" % limit, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
