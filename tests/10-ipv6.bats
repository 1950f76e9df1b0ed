#!/usr/bin/env bats
# IPv6 peers on ::1 for every tool that talks to peers or trackers: a tracker
# that hands out compact peers6 (BEP 7), the handshake, one piece, a whole
# download, and libtorrent on ::1 both ways.

bats_require_minimum_version 1.5.0

load helper

S="$BT_SRCDIR/samples"

setup() {
    cd "$BATS_TEST_TMPDIR"
    # A machine with IPv6 off has no ::1 to test on.
    "$BT_PYTHON" -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' \
        2>/dev/null || skip "no IPv6 loopback here"
}

teardown() {
    stop_all
}

# seed6 NAME TORRENT DATA [ARGS]: bt-seed on [::1] (ARGS: --no-announce, or a
# tracker); sets $SEED6 ([::1]:PORT).
seed6() {
    local name=$1 torrent=$2 data=$3 port
    shift 3
    port=$(free_port)
    start_bg "$name" bt-seed -q --no-dht -l "[::1]:$port" "$@" "$torrent" "$data"
    for _ in $(seq 100); do
        grep -q "\[::1\]:$port" "$BATS_TEST_TMPDIR/$name.log" 2>/dev/null && break
        sleep 0.1
    done
    SEED6="[::1]:$port"
}

@test "bt-tracker on ::1 answers with peers6; bt-announce prints the IPv6 peer" {
    local port hash
    port=$(free_port)
    start_bg tracker bt-tracker -q -b ::1 -p "$port"
    sleep 0.5
    hash=$(bt-infohash "$S/single.torrent")
    run -0 bt-announce -i "$hash" -t "http://[::1]:$port/announce" --port 51413 --left 0
    run -0 --separate-stderr bt-announce -i "$hash" -t "http://[::1]:$port/announce" --port 51414
    assert_output "[::1]:51413"
    run -0 --separate-stderr bt-announce -i "$hash" -t "udp://[::1]:$port" --port 51415
    assert_line "[::1]:51413"
}

@test "bt-handshake and bt-fetch-piece reach a bt-seed on [::1]" {
    seed6 s1 "$S/multi.torrent" "$S/data" --no-announce
    run -0 bt-handshake "$S/multi.torrent" "$SEED6"
    [ "${#output}" -eq 40 ]
    # bt-fetch-piece checks the piece's SHA-1 before it writes a byte.
    run -0 bt-fetch-piece -p "$SEED6" -o piece3 "$S/multi.torrent" 3
    [ -s piece3 ]
}

@test "bt-download from a bt-seed that a tracker on ::1 names (peers6 only)" {
    local port
    port=$(free_port)
    start_bg tracker bt-tracker -q -b ::1 -p "$port"
    seed6 s1 "$S/multi.torrent" "$S/data" --tracker "http://[::1]:$port/announce"
    sleep 0.5
    run --separate-stderr timeout 60 bt-download --no-dht --no-web-seeds \
        -t "http://[::1]:$port/announce" -l "[::1]:0" -o out "$S/multi.torrent"
    [ "$status" -eq 0 ] || fail "$stderr"
    diff -r "$S/data/multi" out/multi
}

@test "libtorrent on ::1: it downloads from bt-seed, and bt-download from it" {
    require_libtorrent
    seed6 s1 "$S/multi.torrent" "$S/data" --no-announce
    run -0 timeout 60 "$BT_PYTHON" "$BT_SRCDIR/tests/lt-client.py" leech "$S/multi.torrent" lt \
        "$(free_port)" --host "[::1]" --connect6 "${SEED6##*:}"
    assert_output --partial complete
    diff -r "$S/data/multi" lt/multi
    local port
    port=$(free_port)
    start_bg lt-seed timeout 60 "$BT_PYTHON" "$BT_SRCDIR/tests/lt-client.py" seed \
        "$S/multi.torrent" "$S/data" "$port" --host "[::1]"
    sleep 1
    run --separate-stderr timeout 60 bt-download --no-dht --no-announce --no-web-seeds \
        -l "[::1]:0" -p "[::1]:$port" -o out "$S/multi.torrent"
    [ "$status" -eq 0 ] || fail "$stderr"
    diff -r "$S/data/multi" out/multi
}
