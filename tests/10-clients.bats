#!/usr/bin/env bats
# Three more real clients on loopback: qBittorrent (qbittorrent-nox 4.5.2, on
# libtorrent-rasterbar 2.0.8, driven by its Web API), rtorrent 0.9.8 (on
# rakshasa's libtorrent 0.13.8, an implementation of its own, driven by
# XML-RPC: tests/rtorrent-rpc.py) and deluged 2.0.3 (libtorrent-rasterbar
# again, driven by its own RPC client: tests/deluge-rpc.py).  Each seeds to
# bt-download with encryption (MSE) required on its side, and downloads from
# bt-seed, byte for byte, the seed's trace showing which handshake and
# stream the client chose; then a swarm of all three where bt-download learns
# peers only by PEX (BEP 11).
#
# Every client gets its own home and config under $BATS_TEST_TMPDIR, listens
# on 127.0.0.1 only, with DHT, LSD, UPnP and NAT-PMP off.

bats_require_minimum_version 1.5.0

load helper

setup() {
    cd "$BATS_TEST_TMPDIR"
    mkdir -p src
    head -c 2097152 /dev/urandom >src/data.bin
    # rtorrent 0.9.8 refuses a torrent that names no tracker ("Could not
    # create download: Could not find any trackers", logged by load.verbose;
    # load.start says nothing): every torrent here names ours.
    TRACKER_PORT=$(free_port)
    bt-create --v1 -q -d -l 64K -a "http://127.0.0.1:$TRACKER_PORT/announce" -o t.torrent \
        src/data.bin
    HASH=$(bt-infohash t.torrent)
}

teardown() {
    stop_all
}

tracker() {
    start_bg tracker timeout 300 bt-tracker -q -i 5 -p "$TRACKER_PORT"
    wait_port "$TRACKER_PORT" 10 "$PID_tracker"
}

# seed NAME [ARGS]: bt-seed of src/data.bin on a free port; sets $SEED_PORT.
seed() {
    local name=$1
    shift
    seed_bg "$name" t.torrent src/data.bin --no-dht "$@"
}

# wait_file FILE SECONDS: until FILE exists.
wait_file() {
    local i
    for ((i = 0; i < $2 * 10; i++)); do
        [ -e "$1" ] && return 0
        sleep 0.1
    done
    echo "no $1 after $2 s" >&2
    return 1
}

# serving PORT [OPTIONS]: until a handshake for t.torrent with 127.0.0.1:PORT
# succeeds (OPTIONS for bt-handshake: --encryption require), at most 20 s.  A
# client may listen before its torrent is ready, and drop the peers that
# come before it is (qBittorrent does, for a moment after /torrents/add).
serving() {
    local port=$1 i
    shift
    for ((i = 0; i < 40; i++)); do
        bt-handshake -t 2 "$@" t.torrent "127.0.0.1:$port" >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    echo "127.0.0.1:$port does not serve t.torrent after 20 s" >&2
    return 1
}

download() {
    run --separate-stderr timeout 120 bt-download -v --no-dht --no-announce -l 127.0.0.1:0 "$@"
}

# --- qBittorrent ---------------------------------------------------------------

# qbt_start NAME [ENCRYPTION]: qbittorrent-nox with the profile NAME/ (its
# qBittorrent.conf written here); ENCRYPTION is its Session\Encryption: 0
# allow (the default), 1 require, 2 off.  Sets $QBT_PORT (peers) and $QBT_API.
qbt_start() {
    local name=$1 web pid
    QBT_PORT=$(free_port)
    web=$(free_port)
    mkdir -p "$name/qBittorrent/config"
    # 4.5.2 has no --confirm-legal-notice: LegalNotice\Accepted does it.  The
    # Web API asks no login from 127.0.0.1 (LocalHostAuth=false).  Peers from
    # 127.0.0.1 all share one address: MultiConnectionsPerIp (libtorrent's
    # allow_multiple_connections_per_ip) or it keeps only one of them.  Peer
    # countries off: otherwise it tries to download a GeoIP database.
    cat >"$name/qBittorrent/config/qBittorrent.conf" <<EOF
[LegalNotice]
Accepted=true

[BitTorrent]
Session\\Port=$QBT_PORT
Session\\Interface=lo
Session\\InterfaceName=lo
Session\\InterfaceAddress=127.0.0.1
Session\\DHTEnabled=false
Session\\LSDEnabled=false
Session\\PeXEnabled=true
Session\\BTProtocol=TCP
Session\\Encryption=${2:-0}
Session\\MultiConnectionsPerIp=true
Session\\QueueingSystemEnabled=false
Session\\AnonymousModeEnabled=false

[Network]
PortForwardingEnabled=false

[Preferences]
Connection\\ResolvePeerCountries=false
WebUI\\Address=127.0.0.1
WebUI\\Port=$web
WebUI\\LocalHostAuth=false
WebUI\\CSRFProtection=false
WebUI\\HostHeaderValidation=false
WebUI\\UseUPnP=false
EOF
    start_bg "$name" timeout 300 qbittorrent-nox --profile="$BATS_TEST_TMPDIR/$name"
    pid="PID_${name//-/_}"
    wait_port "$web" 30 "${!pid}"
    wait_port "$QBT_PORT" 10 "${!pid}"
    QBT_API="http://127.0.0.1:$web/api/v2"
}

# qbt_add DIR [skip]: add t.torrent, its data in DIR; "skip" trusts DIR's data
# without a check.  Returns once qBittorrent lists the torrent.
qbt_add() {
    local skip=false i
    [ "${2:-}" = skip ] && skip=true
    curl -sf -F torrents=@t.torrent -F "savepath=$BATS_TEST_TMPDIR/$1" -F "skip_checking=$skip" \
        "$QBT_API/torrents/add" >/dev/null
    for ((i = 0; i < 100; i++)); do
        [ "$(qbt_field hash)" = "$HASH" ] && return 0
        sleep 0.1
    done
    echo "qBittorrent does not list t.torrent after 10 s" >&2
    return 1
}

# qbt_field NAME: the torrent's NAME in /torrents/info (state, progress, ...).
qbt_field() {
    curl -sf "$QBT_API/torrents/info?hashes=$HASH" | jq -r ".[0].$1 // empty"
}

# qbt_wait_progress P SECONDS: until the torrent's progress is P (1: complete).
qbt_wait_progress() {
    local i
    for ((i = 0; i < $2 * 10; i++)); do
        [ "$(qbt_field progress)" = "$1" ] && return 0
        sleep 0.1
    done
    echo "qBittorrent's progress is not $1 after $2 s: $(qbt_field state) $(qbt_field progress)" >&2
    return 1
}

# --- rtorrent --------------------------------------------------------------------

# rt_start NAME DIR [ENCRYPTION]: rtorrent with HOME=NAME/ and its .rtorrent.rc
# written here, downloading into (or seeding from) DIR; ENCRYPTION is the
# argument of protocol.encryption.set (default: allow_incoming,try_outgoing,
# enable_retry).  Sets $RT_PORT and $RT_RPC (its XML-RPC socket).
rt_start() {
    local name=$1 dir=$2 home pid
    home="$BATS_TEST_TMPDIR/$name"
    RT_PORT=$(free_port)
    RT_RPC="$home/rpc.sock"
    mkdir -p "$home/session" "$dir"
    # daemon mode: no terminal, no ncurses.  event.download.finished fires when
    # the last piece is checked: a file to wait for.
    cat >"$home/.rtorrent.rc" <<EOF
system.daemon.set = true
session.path.set = $home/session
directory.default.set = $BATS_TEST_TMPDIR/$dir
network.bind_address.set = 127.0.0.1
network.port_range.set = $RT_PORT-$RT_PORT
network.port_random.set = no
network.scgi.open_local = $RT_RPC
dht.mode.set = disable
protocol.pex.set = yes
trackers.use_udp.set = no
protocol.encryption.set = ${3:-allow_incoming,try_outgoing,enable_retry}
log.open_file = main, $home/rtorrent.log
log.add_output = info, main
method.set_key = event.download.finished, btkit, "execute.nothrow = touch, $home/finished"
EOF
    start_bg "$name" env HOME="$home" timeout 300 rtorrent
    pid="PID_${name//-/_}"
    wait_port "$RT_PORT" 10 "${!pid}"
}

rt_rpc() {
    timeout 20 "$BT_PYTHON" "$BT_SRCDIR/tests/rtorrent-rpc.py" "$RT_RPC" "$@"
}

# rt_add: load t.torrent and start it; returns once rtorrent has checked
# what its directory holds (d.is_hash_checked; a seeder is then complete).
rt_add() {
    local i
    rt_rpc load.start_verbose "" "$BATS_TEST_TMPDIR/t.torrent" >/dev/null
    for ((i = 0; i < 100; i++)); do
        [ "$(rt_rpc d.is_hash_checked "${HASH^^}" 2>/dev/null)" = 1 ] && return 0
        sleep 0.1
    done
    echo "rtorrent has not checked t.torrent after 10 s" >&2
    return 1
}

# --- deluged ---------------------------------------------------------------------

# deluge_start NAME DIR [POLICY [no-dial]]: deluged with the config directory
# NAME/, its torrents' data in DIR; POLICY is its enc_in_policy and
# enc_out_policy, libtorrent's enc_policy: 0 forced, 1 enabled (the default),
# 2 disabled.  With no-dial it accepts peers but dials none.  Sets
# $DELUGE_PORT (peers) and $DELUGE_RPC.
deluge_start() {
    local name=$1 dir=$2 policy=${3:-1} level=2 dials=20 boost=30 pid
    # enc_level 1 is RC4 only, 2 either: forced means no plaintext after MSE either.
    [ "$policy" = 0 ] && level=1
    if [ "${4:-}" = no-dial ]; then
        # libtorrent dials at connection_speed a second (deluge's
        # max_connections_per_second; 0: none) and, at once, up to
        # torrent_connect_boost of the peers a tracker or PEX just named.
        dials=0 boost=0
    fi
    DELUGE_PORT=$(free_port)
    DELUGE_RPC=$(free_port)
    mkdir -p "$name" "$dir"
    cat >"$name/core.conf" <<EOF
{"file": 1, "format": 1}{
    "listen_ports": [$DELUGE_PORT, $DELUGE_PORT], "random_port": false,
    "listen_interface": "127.0.0.1", "dht": false, "lsd": false, "upnp": false,
    "natpmp": false, "utpex": true, "new_release_check": false, "send_info": false,
    "enc_in_policy": $policy, "enc_out_policy": $policy, "enc_level": $level,
    "download_location": "$BATS_TEST_TMPDIR/$dir", "stop_seed_at_ratio": false,
    "max_connections_per_second": $dials
}
EOF
    # deluge has no setting for these libtorrent ones, but it loads its
    # session.state (a bencoded libtorrent session state) before it applies
    # its own: every peer here is 127.0.0.1, and libtorrent keeps one
    # connection per address unless allow_multiple_connections_per_ip; uTP off.
    bt-encode -e '{"settings": {"allow_multiple_connections_per_ip": 1,
        "enable_incoming_utp": 0, "enable_outgoing_utp": 0,
        "torrent_connect_boost": '"$boost"'}}' >"$name/session.state"
    # -L none: deluge 2.0.3's logger breaks on Python 3.11 ("findCaller() takes
    # from 1 to 2 positional arguments but 3 were given", a traceback for every
    # message logged); only critical ones are logged then.
    start_bg "$name" env HOME="$BATS_TEST_TMPDIR/$name" timeout 300 deluged -d \
        -c "$BATS_TEST_TMPDIR/$name" -p "$DELUGE_RPC" -u 127.0.0.1 -i 127.0.0.1 -L none
    pid="PID_${name//-/_}"
    wait_port "$DELUGE_RPC" 30 "${!pid}"
    wait_port "$DELUGE_PORT" 10 "${!pid}"
    DELUGE_CONF="$BATS_TEST_TMPDIR/$name"
}

deluge_rpc() {
    timeout 60 "$BT_PYTHON" "$BT_SRCDIR/tests/deluge-rpc.py" "$DELUGE_CONF" "$DELUGE_RPC" "$@"
}

# --- qBittorrent ---------------------------------------------------------------

@test "bt-download downloads from a qBittorrent seeder that requires encryption" {
    require_cmd qbittorrent-nox curl jq
    tracker
    qbt_start qbt 1
    qbt_add src skip
    serving "$QBT_PORT" --encryption require
    # A plain handshake gets nowhere with it ...
    run -1 --separate-stderr timeout 30 bt-handshake --encryption off -t 5 t.torrent \
        "127.0.0.1:$QBT_PORT"
    # ... MSE with RC4 does.
    download --encryption require --trace -p "127.0.0.1:$QBT_PORT" -o out t.torrent
    assert_success
    assert_output out/data.bin
    cmp src/data.bin out/data.bin
    [[ $stderr == *"127.0.0.1:$QBT_PORT: connected (qBittorrent 4.5.2, fast extension)"* ]]
    grep -q "^<- MSE ENCRYPT(crypto_select 0x02 (rc4)" <<<"$stderr"
}

@test "qBittorrent downloads from bt-seed, told of it through its Web API" {
    require_cmd qbittorrent-nox curl jq
    tracker
    # bt-seed does not announce: qBittorrent hears of it only from /torrents/addPeers.
    seed s --no-announce --trace
    qbt_start qbt
    qbt_add qdl
    curl -sf -d "hashes=$HASH" -d "peers=127.0.0.1:$SEED_PORT" "$QBT_API/torrents/addPeers"
    qbt_wait_progress 1 60
    cmp src/data.bin qdl/data.bin
    grep -q "connected (qBittorrent 4.5.2" s.log
    # It dials with MSE and offers RC4 alone, even with encryption merely
    # allowed (Encryption=0): qBittorrent sets libtorrent's allowed_enc_level
    # to RC4 and prefer_rc4 in every mode.
    grep -q "^<- MSE ENCRYPT(VC, crypto_provide 0x02 (rc4)," s.log
    grep -q "^-> MSE ENCRYPT(VC, crypto_select 0x02 (rc4), PadD)" s.log
}

# --- rtorrent --------------------------------------------------------------------

@test "bt-download downloads from an rtorrent seeder that requires encryption" {
    require_cmd rtorrent
    tracker
    rt_start rt src allow_incoming,try_outgoing,require,require_RC4
    rt_add
    [ "$(rt_rpc d.complete "${HASH^^}")" = 1 ]
    run -1 --separate-stderr timeout 30 bt-handshake --encryption off -t 5 t.torrent \
        "127.0.0.1:$RT_PORT"
    download --encryption require --trace -p "127.0.0.1:$RT_PORT" -o out t.torrent
    assert_success
    assert_output out/data.bin
    cmp src/data.bin out/data.bin
    # rtorrent's peer id is -lt0D80- (0.13.8 in its own digits).
    [[ $stderr == *"127.0.0.1:$RT_PORT: connected (libTorrent"* ]]
    grep -q "^<- MSE ENCRYPT(crypto_select 0x02 (rc4)" <<<"$stderr"
}

@test "rtorrent downloads from bt-seed found through bt-tracker" {
    require_cmd rtorrent
    tracker
    # Unlike transmission, rtorrent dials the 127.0.0.1 peers a tracker names.
    seed s --encryption off --trace
    rt_start rt rdl
    rt_add
    wait_file rt/finished 60
    cmp src/data.bin rdl/data.bin
    grep -q "connected (libTorrent" s.log
    # try_outgoing: it dials with MSE first, which a plain-only bt-seed drops;
    # enable_retry: it dials again with BEP 3's handshake.
    grep -q "dropped: invalid handshake: first byte [0-9]* is not 19" s.log
    grep -q "^<- handshake (68 bytes)$" s.log
}

@test "rtorrent requiring encryption downloads from bt-seed requiring it, told of it by XML-RPC" {
    require_cmd rtorrent
    tracker
    seed s --no-announce --encryption require --trace
    rt_start rt rdl allow_incoming,try_outgoing,require,require_RC4
    rt_add
    rt_rpc add_peer "${HASH^^}" "127.0.0.1:$SEED_PORT"
    wait_file rt/finished 60
    cmp src/data.bin rdl/data.bin
    grep -q "^<- not a plain handshake: MSE, as the receiver$" s.log
    grep -q "^-> MSE ENCRYPT(VC, crypto_select 0x02 (rc4), PadD)" s.log
}

# --- deluged ---------------------------------------------------------------------

@test "bt-download downloads from a deluged seeder that forces encryption" {
    require_cmd deluged
    tracker
    deluge_start deluge src 0
    run -0 deluge_rpc add t.torrent src
    assert_output "$HASH"
    # Deluge checks the data it is given (no seed mode here): Seeding after that.
    run -0 deluge_rpc wait "$HASH" Seeding 30
    run -1 --separate-stderr timeout 30 bt-handshake --encryption off -t 5 t.torrent \
        "127.0.0.1:$DELUGE_PORT"
    download --encryption require --trace -p "127.0.0.1:$DELUGE_PORT" -o out t.torrent
    assert_success
    assert_output out/data.bin
    cmp src/data.bin out/data.bin
    [[ $stderr == *"127.0.0.1:$DELUGE_PORT: connected (Deluge 2.0.3"* ]]
    grep -q "^<- MSE ENCRYPT(crypto_select 0x02 (rc4)" <<<"$stderr"
}

@test "deluged downloads from bt-seed, told of it through its RPC" {
    require_cmd deluged
    tracker
    seed s --no-announce --trace
    deluge_start deluge ddl
    run -0 deluge_rpc add t.torrent ddl
    run -0 deluge_rpc peer "$HASH" 127.0.0.1 "$SEED_PORT"
    run -0 deluge_rpc wait "$HASH" Seeding 60
    cmp src/data.bin ddl/data.bin
    grep -q "connected (Deluge 2.0.3" s.log
    # Deluge's defaults (encryption enabled, either level) offer both methods
    # and bt-seed, preferring encryption, picks plaintext, as libtorrent would.
    grep -q "^<- MSE ENCRYPT(VC, crypto_provide 0x03 (rc4 or plaintext)," s.log
    grep -q "^-> MSE ENCRYPT(VC, crypto_select 0x01 (plaintext), PadD)" s.log
}

# --- all three, and peer exchange --------------------------------------------------

# qBittorrent seeds; it dials deluged and rtorrent dials it, so that each
# leecher knows only the seeder; bt-download is given only qBittorrent and no
# tracker runs.  What it learns of the others comes by PEX.  The seeder is
# capped at 512 KiB/s: no leecher can be done (and leave) within 4 s, so the
# swarm is still a swarm when bt-download's PEX comes, a second or so after
# it connects.
#
# rtorrent 0.9.8 keeps at most one connection per IP address (libtorrent
# 0.13.8's PeerList::connected() refuses an address already connected;
# 0.14 lifted it): on loopback, once connected to qBittorrent it refuses
# every other 127.0.0.1 peer, bt-download included, and so has nobody to tell
# of by PEX either.  qBittorrent and deluged (libtorrent-rasterbar) send PEX
# on loopback once several connections from one address are allowed.
@test "bt-download learns deluged and rtorrent by qBittorrent's PEX, and completes with deluged" {
    require_cmd qbittorrent-nox curl jq rtorrent deluged
    local x i
    qbt_start qbt
    qbt_add src skip
    curl -sf -d "hashes=$HASH" -d "limit=524288" "$QBT_API/torrents/setUploadLimit"
    serving "$QBT_PORT"
    x="127.0.0.1:$QBT_PORT"
    # deluged dials nobody.  qBittorrent's PEX may tell it of bt-download
    # (its first message to deluged goes once it has two peers, which may be
    # after bt-download came), and libtorrent dials the peers PEX names at
    # once: deluged would be the one to dial, as often as not, and bt-download
    # does not dial a peer it is connected to already.
    deluge_start deluge ddl 1 no-dial
    run -0 deluge_rpc add t.torrent ddl
    rt_start rt rdl
    rt_add
    curl -sf -d "hashes=$HASH" -d "peers=127.0.0.1:$DELUGE_PORT" "$QBT_API/torrents/addPeers"
    rt_rpc add_peer "${HASH^^}" "$x"
    # Both connected to the seeder before bt-download comes.
    for ((i = 0; i < 100; i++)); do
        [ "$(curl -sf "$QBT_API/sync/torrentPeers?hash=$HASH" | jq '.peers | length')" = 2 ] &&
            break
        sleep 0.1
    done
    [ "$i" -lt 100 ]
    download --trace -p "$x" -o out t.torrent
    echo "$stderr" >dl.log
    assert_success
    cmp src/data.bin out/data.bin
    # qBittorrent told of both (and of bt-download itself) ...
    grep -Eq "^bt-download: $x: pex: 3 added, 0 dropped: 2 new peers" dl.log
    grep -q "^     added 127.0.0.1:$DELUGE_PORT flags" dl.log
    grep -q "^     added 127.0.0.1:$RT_PORT flags" dl.log
    grep -q "peers learned by peer exchange (BEP 11): 2" dl.log
    # ... bt-download dialled both: deluged took it, and sent PEX too; rtorrent,
    # connected to qBittorrent, closed the connection.  (Once done, rtorrent
    # is a seed that the seed qBittorrent drops: then it may take a later dial.)
    grep -q "^bt-download: 127.0.0.1:$DELUGE_PORT: connected (Deluge 2.0.3" dl.log
    grep -Eq "^bt-download: 127.0.0.1:$DELUGE_PORT: pex: [0-9]+ added" dl.log
    grep -q "^bt-download: 127.0.0.1:$RT_PORT: failed: connection closed by peer" dl.log
    # And the others complete too.
    run -0 deluge_rpc wait "$HASH" Seeding 60
    cmp src/data.bin ddl/data.bin
    wait_file rt/finished 60
    cmp src/data.bin rdl/data.bin
}

@test "bt-download learns aria2c by qBittorrent's PEX, and meets it" {
    require_cmd qbittorrent-nox curl jq aria2c
    local x ap i
    qbt_start qbt
    qbt_add src skip
    curl -sf -d "hashes=$HASH" -d "limit=262144" "$QBT_API/torrents/setUploadLimit"
    serving "$QBT_PORT"
    x="127.0.0.1:$QBT_PORT"
    # A leecher that knows nobody: qBittorrent dials it, and its PEX names it.
    # (transmission-cli 3.00, dialled the same way, took the connection and
    # then downloaded nothing from qBittorrent, nor appeared in its PEX: it is
    # left out of this swarm.)
    ap=$(free_port)
    start_bg aria timeout 120 aria2c -d adl --enable-dht=false --enable-dht6=false \
        --bt-enable-lpd=false --enable-peer-exchange=true --seed-time=0 --listen-port="$ap" \
        t.torrent
    wait_port "$ap" 20 "$PID_aria"
    curl -sf -d "hashes=$HASH" -d "peers=127.0.0.1:$ap" "$QBT_API/torrents/addPeers"
    for ((i = 0; i < 200; i++)); do
        [ "$(curl -sf "$QBT_API/sync/torrentPeers?hash=$HASH" | jq '.peers | length')" = 1 ] &&
            break
        sleep 0.1
    done
    [ "$i" -lt 200 ]
    # bt-download is given the seeder alone.
    download --trace -p "$x" -o out t.torrent
    echo "$stderr" >bt.log
    assert_success
    cmp src/data.bin out/data.bin
    grep -q "^     added 127.0.0.1:$ap flags" bt.log
    grep -Eq "peers learned by peer exchange \(BEP 11\): [1-9]" bt.log
    grep -q "^bt-download: 127.0.0.1:$ap: connected (aria2" bt.log
    wait_for_exit "$PID_aria" 60
    cmp src/data.bin adl/data.bin
}
