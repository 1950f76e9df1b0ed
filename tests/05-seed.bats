#!/usr/bin/env bats
# 05-seed.bats - bt-seed: usage, checking the data, serving bt-fetch-piece,
# refusing bad requests, and whole downloads by libtorrent, transmission and
# aria2c.
bats_require_minimum_version 1.5.0

load helper
load wire

teardown() {
    stop_all
}

# leech_script PORT: a python peer that shakes hands, asks for unchoke and then
# sends the requests given as "index begin length" arguments.
leech() {
    "$BT_PYTHON" - "$@" <<'PY'
import socket, struct, sys
port, info_hash = int(sys.argv[1]), bytes.fromhex(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port), timeout=5)
s.sendall(b"\x13BitTorrent protocol" + bytes(8) + info_hash + b"-XX0000-testleecher!")
def recv(n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            print("closed"); sys.exit(0)
        data += chunk
    return data
recv(68)
s.sendall(struct.pack(">IB", 1, 2))
while True:
    length = struct.unpack(">I", recv(4))[0]
    body = recv(length)
    if body[:1] == b"\x01":
        break
for req in sys.argv[3:]:
    i, b, l = map(int, req.split(","))
    s.sendall(struct.pack(">IBIII", 13, 6, i, b, l))
while True:
    length = struct.unpack(">I", recv(4))[0]
    body = recv(length)
    if body[:1] == b"\x07":
        print("piece", struct.unpack(">II", body[1:9]), len(body) - 9)
PY
}

@test "no arguments is a usage error" {
    run -2 --separate-stderr bt-seed
    assert_output ""
    [[ "$stderr" == *"usage: bt-seed"* ]]
}

@test "--help names the tutorial and the DATA convention" {
    run -0 bt-seed --help
    assert_output --partial "tutorials/05-messages.md"
    assert_output --partial "directory that contains the torrent's name"
}

@test "a bad listen address is a usage error" {
    run -2 --separate-stderr bt-seed -l nowhere "$SAMPLES/single.torrent" "$SAMPLES/data"
    assert_output ""
    [ "$stderr" = "bt-seed: nowhere: invalid network address" ]
}

@test "prints the address it listens on; port 0 picks one" {
    start_bg seed timeout 20 bt-seed -q -l 127.0.0.1:0 "$SAMPLES/single.torrent" "$SAMPLES/data"
    for _ in $(seq 50); do
        [ -s "$BATS_TEST_TMPDIR/seed.log" ] && break
        sleep 0.1
    done
    run -0 cat "$BATS_TEST_TMPDIR/seed.log"
    assert_output --regexp '^127\.0\.0\.1:[0-9]+$'
    bt-handshake "$SAMPLES/single.torrent" "$output"
}

@test "a tracker's failure reason reaches stderr without its control bytes" {
    start_hostile
    local port
    port=$(free_port)
    start_bg seed bt-seed -l "127.0.0.1:$port" --tracker "http://127.0.0.1:$HPORT/escape" \
        "$SAMPLES/single.torrent" "$SAMPLES/data"
    local i
    for i in $(seq 100); do
        grep -q 'tracker refused' "$BATS_TEST_TMPDIR/seed.log" && break
        sleep 0.1
    done
    run -0 grep 'tracker refused the request: bad?\[31mred' "$BATS_TEST_TMPDIR/seed.log"
    run -1 grep -c $'\e' "$BATS_TEST_TMPDIR/seed.log"
}

@test "data that does not match the hashes is refused" {
    local d="$BATS_TEST_TMPDIR/bad"
    mkdir "$d"
    cp "$SAMPLES/data/single.bin" "$d/single.bin"
    chmod u+w "$d/single.bin"
    printf 'X' | dd of="$d/single.bin" bs=1 seek=40000 conv=notrunc status=none
    run -1 --separate-stderr bt-seed -l 127.0.0.1:0 "$SAMPLES/single.torrent" "$d"
    assert_output ""
    [ "$stderr" = "bt-seed: $d: piece 2 does not match its SHA-1: the data is not this torrent's (or is incomplete)" ]
}

@test "a file shorter than the torrent says is refused" {
    local d="$BATS_TEST_TMPDIR/short"
    mkdir "$d"
    head -c 1000 "$SAMPLES/data/single.bin" > "$d/single.bin"
    run -1 --separate-stderr bt-seed -l 127.0.0.1:0 "$SAMPLES/single.torrent" "$d"
    assert_output ""
    [ "$stderr" = "bt-seed: $d: single.bin: file is shorter than the torrent says" ]
}

@test "a symbolic link in the torrent's tree is not followed" {
    local d="$BATS_TEST_TMPDIR/link"
    mkdir "$d"
    ln -s "$SAMPLES/data/multi" "$d/multi"
    run -1 --separate-stderr bt-seed -l 127.0.0.1:0 "$SAMPLES/multi.torrent" "$d"
    assert_output ""
    [[ "$stderr" == "bt-seed: $d: "*": path escapes the download directory" ]]
}

@test "a multi-file torrent needs a directory" {
    run -1 --separate-stderr bt-seed "$SAMPLES/multi.torrent" "$SAMPLES/data/single.bin"
    assert_output ""
    [[ "$stderr" == *"not a directory, and the torrent has several files"* ]]
}

@test "DATA may be the file of a single-file torrent" {
    local port
    port=$(free_port)
    start_bg seed timeout 20 bt-seed -l "127.0.0.1:$port" "$SAMPLES/single.torrent" \
        "$SAMPLES/data/single.bin"
    wait_port "$port" 10 "$PID_seed"
    run -0 --separate-stderr bash -c "bt-fetch-piece -p 127.0.0.1:$port '$SAMPLES/single.torrent' 3 | sha1sum"
    assert_output "$(piece_sha1 single.torrent 3)  -"
}

@test "serves every piece of multi.torrent, across file boundaries" {
    local i n
    start_seed seed "$SAMPLES/multi.torrent"
    n=$(wc -l < "$BT_SRCDIR/tests/golden/02-multi.pieces.out")
    for ((i = 0; i < n; i++)); do
        [ "$(bt-fetch-piece -p "$SEED" "$SAMPLES/multi.torrent" "$i" | sha1sum | cut -c1-40)" = \
            "$(piece_sha1 multi.torrent "$i")" ]
    done
}

@test "a request over 16 KiB drops the peer" {
    start_seed seed "$SAMPLES/large.torrent"
    run -0 leech "${SEED##*:}" "$(bt-infohash "$SAMPLES/large.torrent")" 0,0,32768
    assert_output "closed"
    run grep -F "dropped: invalid peer message: request of 32768 bytes (the limit is 16384)" \
        "$BATS_TEST_TMPDIR/seed.log"
    assert_success
}

@test "a request past the end of a piece drops the peer" {
    start_seed seed "$SAMPLES/single.torrent"
    run -0 leech "${SEED##*:}" "$(bt-infohash "$SAMPLES/single.torrent")" 0,0,16384 4,4000,1000
    assert_output "piece (0, 0) 16384
closed"
    run grep -F "dropped: invalid peer message: request out of range: piece 4 begin 4000 length 1000" \
        "$BATS_TEST_TMPDIR/seed.log"
    assert_success
}

@test "answers requests in order with exactly the asked length" {
    start_seed seed "$SAMPLES/single.torrent"
    run -0 timeout 10 bash -c "$(declare -f leech); BT_PYTHON=$BT_PYTHON leech ${SEED##*:} \
        $(bt-infohash "$SAMPLES/single.torrent") 4,0,4464 1,100,7 | head -n 2"
    assert_line --index 0 "piece (4, 0) 4464"
    assert_line --index 1 "piece (1, 100) 7"
}

@test "-m caps the connections" {
    start_seed seed "$SAMPLES/single.torrent" -m 1
    start_bg hold "$BT_PYTHON" -c "import socket,time
s=socket.create_connection(('127.0.0.1', ${SEED##*:})); time.sleep(30)"
    sleep 0.5
    run -1 --separate-stderr bt-handshake -t 2 "$SAMPLES/single.torrent" "$SEED"
    run grep -F "refused: 1 connections already" "$BATS_TEST_TMPDIR/seed.log"
    assert_success
}

@test "python3-libtorrent downloads multi.torrent from bt-seed" {
    local port
    require_libtorrent
    start_seed seed "$SAMPLES/multi.torrent"
    port=$(free_port)
    mkdir "$BATS_TEST_TMPDIR/lt"
    run -0 timeout 60 "$BT_PYTHON" "$BT_SRCDIR/tests/lt-client.py" leech "$SAMPLES/multi.torrent" \
        "$BATS_TEST_TMPDIR/lt" "$port" --connect "${SEED##*:}"
    diff -r "$SAMPLES/data/multi" "$BATS_TEST_TMPDIR/lt/multi"
}

@test "aria2c downloads multi.torrent from bt-seed" {
    local port i
    require_cmd aria2c
    port=$(free_port)
    mkdir "$BATS_TEST_TMPDIR/a2"
    start_bg aria2 timeout 60 aria2c --seed-time=0 --enable-dht=false --enable-dht6=false \
        --bt-enable-lpd=false --enable-peer-exchange=false --listen-port="$port" \
        --dir="$BATS_TEST_TMPDIR/a2" --bt-tracker-connect-timeout=1 --bt-tracker-timeout=1 \
        --summary-interval=0 "$SAMPLES/multi.torrent"
    wait_port "$port"
    # aria2c does not know where we are: bt-seed dials it.
    start_seed seed "$SAMPLES/multi.torrent" -c "127.0.0.1:$port"
    for ((i = 0; i < 600; i++)); do
        kill -0 "$PID_aria2" 2>/dev/null || break
        sleep 0.1
    done
    run grep -F "Download complete: $BATS_TEST_TMPDIR/a2/multi" "$BATS_TEST_TMPDIR/aria2.log"
    assert_success
    diff -r "$SAMPLES/data/multi" "$BATS_TEST_TMPDIR/a2/multi"
}

@test "transmission downloads multi.torrent from bt-seed" {
    local port i
    require_cmd transmission-cli
    port=$(free_port)
    mkdir "$BATS_TEST_TMPDIR/tr"
    printf '#!/bin/sh\ntouch "%s/tr.done"\n' "$BATS_TEST_TMPDIR" > "$BATS_TEST_TMPDIR/done.sh"
    chmod +x "$BATS_TEST_TMPDIR/done.sh"
    start_bg tr timeout 90 transmission-cli -w "$BATS_TEST_TMPDIR/tr" -p "$port" \
        -g "$BATS_TEST_TMPDIR/tr-config" -f "$BATS_TEST_TMPDIR/done.sh" "$SAMPLES/multi.torrent"
    wait_port "$port"
    sleep 2 # transmission refuses an address while it holds wait_port's probe
    # transmission drops 127.x peers from trackers but takes incoming ones: dial it.
    # Dialled twice: if it refuses one connection, the other gets through.
    start_seed seed "$SAMPLES/multi.torrent" -c "127.0.0.1:$port" -c "127.0.0.1:$port"
    for ((i = 0; i < 850; i++)); do
        [ -e "$BATS_TEST_TMPDIR/tr.done" ] && break
        # On a loaded machine it can refuse both calls: call it again now and then.
        if ((i % 150 == 149)); then
            start_seed "seed$i" "$SAMPLES/multi.torrent" -c "127.0.0.1:$port"
        fi
        sleep 0.1
    done
    assert_file_exists "$BATS_TEST_TMPDIR/tr.done"
    # transmission 3.00 does not create empty files (it has no bytes to verify).
    diff -r -x empty.dat "$SAMPLES/data/multi" "$BATS_TEST_TMPDIR/tr/multi"
}
