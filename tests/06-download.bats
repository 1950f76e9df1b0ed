#!/usr/bin/env bats
# Stage 6: bt-download against real seeders on loopback (our bt-seed; the
# interop suite adds transmission, libtorrent and aria2c).  Every download is
# compared byte for byte with its source.

bats_require_minimum_version 1.5.0

load helper


setup() {
    cd "$BATS_TEST_TMPDIR"
}

teardown() {
    stop_all
    if mountpoint -q "$BATS_TEST_TMPDIR/full" 2>/dev/null; then
        umount "$BATS_TEST_TMPDIR/full"
    fi
}

# payload DIR: a multi-file payload with a subdirectory and an empty file.
payload() {
    mkdir -p "$1/sub"
    head -c 3000000 /dev/urandom >"$1/a.bin"
    head -c 1234567 /dev/urandom >"$1/sub/b.bin"
    : >"$1/empty.dat"
}

# seed NAME TORRENT DATA [ARGS]: start a bt-seed on a free port; sets $SEED_ADDR.
seed() {
    seed_bg "$@"
}

download() {
    run --separate-stderr timeout 60 bt-download -l 127.0.0.1:0 --no-announce --give-up 10 "$@"
}

@test "bt-download with no operand prints usage and exits 2" {
    run --separate-stderr bt-download
    [ "$status" -eq 2 ]
    [ -z "$output" ]
    [[ "$stderr" == *"usage: bt-download"* ]]
}

@test "bt-download --help names the stage's tutorial" {
    run --separate-stderr bt-download --help
    [ "$status" -eq 0 ]
    [[ "$output" == *"tutorials/06-download.md"* ]]
}

@test "bt-download --version prints the package version" {
    run --separate-stderr bt-download --version
    [ "$status" -eq 0 ]
    [[ "$output" == "bt-download (btkit) "* ]]
}

@test "bt-download rejects a malformed peer with exit 2" {
    download -o out -p 'not-a-peer' "$BT_SRCDIR/samples/multi.torrent"
    [ "$status" -eq 2 ]
    [ -z "$output" ]
    [[ "$stderr" == *"invalid peer 'not-a-peer'"* ]]
}

@test "every argument is checked before any I/O: a bad one creates no directory and no file" {
    run --separate-stderr bt-download -o newdir -p bogus "$BT_SRCDIR/samples/multi.torrent"
    [ "$status" -eq 2 ]
    [ -z "$output" ]
    [[ "$stderr" == *"invalid peer 'bogus'"* ]]
    [ ! -e newdir ]
    # A magnet link is not fetched either: the bad listen address comes first.
    run --separate-stderr timeout 20 bt-download -o newdir -l nowhere \
        "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&x.pe=127.0.0.1:1"
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"invalid listen address 'nowhere'"* ]]
    [[ "$stderr" != *"metadata"* ]]
    [ ! -e newdir ]
}

@test "a tracker's failure reason reaches stderr without its control bytes" {
    start_hostile
    run --separate-stderr timeout 60 bt-download -l 127.0.0.1:0 --give-up 3 -o out \
        -t "http://127.0.0.1:$HPORT/escape" "$BT_SRCDIR/samples/multi.torrent"
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"tracker refused the request: bad?[31mred"* ]]
    [[ "$stderr" != *$'\e'* ]]
}

@test "downloads the multi-file sample from bt-seed and prints its path" {
    seed s1 "$BT_SRCDIR/samples/multi.torrent" "$BT_SRCDIR/samples/data"
    download -q -o out -p "$SEED_ADDR" "$BT_SRCDIR/samples/multi.torrent"
    [ "$status" -eq 0 ]
    [ "$output" = "out/multi" ]
    diff -r "$BT_SRCDIR/samples/data/multi" out/multi
    [ -f out/multi/empty.dat ] && [ ! -s out/multi/empty.dat ]
}

@test "downloads a single-file torrent whose last piece is short" {
    seed s1 "$BT_SRCDIR/samples/single.torrent" "$BT_SRCDIR/samples/data"
    download -q -o out -p "$SEED_ADDR" "$BT_SRCDIR/samples/single.torrent"
    [ "$status" -eq 0 ]
    [ "$output" = "out/single.bin" ]
    cmp "$BT_SRCDIR/samples/data/single.bin" out/single.bin
}

@test "reads peers from standard input with -p -" {
    seed s1 "$BT_SRCDIR/samples/large.torrent" "$BT_SRCDIR/samples/data"
    run --separate-stderr bash -c "printf '\n127.0.0.1:1\n%s\n' '$SEED_ADDR' |
        timeout 60 bt-download -q -l 127.0.0.1:0 --no-announce -o out -p - '$BT_SRCDIR/samples/large.torrent'"
    [ "$status" -eq 0 ]
    cmp "$BT_SRCDIR/samples/data/large.bin" out/large.bin
}

@test "downloads from two seeders at once, and both serve" {
    payload src/multi
    bt-create -q --v1 -d -l 65536 -o m.torrent src/multi
    seed s1 m.torrent src
    local a=$SEED_ADDR
    seed s2 m.torrent src
    download -q -o out -p "$a" -p "$SEED_ADDR" m.torrent
    [ "$status" -eq 0 ]
    diff -r src/multi out/multi
    stop_all
    # Each seeder logs how many blocks it sent to its one leecher.
    grep -E 'disconnected after [1-9][0-9]* blocks' s1.log
    grep -E 'disconnected after [1-9][0-9]* blocks' s2.log
}

@test "resumes: keeps verified pieces, re-downloads a corrupt one, ends byte-identical" {
    payload src/multi
    bt-create -q --v1 -d -l 65536 -o m.torrent src/multi
    # A download killed half-way: the first file whole, the second missing, and
    # one corrupt byte in the middle of the first.
    mkdir -p out/multi
    cp src/multi/a.bin out/multi/a.bin
    flip_byte out/multi/a.bin 1000000
    seed s1 m.torrent src
    download -o out -p "$SEED_ADDR" m.torrent
    [ "$status" -eq 0 ]
    diff -r src/multi out/multi
    # 4234567 bytes in 64 KiB pieces make 65; a.bin fills pieces 0-44 whole and
    # piece 45 spans into sub/b.bin.  Piece 15 held the corrupt byte: 44 kept.
    [[ "$stderr" == *"resuming: 44 of 65 pieces already verified"* ]] || fail "$stderr"
    stop_all
    # Only the 22 missing pieces (about 1.4 MB) crossed the wire, not 4.2 MB.
    # (Summed over connections: wait_port's probe is one, with 0 blocks.)
    local blocks
    blocks=$(sed -n 's/.*disconnected after \([0-9]*\) blocks.*/\1/p' s1.log | awk '{ s += $1 } END { print s + 0 }')
    [ "$blocks" -gt 0 ] && [ "$blocks" -lt 120 ]
}

@test "killed with SIGKILL at any moment and started again, the result is byte-identical" {
    head -c 48000000 /dev/urandom >big.bin
    bt-create -q --v1 -d -l 262144 -o big.torrent big.bin
    seed s1 big.torrent .
    mkdir out
    bt-download -q -l 127.0.0.1:0 --no-announce -o out -p "$SEED_ADDR" big.torrent \
        >/dev/null 2>&1 3>&- &
    local pid=$!
    sleep 0.15
    kill -9 "$pid" 2>/dev/null || true
    wait_for_exit "$pid" || true
    download -o out -p "$SEED_ADDR" big.torrent
    [ "$status" -eq 0 ]
    cmp big.bin out/big.bin
}

@test "a peer that sends bad data is banned and the download completes from a good one" {
    payload src/multi
    bt-create -q --v1 -d -l 65536 -o m.torrent src/multi
    cp -r src bad
    # Flip a byte in every 64 KiB piece of the bad copy; --trust makes bt-seed
    # serve it without checking.
    for off in $(seq 100 65536 2900000); do
        printf 'Z' | dd of=bad/multi/a.bin bs=1 seek="$off" conv=notrunc status=none
    done
    seed bad m.torrent bad --trust
    local badaddr=$SEED_ADDR
    seed good m.torrent src
    download -o out -p "$badaddr" -p "$SEED_ADDR" m.torrent
    [ "$status" -eq 0 ]
    diff -r src/multi out/multi
    [[ "$stderr" == *"$badaddr: banned: sent data that failed a piece's hash check"* ]]
}

@test "SIGINT stops a download cleanly and a second run finishes it" {
    payload src/multi
    bt-create -q --v1 -d -l 65536 -o m.torrent src/multi
    cp -r src bad
    printf 'Z' | dd of=bad/multi/sub/b.bin bs=1 seek=5 conv=notrunc status=none
    # The only seeder has one bad piece: the download cannot finish.
    seed bad m.torrent bad --trust
    bt-download -l 127.0.0.1:0 --no-announce -o out -p "$SEED_ADDR" m.torrent \
        >stdout.txt 2>stderr.txt 3>&- &
    local pid=$!
    for _ in $(seq 100); do
        grep -q 'failed its hash check' stderr.txt && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -INT "$pid"
    local rc=0
    wait_for_exit "$pid" || rc=$?
    [ "$rc" -eq 1 ]
    [ ! -s stdout.txt ]
    grep -q 'interrupted: .* pieces verified; run again to resume' stderr.txt
    seed good m.torrent src
    download -o out -p "$SEED_ADDR" m.torrent
    [ "$status" -eq 0 ]
    [[ "$stderr" == *"resuming: "* ]]
    diff -r src/multi out/multi
}

@test "with no peer at all it fails with exit 1 and empty stdout" {
    download -o out "$BT_SRCDIR/samples/multi.torrent"
    [ "$status" -eq 1 ]
    [ -z "$output" ]
    [[ "$stderr" == *"no usable peers"* ]]
}

@test "with only a dead peer it gives up after --give-up seconds" {
    local port
    port=$(free_port)
    download -o out -p "127.0.0.1:$port" --give-up 2 "$BT_SRCDIR/samples/multi.torrent"
    [ "$status" -eq 1 ]
    [ -z "$output" ]
    [[ "$stderr" == *"no usable peers: 0 of 4 pieces verified"* ]]
}

@test "--strict refuses a torrent whose paths climb out; by default it stays inside" {
    local f
    for f in path-dotdot name-dotdot path-absolute path-slash; do
        mkdir -p "case-$f/out"
        run --separate-stderr bt-download --strict -l 127.0.0.1:0 --no-announce \
            -o "case-$f/out" "$BT_SRCDIR/samples/hostile/metainfo/$f.torrent"
        [ "$status" -eq 1 ]
        [ -z "$output" ]
        # Nothing was written anywhere: the case directory holds only out/, empty.
        [ "$(find "case-$f" | wc -l)" -eq 2 ]
        # Made safe (tests/11-realworld.bats): what is written is under out/.
        run --separate-stderr bt-download -l 127.0.0.1:0 --no-announce --no-dht --give-up 1 \
            -o "case-$f/out" "$BT_SRCDIR/samples/hostile/metainfo/$f.torrent"
        [ "$status" -eq 1 ]
        [[ "$stderr" == *": warning: byte "* ]]
        [ "$(find "case-$f" -mindepth 1 -not -path "case-$f/out" -not -path "case-$f/out/*")" = "" ]
        [ "$(find "case-$f/out" -mindepth 1 | wc -l)" -ge 2 ]
    done
}

@test "does not follow a symbolic link planted in the download directory" {
    seed s1 "$BT_SRCDIR/samples/multi.torrent" "$BT_SRCDIR/samples/data"
    mkdir -p out elsewhere
    ln -s ../elsewhere out/multi
    download -o out -p "$SEED_ADDR" "$BT_SRCDIR/samples/multi.torrent"
    [ "$status" -eq 1 ]
    [ -z "$output" ]
    [[ "$stderr" == *"path escapes the download directory"* ]]
    [ -z "$(ls -A elsewhere)" ]
}

@test "an output path that is a file is an error" {
    : >afile
    download -o afile "$BT_SRCDIR/samples/multi.torrent"
    [ "$status" -eq 1 ]
    [ -z "$output" ]
    [[ "$stderr" == *"afile: not a directory"* ]]
}

@test "a full disk is reported and exits 1" {
    [ "$(id -u)" = 0 ] || missing "root (to mount a small tmpfs)"
    mkdir full
    mount -t tmpfs -o size=1m tmpfs full || missing "tmpfs mounts"
    payload src/multi
    bt-create -q --v1 -d -l 65536 -o m.torrent src/multi
    seed s1 m.torrent src
    download -o full -p "$SEED_ADDR" m.torrent
    [ "$status" -eq 1 ]
    [ -z "$output" ]
    [[ "$stderr" == *"no space left on device"* ]]
}

@test "serves what it has: a second bt-download fetches from a bt-download --seed" {
    payload src/multi
    bt-create -q --v1 -d -l 65536 -o m.torrent src/multi
    seed s1 m.torrent src
    local port
    port=$(free_port)
    start_bg mid bt-download -l "127.0.0.1:$port" --no-announce --seed -o mid -p "$SEED_ADDR" m.torrent
    for _ in $(seq 100); do
        grep -q 'complete: every piece verified' mid.log && break
        kill -0 "$PID_mid" 2>/dev/null || break
        sleep 0.1
    done
    grep -q 'complete: every piece verified' mid.log
    # The original seeder leaves; only the seeding bt-download remains.
    kill "$PID_s1"
    download -q -o out -p "127.0.0.1:$port" m.torrent
    [ "$status" -eq 0 ]
    diff -r src/multi out/multi
}

@test "finds its peer through bt-tracker alone, and tells it started, completed, stopped" {
    local url
    start_bg tracker bt-tracker -p 0
    for _ in $(seq 50); do
        [ -s tracker.log ] && break
        sleep 0.1
    done
    url=$(grep -m1 '^http' tracker.log)
    start_bg s1 bt-seed -l 127.0.0.1:0 --tracker "$url" \
        "$BT_SRCDIR/samples/multi.torrent" "$BT_SRCDIR/samples/data"
    for _ in $(seq 50); do
        grep -q 'started left 0' tracker.log && break
        sleep 0.1
    done
    run --separate-stderr timeout 60 bt-download -q -l 127.0.0.1:0 -t "$url" -o out \
        "$BT_SRCDIR/samples/multi.torrent"
    [ "$status" -eq 0 ]
    diff -r "$BT_SRCDIR/samples/data/multi" out/multi
    # The seeder announced as a seed; the downloader started with all 111500
    # bytes left, then completed and stopped.
    grep -q 'started left 0: ' tracker.log
    grep -q 'started left 111500: 1 peers' tracker.log
    grep -q 'completed left 0' tracker.log
    grep -q 'stopped left 0' tracker.log
}

@test "./demo, the README's main job, downloads its local swarm and stops what it started" {
    # demo waits for every process it started before it exits, so a tracker or
    # seeder left running would show as the timeout here.
    run -0 --separate-stderr env TMPDIR="$BATS_TEST_TMPDIR" timeout 120 "$BT_SRCDIR/demo" 8
    [[ "$output" == *"seeder 2 listens on 127.0.0.1:"* ]]
    [[ "$output" == *"identical: 8 MiB in "* ]]
    [[ "$stderr" == *"done: 8.0 MiB in "* ]]
    run ! compgen -G "$BATS_TEST_TMPDIR/btkit-demo.*"
}
