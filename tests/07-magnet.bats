#!/usr/bin/env bats
# 07-magnet.bats - magnet links and metadata exchange (BEP 9, BEP 10), btkit to
# btkit: bt-seed and bt-download serve the info dict, bt-infohash,
# bt-handshake, bt-fetch-piece and bt-download start from a magnet link.  The
# fetched info dict is compared byte for byte with the original's; hostile
# peers (tests/metadata-peer.py) must be dropped with a clear reason.
bats_require_minimum_version 1.5.0

load helper

MDPEER="$BT_SRCDIR/tests/metadata-peer.py"

setup() {
    S="$BT_SRCDIR/samples"
    cd "$BATS_TEST_TMPDIR"
}

teardown() {
    stop_all
}

# seed NAME TORRENT [ARGS]: bt-seed of the samples on a port it picks; sets ADDR.
seed() {
    local name=$1 torrent=$2
    shift 2
    start_bg "$name" timeout 120 bt-seed -q --no-announce -l 127.0.0.1:0 "$@" "$torrent" "$S/data"
    for _ in $(seq 100); do
        ADDR=$(head -n1 "$name.log" 2>/dev/null)
        [[ "$ADDR" == 127.0.0.1:* ]] && return 0
        sleep 0.1
    done
    echo "bt-seed did not start" >&2
    return 1
}

# mdpeer NAME MODE TORRENT: a metadata-peer.py on a free port; sets ADDR.
mdpeer() {
    local port
    port=$(free_port)
    start_bg "$1" timeout 120 "$BT_PYTHON" "$MDPEER" "$2" "$port" "$3"
    wait_port "$port"
    ADDR="127.0.0.1:$port"
}

# link TORRENT [PARAMS]: the bare magnet link of TORRENT plus "&PARAMS".
link() {
    local hash
    hash=$(bt-infohash "$1")
    echo "magnet:?xt=urn:btih:$hash${2:+&$2}"
}

# --- usage and errors ----------------------------------------------------------

@test "bt-infohash --help shows the magnet form and names tutorial 07" {
    run -0 --separate-stderr bt-infohash --help
    assert_line --index 1 --partial 'MAGNET'
    assert_output --partial 'tutorials/07-magnets.md'
}

@test "a malformed magnet link fails with exit 1 and empty stdout" {
    run -1 --separate-stderr bt-infohash 'magnet:?xt=urn:btih:0123'
    [ -z "$output" ]
    [ "$stderr" = "bt-infohash: 'magnet:?xt=urn:btih:0123': invalid magnet link" ]
}

@test "a magnet link with no peer and no tracker fails clearly" {
    run -1 --separate-stderr bt-infohash "$(link "$S/single.torrent")"
    [ -z "$output" ]
    [[ "$stderr" == *"no peers to ask: give -p PEER, or a link with x.pe or tr"* ]]
}

@test "an invalid --peer is a usage error" {
    run -2 --separate-stderr bt-infohash --peer nowhere "$(link "$S/single.torrent")"
    [ -z "$output" ]
    [[ "$stderr" == *"invalid peer 'nowhere'"* ]]
}

@test "a peer that is not there: the fetch fails with the peer's reason" {
    local port
    port=$(free_port)
    run -1 --separate-stderr timeout 30 bt-infohash -t 2 --peer "127.0.0.1:$port" \
        "$(link "$S/single.torrent")"
    [ -z "$output" ]
    [[ "$stderr" == *"127.0.0.1:$port: metadata: "* ]]
    [[ "$stderr" == *"bt-infohash: metadata: invalid metadata"* ]]
}

# --- fetching from bt-seed -------------------------------------------------------

@test "bt-infohash fetches a magnet link's metadata from bt-seed: same hash, same pieces" {
    local m
    seed s1 "$S/multi.torrent"
    m=$(link "$S/multi.torrent")
    run -0 --separate-stderr timeout 30 bt-infohash --peer "$ADDR" "$m"
    [ "$output" = "$(bt-infohash "$S/multi.torrent")" ]
    [[ "$stderr" == *"metadata: 283 bytes from $ADDR"* ]]
    run -0 --separate-stderr timeout 30 bt-infohash -q -p --peer "$ADDR" "$m"
    [ "$output" = "$(bt-infohash -p "$S/multi.torrent")" ]
    [ -z "$stderr" ]
}

@test "bt-infohash -s prints the summary of a magnet link with its trackers" {
    seed s1 "$S/single.torrent"
    run -0 --separate-stderr timeout 30 bt-infohash -q -s --peer "$ADDR" \
        "$(link "$S/single.torrent" 'dn=x&tr=http%3A%2F%2F127.0.0.1%3A1%2Fannounce')"
    assert_line --index 0 'name:          single.bin'
    assert_line 'tracker:       http://127.0.0.1:1/announce'
    assert_line 'tier 1:        http://127.0.0.1:1/announce'
    assert_line "info hash:     $(bt-infohash "$S/single.torrent")"
    assert_line "$(bt-infohash -s "$S/single.torrent" | grep '^total length:')"
}

@test "--save writes a torrent whose info dict is byte-identical to the original's" {
    seed s1 "$S/large.torrent"
    run -0 --separate-stderr timeout 30 bt-infohash --save saved.torrent --peer "$ADDR" \
        "$(link "$S/large.torrent")"
    "$BT_PYTHON" "$MDPEER" info "$S/large.torrent" >info.orig
    "$BT_PYTHON" "$MDPEER" info saved.torrent >info.saved
    cmp info.orig info.saved
    # Without trackers the file is the info dict alone, wrapped: d 4:info <dict> e.
    { printf 'd4:info'; cat info.orig; printf 'e'; } >expected.torrent
    cmp expected.torrent saved.torrent
    [ "$(bt-infohash saved.torrent)" = "$(bt-infohash "$S/large.torrent")" ]
}

@test "the metadata is fetched from the link's x.pe peer" {
    seed s1 "$S/odd.torrent"
    run -0 --separate-stderr timeout 30 bt-infohash "$(link "$S/odd.torrent" "x.pe=$ADDR")"
    [ "$output" = "$(bt-infohash "$S/odd.torrent")" ]
}

@test "the metadata is fetched from a peer found through the link's tracker" {
    local url m
    start_bg tracker timeout 120 bt-tracker -p 0
    for _ in $(seq 50); do
        [ -s tracker.log ] && break
        sleep 0.1
    done
    url=$(grep -m1 '^http' tracker.log)
    start_bg s1 timeout 120 bt-seed -l 127.0.0.1:0 --tracker "$url" "$S/multi.torrent" "$S/data"
    for _ in $(seq 50); do
        grep -q 'started left 0' tracker.log && break
        sleep 0.1
    done
    m=$(bt-infohash -m "$S/multi.torrent" | sed 's/&tr=.*//')
    m="$m&tr=$(printf '%s' "$url" | jq -sRr @uri)"
    run -0 --separate-stderr timeout 30 bt-infohash -q -s "$m"
    assert_line "tracker:       $url"
    assert_line "info hash:     $(bt-infohash "$S/multi.torrent")"
}

@test "bt-handshake takes a magnet link and shows the peer's ut_metadata offer" {
    seed s1 "$S/multi.torrent"
    run -0 --separate-stderr timeout 30 bt-handshake -v "$(link "$S/multi.torrent")" "$ADDR"
    assert_line 'extension m: ut_metadata 3'
    assert_line 'extension metadata_size: 283'
}

@test "bt-fetch-piece takes a magnet link: the piece matches its hash" {
    seed s1 "$S/multi.torrent"
    run -0 --separate-stderr timeout 30 bt-fetch-piece -o piece2 \
        "$(link "$S/multi.torrent" "x.pe=$ADDR")" 2
    [ "$(sha1sum <piece2 | cut -c1-40)" = "$(bt-infohash -p "$S/multi.torrent" | sed -n 3p)" ]
}

@test "bt-download downloads from a magnet link" {
    seed s1 "$S/multi.torrent"
    run -0 --separate-stderr timeout 60 bt-download -q --no-announce -l 127.0.0.1:0 \
        --give-up 10 -o out "$(link "$S/multi.torrent" "x.pe=$ADDR")"
    [ "$output" = "out/multi" ]
    diff -r "$S/data/multi" out/multi
}

@test "bt-download --seed serves the metadata it fetched to the next magnet user" {
    local port
    seed s1 "$S/multi.torrent"
    port=$(free_port)
    start_bg dl timeout 120 bt-download -q --seed --no-announce -l "127.0.0.1:$port" -o out \
        "$(link "$S/multi.torrent" "x.pe=$ADDR")"
    # It keeps seeding once complete; wait until its files are whole.
    for _ in $(seq 200); do
        diff -r "$S/data/multi" out/multi >/dev/null 2>&1 && break
        sleep 0.1
    done
    diff -r "$S/data/multi" out/multi
    kill "$PID_s1" # only bt-download is left to ask
    run -0 --separate-stderr timeout 30 bt-infohash --save again.torrent \
        --peer "127.0.0.1:$port" "$(link "$S/multi.torrent")"
    [ "$output" = "$(bt-infohash "$S/multi.torrent")" ]
    [[ "$stderr" == *"from 127.0.0.1:$port"* ]]
}

# --- hostile peers ---------------------------------------------------------------

# hostile MODE REASON: a metadata-peer.py in MODE must make the fetch fail with
# REASON on stderr, exit 1 and empty stdout, within the time limit.
hostile() {
    mdpeer bad "$1" "$S/multi.torrent"
    run -1 --separate-stderr timeout 30 bt-infohash -t 2 --peer "$ADDR" \
        "$(link "$S/multi.torrent")"
    [ -z "$output" ]
    [[ "$stderr" == *"$ADDR: metadata: $2"* ]]
}

@test "hostile: a peer without the extension protocol" {
    hostile no-extension "peer does not offer metadata (no ut_metadata extension): peer does not speak the extension protocol (BEP 10)"
}

@test "hostile: an extension handshake without ut_metadata" {
    hostile no-metadata "peer does not offer metadata (no ut_metadata extension): no ut_metadata in its extension handshake"
}

@test "hostile: a metadata_size of 1 GiB is refused before allocating" {
    hostile oversized "metadata size missing, over the limit, or inconsistent: metadata_size 1073741824 (must be 1 to 8388608 bytes)"
}

@test "hostile: ut_metadata without metadata_size" {
    hostile no-size "metadata size missing, over the limit, or inconsistent: metadata_size 0"
}

@test "hostile: metadata that does not hash to the info hash" {
    hostile wrong-hash "metadata does not match the info hash: its 283 bytes of metadata do not hash to the info hash"
}

@test "hostile: a total_size that disagrees with metadata_size" {
    hostile bad-total "metadata size missing, over the limit, or inconsistent: total_size 284 but metadata_size 283"
}

@test "hostile: a peer that rejects every request" {
    hostile reject "peer rejected the metadata request: peer rejected metadata piece 0"
}

@test "hostile: a peer that never answers is dropped after the timeout" {
    hostile silent "peer went silent"
}

@test "hostile peers first, an honest one next: the fetch moves on and succeeds" {
    local bad
    mdpeer bad wrong-hash "$S/multi.torrent"
    bad=$ADDR
    mdpeer good serve "$S/multi.torrent"
    # Four peers are asked at a time: the honest one, sixth, only gets a turn
    # once hostile ones have been dropped.
    run -0 --separate-stderr timeout 30 bt-infohash -t 2 --save s.torrent --peer "$bad" \
        --peer "$bad" --peer "$bad" --peer "$bad" --peer "$bad" --peer "$ADDR" \
        "$(link "$S/multi.torrent")"
    [ "$output" = "$(bt-infohash "$S/multi.torrent")" ]
    [[ "$stderr" == *"$bad: metadata: metadata does not match the info hash"* ]]
    [[ "$stderr" == *"metadata: 283 bytes from $ADDR"* ]]
}
