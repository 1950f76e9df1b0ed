#!/usr/bin/env bats
# Peer exchange (BEP 11, ut_pex over the BEP 10 extension protocol): peers that
# bt-download learns from a connected peer and dials (IPv4 and IPv6), bounded
# and never for a private torrent; what bt-download and bt-seed tell their
# peers; the same against libtorrent.  Stage 9's pex.c is graded here.
#
# tests/pex-peer.py is the scripted counterpart: a peer with no pieces that
# tells whoever connects of other peers, honestly, as a flood, or malformed.

bats_require_minimum_version 1.5.0

load helper

setup() {
    cd "$BATS_TEST_TMPDIR"
    mkdir -p src
    head -c 1048576 /dev/urandom >src/data.bin
    bt-create -q -d -l 32K -o t.torrent src/data.bin
}

teardown() {
    stop_all
}

# seed NAME TORRENT [ARGS]: a bt-seed of src/data.bin on a free port; sets $SEED_ADDR.
seed() {
    local name=$1 torrent=$2
    shift 2
    seed_bg "$name" "$torrent" src/data.bin --no-dht --no-announce "$@"
}

# pex_peer MODE TORRENT [ADDR...]: tests/pex-peer.py on a free port; sets $PEX_ADDR.
pex_peer() {
    local mode=$1 torrent=$2 port
    shift 2
    port=$(free_port)
    start_bg pex-peer timeout 120 "$BT_PYTHON" "$BT_SRCDIR/tests/pex-peer.py" "$mode" "$port" \
        "$torrent" "$@"
    wait_port "$port" 10 "$PID_pex_peer"
    PEX_ADDR="127.0.0.1:$port"
}

# The sum of the "N new peers" of bt-download's pex log lines in FILE.
new_peers() {
    sed -n 's/.*: pex: .* dropped: \([0-9]*\) new peers.*/\1/p' "$1" | awk '{s += $1} END {print s + 0}'
}

@test "a peer's PEX brings the only seeder: the download completes from it" {
    seed seeder t.torrent
    pex_peer tell t.torrent "$SEED_ADDR"
    # A bt-download that cannot read the message redials its one peer until
    # stopped: the last lines of what it said tell why.
    run --separate-stderr timeout 30 bt-download -v --no-dht --no-announce -l 127.0.0.1:0 \
        -p "$PEX_ADDR" -o out t.torrent
    [ "$status" -eq 0 ] || fail "exit $status: $(tail -n 8 <<<"$stderr")"
    assert_output out/data.bin
    cmp src/data.bin out/data.bin
    [[ $stderr == *"$PEX_ADDR: pex: 1 added, 0 dropped: 1 new peers, 0 ignored"* ]]
    [[ $stderr == *"$SEED_ADDR: connected (btkit"* ]]
    [[ $stderr == *"peers learned by peer exchange (BEP 11): 1"* ]]
    run -0 cat pex-peer.log
    assert_line "offers ut_pex 1"
}

@test "bt-download finds a second seeder that only its first peer, a bt-download --seed, knows" {
    seed b t.torrent
    mkdir a && cp src/data.bin a/
    local pa
    pa=$(free_port)
    start_bg a timeout 120 bt-download --seed -v --no-dht --no-announce -l "127.0.0.1:$pa" \
        -p "$SEED_ADDR" -o a t.torrent
    wait_log a.log "$SEED_ADDR: connected"
    # C seeds once complete, so that it goes on to dial B however fast the
    # download from A alone was.
    start_bg c timeout 120 bt-download --seed --trace -v --no-dht --no-announce -l 127.0.0.1:0 \
        -p "127.0.0.1:$pa" -o c t.torrent
    wait_log c.log "^bt-download: $SEED_ADDR: connected"
    wait_log c.log "complete: every piece verified"
    cmp src/data.bin c/data.bin
    run -0 cat c.log
    assert_line --partial "127.0.0.1:$pa: pex: 1 added, 0 dropped: 1 new peers"
    # --trace shows the message and its peer: B is a seed that A dialled.
    assert_line --regexp '^<- extended ext_id=1 \(ut_pex\) added=1 dropped=0 \([0-9]+ bytes\)$'
    assert_line "     added $SEED_ADDR flags 0x12 seed reachable"
    run -0 cat a.log
    assert_line --regexp "^bt-download: 127\.0\.0\.1:[0-9]+: pex: told it of 1 peers added, 0 dropped$"
}

@test "bt-seed tells its peers of the peer it dialled" {
    local b
    seed b t.torrent
    b=$SEED_ADDR
    seed a t.torrent -c "$b"
    wait_log b.log "connected \(btkit"
    start_bg c timeout 120 bt-download --seed -v --no-dht --no-announce -l 127.0.0.1:0 \
        -p "$SEED_ADDR" -o c t.torrent
    wait_log c.log "^bt-download: $b: connected"
    run -0 cat c.log
    assert_line --partial "$SEED_ADDR: pex: 1 added, 0 dropped: 1 new peers"
}

@test "PEX's IPv6 list brings a seeder on ::1; its dropped peers, IPv4 and IPv6, are counted" {
    "$BT_PYTHON" -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' \
        2>/dev/null || skip "no IPv6 loopback here"
    local port
    port=$(free_port)
    start_bg seeder6 timeout 120 bt-seed --no-dht --no-announce -l "[::1]:$port" t.torrent \
        src/data.bin
    wait_log seeder6.log "^\[::1\]:$port\$" 10
    # added6: the seeder; dropped and dropped6: one peer each, never dialled.
    pex_peer tell t.torrent "[::1]:$port" -127.0.0.9:9 "-[::1]:9"
    run --separate-stderr timeout 30 bt-download -v --no-dht --no-announce -l 127.0.0.1:0 \
        -p "$PEX_ADDR" -o out t.torrent
    [ "$status" -eq 0 ] || fail "exit $status: $(tail -n 8 <<<"$stderr")"
    cmp src/data.bin out/data.bin
    [[ $stderr == *"$PEX_ADDR: pex: 1 added, 2 dropped: 1 new peers, 0 ignored"* ]] || fail "$stderr"
    [[ $stderr == *"[::1]:$port: connected (btkit"* ]] || fail "$stderr"
}

@test "hostile: a PEX flood of 10,000 addresses gives at most 50 new peers a minute" {
    pex_peer flood t.torrent
    run --separate-stderr timeout --preserve-status -s INT 8 bt-download -v --no-dht --no-announce \
        -l 127.0.0.1:0 --give-up 60 -p "$PEX_ADDR" -o out t.torrent
    assert_failure 1
    [[ $stderr == *"interrupted: 0 of 32 pieces verified"* ]]
    run -0 cat pex-peer.log
    assert_line "sent 10000 added in 200 messages"
    echo "$stderr" >dl.log
    [ "$(new_peers dl.log)" -le 50 ]
    [ "$(new_peers dl.log)" -ge 1 ]
    grep -q "the rest over its budget" dl.log
    # The peer stayed: a flood within the size limit is ignored, not punished.
    ! grep -q "^bt-download: $PEX_ADDR: disconnected" dl.log
    # 199 of the 200 messages came after the first had used up the budget.
    [ "$(grep -c ': pex: 50 added, 0 dropped: 0 new peers.*the rest over its budget$' dl.log)" -ge 199 ]
}

@test "hostile: a ut_pex message over the size limit drops the peer" {
    pex_peer oversized t.torrent
    run --separate-stderr timeout --preserve-status -s INT 5 bt-download -v --no-dht --no-announce \
        -l 127.0.0.1:0 -p "$PEX_ADDR" -o out t.torrent
    assert_failure 1
    [[ $stderr =~ "$PEX_ADDR: disconnected: "[a-z\ ]+": ut_pex message of "[0-9]+" bytes (the limit is 8192)" ]]
    ! [[ $stderr == *": pex: "* ]]
}

@test "hostile: a ut_pex message whose added list is no whole number of peers drops the peer" {
    pex_peer malformed t.torrent
    run --separate-stderr timeout --preserve-status -s INT 4 bt-download -v --no-dht --no-announce \
        -l 127.0.0.1:0 -p "$PEX_ADDR" -o out t.torrent
    assert_failure 1
    # d5:added7:<7 bytes>e
    [[ $stderr == *"$PEX_ADDR: disconnected: invalid peer message: malformed ut_pex message (18 bytes)"* ]] ||
        fail "$stderr"
    ! [[ $stderr == *": pex: "* ]]
}

@test "hostile: PEX naming our own address, port 0 or 0.0.0.0 is never dialled" {
    local port
    port=$(free_port)
    pex_peer tell t.torrent "127.0.0.1:$port" "0.0.0.0:6881" "127.0.0.1:0"
    run --separate-stderr timeout --preserve-status -s INT 4 bt-download -v --no-dht --no-announce \
        -l "127.0.0.1:$port" -p "$PEX_ADDR" -o out t.torrent
    assert_failure 1
    [[ $stderr == *"$PEX_ADDR: pex: 3 added, 0 dropped: 0 new peers, 3 ignored (ours or unusable)"* ]]
    ! [[ $stderr == *"that is us"* ]]
    ! [[ $stderr == *"bt-download: 127.0.0.1:$port:"* ]]
    ! [[ $stderr == *"0.0.0.0"* ]]
}

# pex_ignored TORRENT [OPTIONS...]: a peer that offers PEX and tells of the
# only seeder; bt-download (with OPTIONS) must offer no ut_pex, ignore the
# peer's PEX, and so never reach the seeder.
pex_ignored() {
    local torrent=$1
    shift
    seed seeder "$torrent"
    pex_peer tell "$torrent" "$SEED_ADDR"
    run --separate-stderr timeout --preserve-status -s INT 4 bt-download "$@" -v --no-dht \
        --no-announce -l 127.0.0.1:0 -p "$PEX_ADDR" -o out "$torrent"
    assert_failure 1
    [[ $stderr == *"$PEX_ADDR: connected"* ]]
    ! [[ $stderr == *"pex:"* ]]
    ! [[ $stderr == *"$SEED_ADDR"* ]]
    run -0 cat pex-peer.log
    assert_line "offers ut_pex 0"
    assert_line "sent 1 added"
}

@test "a private torrent: no ut_pex offered, and a peer's PEX is ignored" {
    bt-create -q -d -p -l 32K -o p.torrent src/data.bin
    pex_ignored p.torrent
}

@test "--no-pex: no ut_pex offered, and a peer's PEX is ignored, as for a private torrent" {
    pex_ignored t.torrent --no-pex
    # bt-seed --no-pex offers none either.
    seed quiet t.torrent --no-pex
    run -0 --separate-stderr timeout 30 bt-handshake --trace t.torrent "$SEED_ADDR"
    [[ $stderr == *"ut_metadata"* ]]
    ! [[ $stderr == *"ut_pex"* ]]
}

# lt NAME MODE TORRENT DIR [OPTIONS]: tests/lt-client.py on a free port; sets $LT_PORT.
lt() {
    local name=$1 mode=$2 torrent=$3 dir=$4
    shift 4
    LT_PORT=$(free_port)
    start_bg "$name" timeout 120 "$BT_PYTHON" "$BT_SRCDIR/tests/lt-client.py" "$mode" \
        "$torrent" "$dir" "$LT_PORT" "$@"
    wait_port "$LT_PORT" 20
}

@test "libtorrent learns a seeder from bt-download's PEX and downloads from it" {
    require_libtorrent
    seed b t.torrent
    mkdir a lt && cp src/data.bin a/
    local pa
    pa=$(free_port)
    start_bg a timeout 120 bt-download --seed -v --no-dht --no-announce -l "127.0.0.1:$pa" \
        -p "$SEED_ADDR" -o a t.torrent
    wait_log a.log "$SEED_ADDR: connected"
    # A capped download keeps libtorrent a leecher long enough to use what it hears.
    lt lt leech t.torrent lt --download-limit 200000 --connect "$pa"
    wait_log b.log "connected \(libtorrent" 30
    run -0 cat a.log
    assert_line --regexp "^bt-download: 127\.0\.0\.1:[0-9]+: pex: told it of 1 peers added, 0 dropped$"
    wait_log lt.log "^complete$" 60
    cmp src/data.bin lt/data.bin
}

@test "bt-download learns a peer from libtorrent's PEX" {
    require_libtorrent
    mkdir lt && cp src/data.bin lt/
    # A capped seeder: both leechers are still downloading when its PEX comes.
    lt lt seed t.torrent lt --upload-limit 100000
    start_bg b timeout 120 bt-download --seed -v --no-dht --no-announce -l 127.0.0.1:0 \
        -p "127.0.0.1:$LT_PORT" -o b t.torrent
    wait_log b.log "127.0.0.1:$LT_PORT: connected"
    start_bg c timeout 120 bt-download --seed -v --no-dht --no-announce -l 127.0.0.1:0 \
        -p "127.0.0.1:$LT_PORT" -o c t.torrent
    # Given only libtorrent, B and C can meet only through its PEX (whichever
    # hears first dials the other).
    wait_log c.log "connected \(btkit" 30
    cat b.log c.log >both.log
    run -0 grep -E "^bt-download: 127\.0\.0\.1:$LT_PORT: pex: [0-9]+ added, 0 dropped: 1 new peers" both.log
    wait_log c.log "complete: every piece verified" 60
    cmp src/data.bin c/data.bin
}
