#!/usr/bin/env bats
# 10-fast.bats - the fast extension (BEP 6) in bt-seed and bt-download: the
# allowed fast set against the BEP's test vector, have all instead of a
# bitfield, reject request instead of silence, allowed fast pieces served to a
# choked peer, hostile peers that misuse the messages, and libtorrent on both
# sides.  What crossed the wire is read from --trace.
bats_require_minimum_version 1.5.0

load helper
load wire

FASTPEER="$BT_SRCDIR/tests/fast-peer.py"

setup() {
    cd "$BATS_TEST_TMPDIR"
}

teardown() {
    stop_all
}

# many_pieces: a 25-piece v1 torrent of random data, more pieces than the
# allowed fast set's 10: src/f.bin and f.torrent.
many_pieces() {
    mkdir -p src
    head -c 400000 /dev/urandom >src/f.bin
    bt-create -q -d --v1 -l 16K -o f.torrent src/f.bin
}

# seed NAME TORRENT DATA [ARGS]: bt-seed --trace on a free port; sets SEED.
seed() {
    local name=$1 torrent=$2 data=$3
    shift 3
    seed_bg "$name" "$torrent" "$data" --no-dht --no-announce --trace "$@"
    SEED=$SEED_ADDR
}

download() {
    run --separate-stderr timeout 60 bt-download --no-dht --no-announce --give-up 10 \
        -l 127.0.0.1:0 "$@"
}

# hostile MODE TORRENT: tests/hostile-peer.py in MODE for TORRENT; sets HOSTILE.
hostile() {
    local port pieces
    port=$(free_port)
    pieces=$(wc -l <"$BT_SRCDIR/tests/golden/02-$(basename "$2" .torrent).pieces.out")
    start_bg "hostile-$1" "$BT_PYTHON" "$BT_SRCDIR/tests/hostile-peer.py" "$1" "$port" \
        "$(bt-infohash "$2")" "$pieces"
    wait_port "$port"
    HOSTILE="127.0.0.1:$port"
}

# --- the allowed fast set ----------------------------------------------------

@test "the allowed fast set of BEP 6's example peer is the published one" {
    local hash
    hash=$(printf 'aa%.0s' {1..20})
    run -0 "$BT_PYTHON" "$FASTPEER" set 80.4.4.200 "$hash" 1313 7
    assert_output "1059,431,808,1217,287,376,1188"
    run -0 "$BT_PYTHON" "$FASTPEER" set 80.4.4.200 "$hash" 1313 9
    assert_output "1059,431,808,1217,287,376,1188,353,508"
    # lib/wire/fast.c against the same vector, where the unit tests are built.
    if [ -x "$BT_BUILDDIR/tests/unit/test_fast" ]; then
        run -0 "$BT_BUILDDIR/tests/unit/test_fast"
        assert_line "ok 1 - k=7 gives 1059,431,808,1217,287,376,1188 (BEP 6)"
        assert_line "ok 2 - k=9 adds 353,508 (BEP 6)"
    fi
}

@test "bt-seed gives a fast peer at 127.0.0.1 the set BEP 6's algorithm makes" {
    many_pieces
    seed seed f.torrent src
    run -0 timeout 30 "$BT_PYTHON" "$FASTPEER" choked "${SEED##*:}" "$(bt-infohash f.torrent)" 25
    assert_line --index 0 "handshake fast bit 1"
    assert_line --index 1 "have all"
    want=$("$BT_PYTHON" "$FASTPEER" set 127.0.0.1 "$(bt-infohash f.torrent)" 25 10)
    got=$(grep '^allowed fast' <<<"$output" | cut -d' ' -f3 | paste -sd,)
    [ "$got" = "$want" ] || fail "allowed fast $got, BEP 6 says $want"
    refute_line "bitfield"
}

# --- bt-seed: have all, reject, allowed fast -----------------------------------

@test "a choked request gets a reject; one for an allowed fast piece gets its block" {
    many_pieces
    seed seed f.torrent src
    run -0 timeout 30 "$BT_PYTHON" "$FASTPEER" choked "${SEED##*:}" "$(bt-infohash f.torrent)" 25
    allowed=$(grep '^allowed fast' <<<"$output" | cut -d' ' -f3 | sort -n)
    outside=$(seq 0 24 | grep -vxF "$allowed" | head -n 1)
    assert_line "reject $outside 0 16384"
    assert_line "piece $(head -n 1 <<<"$allowed") 0 16384"
    grep -q "^-> reject request index=$outside begin=0 length=16384" "$BATS_TEST_TMPDIR/seed.log"
    # The seed's log line when the peer leaves counts both answers.
    for i in $(seq 50); do
        grep -q "rejected requests" "$BATS_TEST_TMPDIR/seed.log" && break
        sleep 0.1
    done
    grep -q "disconnected after 1 blocks and 1 rejected requests" "$BATS_TEST_TMPDIR/seed.log"
}

@test "a peer without the fast bit gets a bitfield, and silence for a choked request (BEP 3)" {
    many_pieces
    seed seed f.torrent src
    run -0 timeout 30 "$BT_PYTHON" "$FASTPEER" choked "${SEED##*:}" "$(bt-infohash f.torrent)" 25 \
        NOBIT
    assert_line --index 0 "handshake fast bit 1"
    assert_line --index 1 "bitfield"
    refute_line --partial "allowed fast"
    refute_line "have all"
    assert_line "no answer"
}

@test "bt-download and bt-seed trade have all, have none and allowed fast, no bitfield" {
    seed seed "$SAMPLES/multi.torrent" "$SAMPLES/data"
    download -v --trace -o out -p "$SEED" "$SAMPLES/multi.torrent"
    [ "$status" -eq 0 ] || fail "$stderr"
    diff -r "$SAMPLES/data/multi" out/multi
    [[ "$stderr" == *"reserved: extension protocol (BEP 10), fast (BEP 6)"* ]] || fail "$stderr"
    [[ "$stderr" == *"<- have all (5 bytes)"* ]] || fail "$stderr"
    [[ "$stderr" == *"-> have none (5 bytes)"* ]] || fail "$stderr"
    [[ "$stderr" == *"<- allowed fast index="* ]] || fail "$stderr"
    [[ "$stderr" != *"bitfield ("* ]] || fail "a bitfield crossed: $stderr"
    [[ "$stderr" == *"connected (btkit 0.1.0, fast extension)"* ]] || fail "$stderr"
}

@test "a peer that keeps bt-download choked is asked for its allowed fast pieces only" {
    many_pieces
    local port
    port=$(free_port)
    start_bg stingy "$BT_PYTHON" "$FASTPEER" stingy "$port" "$(bt-infohash f.torrent)" 7 19
    wait_port "$port"
    # It never gives up on a peer that stays open: stop it after 4 s.
    run --separate-stderr timeout 4 bt-download --no-dht --no-announce -l 127.0.0.1:0 -o out \
        -p "127.0.0.1:$port" f.torrent
    [ "$status" -eq 124 ] || fail "$stderr"
    log="$BATS_TEST_TMPDIR/stingy.log"
    # Each allowed piece's block (one a piece here) is asked for, once, and no other.
    grep -qx "request 7 0 16384" "$log" || fail "$(cat "$log")"
    grep -qx "request 19 0 16384" "$log" || fail "$(cat "$log")"
    [ "$(wc -l <"$log")" -eq 2 ] || fail "$(cat "$log")"
}

# --- hostile peers -------------------------------------------------------------

@test "hostile: a have all from a peer without the fast bit drops it" {
    seed seed "$SAMPLES/single.torrent" "$SAMPLES/data"
    hostile fast-nobit "$SAMPLES/single.torrent"
    download -v -o out -p "$HOSTILE" -p "$SEED" "$SAMPLES/single.torrent"
    [ "$status" -eq 0 ] || fail "$stderr"
    cmp "$SAMPLES/data/single.bin" out/single.bin
    [[ "$stderr" == *"$HOSTILE: disconnected: invalid peer message: have all without the fast extension (BEP 6) on both sides"* ]] ||
        fail "$stderr"
}

@test "hostile: an allowed fast past the last piece drops the peer" {
    seed seed "$SAMPLES/single.torrent" "$SAMPLES/data"
    hostile fast-range "$SAMPLES/single.torrent"
    download -v -o out -p "$HOSTILE" -p "$SEED" "$SAMPLES/single.torrent"
    [ "$status" -eq 0 ] || fail "$stderr"
    cmp "$SAMPLES/data/single.bin" out/single.bin
    [[ "$stderr" == *"$HOSTILE: disconnected: invalid peer message: BEP 6 message names a piece beyond the torrent"* ]] ||
        fail "$stderr"
}

# --- libtorrent ------------------------------------------------------------------

@test "bt-download fetches from a libtorrent seeder over the fast extension" {
    require_libtorrent
    many_pieces
    local port
    port=$(free_port)
    start_bg lt-seed timeout 120 "$BT_PYTHON" "$BT_SRCDIR/tests/lt-client.py" seed f.torrent src \
        "$port"
    wait_handshake f.torrent "127.0.0.1:$port"
    download -v --trace -o out -p "127.0.0.1:$port" f.torrent
    [ "$status" -eq 0 ] || fail "$stderr"
    cmp src/f.bin out/f.bin
    [[ "$stderr" == *"connected (libtorrent"*", fast extension)"* ]] || fail "$stderr"
    [[ "$stderr" == *"<- have all (5 bytes)"* ]] || fail "$stderr"
    [[ "$stderr" == *"-> have none (5 bytes)"* ]] || fail "$stderr"
    # libtorrent allows 5 pieces fast: BEP 6's digest chain, which it starts
    # from a local peer's whole address rather than its /24.
    got=$(grep -o '^<- allowed fast index=[0-9]*' <<<"$stderr" | cut -d= -f2 | sort -n | paste -sd,)
    want=$("$BT_PYTHON" "$FASTPEER" set 127.0.0.1 "$(bt-infohash f.torrent)" 25 5 WHOLE |
        tr , '\n' | sort -n | paste -sd,)
    [ "$got" = "$want" ] || fail "libtorrent allowed $got; BEP 6 from 127.0.0.1 gives $want"
}

@test "libtorrent downloads from bt-seed, which sends it have all and allowed fast" {
    require_libtorrent
    many_pieces
    seed seed f.torrent src
    run -0 timeout 60 "$BT_PYTHON" "$BT_SRCDIR/tests/lt-client.py" leech f.torrent lt \
        "$(free_port)" --connect "${SEED##*:}"
    assert_output --partial complete
    cmp src/f.bin lt/f.bin
    log="$BATS_TEST_TMPDIR/seed.log"
    grep -q "connected (libtorrent.*, fast extension)" "$log"
    grep -q "^-> have all (5 bytes)" "$log"
    grep -q "^-> allowed fast index=" "$log"
    ! grep -q "^-> bitfield" "$log"
}
