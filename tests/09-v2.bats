#!/usr/bin/env bats
# BitTorrent v2 and hybrid torrents (BEP 52): the v2 metainfo (file tree, piece
# layers, the SHA-256 info hash), magnet links with btmh, and downloads checked
# against merkle trees, against our own bt-seed and against libtorrent.
#
# samples/multi-v2.torrent and samples/multi-hybrid.torrent describe
# samples/data/multi; samples/generate wrote them and their golden outputs with
# a merkle implementation of its own (Python's hashlib, whole layers halved).

bats_require_minimum_version 1.5.0

load helper

S="$BT_SRCDIR/samples"
G="$BT_SRCDIR/tests/golden"

setup() {
    cd "$BATS_TEST_TMPDIR"
}

teardown() {
    stop_all
}

# seed NAME TORRENT DATA [ARGS]: a bt-seed on a free port; sets $SEED_ADDR.
seed() {
    local name=$1 torrent=$2 data=$3 port
    shift 3
    port=$(free_port)
    start_bg "$name" bt-seed -q --no-dht --no-announce -l "127.0.0.1:$port" "$@" "$torrent" "$data"
    local pid="PID_${name//-/_}"
    wait_port "$port" 10 "${!pid}"
    SEED_ADDR="127.0.0.1:$port"
}

download() {
    run --separate-stderr timeout 60 bt-download --no-dht --no-announce -l 127.0.0.1:0 "$@"
}

# lt_make KIND PATH OUT: libtorrent's own torrent of PATH, 32 KiB pieces, no date.
lt_make() {
    "$BT_PYTHON" - "$@" <<'PY'
import sys, os, libtorrent as lt
kind, path, out = sys.argv[1:]
flags = {"v1": lt.create_torrent.v1_only, "v2": lt.create_torrent.v2_only, "hybrid": 0}[kind]
fs = lt.file_storage()
lt.add_files(fs, path)
ct = lt.create_torrent(fs, 32768, flags=flags)
lt.set_piece_hashes(ct, os.path.dirname(os.path.abspath(path)))
e = ct.generate()
e.pop(b"creation date", None)
open(out, "wb").write(lt.bencode(e))
PY
}

# lt_hashes TORRENT: libtorrent's v1 and v2 info hashes, as bt-infohash prints them.
lt_hashes() {
    "$BT_PYTHON" - "$1" <<'PY'
import sys, libtorrent as lt
ih = lt.torrent_info(sys.argv[1]).info_hashes()
if ih.has_v1(): print(ih.v1)
if ih.has_v2(): print(ih.v2)
PY
}

# --- the metainfo -----------------------------------------------------------

@test "the v2 and hybrid samples' info hashes match the generator's" {
    run -0 --separate-stderr bt-infohash "$S/multi-v2.torrent"
    diff <(echo "$output") "$G/09-multi-v2.hash.out"
    run -0 --separate-stderr bt-infohash "$S/multi-hybrid.torrent"
    diff <(echo "$output") "$G/09-multi-hybrid.hash.out"
    [[ "${lines[0]}" =~ ^[0-9a-f]{40}$ ]] && [[ "${lines[1]}" =~ ^[0-9a-f]{64}$ ]]
}

@test "--v1 and --v2 print one hash; a v2-only torrent has no v1 hash" {
    run -0 bt-infohash --v2 "$S/multi-hybrid.torrent"
    [ "$output" = "$(sed -n 2p "$G/09-multi-hybrid.hash.out")" ]
    run -0 bt-infohash --v1 "$S/multi-hybrid.torrent"
    [ "$output" = "$(sed -n 1p "$G/09-multi-hybrid.hash.out")" ]
    run -1 --separate-stderr bt-infohash --v1 "$S/multi-v2.torrent"
    [ -z "$output" ]
    [ "$stderr" = "bt-infohash: $S/multi-v2.torrent: a v2-only torrent has no v1 info hash" ]
    run -1 --separate-stderr bt-infohash --v2 "$S/multi.torrent"
    [ "$stderr" = "bt-infohash: $S/multi.torrent: a v1 torrent has no v2 info hash" ]
}

@test "magnet links name v2 with btmh, and a hybrid by both hashes" {
    run -0 bt-infohash -m "$S/multi-v2.torrent"
    diff <(echo "$output") "$G/09-multi-v2.magnet.out"
    run -0 bt-infohash -m "$S/multi-hybrid.torrent"
    diff <(echo "$output") "$G/09-multi-hybrid.magnet.out"
}

@test "the summary shows both hashes and the files in tree order, without padding" {
    run -0 bt-infohash -s "$S/multi-hybrid.torrent"
    assert_line "info hash:     $(sed -n 1p "$G/09-multi-hybrid.hash.out")"
    assert_line "info hash v2:  $(sed -n 2p "$G/09-multi-hybrid.hash.out")"
    assert_line "version:       hybrid (v1 and v2)"
    assert_line "files:         4"
    assert_line "total length:  111500 bytes (108.9 KiB)"
    refute_output --partial ".pad"
    # The file tree's order: path elements compared bytewise.
    [ "$(grep -E '^ +[0-9]+  ' <<<"$output" | awk '{ print $2 }' | tr '\n' ' ')" = \
        "a/b/two.bin a/one.bin empty.dat readme.txt " ]
    run -0 bt-infohash -s "$S/multi-v2.torrent"
    assert_line "version:       v2 (BEP 52)"
    refute_line --partial "info hash: "
}

@test "-p prints a piece layer hash per piece; v2 and hybrid agree piece by piece" {
    run -0 bt-infohash -p "$S/multi-v2.torrent"
    local v2=$output
    [ "${#lines[@]}" -eq 6 ]
    for l in "${lines[@]}"; do [[ "$l" =~ ^[0-9a-f]{64}$ ]]; done
    run -0 bt-infohash -p --v2 "$S/multi-hybrid.torrent"
    [ "$output" = "$v2" ]
    run -0 bt-infohash -p "$S/multi-hybrid.torrent"
    [ "${#lines[@]}" -eq 6 ] && [[ "${lines[0]}" =~ ^[0-9a-f]{40}$ ]]
}

@test "libtorrent reads the samples and computes the same info hashes" {
    require_libtorrent
    diff <(lt_hashes "$S/multi-v2.torrent") "$G/09-multi-v2.hash.out"
    diff <(lt_hashes "$S/multi-hybrid.torrent") "$G/09-multi-hybrid.hash.out"
}

@test "torrents libtorrent makes, v1, v2 and hybrid, one file or several, parse to its hashes" {
    require_libtorrent
    mkdir -p d/sub
    head -c 100000 /dev/urandom >d/a.bin
    head -c 10 /dev/urandom >d/sub/c
    : >d/empty
    head -c 70000 /dev/urandom >one.bin
    local kind path
    for kind in v1 v2 hybrid; do
        for path in d one.bin; do
            lt_make "$kind" "$path" "$kind-$path.torrent"
            run -0 --separate-stderr bt-infohash "$kind-$path.torrent"
            [ "$output" = "$(lt_hashes "$kind-$path.torrent")" ] ||
                fail "$kind $path: ours '$output', libtorrent's '$(lt_hashes "$kind-$path.torrent")'"
        done
    done
}

# --- downloads --------------------------------------------------------------

@test "bt-download fetches a v2-only torrent from bt-seed; no padding reaches the disk" {
    seed s1 "$S/multi-v2.torrent" "$S/data"
    download -o out -p "$SEED_ADDR" "$S/multi-v2.torrent"
    [ "$status" -eq 0 ] || fail "$stderr"
    diff -r "$S/data/multi" out/multi
    [ ! -e out/multi/.pad ]
}

@test "bt-download fetches a hybrid torrent from bt-seed" {
    seed s1 "$S/multi-hybrid.torrent" "$S/data"
    download -o out -p "$SEED_ADDR" "$S/multi-hybrid.torrent"
    [ "$status" -eq 0 ] || fail "$stderr"
    diff -r "$S/data/multi" out/multi
    [ ! -e out/multi/.pad ]
}

@test "v2: a corrupt byte on disk is found on resume and fetched again" {
    cp -r "$S/data/multi" .
    seed s1 "$S/multi-v2.torrent" .
    mkdir out
    cp -r multi out/
    # a/b/two.bin is 70000 bytes: pieces 0-2; byte 40000 is in piece 1.
    printf 'X' | dd of=out/multi/a/b/two.bin bs=1 seek=40000 conv=notrunc status=none
    download -o out -p "$SEED_ADDR" "$S/multi-v2.torrent"
    [ "$status" -eq 0 ] || fail "$stderr"
    [[ "$stderr" == *"resuming: 5 of 6 pieces already verified"* ]] || fail "$stderr"
    diff -r multi out/multi
}

@test "v2: a seeder's corrupt byte fails the merkle check and is not kept" {
    cp -r "$S/data/multi" .
    printf 'X' | dd of=multi/a/one.bin bs=1 seek=100 conv=notrunc status=none
    # --trust: serve the data unchecked, as a lying peer would.
    seed s1 "$S/multi-v2.torrent" . --trust
    run --separate-stderr timeout 30 bt-download -v --no-dht --no-announce -l 127.0.0.1:0 \
        --give-up 3 -o out -p "$SEED_ADDR" "$S/multi-v2.torrent"
    [ "$status" -ne 0 ]
    [[ "$stderr" == *"failed its hash check"* ]] || fail "$stderr"
    # The other pieces arrived whole; the bad one never reached its file.
    cmp out/multi/a/b/two.bin "$S/data/multi/a/b/two.bin"
    ! cmp -s out/multi/a/one.bin multi/a/one.bin
}

@test "a v2-only magnet link: the metadata comes from a peer and is checked against all 32 bytes" {
    seed s1 "$S/multi-v2.torrent" "$S/data"
    run -0 --separate-stderr timeout 30 bt-infohash --no-dht --peer "$SEED_ADDR" \
        "$(cat "$G/09-multi-v2.magnet.out")"
    diff <(echo "$output") "$G/09-multi-v2.hash.out"
}

@test "a hybrid magnet link downloads through its v1 hashes" {
    seed s1 "$S/multi-hybrid.torrent" "$S/data"
    download -o out -p "$SEED_ADDR" "$(cat "$G/09-multi-hybrid.magnet.out")"
    [ "$status" -eq 0 ] || fail "$stderr"
    diff -r "$S/data/multi" out/multi
}

@test "a v2-only magnet link cannot download yet: the piece layers are not in the metadata" {
    seed s1 "$S/multi-v2.torrent" "$S/data"
    download -o out -p "$SEED_ADDR" "$(cat "$G/09-multi-v2.magnet.out")"
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"piece layer is missing"* ]] || fail "$stderr"
}

# --- interop ----------------------------------------------------------------

lt_payload() {
    mkdir -p src/top/sub
    head -c 300000 /dev/urandom >src/top/a.bin
    head -c 50000 /dev/urandom >src/top/sub/b.bin
    head -c 5 /dev/urandom >src/top/sub/c.txt
}

@test "bt-download fetches v2 and hybrid torrents made by libtorrent from a libtorrent seeder" {
    require_libtorrent
    lt_payload
    local kind port
    for kind in v2 hybrid; do
        lt_make "$kind" src/top "$kind.torrent"
        port=$(free_port)
        start_bg "lt-$kind" timeout 120 "$BT_PYTHON" "$BT_SRCDIR/tests/lt-client.py" seed \
            "$kind.torrent" src "$port"
        wait_port "$port" 20
        download -o "out-$kind" -p "127.0.0.1:$port" "$kind.torrent"
        [ "$status" -eq 0 ] || fail "$kind: $stderr"
        diff -r src/top "out-$kind/top"
    done
}

@test "libtorrent downloads v2 and hybrid torrents from bt-seed" {
    require_libtorrent
    lt_payload
    local kind port
    for kind in v2 hybrid; do
        lt_make "$kind" src/top "$kind.torrent"
        seed "s-$kind" "$kind.torrent" src
        port=${SEED_ADDR##*:}
        run -0 timeout 60 "$BT_PYTHON" "$BT_SRCDIR/tests/lt-client.py" leech "$kind.torrent" \
            "lt-$kind" "$(free_port)" --connect "$port"
        assert_output --partial complete
        diff -r src/top "lt-$kind/top"
    done
}

@test "a hybrid whose v1 and v2 halves hash different data fails the merkle check" {
    require_libtorrent
    mkdir -p a/top b/top
    head -c 100000 /dev/urandom >a/top/x.bin
    head -c 100000 /dev/urandom >b/top/x.bin
    lt_make hybrid a/top a.torrent
    lt_make hybrid b/top b.torrent
    # a's v1 half (files, pieces) with b's v2 half (file tree, piece layers).
    "$BT_PYTHON" - <<'PY'
import libtorrent as lt
a = lt.bdecode(open("a.torrent", "rb").read())
b = lt.bdecode(open("b.torrent", "rb").read())
a[b"info"][b"file tree"] = b[b"info"][b"file tree"]
a[b"piece layers"] = b[b"piece layers"]
open("mixed.torrent", "wb").write(lt.bencode(a))
PY
    run -0 bt-infohash -q mixed.torrent
    # a's data passes every SHA-1 but no merkle root: not one piece is kept.
    seed s1 mixed.torrent a --trust
    run --separate-stderr timeout 30 bt-download -v --no-dht --no-announce -l 127.0.0.1:0 \
        --give-up 3 -o out -p "$SEED_ADDR" mixed.torrent
    [ "$status" -ne 0 ]
    [[ "$stderr" == *"failed its hash check"* ]] || fail "$stderr"
    [[ "$stderr" == *"0 of 4 pieces verified"* ]] || fail "$stderr"
}

@test "v1-only clients cannot join a hybrid's v1 swarm: aria2c 1.36 names it by another hash" {
    # aria2c re-encodes the info dict to hash it, and the encoding it makes of a
    # file tree (keys "") is not the original: its v1 hash is wrong for every
    # hybrid, libtorrent's as much as ours, so it never meets the swarm.  A v1
    # torrent it hashes right.  (transmission 3.00 refuses hybrids outright: see
    # 09-create.bats.)  When a Debian aria2c gets this right, make it download.
    require_cmd aria2c
    require_libtorrent
    lt_payload
    bt-create -q -d -l 32K -o h.torrent src/top
    lt_make hybrid src/top lt.torrent
    bt-create -q -d -l 32K --v1 -o v1.torrent src/top
    local t ours theirs
    for t in h lt v1; do
        ours=$(bt-infohash --v1 "$t.torrent")
        theirs=$(aria2c -S "$t.torrent" | sed -n 's/^Info Hash: //p')
        [[ "$theirs" =~ ^[0-9a-f]{40}$ ]] || fail "$t: aria2c -S printed no info hash"
        if [ "$t" = v1 ]; then
            [ "$ours" = "$theirs" ] || fail "aria2c hashes a v1 torrent otherwise: $theirs"
        else
            [ "$ours" != "$theirs" ] || fail "aria2c now hashes the $t hybrid right: make it download"
        fi
    done
    # libtorrent agrees with us on both hybrids' v1 hash.
    [ "$(lt_hashes h.torrent | head -n 1)" = "$(bt-infohash --v1 h.torrent)" ]
}

@test "libtorrent downloads v2 and hybrid torrents made by bt-create from bt-seed" {
    require_libtorrent
    lt_payload
    local kind port
    for kind in v2 hybrid; do
        bt-create -q -d -l 32K "--$kind" -o "$kind.torrent" src/top
        seed "s-$kind" "$kind.torrent" src
        port=${SEED_ADDR##*:}
        run -0 timeout 60 "$BT_PYTHON" "$BT_SRCDIR/tests/lt-client.py" leech "$kind.torrent" \
            "lt-$kind" "$(free_port)" --connect "$port"
        assert_output --partial complete
        diff -r src/top "lt-$kind/top"
    done
}
