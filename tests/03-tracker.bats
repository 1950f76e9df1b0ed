#!/usr/bin/env bats
# 03-tracker.bats - bt-tracker: usage, HTTP and UDP announces through bt-announce
# and curl, swarm rules (numwant, stopped, expiry, caps), hostile requests, clean
# shutdown, and real clients (libtorrent, aria2c, transmission) finding each other
# through it.

bats_require_minimum_version 1.5.0
load helper

H1=0123456789abcdef0123456789abcdef01234567
H2=89abcdef0123456789abcdef0123456789abcdef
H1_URL='%01%23Eg%89%AB%CD%EF%01%23Eg%89%AB%CD%EF%01%23Eg'

teardown() {
    stop_all
}

# start_tracker [ARGS...]: run bt-tracker on a free port; sets TPORT, TLOG, HTTP, UDP.
start_tracker() {
    start_bg tracker bt-tracker -p 0 "$@"
    TLOG="$BATS_TEST_TMPDIR/tracker.log"
    local i
    for i in $(seq 100); do
        grep -q '^udp://' "$TLOG" 2>/dev/null && break
        kill -0 "$PID_tracker" 2>/dev/null || break # it failed to start
        sleep 0.1
    done
    HTTP=$(grep -m1 '^http://' "$TLOG")
    UDP=$(grep -m1 '^udp://' "$TLOG")
    TPORT=${UDP##*:}
}

# get PATH-AND-QUERY: the raw body bt-tracker answers over HTTP.
get() {
    curl -sS --max-time 5 "http://127.0.0.1:$TPORT$1"
}

# udp HEX: send one datagram to the tracker, print the answer in hex (or "none").
udp() {
    "$BT_PYTHON" - "$TPORT" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
s.sendto(bytes.fromhex(sys.argv[2]), ("127.0.0.1", int(sys.argv[1])))
try:
    print(s.recv(4096).hex())
except socket.timeout:
    print("none")
PY
}

@test "--help describes the options and names the tutorial" {
    run -0 --separate-stderr bt-tracker --help
    assert_line --partial 'usage: bt-tracker'
    assert_line --partial 'tutorials/03-trackers.md'
}

@test "--version prints the package version" {
    run -0 bt-tracker --version
    assert_output --regexp '^bt-tracker \(btkit\) [0-9]+\.[0-9]+'
}

@test "bad options are usage errors with stdout empty" {
    run -2 --separate-stderr bt-tracker -p 70000
    assert_output ''
    assert_equal "$stderr" "bt-tracker: invalid port '70000' (want 0-65535)"
    run -2 --separate-stderr bt-tracker -b localhost
    assert_equal "$stderr" "bt-tracker: invalid bind address 'localhost' (want a numeric IPv4 or IPv6 address)"
    run -2 --separate-stderr bt-tracker --interval 0
    assert_equal "$stderr" "bt-tracker: invalid interval '0' (want 1-86400)"
    run -2 --separate-stderr bt-tracker extra
    assert_equal "${stderr_lines[0]}" "bt-tracker: unexpected operand 'extra'"
}

@test "it prints its announce URLs, on 127.0.0.1 by default" {
    start_tracker
    assert_regex "$HTTP" '^http://127\.0\.0\.1:[0-9]+/announce$'
    assert_equal "$UDP" "udp://127.0.0.1:$TPORT"
}

@test "a port in use is an error" {
    start_tracker
    run -1 --separate-stderr bt-tracker -p "$TPORT"
    assert_output ''
    assert_equal "$stderr" "bt-tracker: 127.0.0.1:$TPORT: input/output error: Address already in use"
}

@test "peers announcing over HTTP and UDP find each other" {
    start_tracker
    run -0 --separate-stderr bt-announce -i "$H1" -t "$HTTP" -p 7001 --left 0
    assert_output ''
    run -0 --separate-stderr bt-announce -i "$H1" -t "$UDP" -p 7002
    assert_output '127.0.0.1:7001'
    assert_equal "$stderr" "bt-announce: $UDP: interval 1800 s, 1 seeders, 1 leechers, 1 peers"
    run -0 --separate-stderr bt-announce -i "$H1" -t "$HTTP" -p 7003
    assert_line '127.0.0.1:7001'
    assert_line '127.0.0.1:7002'
    assert_equal "${#lines[@]}" 2
    # Other torrents are other swarms.
    run -0 --separate-stderr bt-announce -i "$H2" -t "$HTTP" -p 7004
    assert_output ''
}

@test "announces are logged on stderr" {
    start_tracker
    run -0 --separate-stderr bt-announce -i "$H1" -t "$HTTP" -p 7001 --left 0
    run -0 --separate-stderr bt-announce -i "$H1" -t "$UDP" -p 7002 --left 10
    run -0 grep 'announce' "$TLOG"
    assert_line --regexp "^bt-tracker: http announce 127\.0\.0\.1:[0-9]+ $H1 port 7001 started left 0: 0 peers \(1 seeders, 0 leechers\)\$"
    assert_line --regexp "^bt-tracker: udp announce 127\.0\.0\.1:[0-9]+ $H1 port 7002 started left 10: 1 peers \(1 seeders, 1 leechers\)\$"
}

@test "a seeder is not sent other seeders" {
    start_tracker
    run -0 --separate-stderr bt-announce -i "$H1" -t "$HTTP" -p 7001 --left 0
    run -0 --separate-stderr bt-announce -i "$H1" -t "$HTTP" -p 7002 --left 5
    run -0 --separate-stderr bt-announce -i "$H1" -t "$HTTP" -p 7003 --left 0
    assert_output '127.0.0.1:7002'
}

@test "numwant is honoured, over HTTP and UDP" {
    start_tracker
    local p
    for p in 7001 7002 7003 7004 7005; do
        run -0 --separate-stderr bt-announce -i "$H1" -t "$HTTP" -p "$p"
    done
    run -0 --separate-stderr bt-announce -i "$H1" -t "$HTTP" -p 7006 -n 2
    assert_equal "${#lines[@]}" 2
    run -0 --separate-stderr bt-announce -i "$H1" -t "$UDP" -p 7007 -n 3
    assert_equal "${#lines[@]}" 3
    run -0 --separate-stderr bt-announce -i "$H1" -t "$UDP" -p 7008 -n 0
    assert_output ''
}

@test "the tracker's --numwant is the default when a client does not ask" {
    start_tracker --numwant 1
    run -0 --separate-stderr bt-announce -i "$H1" -t "$HTTP" -p 7001
    run -0 --separate-stderr bt-announce -i "$H1" -t "$HTTP" -p 7002
    run -0 --separate-stderr bt-announce -i "$H1" -t "$HTTP" -p 7003
    assert_equal "${#lines[@]}" 1
}

@test "a stopped peer leaves the swarm" {
    start_tracker
    run -0 --separate-stderr bt-announce -i "$H1" -t "$HTTP" -p 7001 --peer-id AAAAAAAAAAAAAAAAAAAA
    run -0 --separate-stderr bt-announce -i "$H1" -t "$HTTP" -p 7002
    assert_output '127.0.0.1:7001'
    run -0 --separate-stderr bt-announce -i "$H1" -t "$UDP" -p 7001 --peer-id AAAAAAAAAAAAAAAAAAAA -e stopped
    run -0 --separate-stderr bt-announce -i "$H1" -t "$HTTP" -p 7003
    assert_output '127.0.0.1:7002'
}

@test "a peer that stops announcing expires after two intervals" {
    start_tracker --interval 1
    run -0 --separate-stderr bt-announce -i "$H1" -t "$HTTP" -p 7001
    run -0 --separate-stderr bt-announce -i "$H1" -t "$HTTP" -p 7002
    assert_output '127.0.0.1:7001'
    sleep 3.2
    run -0 --separate-stderr bt-announce -i "$H1" -t "$HTTP" -p 7003
    assert_output ''
    run -0 grep -c 'expired' "$TLOG"
}

@test "IPv6: peers come back in peers6 over HTTP and as 18-byte entries over UDP" {
    start_tracker -b ::1
    assert_regex "$HTTP" '^http://\[::1\]:[0-9]+/announce$'
    run -0 --separate-stderr bt-announce -i "$H1" -t "$HTTP" -p 7001
    run -0 --separate-stderr bt-announce -i "$H1" -t "$UDP" -p 7002
    assert_output '[::1]:7001'
    run -0 --separate-stderr bt-announce -i "$H1" -t "$HTTP" -p 7003
    assert_line '[::1]:7001'
    assert_line '[::1]:7002'
}

@test "both families at once: IPv4 peers in peers, IPv6 in peers6" {
    start_tracker -b 127.0.0.1 -b ::1
    local v6
    v6=$(grep -m1 '^http://\[' "$TLOG")
    run -0 --separate-stderr bt-announce -i "$H1" -t "$v6" -p 7001
    run -0 --separate-stderr bt-announce -i "$H1" -t "$HTTP" -p 7002
    assert_output '[::1]:7001'
    run -0 get "/announce?info_hash=$H1_URL&peer_id=ZZZZZZZZZZZZZZZZZZZZ&port=7003"
    assert_output --partial "5:peers6:$(printf '\x7f\x00\x00\x01\x1b\x5a')6:peers618:"
}

@test "compact=0 gives the BEP 3 list of dicts with peer ids" {
    start_tracker
    run -0 --separate-stderr bt-announce -i "$H1" -t "$HTTP" -p 7001 --peer-id AAAAAAAAAAAAAAAAAAAA
    run -0 get "/announce?info_hash=$H1_URL&peer_id=BBBBBBBBBBBBBBBBBBBB&port=7002&compact=0&left=3"
    assert_output 'd8:completei0e10:incompletei2e8:intervali1800e12:min intervali900e5:peersld2:ip9:127.0.0.17:peer id20:AAAAAAAAAAAAAAAAAAAA4:porti7001eeee'
    run -0 get "/announce?info_hash=$H1_URL&peer_id=CCCCCCCCCCCCCCCCCCCC&port=7003&compact=0&no_peer_id=1&numwant=1"
    assert_output --partial '5:peersld2:ip9:127.0.0.14:porti700'
}

@test "scrape counts seeders, leechers and completed downloads" {
    start_tracker
    run -0 --separate-stderr bt-announce -i "$H1" -t "$HTTP" -p 7001 --left 0 -e completed
    run -0 --separate-stderr bt-announce -i "$H1" -t "$HTTP" -p 7002
    run -0 --separate-stderr bt-announce -i "$H2" -t "$HTTP" -p 7003
    run -0 get "/scrape?info_hash=$H1_URL"
    assert_output "d5:filesd20:$(printf '\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23\x45\x67')d8:completei1e10:downloadedi1e10:incompletei1eeee"
    # Without info_hash: every torrent, in sorted order.
    run -0 bash -c "curl -sS --max-time 5 http://127.0.0.1:$TPORT/scrape | grep -ao '8:completei[0-9]e' | tr '\n' ' '"
    assert_output '8:completei1e 8:completei0e '
}

@test "UDP scrape answers seeders, completed and leechers per hash" {
    start_tracker
    run -0 --separate-stderr bt-announce -i "$H1" -t "$UDP" -p 7001 --left 0
    run -0 udp "0000041727101980000000000000abcd"
    local cid=${output:16:16}
    run -0 udp "${cid}0000000200000007${H1}${H2}"
    assert_output "0000000200000007000000010000000000000000000000000000000000000000"
}

# ---- hostile requests ---------------------------------------------------------

@test "missing or malformed parameters get a bencoded failure reason" {
    start_tracker
    run -0 get "/announce"
    assert_output 'd14:failure reason17:missing info_hashe'
    run -0 get "/announce?info_hash=$H1_URL&port=1"
    assert_output 'd14:failure reason15:missing peer_ide'
    run -0 get "/announce?info_hash=$H1_URL&peer_id=BBBBBBBBBBBBBBBBBBBB"
    assert_output 'd14:failure reason12:missing porte'
    run -0 get "/announce?info_hash=abc&peer_id=BBBBBBBBBBBBBBBBBBBB&port=1"
    assert_output 'd14:failure reason25:info_hash is not 20 bytese'
    run -0 get "/announce?info_hash=%zz&peer_id=BBBBBBBBBBBBBBBBBBBB&port=1"
    assert_output 'd14:failure reason25:info_hash is not 20 bytese'
    run -0 get "/announce?info_hash=$H1_URL&peer_id=BBBBBBBBBBBBBBBBBBBB&port=0"
    assert_output 'd14:failure reason19:port is not 1-65535e'
    run -0 get "/announce?info_hash=$H1_URL&peer_id=BBBBBBBBBBBBBBBBBBBB&port=1&left=-5"
    assert_output 'd14:failure reason24:left is not a byte counte'
    run -0 get "/announce?info_hash=$H1_URL&peer_id=BBBBBBBBBBBBBBBBBBBB&port=1&event=explode"
    assert_output 'd14:failure reason13:unknown evente'
    run -0 get "/announce?info_hash=$H1_URL&info_hash=$H1_URL&peer_id=BBBBBBBBBBBBBBBBBBBB&port=1"
    assert_output 'd14:failure reason23:more than one info_hashe'
    run -0 get "/elsewhere"
    assert_output 'd14:failure reason38:unknown path: use /announce or /scrapee'
}

@test "a request that is not a GET, too large, or garbage is refused and the tracker lives on" {
    start_tracker
    run -0 curl -sS --max-time 5 -X POST "http://127.0.0.1:$TPORT/announce"
    assert_output 'd14:failure reason23:not an HTTP GET requeste'
    run -0 curl -sS --max-time 5 "http://127.0.0.1:$TPORT/announce?x=$(head -c 9000 /dev/zero | tr '\0' a)"
    assert_output 'd14:failure reason17:request too largee'
    # 20000 bytes with no end of line: refused once 8 KiB have arrived.
    run -0 "$BT_PYTHON" - "$TPORT" <<'PY'
import os, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
try:
    s.sendall(os.urandom(20000).replace(b"\n", b"x"))
except OSError:
    pass  # the tracker may close before taking it all
print(s.recv(100).split(b"\r\n")[0].decode())
PY
    assert_output 'HTTP/1.0 413 Request Too Large'
    run -0 bash -c "printf 'GET\r\n\r\n' >/dev/tcp/127.0.0.1/$TPORT"
    run -0 --separate-stderr bt-announce -i "$H1" -t "$HTTP" -p 7001
    run -0 kill -0 "$PID_tracker"
}

@test "a client that sends nothing does not block the others" {
    start_tracker
    exec 4<>"/dev/tcp/127.0.0.1/$TPORT"
    printf 'GET /announce?info_hash=' >&4
    run -0 timeout 5 bt-announce -i "$H1" -t "$HTTP" -p 7001
    exec 4>&-
}

# flood PORT HASH N: N announces over HTTP from made-up peers (ids and ports of
# their own), as fast as one connection after another goes.
flood() {
    "$BT_PYTHON" - "$@" <<'PY'
import http.client, sys, urllib.parse
port, info_hash, n = int(sys.argv[1]), bytes.fromhex(sys.argv[2]), int(sys.argv[3])
for i in range(n):
    q = urllib.parse.urlencode({"info_hash": info_hash, "peer_id": b"-FL0000-%012d" % i,
                                "port": 20000 + i, "left": 1})
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request("GET", "/announce?" + q)
    c.getresponse().read()
    c.close()
PY
}

@test "caps: a flood of fake peers evicts the stalest, and never locks a real peer out" {
    start_tracker --max-peers 50 --max-torrents 2
    run -0 --separate-stderr bt-announce -i "$H1" -t "$HTTP" -p 7001 --left 0
    flood "$TPORT" "$H1" 1000
    # A newcomer is answered with peers, over HTTP and UDP alike.
    run -0 --separate-stderr bt-announce -i "$H1" -t "$HTTP" -p 7002 -n 200
    [ "${#lines[@]}" -eq 49 ]
    run -0 --separate-stderr bt-announce -i "$H1" -t "$UDP" -p 7003 -n 200
    [ "${#lines[@]}" -eq 49 ]
    # The real seeder announces again at its interval and is found again.
    run -0 --separate-stderr bt-announce -i "$H1" -t "$HTTP" -p 7001 --left 0
    run -0 --separate-stderr bt-announce -i "$H1" -t "$HTTP" -p 7004 -n 200
    assert_line 127.0.0.1:7001
    # The memory stays capped: the swarm holds 50 peers, the table 2 torrents,
    # and an announce for a third torrent is answered, not stored.
    run -0 get "/scrape?info_hash=$H1_URL"
    assert_output --partial '8:completei1e'
    assert_output --partial '10:incompletei49e'
    run -0 --separate-stderr bt-announce -i "$H2" -t "$HTTP" -p 7005
    run -0 --separate-stderr bt-announce -i ffffffffffffffffffffffffffffffffffffffff -t "$HTTP" -p 7006
    assert_output ''
    run -0 --separate-stderr bt-announce -i ffffffffffffffffffffffffffffffffffffffff -t "$HTTP" -p 7007
    assert_output ''
}

@test "UDP: short packets are dropped, bad connection ids and actions get an error" {
    start_tracker
    run -0 udp "00"
    assert_output none
    run -0 udp "0000041727101980000000000000abcd"
    assert_regex "$output" '^000000000000abcd[0-9a-f]{16}$'
    local cid=${output:16:16}
    # A wrong protocol id.
    run -0 udp "0000041727101981000000000000abce"
    assert_output "000000030000abce$(printf 'wrong protocol id' | od -An -tx1 | tr -d ' \n')"
    # An announce quoting a connection id we never gave.
    run -0 udp "11111111111111110000000100000042$(printf '%0164d' 0)"
    assert_output "0000000300000042$(printf 'unknown or expired connection id' | od -An -tx1 | tr -d ' \n')"
    run -0 udp "${cid}0000000100000043"
    assert_output "0000000300000043$(printf 'announce shorter than 98 bytes' | od -An -tx1 | tr -d ' \n')"
    run -0 udp "${cid}0000000900000044"
    assert_output "0000000300000044$(printf 'unknown action' | od -An -tx1 | tr -d ' \n')"
    run -0 udp "${cid}0000000200000045abcd"
    assert_output "0000000300000045$(printf 'scrape needs 1 to 74 info hashes' | od -An -tx1 | tr -d ' \n')"
    run -0 --separate-stderr bt-announce -i "$H1" -t "$UDP" -p 7001
}

@test "SIGTERM and SIGINT stop it cleanly with exit 0" {
    local sig
    for sig in TERM INT; do
        bt-tracker -p 0 >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
        local pid=$!
        echo "$pid $BASHPID" >>"$BATS_TEST_TMPDIR/pids"
        run -0 timeout 5 bash -c "until grep -q udp:// '$BATS_TEST_TMPDIR/out'; do sleep 0.1; done"
        kill -"$sig" "$pid"
        local rc=0
        wait_for_exit "$pid" || rc=$?
        assert_equal "$rc" 0
        run -0 cat "$BATS_TEST_TMPDIR/err"
        assert_output "bt-tracker: stopping on SIG$sig"
    done
}

# ---- real clients find each other through bt-tracker ----------------------------

# make_torrent URL: a few MiB of random data in $BATS_TEST_TMPDIR/seed, and t.torrent.
make_torrent() {
    require_cmd mktorrent
    mkdir -p "$BATS_TEST_TMPDIR/seed" "$BATS_TEST_TMPDIR/leech"
    head -c 4194304 /dev/urandom >"$BATS_TEST_TMPDIR/seed/payload.bin"
    mktorrent -l 16 -a "$1" -o "$BATS_TEST_TMPDIR/t.torrent" "$BATS_TEST_TMPDIR/seed/payload.bin" >/dev/null
}

start_lt_seeder() {
    require_libtorrent
    LT_PORT=$(free_port)
    start_bg seeder "$BT_PYTHON" "$BT_SRCDIR/tests/lt-client.py" seed \
        "$BATS_TEST_TMPDIR/t.torrent" "$BATS_TEST_TMPDIR/seed" "$LT_PORT"
    run -0 timeout 20 bash -c "until grep -q 'announced' '$BATS_TEST_TMPDIR/seeder.log'; do sleep 0.2; done"
}

@test "interop: an aria2c leecher downloads from a libtorrent seeder found through bt-tracker (HTTP)" {
    require_cmd aria2c
    start_tracker
    make_torrent "$HTTP"
    start_lt_seeder
    run -0 timeout 60 aria2c -q -d "$BATS_TEST_TMPDIR/leech" --enable-dht=false --bt-enable-lpd=false \
        --enable-peer-exchange=false --seed-time=0 --listen-port="$(free_port)" "$BATS_TEST_TMPDIR/t.torrent"
    run -0 cmp "$BATS_TEST_TMPDIR/seed/payload.bin" "$BATS_TEST_TMPDIR/leech/payload.bin"
    # Both announced here, and the tracker saw the seeder's LT port.
    run -0 grep -c "http announce .* port $LT_PORT " "$TLOG"
}

@test "interop: aria2c and libtorrent find each other over bt-tracker's UDP" {
    require_cmd aria2c
    start_tracker
    make_torrent "$UDP"
    start_lt_seeder
    # aria2c sends UDP tracker packets from its DHT socket and skips udp:// trackers
    # when DHT is off: turn it on, with no entry point, so it only talks to us.
    run -0 timeout 60 aria2c -q -d "$BATS_TEST_TMPDIR/leech" --enable-dht=true \
        --dht-listen-port="$(free_port)" --bt-enable-lpd=false --enable-peer-exchange=false \
        --seed-time=0 --listen-port="$(free_port)" "$BATS_TEST_TMPDIR/t.torrent"
    run -0 cmp "$BATS_TEST_TMPDIR/seed/payload.bin" "$BATS_TEST_TMPDIR/leech/payload.bin"
    run -0 grep -c "udp announce .* port $LT_PORT " "$TLOG"
}

@test "interop: a transmission-cli leecher is found by a libtorrent seeder through bt-tracker" {
    require_cmd transmission-cli
    start_tracker
    make_torrent "$HTTP"
    local tr_port
    tr_port=$(free_port)
    printf '#!/bin/sh\ntouch "%s/done"\n' "$BATS_TEST_TMPDIR" >"$BATS_TEST_TMPDIR/finish.sh"
    chmod +x "$BATS_TEST_TMPDIR/finish.sh"
    # transmission ignores 127.x peers from a tracker but accepts their calls
    # (INTEROP.md): it announces first, and the seeder learns of it and dials.
    start_bg transmission env HOME="$BATS_TEST_TMPDIR/trhome" transmission-cli -p "$tr_port" \
        -w "$BATS_TEST_TMPDIR/leech" -f "$BATS_TEST_TMPDIR/finish.sh" "$BATS_TEST_TMPDIR/t.torrent"
    # It may send a "stopped" first (while it verifies): wait for its "started".
    run -0 timeout 30 bash -c "until grep -q 'port $tr_port started' '$TLOG'; do sleep 0.2; done"
    start_lt_seeder
    run -0 timeout 60 bash -c "until [ -e '$BATS_TEST_TMPDIR/done' ]; do sleep 0.2; done"
    run -0 cmp "$BATS_TEST_TMPDIR/seed/payload.bin" "$BATS_TEST_TMPDIR/leech/payload.bin"
}

@test "interop: bt-announce sees the real clients registered at bt-tracker" {
    start_tracker
    make_torrent "$HTTP"
    start_lt_seeder
    local hash
    hash=$("$BT_PYTHON" "$BT_SRCDIR/tests/lt-client.py" hash "$BATS_TEST_TMPDIR/t.torrent")
    run -0 --separate-stderr bt-announce -i "$hash" -t "$UDP" -p 7001
    assert_output "127.0.0.1:$LT_PORT"
}
