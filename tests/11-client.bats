#!/usr/bin/env bats
# bt-download as a daily client (issue 15): the controls a user reaches for
# after the first download.  Each test runs bt-download against a real
# bt-seed (and bt-tracker where the tracker's view matters), on loopback.

bats_require_minimum_version 1.5.0
load helper

setup() {
    cd "$BATS_TEST_TMPDIR"
    mkdir -p src
    head -c 1048576 /dev/urandom >src/data.bin
}

teardown() {
    stop_all
}

# tracker: a bt-tracker that logs every announce to tracker.log; sets $ANNOUNCE.
tracker() {
    local port
    port=$(free_port)
    start_bg tracker timeout 120 bt-tracker -p "$port"
    wait_port "$port" 10 "$PID_tracker"
    ANNOUNCE="http://127.0.0.1:$port/announce"
}

# seed NAME TORRENT [OPTIONS...]: a bt-seed of $SEED_DATA (src/data.bin unless
# set) on a free port; sets $SEED_ADDR.
seed() {
    local name=$1 torrent=$2
    shift 2
    seed_bg "$name" "$torrent" "${SEED_DATA:-src/data.bin}" --no-dht "$@"
}

# --- seeding goals -------------------------------------------------------------

@test "--seed-ratio and --seed-time refuse what is not a goal, with exit 2" {
    bt-create -q -d -l 32K -o t.torrent src/data.bin
    local bad
    for bad in 0 -1 abc inf nan 1e3 0x10 1001 ""; do
        run -2 --separate-stderr bt-download --seed-ratio "$bad" t.torrent
        [[ $stderr == *"invalid seed ratio '$bad'"* ]]
    done
    for bad in 0 -5 5x 1.5h 367d 10mm ""; do
        run -2 --separate-stderr bt-download --seed-time "$bad" t.torrent
        [[ $stderr == *"invalid seed time '$bad'"* ]]
    done
}

@test "--seed-time: seeds that long once complete, then says stopped to the tracker and exits 0" {
    tracker
    bt-create -q -d -l 32K -a "$ANNOUNCE" -o t.torrent src/data.bin
    seed s t.torrent
    local port start end
    port=$(free_port)
    start=$(date +%s%N)
    run --separate-stderr timeout 60 bt-download --seed-time 3s --no-dht -l "127.0.0.1:$port" \
        -o out t.torrent
    end=$(date +%s%N)
    assert_success
    assert_output out/data.bin
    cmp src/data.bin out/data.bin
    [[ $stderr == *"seeding goal reached (time): uploaded 0.00 times the payload in 3 s of seeding"* ]]
    # Its time and rate are the download's, the 3 s of seeding left out.
    local took
    took=$(sed -n 's/.*done: 1\.0 MiB in \([0-9.]*\) s .*/\1/p' <<<"$stderr")
    [ -n "$took" ]
    awk -v t="$took" -v all=$(((end - start) / 1000000)) 'BEGIN { exit !(t * 1000 <= all - 3000) }'

    # It seeded at least the 3 s it was asked to.
    [ $(((end - start) / 1000000)) -ge 3000 ]
    # The tracker heard it start, complete, and stop, in that order, from its port.
    sed -n -E "s/^bt-tracker: http announce [0-9.:]+ [0-9a-f]{40} port $port ([a-z]+) .*/\1/p" \
        tracker.log >events
    run -0 cat events
    assert_output "started
completed
stopped"
}

@test "--seed-ratio 1: seeds until it has uploaded the payload once, then exits 0" {
    bt-create -q -d -l 32K -o t.torrent src/data.bin
    seed s t.torrent --no-announce
    local pa
    pa=$(free_port)
    start_bg a timeout 120 bt-download --seed-ratio 1 --no-dht --no-announce \
        -l "127.0.0.1:$pa" -p "$SEED_ADDR" -o a t.torrent
    wait_log a.log "complete: every piece verified"
    # Still seeding: nobody has downloaded from it yet.
    sleep 1.5
    kill -0 "$PID_a"
    # B knows only A (no PEX, so A cannot point it at the seeder): A uploads
    # the whole payload to B, and that meets its goal.
    run -0 --separate-stderr timeout 60 bt-download --no-pex --no-dht --no-announce \
        -l 127.0.0.1:0 -p "127.0.0.1:$pa" -o b t.torrent
    cmp src/data.bin b/data.bin
    wait_for_exit "$PID_a" 20
    run -0 cat a.log
    assert_line --regexp '^bt-download: seeding goal reached \(ratio\): uploaded 1\.[0-9]{2} times the payload in [0-9]+ s of seeding$'
    assert_line a/data.bin
}

# --- --json ----------------------------------------------------------------------

# check_jsonl FILE: every line of FILE is one JSON object with an "event";
# prints the events in order, one a line.
check_jsonl() {
    "$BT_PYTHON" - "$1" <<'PY'
import json, sys
for n, line in enumerate(open(sys.argv[1]), 1):
    obj = json.loads(line)
    assert isinstance(obj, dict) and isinstance(obj.get("event"), str), (n, line)
    print(obj["event"])
PY
}

@test "--json: start, progress, done on stdout, one object a line; the path moves into done" {
    bt-create -q -d -l 32K -o t.torrent src/data.bin
    seed s t.torrent --no-announce
    run -0 --separate-stderr timeout 60 bt-download --json --no-dht --no-announce \
        -l 127.0.0.1:0 -p "$SEED_ADDR" -o out t.torrent
    cmp src/data.bin out/data.bin
    echo "$output" >events.jsonl
    run -0 check_jsonl events.jsonl
    [ "${lines[0]}" = start ]
    [ "${lines[-1]}" = done ]
    # The human side stays on stderr.
    [[ $stderr == *"complete: every piece verified"* ]]
    run -0 jq -r 'select(.event == "start") | [.name, .size, .piece_count, .piece_length, .have] | @tsv' \
        events.jsonl
    assert_output "$(printf 'data.bin\t1048576\t32\t32768\t0')"
    # bt-create makes a hybrid: both hashes.
    run -0 jq -r 'select(.event == "start") | .info_hash, .info_hash_v2' events.jsonl
    assert_output "$(bt-infohash t.torrent)"
    run -0 jq -r 'select(.event == "done") |
        [.complete, .path, .error, .have, .size, .downloaded, .peers, .hash_failures] | @tsv' events.jsonl
    assert_output "$(printf 'true\tout/data.bin\t\t1048576\t1048576\t1048576\t1\t0')"
    # Every progress event has its numbers (there may be none: 1 MiB is quick).
    run -0 jq -r 'select(.event == "progress") |
        (.have|type), (.rate|type), (.peers|type), (.uploaded|type), (.eta|type)' events.jsonl
    refute_output --regexp 'string|object|array'
    # Run again: already complete, nothing downloaded.
    run -0 --separate-stderr timeout 60 bt-download --json --no-dht --no-announce \
        -l 127.0.0.1:0 -o out t.torrent
    run -0 jq -r 'select(.event == "done") | [.complete, .have, .downloaded] | @tsv' <<<"$output"
    assert_output "$(printf 'true\t1048576\t0')"
}

@test "--json: a peer that sends bad data gives piece-failed and peer-banned, then a done that failed" {
    local port hash
    port=$(free_port)
    hash=$(bt-infohash "$BT_SRCDIR/samples/single.torrent")
    start_bg bad "$BT_PYTHON" "$BT_SRCDIR/tests/hostile-peer.py" bad-hash "$port" "$hash" \
        "$(wc -l <"$BT_SRCDIR/tests/golden/02-single.pieces.out")"
    wait_port "$port"
    run -1 --separate-stderr timeout 60 bt-download --json --no-dht --no-announce --no-web-seeds \
        -l 127.0.0.1:0 -p "127.0.0.1:$port" -o out "$BT_SRCDIR/samples/single.torrent"
    echo "$output" >events.jsonl
    run -0 check_jsonl events.jsonl
    [ "${lines[0]}" = start ]
    [ "${lines[-1]}" = done ]
    assert_line piece-failed
    assert_line peer-banned
    run -0 jq -r 'select(.event == "peer-banned") | [.peer, .why] | @tsv' events.jsonl
    assert_output "$(printf '127.0.0.1:%s\tsent data that failed a piece'"'"'s hash check' "$port")"
    run -0 jq -r 'select(.event == "piece-failed") | .piece | type' events.jsonl
    assert_line number
    run -0 jq -r 'select(.event == "done") | [.complete, .path, .have, .hash_failures >= 1] | @tsv' \
        events.jsonl
    assert_output "$(printf 'false\t\t0\ttrue')"
    run -0 jq -r 'select(.event == "done") | .error' events.jsonl
    assert_output --partial "peer"
}

@test "the progress bar goes to a real terminal's stderr while --json goes to stdout" {
    require_cmd tmux
    require_libtorrent
    # A slow seeder (libtorrent, 1 MiB/s), so that the bar is up for seconds.
    head -c 4194304 /dev/urandom >src/data.bin
    bt-create -q -d -l 64K -o t.torrent src/data.bin
    local port
    port=$(free_port)
    start_bg lt timeout 120 "$BT_PYTHON" "$BT_SRCDIR/tests/lt-client.py" seed t.torrent src "$port" \
        --upload-limit 1048576
    wait_port "$port" 20 "$PID_lt"
    # tmux gets its own server (-L) in this test's directory, stopped at the end.
    local sock="bt$$"
    tmux -L "$sock" new-session -d -x 100 -y 10 \
        "bt-download --json --no-dht --no-announce -l 127.0.0.1:0 -p 127.0.0.1:$port -o out t.torrent >events.jsonl; echo exit=\$? >status; sleep 30"
    local pane="" i
    for ((i = 0; i < 200; i++)); do
        pane=$(tmux -L "$sock" capture-pane -p)
        [[ $pane == *"ETA"* && $pane == *"[#"* ]] && break
        sleep 0.1
    done
    for ((i = 0; i < 300; i++)); do
        [ -s status ] && break
        sleep 0.1
    done
    tmux -L "$sock" kill-server
    [[ $pane == *"ETA"* && $pane == *"[#"* ]] || fail "no progress bar on the terminal: $pane"
    [ "$(cat status)" = "exit=0" ]
    cmp src/data.bin out/data.bin
    # Nothing of the bar reached stdout: only JSON lines.
    run -0 check_jsonl events.jsonl
    [ "${lines[-1]}" = done ]
    assert_line progress
    ! grep -q 'ETA' events.jsonl
}

# --- rate limits -------------------------------------------------------------------

@test "--max-download-rate and --max-upload-rate take 500K, 1.5M, 10M and refuse the rest" {
    bt-create -q -d -l 32K -o t.torrent src/data.bin
    local bad
    for bad in 0 1000 abc 1e6 -5 10MB 2048G 1.5.5M ""; do
        run -2 --separate-stderr bt-download --max-download-rate "$bad" t.torrent
        [[ $stderr == *"invalid download rate '$bad'"* ]]
        run -2 --separate-stderr bt-download --max-upload-rate "$bad" t.torrent
        [[ $stderr == *"invalid upload rate '$bad'"* ]]
    done
}

# rate_of FILE: the done event's rate in FILE (JSON lines), in bytes a second.
rate_of() {
    jq -r 'select(.event == "done") | .rate' "$1"
}

# within_5pct RATE CAP: is RATE within 5% of CAP?
within_5pct() {
    awk -v r="$1" -v c="$2" 'BEGIN { exit !(r >= 0.95 * c && r <= 1.05 * c) }' ||
        fail "rate $1 is not within 5% of $2"
}

@test "--max-download-rate 1M holds a 10 s download from a fast seeder within 5% of the cap" {
    head -c 10485760 /dev/urandom >src/data.bin
    bt-create -q -d --v1 -l 256K -o t.torrent src/data.bin
    seed s t.torrent --no-announce
    run -0 --separate-stderr timeout 60 bt-download --json --max-download-rate 1M --no-dht \
        --no-announce -l 127.0.0.1:0 -p "$SEED_ADDR" -o out t.torrent
    cmp src/data.bin out/data.bin
    echo "$output" >events.jsonl
    within_5pct "$(rate_of events.jsonl)" 1048576
    # Even, not in bursts: between two progress events (about a second apart,
    # each with its time since the start), no more came in than the cap allows
    # and one 256 KiB piece, the granularity of "have".
    run -0 jq -r 'select(.event == "progress") | "\(.ms) \(.have)"' events.jsonl
    [ "${#lines[@]}" -ge 8 ]
    echo "$output" | awk 'NR > 1 && ($1 <= t || $2 - p > ($1 - t) / 1000 * 1048576 + 262144) {
            bad = 1; print "burst: " $2 - p " bytes in " $1 - t " ms" }
        { t = $1; p = $2 } END { exit bad }'
}

@test "--max-upload-rate 1M holds what a seeding bt-download serves within 5% of the cap" {
    head -c 10485760 /dev/urandom >src/data.bin
    bt-create -q -d --v1 -l 256K -o t.torrent src/data.bin
    mkdir a && cp src/data.bin a/
    local pa
    pa=$(free_port)
    start_bg a timeout 120 bt-download --seed --max-upload-rate 1M --no-dht --no-announce \
        -l "127.0.0.1:$pa" -o a t.torrent
    wait_port "$pa" 10 "$PID_a"
    run -0 --separate-stderr timeout 60 bt-download --json --no-dht --no-announce \
        -l 127.0.0.1:0 -p "127.0.0.1:$pa" -o b t.torrent
    cmp src/data.bin b/data.bin
    echo "$output" >events.jsonl
    within_5pct "$(rate_of events.jsonl)" 1048576
}

# --- instant resume: the state file ---------------------------------------------------

# multi: four files of 1 MiB in src/multi, a v1 torrent of them with 64 KiB pieces.
multi() {
    mkdir -p src/multi
    local i
    for i in 1 2 3 4; do
        head -c 1048576 /dev/urandom >"src/multi/f$i.bin"
    done
    bt-create -q -d --v1 -l 64K -o m.torrent src/multi
    SEED_DATA=src
}

# start_of FILE: the start event's "have checked" in FILE (JSON lines).
start_of() {
    jq -r 'select(.event == "start") | "\(.have) \(.checked)"' "$1"
}

# resume_json OUT [OPTIONS...]: bt-download of m.torrent into OUT with no peer
# at all (it fails at once unless complete), its events in resume.jsonl.
resume_json() {
    local out=$1
    shift
    run --separate-stderr timeout 60 bt-download --json --no-dht --no-announce --no-web-seeds \
        -l 127.0.0.1:0 -o "$out" "$@" m.torrent
    echo "$output" >resume.jsonl
}

@test "a restart trusts the state file and reads nothing; --recheck hashes every piece" {
    multi
    seed s m.torrent --no-announce
    run -0 --separate-stderr timeout 60 bt-download --no-dht --no-announce -l 127.0.0.1:0 \
        -p "$SEED_ADDR" -o out m.torrent
    diff -r src/multi out/multi
    # The state sits beside the download.
    [ -s out/.multi.bt-state ]
    run -0 bt-decode out/.multi.bt-state
    [ "$(jq -r '.version, ."piece count", (.files | length)' <<<"$output" | tr '\n' ' ')" = "1 64 4 " ]
    [ "$(jq -r '."boot id"' <<<"$output")" = "$(cat /proc/sys/kernel/random/boot_id)" ]
    resume_json out
    [ "$status" -eq 0 ]
    [ "$(start_of resume.jsonl)" = "4194304 0" ]
    [[ $stderr == *"state file out/.multi.bt-state: 64 pieces verified before, 0 checked again (0 files changed)"* ]]
    resume_json out --recheck
    [ "$status" -eq 0 ]
    [ "$(start_of resume.jsonl)" = "4194304 64" ]
}

@test "a file changed since the state was written is checked again, and only it" {
    multi
    seed s m.torrent --no-announce
    run -0 --separate-stderr timeout 60 bt-download --no-dht --no-announce -l 127.0.0.1:0 \
        -p "$SEED_ADDR" -o out m.torrent
    # One byte of f3 changes (and with it its mtime): its 16 pieces are hashed,
    # one fails, and the download fetches it again.
    flip_byte out/multi/f3.bin 100000
    run -0 --separate-stderr timeout 60 bt-download --json --no-dht --no-announce \
        -l 127.0.0.1:0 -p "$SEED_ADDR" -o out m.torrent
    echo "$output" >events.jsonl
    [ "$(start_of events.jsonl)" = "$((4194304 - 65536)) 16" ]
    [[ $stderr == *"48 pieces verified before, 16 checked again (1 files changed)"* ]]
    [[ $stderr == *"resuming: 63 of 64 pieces already verified"* ]]
    diff -r src/multi out/multi
}

@test "a damaged state file, or another torrent's, is set aside with a reason: every piece is hashed" {
    multi
    seed s m.torrent --no-announce
    run -0 --separate-stderr timeout 60 bt-download --no-dht --no-announce -l 127.0.0.1:0 \
        -p "$SEED_ADDR" -o out m.torrent
    cp out/.multi.bt-state good.state
    # Damaged: cut short.
    head -c 50 good.state >out/.multi.bt-state
    resume_json out
    [ "$status" -eq 0 ]
    [[ $stderr == *"state file out/.multi.bt-state: not a state file, or a damaged one; checking every piece"* ]]
    [ "$(start_of resume.jsonl)" = "4194304 64" ]
    # Another torrent's (--state names it): refused as such.
    bt-create -q -d --v1 -l 32K -o other.torrent src/multi/f1.bin
    mkdir o && cp src/multi/f1.bin o/
    run -0 --separate-stderr timeout 60 bt-download -q --no-dht --no-announce -l 127.0.0.1:0 \
        -o o other.torrent
    resume_json out --state o/.f1.bin.bt-state
    [[ $stderr == *"state file o/.f1.bin.bt-state: the state file is of another torrent; checking every piece"* ]]
    [ "$(start_of resume.jsonl)" = "4194304 64" ]
    # A state from another boot of the system: what the kernel held may be
    # lost, so nothing in it is trusted.
    bt-decode good.state | jq '."boot id" = "00000000-0000-0000-0000-000000000000"' |
        bt-encode >out/.multi.bt-state
    resume_json out
    [[ $stderr == *"state file out/.multi.bt-state: the state file is from before the system last started; checking every piece"* ]]
    [ "$(start_of resume.jsonl)" = "4194304 64" ]
    # A state that claims every piece of files that are gone is not believed.
    rm out/multi/f2.bin
    cp good.state out/.multi.bt-state
    resume_json out
    [ "$status" -eq 1 ]
    [ "$(start_of resume.jsonl)" = "$((4194304 - 1048576)) 16" ]
}

@test "SIGKILL at any moment: a restart loses no verified piece and trusts no unverified one" {
    multi
    seed s m.torrent --no-announce
    local round pid wait resumed truth
    for round in 1 2 3 4 5; do
        # A slow download (1 MiB/s: 4 s in all), killed at a random moment.
        bt-download -q --max-download-rate 1M --no-dht --no-announce -l 127.0.0.1:0 \
            -p "$SEED_ADDR" -o out m.torrent >/dev/null 2>&1 &
        pid=$!
        wait=$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", 0.2 + (r % 300) / 100 }')
        sleep "$wait"
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        # What a restart believes, against what hashing every piece finds.
        resume_json out
        resumed=$(start_of resume.jsonl | cut -d' ' -f1)
        resume_json out --recheck
        truth=$(start_of resume.jsonl | cut -d' ' -f1)
        [ "$resumed" = "$truth" ] || fail "round $round, killed after ${wait}s: restart has $resumed bytes, the disk $truth"
    done
    # And it finishes, byte for byte.
    run -0 --separate-stderr timeout 60 bt-download --no-dht --no-announce -l 127.0.0.1:0 \
        -p "$SEED_ADDR" -o out m.torrent
    diff -r src/multi out/multi
}

# --- selective download ----------------------------------------------------------

# straddle: src/m, five files whose 32 KiB pieces straddle them (v1), in
# m2.torrent; SEED_DATA=src.
straddle() {
    mkdir -p src/m/sub
    head -c 100000 /dev/urandom >src/m/a.bin
    head -c 300000 /dev/urandom >src/m/sub/b.bin
    head -c 50000 /dev/urandom >src/m/sub/c.bin
    printf 'notes\n' >src/m/info.nfo
    : >src/m/empty.txt
    bt-create -q -d --v1 -l 32K -o m2.torrent src/m
    SEED_DATA=src
}

# num PATH: the number bt-infohash -s gives the file PATH of m2.torrent.
num() {
    bt-infohash -q -s m2.torrent | awk -v p="$1" '$3 == p { print $1 }'
}

# get OUT [OPTIONS...]: bt-download of m2.torrent from $SEED_ADDR into OUT,
# --json events in OUT.jsonl.
get() {
    local out=$1
    shift
    run --separate-stderr timeout 60 bt-download --json --no-dht --no-announce --no-web-seeds \
        -l 127.0.0.1:0 -p "$SEED_ADDR" -o "$out" "$@" m2.torrent
    echo "$output" >"$out.jsonl"
}

@test "bt-infohash -s numbers the files from 1, as --select takes them" {
    straddle
    run -0 bt-infohash -q -s m2.torrent
    assert_line --regexp '^  1  +100000  a\.bin$'
    assert_line --regexp '^  5  +50000  sub/c\.bin$'
    [ "$(num sub/b.bin)" = 4 ]
}

@test "--select: only the chosen files appear; shared pieces are fetched whole, their other part kept in the parts file" {
    straddle
    seed s m2.torrent --no-announce
    get out --select "$(num a.bin),$(num sub/c.bin)"
    [ "$status" -eq 0 ]
    [[ $stderr == *"chosen: 2 of 5 files, 146.5 KiB"* ]]
    cmp src/m/a.bin out/m/a.bin
    cmp src/m/sub/c.bin out/m/sub/c.bin
    # Nothing of the files not chosen is where they belong.
    [ ! -e out/m/sub/b.bin ] && [ ! -e out/m/info.nfo ] && [ ! -e out/m/empty.txt ]
    # a's last piece holds b's first bytes, c's first piece b's last: two slots.
    [ -s out/.m.bt-parts ]
    [ "$(du -k out/.m.bt-parts | cut -f1)" -le 64 ]
    # 450006 bytes in 14 pieces; a: pieces 0-3, c: 12-13, each whole.
    [ "$(jq -r 'select(.event == "done") | "\(.complete) \(.wanted) \(.size)"' out.jsonl)" = \
        "true $((5 * 32768 + 450006 - 13 * 32768)) 450006" ]
}

@test "--select again trusts the state; choosing more later fetches only the rest, and the parts file goes" {
    straddle
    seed s m2.torrent --no-announce
    get out --select "$(num a.bin)"
    [ "$status" -eq 0 ]
    get out --select "$(num a.bin)"
    [ "$status" -eq 0 ]
    [[ $stderr == *"4 pieces verified before, 0 checked again (0 files changed)"* ]]
    # Every file now: a's pieces 0-2 are trusted.  Piece 3 (a's end, b's
    # start) is hashed again, since b was not chosen, and fails: b's part of
    # it is in the parts file, which is not copied into a file chosen later.
    get out
    [ "$status" -eq 0 ]
    diff -r src/m out/m
    [ ! -e out/.m.bt-parts ]
    [ "$(jq -r 'select(.event == "done") | .downloaded' out.jsonl)" = $((450006 - 3 * 32768)) ]
}

@test "a downloader serves what it chose to another, shared pieces read back from its parts file" {
    straddle
    seed s m2.torrent --no-announce
    local port
    port=$(free_port)
    start_bg first timeout 60 bt-download --no-dht --no-announce --no-web-seeds --seed \
        -l "127.0.0.1:$port" -p "$SEED_ADDR" -o first --select "$(num sub/c.bin)" m2.torrent
    wait_log "$BATS_TEST_TMPDIR/first.log" 'complete: every piece of the files chosen verified'
    stop_group "$PID_s"
    # c's first piece holds b's last bytes: the second gets them from the first.
    SEED_ADDR="127.0.0.1:$port"
    get second --select "$(num sub/c.bin)"
    [ "$status" -eq 0 ]
    cmp src/m/sub/c.bin second/m/sub/c.bin
    [ ! -e second/m/sub/b.bin ]
}

@test "--exclude GLOB leaves out what matches a file's name or path; lists that name no file are refused" {
    straddle
    seed s m2.torrent --no-announce
    get out --exclude '*.nfo' --exclude 'sub/b*' --exclude 'nothing*'
    [ "$status" -eq 0 ]
    [[ $stderr == *"--exclude 'nothing*' matches no file"* ]]
    [[ $stderr == *"chosen: 3 of 5 files"* ]]
    cmp src/m/a.bin out/m/a.bin
    cmp src/m/sub/c.bin out/m/sub/c.bin
    [ -e out/m/empty.txt ] && [ ! -s out/m/empty.txt ]
    [ ! -e out/m/info.nfo ] && [ ! -e out/m/sub/b.bin ]
    local bad
    for bad in 0 6 3-2 x 1,,2 1- -1 99999999999 ""; do
        run -1 --separate-stderr bt-download --no-dht --no-announce -o bad --select "$bad" m2.torrent
        [[ $stderr == *"--select: '"*"' is not a file number or range of 1 to 5"* ]] || fail "$bad: $stderr"
    done
    run -1 --separate-stderr bt-download --no-dht --no-announce -o bad --exclude '*' m2.torrent
    [[ $stderr == *"no file is left to download"* ]]
}

@test "--first-last: each chosen file's first and last pieces are asked for before the others" {
    head -c 4194304 /dev/urandom >src/data.bin
    bt-create -q -d -l 32K -o t.torrent src/data.bin
    seed s t.torrent --no-announce
    run -0 --separate-stderr timeout 60 bt-download --trace --no-dht --no-announce \
        -l 127.0.0.1:0 -p "$SEED_ADDR" -o out --first-last t.torrent
    cmp src/data.bin out/data.bin
    # Pieces first asked for once unchoked (before, only BEP 6's allowed fast
    # pieces may be): 0 and 127 before any other not asked for already.
    local order
    order=$(awk '/^<- unchoke/ { u = 1 }
                 /^-> request/ { split($3, a, "="); p = a[2]
                                 if (!(p in seen)) { seen[p] = 1; if (u) print p; else early[p] = 1 } }
                 END { for (p in early) print "early", p }' <<<"$stderr")
    local want=() p
    for p in 0 127; do
        grep -qx "early $p" <<<"$order" || want+=("$p")
    done
    [ "${#want[@]}" -gt 0 ] || skip "both pieces were allowed fast pieces"
    [ "$(grep -v early <<<"$order" | head -n "${#want[@]}" | sort -n | tr '\n' ' ')" = "${want[*]} " ]
}

@test "--select on a hybrid torrent: padding keeps files apart, so no parts file" {
    straddle
    bt-create -q -d --hybrid -l 32K -o m2.torrent src/m
    seed s m2.torrent --no-announce
    get out --select "$(num sub/b.bin)"
    [ "$status" -eq 0 ]
    cmp src/m/sub/b.bin out/m/sub/b.bin
    [ ! -e out/m/a.bin ] && [ ! -e out/.m.bt-parts ]
}

@test "--select from libtorrent as seeder" {
    require_libtorrent
    straddle
    local port
    port=$(free_port)
    start_bg lt timeout 120 "$BT_PYTHON" "$BT_SRCDIR/tests/lt-client.py" seed m2.torrent src "$port"
    wait_port "$port" 20 "$PID_lt"
    SEED_ADDR="127.0.0.1:$port"
    get out --select "$(num sub/b.bin)"
    [ "$status" -eq 0 ]
    cmp src/m/sub/b.bin out/m/sub/b.bin
    [ ! -e out/m/a.bin ] && [ ! -e out/m/sub/c.bin ]
    [ -s out/.m.bt-parts ]
}
