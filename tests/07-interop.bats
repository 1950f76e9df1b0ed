#!/usr/bin/env bats
# 07-interop.bats - metadata exchange (BEP 9) with real clients on loopback.
# bt-infohash fetches a magnet link's metadata from transmission, libtorrent
# and aria2c seeders; then each of them fetches it from bt-seed.  Every copy of
# the info dict is compared byte for byte with the original's.
#
# Loopback quirks (see /work/shared/INTEROP.md): transmission ignores 127.x
# peers from a tracker and aria2c ignores a magnet link's x.pe, so bt-seed
# dials both (-c); libtorrent is told to dial bt-seed.
bats_require_minimum_version 1.5.0

load helper
load wire

MDPEER="$BT_SRCDIR/tests/metadata-peer.py"

setup() {
    T="$SAMPLES/multi.torrent"
    cd "$BATS_TEST_TMPDIR"
    HASH=$(bt-infohash "$T")
    MAGNET="magnet:?xt=urn:btih:$HASH"
    "$BT_PYTHON" "$MDPEER" info "$T" >orig.info
}

teardown() {
    stop_all
}

# fetched_from PEER: bt-infohash gets the metadata from PEER alone; the saved
# torrent's info dict is the original's, byte for byte.
fetched_from() {
    run -0 --separate-stderr timeout 60 bt-infohash --save got.torrent --peer "$1" "$MAGNET"
    [ "$output" = "$HASH" ]
    [[ "$stderr" == *"metadata: 283 bytes from $1"* ]]
    "$BT_PYTHON" "$MDPEER" info got.torrent >got.info
    cmp got.info orig.info
}

@test "fetches the metadata from a transmission seeder" {
    start_tr_seed "$T"
    fetched_from "$TR"
}

@test "fetches the metadata from a libtorrent seeder" {
    start_lt_seed "$T"
    fetched_from "$LT"
}

@test "fetches the metadata from an aria2c seeder" {
    start_aria2_seed "$T"
    fetched_from "$A2"
}

# serve_to PORT: a bt-seed that dials 127.0.0.1:PORT.
serve_to() {
    start_bg seed timeout 120 bt-seed -l 127.0.0.1:0 --no-announce -c "127.0.0.1:$1" \
        "$T" "$SAMPLES/data"
}

@test "libtorrent fetches the metadata from bt-seed" {
    require_libtorrent
    start_seed s1 "$T" --no-announce
    run -0 --separate-stderr timeout 60 "$BT_PYTHON" "$BT_SRCDIR/tests/lt-client.py" metadata "$MAGNET" \
        "${SEED##*:}" lt.info 50
    cmp lt.info orig.info
}

@test "aria2c fetches the metadata from bt-seed" {
    require_cmd aria2c
    local port
    port=$(free_port)
    mkdir -p a2
    start_bg aria2 timeout 60 aria2c --enable-dht=false --enable-dht6=false \
        --bt-enable-lpd=false --enable-peer-exchange=false --bt-metadata-only=true \
        --bt-save-metadata=true --listen-port="$port" -d a2 --console-log-level=warn \
        --summary-interval=0 "$MAGNET"
    wait_port "$port" 20
    serve_to "$port"
    for _ in $(seq 300); do
        [ -s "a2/$HASH.torrent" ] && break
        sleep 0.1
    done
    "$BT_PYTHON" "$MDPEER" info "a2/$HASH.torrent" >a2.info
    cmp a2.info orig.info
}

@test "transmission fetches the metadata from bt-seed" {
    require_cmd transmission-cli
    local port
    port=$(free_port)
    mkdir -p trc trw
    cat >trc/settings.json <<'EOF'
{
    "dht-enabled": false, "lpd-enabled": false, "utp-enabled": false,
    "pex-enabled": false, "port-forwarding-enabled": false,
    "bind-address-ipv4": "127.0.0.1", "encryption": 0
}
EOF
    start_bg tr timeout 60 transmission-cli -g trc -w trw -p "$port" "$MAGNET"
    wait_port "$port" 20
    # Its listening socket opens before the torrent is added; a dial before
    # that is dropped.  The stub file says the torrent is there.
    for _ in $(seq 100); do
        [ -e "trc/torrents/$HASH.torrent" ] && break
        sleep 0.1
    done
    sleep 1
    serve_to "$port"
    # transmission keeps the torrent in its config directory: a magnet stub
    # first, then the whole file once the metadata is in.
    for _ in $(seq 300); do
        grep -aq '4:info' "trc/torrents/$HASH.torrent" 2>/dev/null && break
        sleep 0.1
    done
    "$BT_PYTHON" "$MDPEER" info "trc/torrents/$HASH.torrent" >tr.info
    cmp tr.info orig.info
}
