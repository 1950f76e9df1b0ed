#!/usr/bin/python3
"""lt-client.py - a real BitTorrent client (python3-libtorrent) for interop tests.

  lt-client.py hash TORRENT               print the info hash in hex
  lt-client.py seed TORRENT DIR PORT [OPTIONS]
                                          seed DIR's copy of the data on 127.0.0.1:PORT
  lt-client.py leech TORRENT DIR PORT [OPTIONS]
                                          download into DIR, print "complete", exit
  lt-client.py metadata MAGNET PEER_PORT OUT SECONDS
                                          fetch MAGNET's info dict (BEP 9) from
                                          127.0.0.1:PEER_PORT, write the bytes as
                                          libtorrent received and checked them to
                                          OUT, exit 0; exit 1 after SECONDS

Options (bench/download and the interop suites use them):
  --fast                start from high_performance_seed(), so a seeder is not
                        the bottleneck of a benchmark
  --upload-limit BYTES  cap this torrent's upload rate: loopback peers are in
                        libtorrent's "local" class, which ignores session limits;
                        the session ticks every 50 ms so that the cap holds
  --connect PORT        dial 127.0.0.1:PORT (repeatable), and again every 2 s
                        while no peer is connected: for a peer that will not
                        dial us (transmission ignores loopback peers that a
                        tracker names) or a seeder given no tracker

Settings are those /work/shared/INTEROP.md found to work on loopback: no DHT, LSD,
UPnP, NAT-PMP or uTP, and several connections per IP allowed.  Every tracker
reply is logged as "announced N peers", so a test can wait for registration.
Runs until killed (seed), or until complete (leech).
"""
import sys
import tempfile
import time

import libtorrent as lt


def session(port, fast, limited=False):
    settings = lt.high_performance_seed() if fast else {}
    settings.update({
        "listen_interfaces": "127.0.0.1:%d" % port,
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "enable_incoming_utp": False,
        "enable_outgoing_utp": False,
        "allow_multiple_connections_per_ip": True,
        # Only what we read: every category means an alert per block, which
        # costs libtorrent CPU in a benchmark and once crashed the bindings
        # (a segfault in the sanitizer pass of CI).
        "alert_mask": (lt.alert.category_t.tracker_notification
                       | lt.alert.category_t.error_notification
                       | lt.alert.category_t.status_notification),
        "announce_to_all_trackers": True,
    })
    if limited:
        # libtorrent hands out rate-limit quota once a tick (500 ms by default):
        # each new connection then waits up to a tick for every send, its
        # handshake included, and the rate settles about 7% under the limit
        # (256 MiB from one seeder at 20 MiB/s: 17.9 MiB/s).  A 50 ms tick
        # delivers the limit (19.4 MiB/s), so a benchmark of seeders "at R MiB/s"
        # measures the leecher, not the limiter.
        settings["tick_interval"] = 50
    return lt.session(settings)


def options(args):
    opts = {"fast": False, "limit": 0, "connect": []}
    while args:
        if args[0] == "--fast":
            opts["fast"] = True
            args = args[1:]
        elif args[0] == "--upload-limit" and len(args) > 1:
            opts["limit"] = int(args[1])
            args = args[2:]
        elif args[0] == "--connect" and len(args) > 1:
            opts["connect"].append(int(args[1]))
            args = args[2:]
        else:
            sys.exit("lt-client.py: unknown option %s" % args[0])
    return opts


def fetch_metadata(magnet, peer_port, out, limit):
    ses = session(0, False)
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


def main():
    mode, torrent = sys.argv[1], sys.argv[2]
    if mode == "metadata":
        return fetch_metadata(torrent, int(sys.argv[3]), sys.argv[4], float(sys.argv[5]))
    info = lt.torrent_info(torrent)
    if mode == "hash":
        print(str(info.info_hash()))
        return
    save, port = sys.argv[3], int(sys.argv[4])
    opts = options(sys.argv[5:])
    ses = session(port, opts["fast"], opts["limit"] > 0)
    params = {"ti": info, "save_path": save}
    if mode == "seed":
        params["flags"] = lt.torrent_flags.seed_mode
    handle = ses.add_torrent(params)
    if opts["limit"] > 0:
        handle.set_upload_limit(opts["limit"])
    print("listening %d" % port, flush=True)
    dialled = 0.0
    while True:
        for a in ses.pop_alerts():
            if isinstance(a, lt.tracker_reply_alert):
                print("announced %d peers" % a.num_peers, flush=True)
            elif isinstance(a, lt.tracker_error_alert):
                print("tracker error: %s" % a.message(), flush=True)
        status = handle.status()
        if mode == "leech" and status.is_seeding:
            print("complete", flush=True)
            return
        # Dial the --connect peers, and again every 2 s while none is
        # connected: a peer that refused or dropped us may take us now.
        if status.num_peers == 0 and time.time() - dialled >= 2:
            for p in opts["connect"]:
                handle.connect_peer(("127.0.0.1", p))
            dialled = time.time()
        ses.wait_for_alert(100)


if __name__ == "__main__":
    sys.exit(main())
