#!/usr/bin/env bats
# Web seeds (BEP 19): pieces fetched with HTTP range requests from a real web
# server (lighttpd, started by each test on loopback), checked like any
# piece, mixed with peers, and a failing or lying server backed off.

bats_require_minimum_version 1.5.0

load helper

setup() {
    cd "$BATS_TEST_TMPDIR"
}

teardown() {
    stop_all
}

# www: lighttpd serving ./www on a free port; sets $WWW (http://127.0.0.1:PORT).
www() {
    require_cmd lighttpd
    local port
    port=$(free_port)
    mkdir -p www
    cat >lighttpd.conf <<CONF
server.document-root = "$BATS_TEST_TMPDIR/www"
server.bind = "127.0.0.1"
server.port = $port
server.errorlog = "$BATS_TEST_TMPDIR/lighttpd.err"
mimetype.assign = ("" => "application/octet-stream")
CONF
    start_bg www lighttpd -D -f lighttpd.conf
    wait_port "$port" 10 "$PID_www"
    WWW="http://127.0.0.1:$port"
}

# seed NAME TORRENT DATA: a bt-seed on a free port; sets $SEED_ADDR.
seed() {
    seed_bg "$1" "$2" "$3" -q --no-dht --no-announce
}

# seed_after REGEX TORRENT DATA: bt-download into out/ from the web seed and a
# peer that is not there yet; once its log (dl.log) has a line matching REGEX,
# a bt-seed of DATA starts at that peer's address, and the download must finish
# from it.  A seeder there from the start could finish before the web seed
# has answered at all.
seed_after() {
    local port
    port=$(free_port)
    start_bg dl timeout 60 bt-download --no-dht --no-announce -l 127.0.0.1:0 -o out \
        -p "127.0.0.1:$port" "$2"
    wait_log dl.log "$1" 30
    start_bg s1 bt-seed -q --no-dht --no-announce -l "127.0.0.1:$port" "$2" "$3"
    wait_for_exit "$PID_dl" 60 || fail "$(cat dl.log)"
    grep -q "^bt-download: complete: every piece verified" dl.log
}

download() {
    run --separate-stderr timeout 60 bt-download --no-dht --no-announce -l 127.0.0.1:0 "$@"
}

# payload: www/multi, three files (one name that needs percent-encoding).
payload() {
    mkdir -p www/multi/sub
    head -c 1500000 /dev/urandom >www/multi/a.bin
    head -c 70000 /dev/urandom >"www/multi/sub/b c%.bin"
    echo small >www/multi/sub/t.txt
}

@test "a single-file torrent whose only source is its web seed" {
    www
    head -c 2000000 /dev/urandom >www/one.bin
    run -0 bt-create --v1 -d -l 64K -w "$WWW/one.bin" -o one.torrent www/one.bin
    download -o out one.torrent
    [ "$status" -eq 0 ] || fail "$stderr"
    cmp www/one.bin out/one.bin
    [[ "$stderr" == *"web seeds: 1.9 MiB of piece data from 1"* ]] || fail "$stderr"
}

@test "a multi-file torrent from a web seed directory: BEP 19 paths, percent-encoded" {
    www
    payload
    run -0 bt-create --v1 -d -l 32K -w "$WWW/" -o multi.torrent www/multi
    download -o out multi.torrent
    [ "$status" -eq 0 ] || fail "$stderr"
    diff -r www/multi out/multi
}

@test "v2 and hybrid torrents from a web seed: padding is not fetched" {
    www
    payload
    local kind
    for kind in v2 hybrid; do
        run -0 bt-create "--$kind" -d -l 32K -w "$WWW/" -o "$kind.torrent" www/multi
        download -o "out-$kind" "$kind.torrent"
        [ "$status" -eq 0 ] || fail "$kind: $stderr"
        diff -r www/multi "out-$kind/multi"
    done
}

@test "-w adds a web seed to a torrent that names none; --no-web-seeds leaves them out" {
    www
    payload
    run -0 bt-create --v1 -d -l 32K -o plain.torrent www/multi
    download -o out -w "$WWW" plain.torrent
    [ "$status" -eq 0 ] || fail "$stderr"
    diff -r www/multi out/multi
    run -0 bt-create --v1 -d -l 32K -w "$WWW/" -o web.torrent www/multi
    download --give-up 2 -o none --no-web-seeds web.torrent
    [ "$status" -ne 0 ]
    [[ "$stderr" != *"web seeds:"* ]] || fail "$stderr"
    ! cmp -s www/multi/a.bin none/multi/a.bin
}

@test "web seed and peer together: both finish one download" {
    www
    payload
    run -0 bt-create --v1 -d -l 16K -w "$WWW/" -o multi.torrent www/multi
    seed s1 multi.torrent www
    download -o out -p "$SEED_ADDR" multi.torrent
    [ "$status" -eq 0 ] || fail "$stderr"
    diff -r www/multi out/multi
    [[ "$stderr" == *"from 1 peers"* ]] || fail "$stderr"
    [[ "$stderr" == *"web seeds: "*" of piece data from 1"* ]] || fail "$stderr"
    [[ "$stderr" != *"web seeds: 0 B of"* ]] || fail "the web seed sent nothing: $stderr"
}

@test "a web seed that answers 404 is backed off; the peer finishes the download" {
    www
    payload
    run -0 bt-create --v1 -d -l 32K -w "$WWW/nothing-here/" -o multi.torrent www/multi
    seed_after "web seed did not answer the range request \(HTTP 404\); next try in 2 s" \
        multi.torrent www
    diff -r www/multi out/multi
    grep -qF "$WWW/nothing-here/: " dl.log
}

@test "a web seed with the wrong data fails the hash check, is backed off, and the peer finishes" {
    www
    payload
    run -0 bt-create --v1 -d -l 32K -w "$WWW/" -o multi.torrent www/multi
    mkdir good-parent
    cp -R www/multi good-parent/multi
    # Every file of the server's copy changes, so that no piece it sends can
    # pass by luck before the peer has sent all of them.
    local f
    while IFS= read -r -d '' f; do
        head -c "$(stat -c %s "$f")" /dev/urandom >"$f"
    done < <(find www/multi -type f -print0)
    seed_after "sent data that failed a piece's hash check; next try in" multi.torrent good-parent
    diff -r good-parent/multi out/multi
    grep -qF "$WWW/: sent data that failed a piece's hash check" dl.log
}

@test "a server that ignores ranges (200 with the whole file) is never trusted" {
    mkdir -p www
    head -c 600000 /dev/urandom >www/one.bin
    local port
    port=$(free_port)
    # Python's http.server answers every GET with the whole file.
    start_bg plain timeout 60 "$BT_PYTHON" -m http.server -b 127.0.0.1 -d www "$port"
    wait_port "$port" 10
    run -0 bt-create --v1 -d -l 64K -w "http://127.0.0.1:$port/one.bin" -o one.torrent www/one.bin
    download --give-up 3 -o out one.torrent
    [ "$status" -ne 0 ]
    [[ "$stderr" == *"web seed sent a body of the wrong length"* ]] || fail "$stderr"
    [[ "$stderr" != *"complete: every piece verified"* ]] || fail "$stderr"
}

@test "bt-download -w refuses a URL that is not http or https" {
    run --separate-stderr bt-download -w udp://127.0.0.1:1/x -o out "$BT_SRCDIR/samples/single.torrent"
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"unsupported web seed URL 'udp://127.0.0.1:1/x'"* ]] || fail "$stderr"
}
