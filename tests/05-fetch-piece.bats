#!/usr/bin/env bats
# 05-fetch-piece.bats - bt-fetch-piece: usage, exact piece bytes from bt-seed and
# from real clients, and a hostile peer dropped for each of its tricks.
bats_require_minimum_version 1.5.0

load helper
load wire

teardown() {
    stop_all
}

# start_hostile MODE TORRENT: the hostile test peer; sets HOSTILE.
start_hostile() {
    local port hash pieces
    port=$(free_port)
    hash=$(bt-infohash "$2")
    pieces=$(wc -l < "$BT_SRCDIR/tests/golden/02-$(basename "$2" .torrent).pieces.out")
    start_bg "hostile-$1" "$BT_PYTHON" "$BT_SRCDIR/tests/hostile-peer.py" "$1" "$port" "$hash" "$pieces"
    wait_port "$port"
    HOSTILE="127.0.0.1:$port"
}

@test "no arguments is a usage error" {
    run -2 --separate-stderr bt-fetch-piece
    assert_output ""
    [[ "$stderr" == *"usage: bt-fetch-piece"* ]]
}

@test "--help names the tutorial" {
    run -0 bt-fetch-piece --help
    assert_output --partial "tutorials/05-messages.md"
}

@test "an index that is not a number is a usage error" {
    run -2 --separate-stderr bt-fetch-piece -p 127.0.0.1:1 "$SAMPLES/single.torrent" x1
    assert_output ""
    [ "$stderr" = "bt-fetch-piece: invalid piece index 'x1'" ]
}

# with_tracker URL: single.torrent announcing to URL instead (same info hash:
# stage 1's tools keep the info dict's bytes).
with_tracker() {
    bt-decode "$SAMPLES/single.torrent" |
        jq --arg u "$1" '.announce = $u | del(.["announce-list"])' |
        bt-encode >"$BATS_TEST_TMPDIR/t.torrent"
}

@test "without -p, a tracker that does not answer means no peers: exit 1" {
    local port
    port=$(free_port)
    with_tracker "http://127.0.0.1:$port/announce"
    run -1 --separate-stderr bt-fetch-piece -t 2 "$BATS_TEST_TMPDIR/t.torrent" 0
    assert_output ""
    [[ "$stderr" == *"tracker http://127.0.0.1:$port/announce: "* ]]
    [[ "$stderr" == *"piece 0: no usable peers"* ]]
}

@test "without -p, it asks the torrent's tracker for peers" {
    local url i
    start_bg tracker bt-tracker -p 0
    for ((i = 0; i < 50; i++)); do
        [ -s "$BATS_TEST_TMPDIR/tracker.log" ] && break
        sleep 0.1
    done
    url=$(grep -m1 '^http' "$BATS_TEST_TMPDIR/tracker.log")
    with_tracker "$url"
    [ "$(bt-infohash "$BATS_TEST_TMPDIR/t.torrent")" = "$(bt-infohash "$SAMPLES/single.torrent")" ]
    start_seed seed "$BATS_TEST_TMPDIR/t.torrent" --tracker "$url"
    for ((i = 0; i < 50; i++)); do
        grep -q 'started left 0' "$BATS_TEST_TMPDIR/tracker.log" && break
        sleep 0.1
    done
    run -0 bash -o pipefail -c "bt-fetch-piece '$BATS_TEST_TMPDIR/t.torrent' 2 | sha1sum | cut -c1-40"
    assert_output "$(piece_sha1 single.torrent 2)"
}

@test "an index past the last piece fails" {
    run -1 --separate-stderr bt-fetch-piece -p 127.0.0.1:1 "$SAMPLES/single.torrent" 5
    assert_output ""
    [ "$stderr" = "bt-fetch-piece: $SAMPLES/single.torrent: no piece 5 (the torrent has 5)" ]
}

@test "every piece of single.torrent from bt-seed matches its hash and the file" {
    local i
    start_seed seed "$SAMPLES/single.torrent"
    for i in 0 1 2 3 4; do
        bt-fetch-piece -p "$SEED" -o "$BATS_TEST_TMPDIR/p$i" "$SAMPLES/single.torrent" "$i"
        [ "$(sha1sum < "$BATS_TEST_TMPDIR/p$i" | cut -c1-40)" = "$(piece_sha1 single.torrent "$i")" ]
    done
    # The last piece is shorter: 70000 - 4 * 16384 bytes.
    [ "$(stat -c %s "$BATS_TEST_TMPDIR/p4")" = 4464 ]
    cat "$BATS_TEST_TMPDIR"/p[0-4] | cmp - "$SAMPLES/data/single.bin"
}

@test "-o onto a FIFO writes into it, and leaves it a FIFO (as -o /dev/null must)" {
    start_seed seed "$SAMPLES/single.torrent"
    mkfifo "$BATS_TEST_TMPDIR/fifo"
    start_bg reader sh -c "cat '$BATS_TEST_TMPDIR/fifo' > '$BATS_TEST_TMPDIR/got'"
    run --separate-stderr bt-fetch-piece -p "$SEED" -o "$BATS_TEST_TMPDIR/fifo" \
        "$SAMPLES/single.torrent" 1
    [ "$status" -eq 0 ] || fail "exit $status: $stderr"
    [ -p "$BATS_TEST_TMPDIR/fifo" ]
    wait_for_exit "$PID_reader" 10
    [ "$(sha1sum < "$BATS_TEST_TMPDIR/got" | cut -c1-40)" = "$(piece_sha1 single.torrent 1)" ]
}

@test "a piece that spans files of multi.torrent comes out whole on stdout" {
    start_seed seed "$SAMPLES/multi.torrent"
    run -0 --separate-stderr bash -c "bt-fetch-piece -p '$SEED' '$SAMPLES/multi.torrent' 1 | sha1sum"
    assert_output "$(piece_sha1 multi.torrent 1)  -"
}

@test "a 256 KiB piece of large.torrent takes 16 pipelined requests" {
    start_seed seed "$SAMPLES/large.torrent"
    run -0 --separate-stderr bt-fetch-piece --trace -p "$SEED" -o "$BATS_TEST_TMPDIR/p" \
        "$SAMPLES/large.torrent" 0
    [ "$(sha1sum < "$BATS_TEST_TMPDIR/p" | cut -c1-40)" = "$(piece_sha1 large.torrent 0)" ]
    # All 16 requests go out before the first block comes back.
    [ "$(grep -c '^-> request' <<<"$stderr")" = 16 ]
    [[ "$(grep -E '^(-> request|<- piece)' <<<"$stderr" | head -n 17 | tail -n 1)" == "<- piece"* ]]
}

@test "--trace shows interested, unchoke, request and piece with their fields" {
    start_seed seed "$SAMPLES/single.torrent"
    run -0 --separate-stderr bt-fetch-piece --trace -p "$SEED" -o /dev/null "$SAMPLES/single.torrent" 4
    [[ "$stderr" == *"<- bitfield (6 bytes)"* ]]
    [[ "$stderr" == *"-> interested (5 bytes)"* ]]
    [[ "$stderr" == *"<- unchoke (5 bytes)"* ]]
    [[ "$stderr" == *"-> request index=4 begin=0 length=4464 (17 bytes)"* ]]
    [[ "$stderr" == *"00 00 11 70                                       length 4464"* ]]
    [[ "$stderr" == *"<- piece index=4 begin=0 length=4464 (4477 bytes)"* ]]
}

@test "-p - reads peers from a pipe" {
    start_seed seed "$SAMPLES/single.torrent"
    run -0 --separate-stderr bash -c "echo '$SEED' | bt-fetch-piece -p - '$SAMPLES/single.torrent' 2 | sha1sum"
    assert_output "$(piece_sha1 single.torrent 2)  -"
}

@test "no working peer: exit 1, empty stdout, no output file" {
    local port
    port=$(free_port)
    run -1 --separate-stderr bt-fetch-piece -p "127.0.0.1:$port" -o "$BATS_TEST_TMPDIR/out" \
        "$SAMPLES/single.torrent" 0
    assert_output ""
    [ "${stderr_lines[1]}" = "bt-fetch-piece: piece 0: no usable peers" ]
    assert_file_not_exists "$BATS_TEST_TMPDIR/out"
}

# hostile MODE MESSAGE: the hostile peer first, bt-seed second; the fetch must
# drop the first with MESSAGE and succeed from the second.
hostile() {
    start_hostile "$1" "$SAMPLES/single.torrent"
    start_seed seed "$SAMPLES/single.torrent"
    run -0 --separate-stderr timeout 30 bt-fetch-piece -t 2 -p "$HOSTILE" -p "$SEED" \
        -o "$BATS_TEST_TMPDIR/p" "$SAMPLES/single.torrent" 0
    [ "$(sha1sum < "$BATS_TEST_TMPDIR/p" | cut -c1-40)" = "$(piece_sha1 single.torrent 0)" ]
    [ "$stderr" = "bt-fetch-piece: $HOSTILE: dropped: $2" ]
}

@test "hostile: a length prefix of 2^31 is refused unread" {
    hostile huge-length "peer message length out of range: length prefix 2147483648 exceeds the largest message (17410 bytes)"
}

@test "hostile: a bitfield of the wrong length" {
    hostile bitfield-size "peer message length out of range: bitfield has the wrong length for the torrent"
}

@test "hostile: a bitfield with spare bits set" {
    hostile bitfield-spare "invalid peer message: bitfield sets spare bits past the last piece"
}

@test "hostile: a have for a piece past the end" {
    hostile have-range "invalid peer message: have names a piece beyond the torrent"
}

@test "hostile: blocks with the wrong bytes fail the hash" {
    hostile bad-hash "piece failed its hash check: piece 0 failed its SHA-1 check: the peer sent wrong data"
}

@test "hostile: a block nobody requested" {
    hostile unrequested "peer sent a block we did not request: unrequested block: piece 1 begin 1 length 16384"
}

@test "hostile: garbage instead of a handshake" {
    start_hostile garbage "$SAMPLES/single.torrent"
    start_seed seed "$SAMPLES/single.torrent"
    sleep 1.2 # the garbage peer spends a second on wait_port's probe first
    run -0 --separate-stderr bt-fetch-piece -t 2 -p "$HOSTILE" -p "$SEED" -o /dev/null \
        "$SAMPLES/single.torrent" 0
    [ "$stderr" = "bt-fetch-piece: $HOSTILE: dropped: invalid handshake: first byte 72 is not 19, or the protocol string is wrong" ]
}

@test "hostile: a peer that stops mid-piece" {
    start_hostile stall "$SAMPLES/large.torrent"
    start_seed seed "$SAMPLES/large.torrent"
    run -0 --separate-stderr timeout 30 bt-fetch-piece -t 2 -p "$HOSTILE" -p "$SEED" -o /dev/null \
        "$SAMPLES/large.torrent" 0
    [ "$stderr" = "bt-fetch-piece: $HOSTILE: dropped: peer went silent: no block for 2000 ms with 15 requests in flight" ]
}

@test "hostile: a peer that chokes mid-piece" {
    start_hostile choke "$SAMPLES/large.torrent"
    start_seed seed "$SAMPLES/large.torrent"
    run -0 --separate-stderr timeout 30 bt-fetch-piece -t 2 -p "$HOSTILE" -p "$SEED" -o /dev/null \
        "$SAMPLES/large.torrent" 0
    [ "$stderr" = "bt-fetch-piece: $HOSTILE: dropped: peer keeps us choked: peer choked us with 1 of 16 blocks in" ]
}

@test "fetches a piece from python3-libtorrent" {
    start_lt_seed "$SAMPLES/multi.torrent"
    run -0 --separate-stderr bash -c "bt-fetch-piece -p '$LT' '$SAMPLES/multi.torrent' 2 | sha1sum"
    assert_output "$(piece_sha1 multi.torrent 2)  -"
}

@test "fetches a piece from transmission" {
    start_tr_seed "$SAMPLES/multi.torrent"
    # transmission refuses a connection while an earlier one from 127.0.0.1 is
    # still being torn down: the same peer three times is three tries.
    run -0 --separate-stderr bash -c \
        "bt-fetch-piece -p '$TR' -p '$TR' -p '$TR' '$SAMPLES/multi.torrent' 3 | sha1sum"
    assert_output "$(piece_sha1 multi.torrent 3)  -"
}

@test "fetches a piece from aria2c" {
    start_aria2_seed "$SAMPLES/multi.torrent"
    run -0 --separate-stderr bash -c "bt-fetch-piece -p '$A2' '$SAMPLES/multi.torrent' 0 | sha1sum"
    assert_output "$(piece_sha1 multi.torrent 0)  -"
}
