#!/usr/bin/env bats
# 04-handshake.bats - bt-handshake: usage, the handshake against bt-seed and real
# clients, and every way a handshake can fail.
bats_require_minimum_version 1.5.0

load helper
load wire

teardown() {
    stop_all
}

@test "no arguments is a usage error" {
    run -2 --separate-stderr bt-handshake
    assert_output ""
    [[ "$stderr" == *"usage: bt-handshake"* ]]
}

@test "--help names the tutorial" {
    run -0 bt-handshake --help
    assert_output --partial "tutorials/04-handshake.md"
}

@test "a peer that is not ip:port is a usage error" {
    run -2 --separate-stderr bt-handshake "$SAMPLES/single.torrent" localhost:6881
    assert_output ""
    [ "$stderr" = "bt-handshake: localhost:6881: invalid network address" ]
}

@test "prints bt-seed's peer id as 40 hex digits" {
    start_seed seed "$SAMPLES/single.torrent"
    run -0 --separate-stderr bt-handshake "$SAMPLES/single.torrent" "$SEED"
    # "-BK0100-" is btkit's Azureus-style prefix.
    assert_output --regexp '^2d424b303130302d[0-9a-f]{24}$'
}

@test "-v decodes the client, reserved bits and extension handshake" {
    start_seed seed "$SAMPLES/multi.torrent"
    run -0 --separate-stderr bt-handshake -v "$SAMPLES/multi.torrent" "$SEED"
    assert_line --index 1 "peer: $SEED"
    assert_line --index 2 "client: btkit 0.1.0"
    # bt-seed speaks the fast extension (BEP 6, 0x04 in the last byte) and runs
    # a DHT node unless --no-dht: the last bit says so (BEP 5).
    assert_line --index 3 "reserved: 0000000000100005 (extension protocol, fast, DHT)"
    assert_line "extension reqq: 1024"
    assert_line "extension p: ${SEED##*:}"
}

@test "-v: a seed started with --no-dht does not set the DHT bit" {
    start_seed seed "$SAMPLES/multi.torrent" --no-dht
    run -0 --separate-stderr bt-handshake -v "$SAMPLES/multi.torrent" "$SEED"
    assert_line --index 3 "reserved: 0000000000100004 (extension protocol, fast)"
}

@test "--trace shows both handshakes field by field" {
    start_seed seed "$SAMPLES/single.torrent"
    run -0 --separate-stderr bt-handshake --trace "$SAMPLES/single.torrent" "$SEED"
    [[ "$stderr" == *"-> handshake (68 bytes)"* ]]
    [[ "$stderr" == *"<- handshake (68 bytes)"* ]]
    [[ "$stderr" == *'42 69 74 54 6f 72 72 65 6e 74 20 70 72 6f 74 6f   pstr "BitTorrent protocol"'* ]]
    [[ "$stderr" == *"reserved: extension protocol (BEP 10)"* ]]
    [[ "$stderr" == *"<- extended ext_id=0 (extension handshake)"* ]]
}

@test "a peer serving another torrent fails with a clear message" {
    start_seed seed "$SAMPLES/multi.torrent"
    run -1 --separate-stderr bt-handshake "$SAMPLES/single.torrent" "$SEED"
    assert_output ""
    [[ "$stderr" == "bt-handshake: $SEED: connection closed by peer: peer closed the connection before its handshake (does it serve this torrent?)" ]]
}

@test "a peer answering with another info hash fails" {
    local port hash
    port=$(free_port)
    hash=$(bt-infohash "$SAMPLES/single.torrent")
    start_bg hostile "$BT_PYTHON" "$BT_SRCDIR/tests/hostile-peer.py" wrong-hash "$port" "$hash" 5
    wait_port "$port"
    run -1 --separate-stderr bt-handshake "$SAMPLES/single.torrent" "127.0.0.1:$port"
    assert_output ""
    [[ "$stderr" == *"peer answered with a different info hash: wanted info hash $hash, got "* ]]
}

@test "garbage instead of a handshake fails at once" {
    local port
    port=$(free_port)
    start_bg hostile "$BT_PYTHON" "$BT_SRCDIR/tests/hostile-peer.py" garbage "$port" 00 1
    wait_port "$port"
    sleep 1.2 # the probe of wait_port got its garbage first
    run -1 --separate-stderr bt-handshake --trace "$SAMPLES/single.torrent" "127.0.0.1:$port"
    assert_output ""
    [[ "$stderr" == *"<- not a handshake"* ]]
    [[ "$stderr" == *"invalid handshake: first byte 72 is not 19"* ]]
}

@test "a closed port fails with connection refused" {
    local port
    port=$(free_port)
    run -1 --separate-stderr bt-handshake "$SAMPLES/single.torrent" "127.0.0.1:$port"
    assert_output ""
    [ "$stderr" = "bt-handshake: 127.0.0.1:$port: connection failed: connect: Connection refused" ]
}

@test "a peer that never answers times out" {
    local port
    port=$(free_port)
    # Accepts and then says nothing.
    start_bg silent "$BT_PYTHON" -c "import socket,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $port)); s.listen(4); c=[]
while True: c.append(s.accept())"
    wait_port "$port"
    run -1 --separate-stderr timeout 10 bt-handshake -t 1 "$SAMPLES/single.torrent" "127.0.0.1:$port"
    assert_output ""
    # By default the first bytes are MSE's key exchange (tutorial 09) ...
    [ "$stderr" = "bt-handshake: 127.0.0.1:$port: timed out: encrypted handshake (MSE) not finished after 1000 ms" ]
    # ... and with --encryption off, BEP 3's handshake.
    run -1 --separate-stderr timeout 10 bt-handshake --encryption off -t 1 "$SAMPLES/single.torrent" \
        "127.0.0.1:$port"
    [ "$stderr" = "bt-handshake: 127.0.0.1:$port: timed out: no handshake after 1000 ms" ]
}

@test "- reads peers from stdin and stops at the first that answers" {
    local dead
    start_seed seed "$SAMPLES/single.torrent"
    dead=$(free_port)
    run -0 --separate-stderr bt-handshake "$SAMPLES/single.torrent" - \
        < <(printf 'not-a-peer\n127.0.0.1:%s\n%s\n' "$dead" "$SEED")
    assert_output --regexp '^2d424b[0-9a-f]{34}$'
    [[ "$stderr" == *"not-a-peer: invalid network address"* ]]
    [[ "$stderr" == *"127.0.0.1:$dead: connection failed"* ]]
}

@test "- with no peer answering exits 1" {
    run -1 --separate-stderr bt-handshake "$SAMPLES/single.torrent" - < /dev/null
    assert_output ""
    [ "$stderr" = "bt-handshake: no peer answered" ]
}

@test "shakes hands with python3-libtorrent" {
    start_lt_seed "$SAMPLES/multi.torrent"
    run -0 --separate-stderr bt-handshake -v "$SAMPLES/multi.torrent" "$LT"
    assert_line --index 0 --regexp '^2d4c54[0-9a-f]{34}$'
    assert_line --regexp '^client: libtorrent '
    assert_line "extension m: ut_metadata 2"
}

@test "shakes hands with transmission" {
    start_tr_seed "$SAMPLES/multi.torrent"
    run -0 --separate-stderr bt-handshake -v "$SAMPLES/multi.torrent" "$TR"
    assert_line --index 0 --regexp '^2d5452[0-9a-f]{34}$'
    assert_line --regexp '^client: Transmission '
}

@test "shakes hands with aria2c" {
    start_aria2_seed "$SAMPLES/multi.torrent"
    run -0 --separate-stderr bt-handshake -v "$SAMPLES/multi.torrent" "$A2"
    # aria2's id starts "A2-": 41 32 2d.
    assert_line --index 0 --regexp '^41322d[0-9a-f]{34}$'
    assert_line --regexp '^client: aria2 '
}
