#!/usr/bin/python3
"""lt-client.py - a real BitTorrent client (python3-libtorrent) for interop tests.

  lt-client.py hash TORRENT               print the info hash in hex
  lt-client.py seed TORRENT DIR PORT [OPTIONS]
                                          seed DIR's copy of the data on 127.0.0.1:PORT
  lt-client.py leech TORRENT DIR PORT [OPTIONS]
                                          download into DIR, print "complete", exit
  lt-client.py magnet MAGNET DIR PORT [OPTIONS]
                                          the same from a magnet link: the info dict
                                          and the data from the peers that --connect
                                          and the DHT (--dht-node) name
  lt-client.py metadata MAGNET PEER_PORT OUT SECONDS
                                          fetch MAGNET's info dict (BEP 9) from
                                          127.0.0.1:PEER_PORT, write the bytes as
                                          libtorrent received and checked them to
                                          OUT, exit 0; exit 1 after SECONDS
  lt-client.py dht PORT [OPTIONS]         a DHT node and nothing else on 127.0.0.1:PORT

Options (bench/download and the interop suites use them):
  --fast                start from high_performance_seed(), so a seeder is not
                        the bottleneck of a benchmark
  --upload-limit BYTES  cap this torrent's upload rate: loopback peers are in
                        libtorrent's "local" class, which ignores session limits;
                        the session ticks every 50 ms so that the cap holds
  --download-limit BYTES  the same for its download rate: a leecher that stays
                        one long enough to meet the peers it hears of (PEX)
  --connect PORT        dial 127.0.0.1:PORT (repeatable), and again every 2 s
                        while no peer is connected: for a peer that will not
                        dial us (transmission ignores loopback peers that a
                        tracker names) or a seeder given no tracker
  --dht                 run libtorrent's DHT (BEP 5) on the session's port
  --dht-node HOST:PORT  join the DHT through this node (repeatable; implies --dht)
  --get-peers HASH      with the DHT: ask it for HASH's peers every second
  --connect6 PORT       the same on [::1]
  --host ADDR           listen on ADDR instead of 127.0.0.1 ([::1], or a test's own network
                        namespace: tests/10-lsd.bats)
  --lsd                 local service discovery (BEP 14) on; off otherwise
  --trace               with the DHT: print every DHT datagram on stderr, as
                        libtorrent decoded it
  --encryption-forced   speak only MSE/PE with RC4, both ways (out_enc_policy and
                        in_enc_policy pe_forced, allowed_enc_level pe_rc4): a
                        plain handshake is refused, and so is plaintext after MSE

Settings are those /work/shared/INTEROP.md found to work on loopback: no LSD,
UPnP, NAT-PMP or uTP, no DHT unless asked, and several connections per IP
allowed.  Every tracker reply is logged as "announced N peers", so a test can
wait for registration.  Runs until killed (seed, dht), or until complete
(leech, magnet).

With the DHT on, the session starts from the --dht-node nodes alone (no router
of the real DHT) and announces its torrents to the DHT every 5 s rather than
every 15 min, so that an announce made before the DHT was joined is soon made
again.  It logs, one line each:
  nodes ADDR...         the nodes in its routing table, sorted, whenever they change
  dht reply N peers     a DHT lookup for a torrent of ours ended with N peers
  peer ADDR             --get-peers found a new peer of HASH
  announce HASH ADDR    a node told us it has HASH at ADDR (announce_peer)
"""
import sys
import tempfile
import time
import warnings

import libtorrent as lt

DHT_ANNOUNCE_S = 5


def listen_address(host, port):
    return "%s:%d" % (host, port)


def listen_on(ses, host, port):
    """Open the listening socket of a session made with listen=False.

    A test knows a client is ready when its port accepts; a session that
    listens before its torrent is added drops the connections that come in
    between (libtorrent finds no torrent for their info hash), and an MSE
    dial that is dropped is retried in plaintext: a flaky test.  Not with
    the DHT: libtorrent's DHT does not start on a socket opened later.
    """
    ses.apply_settings({"listen_interfaces": listen_address(host, port)})


def session(port, fast, limited=False, dht_nodes=None, trace=False, host="127.0.0.1", lsd=False,
            forced=False, listen=True):
    settings = lt.high_performance_seed() if fast else {}
    alerts = (lt.alert.category_t.tracker_notification
              | lt.alert.category_t.error_notification
              | lt.alert.category_t.status_notification)
    settings.update({
        # Without listen, no socket yet: see listen_on().
        "listen_interfaces": listen_address(host, port) if listen else "",
        "enable_dht": False,
        "enable_lsd": lsd,
        "enable_upnp": False,
        "enable_natpmp": False,
        "enable_incoming_utp": False,
        "enable_outgoing_utp": False,
        "allow_multiple_connections_per_ip": True,
        "announce_to_all_trackers": True,
    })
    if dht_nodes is not None:
        settings.update({
            "enable_dht": True,
            "dht_bootstrap_nodes": "",
            # Every node of a loopback DHT has the address 127.0.0.1.
            "dht_restrict_routing_ips": False,
            "dht_restrict_search_ips": False,
            # ... so libtorrent's per-IP limit (5 packets a second, over 10 s)
            # adds up all of them, and a busy moment bans 127.0.0.1, every
            # node at once, for 5 minutes ("BANNING PEER" in its DHT log);
            # its upload cap for the DHT (8000 bytes/s) drops answers likewise.
            "dht_block_ratelimit": 100000,
            "dht_upload_rate_limit": 10 << 20,
            "dht_announce_interval": DHT_ANNOUNCE_S,
        })
        alerts |= (lt.alert.category_t.dht_notification
                   | lt.alert.category_t.dht_operation_notification)
        if trace:
            alerts |= lt.alert.category_t.dht_log_notification
    if forced:
        settings.update({
            "out_enc_policy": int(lt.enc_policy.pe_forced),
            "in_enc_policy": int(lt.enc_policy.pe_forced),
            "allowed_enc_level": int(lt.enc_level.pe_rc4),
            "prefer_rc4": True,
        })
    # Only what we read: every category means an alert per block, which
    # costs libtorrent CPU in a benchmark and once crashed the bindings
    # (a segfault in the sanitizer pass of CI).
    settings["alert_mask"] = alerts
    if limited:
        # libtorrent hands out rate-limit quota once a tick (500 ms by default):
        # each new connection then waits up to a tick for every send, its
        # handshake included, and the rate settles about 7% under the limit
        # (256 MiB from one seeder at 20 MiB/s: 17.9 MiB/s).  A 50 ms tick
        # delivers the limit (19.4 MiB/s), so a benchmark of seeders "at R MiB/s"
        # measures the leecher, not the limiter.
        settings["tick_interval"] = 50
    ses = lt.session(settings)
    # Queued until the DHT runs; libtorrent then asks each for nodes near it.
    for host, p in dht_nodes or []:
        ses.add_dht_node((host, p))
    return ses


def options(args):
    opts = {"fast": False, "limit": 0, "down_limit": 0, "connect": [], "dht": None,
            "get_peers": None, "trace": False, "host": "127.0.0.1", "lsd": False, "forced": False}
    while args:
        if args[0] == "--fast":
            opts["fast"] = True
            args = args[1:]
        elif args[0] == "--upload-limit" and len(args) > 1:
            opts["limit"] = int(args[1])
            args = args[2:]
        elif args[0] == "--download-limit" and len(args) > 1:
            opts["down_limit"] = int(args[1])
            args = args[2:]
        elif args[0] == "--connect" and len(args) > 1:
            opts["connect"].append(("127.0.0.1", int(args[1])))
            args = args[2:]
        elif args[0] == "--connect6" and len(args) > 1:
            opts["connect"].append(("::1", int(args[1])))
            args = args[2:]
        elif args[0] == "--host" and len(args) > 1:
            opts["host"] = args[1]
            args = args[2:]
        elif args[0] == "--lsd":
            opts["lsd"] = True
            args = args[1:]
        elif args[0] == "--dht":
            opts["dht"] = opts["dht"] or []
            args = args[1:]
        elif args[0] == "--dht-node" and len(args) > 1:
            host, _, port = args[1].rpartition(":")
            if host == "" or not port.isdigit():
                sys.exit("lt-client.py: invalid DHT node '%s' (expected HOST:PORT)" % args[1])
            opts["dht"] = (opts["dht"] or []) + [(host, int(port))]
            args = args[2:]
        elif args[0] == "--get-peers" and len(args) > 1:
            opts["get_peers"] = lt.sha1_hash(bytes.fromhex(args[1]))
            args = args[2:]
        elif args[0] == "--trace":
            opts["trace"] = True
            args = args[1:]
        elif args[0] == "--encryption-forced":
            opts["forced"] = True
            args = args[1:]
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


def addr(endpoint):
    return "%s:%d" % (endpoint[0], endpoint[1])


class DhtWatch:
    """What the DHT modes log: the routing table, peers found, announces heard."""

    def __init__(self, ses, opts):
        self.ses = ses
        self.opts = opts
        self.nid = None
        self.nodes = None
        self.peers = set()
        self.asked = 0.0

    def poll(self):
        """Ask for the routing table and the --get-peers lookup; answers come as alerts."""
        if self.nid is None:
            # The session's node id: dht_live_nodes wants it, and the bindings
            # give it only in the (deprecated) DHT state: 20 bytes of id, then
            # the IPv4 address it was made for.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ids = self.ses.dht_state().get(b"node-id") or []
            if ids:
                self.nid = lt.sha1_hash(ids[0][:20])
        if self.nid is not None:
            self.ses.dht_live_nodes(self.nid)
        if self.opts["get_peers"] is not None and time.time() - self.asked >= 1:
            self.ses.dht_get_peers(self.opts["get_peers"])
            self.asked = time.time()

    def alert(self, a):
        if isinstance(a, lt.dht_live_nodes_alert):
            nodes = sorted(addr(n["endpoint"]) for n in a.nodes)
            if nodes != self.nodes:
                print(" ".join(["nodes"] + nodes), flush=True)
                self.nodes = nodes
        elif isinstance(a, lt.dht_get_peers_reply_alert):
            for p in a.peers():
                if addr(p) not in self.peers:
                    self.peers.add(addr(p))
                    print("peer " + addr(p), flush=True)
        elif isinstance(a, lt.dht_reply_alert):
            print("dht reply %d peers" % a.num_peers, flush=True)
        elif isinstance(a, lt.dht_announce_alert):
            print("announce %s %s:%d" % (a.info_hash, a.ip, a.port), flush=True)
        elif isinstance(a, lt.dht_pkt_alert) and self.opts["trace"]:
            print(a.message(), file=sys.stderr, flush=True)


def dht_node(port, opts):
    ses = session(port, False, dht_nodes=opts["dht"] or [], trace=opts["trace"])
    watch = DhtWatch(ses, opts)
    print("listening %d" % port, flush=True)
    while True:
        watch.poll()
        ses.wait_for_alert(500)
        for a in ses.pop_alerts():
            watch.alert(a)


def main():
    mode, torrent = sys.argv[1], sys.argv[2]
    if mode == "metadata":
        return fetch_metadata(torrent, int(sys.argv[3]), sys.argv[4], float(sys.argv[5]))
    if mode == "dht":
        return dht_node(int(torrent), options(sys.argv[3:]))
    if mode == "hash":
        print(str(lt.torrent_info(torrent).info_hash()))
        return
    save, port = sys.argv[3], int(sys.argv[4])
    opts = options(sys.argv[5:])
    ses = session(port, opts["fast"], opts["limit"] > 0 or opts["down_limit"] > 0, opts["dht"],
                  opts["trace"], host=opts["host"], lsd=opts["lsd"], forced=opts["forced"],
                  listen=opts["dht"] is not None)
    if mode == "magnet":
        params = lt.parse_magnet_uri(torrent)
        params.save_path = save
    else:
        params = {"ti": lt.torrent_info(torrent), "save_path": save}
    if mode == "seed":
        params["flags"] = lt.torrent_flags.seed_mode
    handle = ses.add_torrent(params)
    if opts["limit"] > 0:
        handle.set_upload_limit(opts["limit"])
    if opts["down_limit"] > 0:
        handle.set_download_limit(opts["down_limit"])
    if opts["dht"] is None:
        listen_on(ses, opts["host"], port)
    watch = DhtWatch(ses, opts) if opts["dht"] is not None else None
    print("listening %d" % port, flush=True)
    dialled = polled = 0.0
    while True:
        for a in ses.pop_alerts():
            if isinstance(a, lt.listen_succeeded_alert) and opts["dht"] is None:
                # The torrent was added before any socket listened: its first
                # announce found none to announce from.
                handle.force_reannounce()
            elif isinstance(a, lt.tracker_reply_alert):
                print("announced %d peers" % a.num_peers, flush=True)
            elif isinstance(a, lt.tracker_error_alert):
                print("tracker error: %s" % a.message(), flush=True)
            elif watch is not None:
                watch.alert(a)
        status = handle.status()
        if mode in ("leech", "magnet") and status.is_seeding:
            print("complete", flush=True)
            return
        # Dial the --connect peers, and again every 2 s while none is
        # connected: a peer that refused or dropped us may take us now.
        if status.num_peers == 0 and time.time() - dialled >= 2:
            for p in opts["connect"]:
                handle.connect_peer(p)
            dialled = time.time()
        if watch is not None and time.time() - polled >= 0.5:
            watch.poll()
            polled = time.time()
        ses.wait_for_alert(100)


if __name__ == "__main__":
    sys.exit(main())
