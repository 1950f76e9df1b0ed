#!/usr/bin/env bats
# 03-announce.bats - bt-announce: usage, what it sends, what it prints, and how it
# fails on every kind of bad tracker (served by tests/hostile-tracker.py), plus
# interop with opentracker.

bats_require_minimum_version 1.5.0
load helper

HASH=0123456789abcdef0123456789abcdef01234567
# The same 20 bytes, percent-encoded as BEP 3 wants: 0x45 is 'E', 0x67 is 'g'.
HASH_URL='%01%23Eg%89%AB%CD%EF%01%23Eg%89%AB%CD%EF%01%23Eg'

teardown() {
    stop_all
}

http_fails_with() {
    local path=$1 message=$2
    start_hostile
    run -1 --separate-stderr bt-announce -T 5 -i "$HASH" -t "http://127.0.0.1:$HPORT$path"
    assert_output ''
    assert_equal "$stderr" "bt-announce: http://127.0.0.1:$HPORT$path: $message"
}

udp_fails_with() {
    local mode=$1 message=$2
    start_hostile "$mode"
    run -1 --separate-stderr bt-announce -T 2 -i "$HASH" -t "udp://127.0.0.1:$HPORT"
    assert_output ''
    assert_equal "$stderr" "bt-announce: udp://127.0.0.1:$HPORT: $message"
}

# ---- usage --------------------------------------------------------------------

@test "--help describes the options and names the tutorial" {
    run -0 --separate-stderr bt-announce --help
    assert_line --partial 'usage: bt-announce [options] TORRENT'
    assert_line --partial '--info-hash HEX'
    assert_line --partial 'tutorials/03-trackers.md'
    assert_equal "$stderr" ''
}

@test "--version prints the package version" {
    run -0 bt-announce --version
    assert_output --regexp '^bt-announce \(btkit\) [0-9]+\.[0-9]+'
}

@test "no operand is a usage error" {
    run -2 --separate-stderr bt-announce
    assert_output ''
    assert_equal "${stderr_lines[0]}" 'bt-announce: no torrent: give TORRENT, or --info-hash and --tracker'
}

@test "--info-hash without --tracker is a usage error" {
    run -2 --separate-stderr bt-announce -i "$HASH"
    assert_output ''
    assert_equal "${stderr_lines[0]}" 'bt-announce: --info-hash needs at least one --tracker'
}

@test "an info hash that is not 40 hex digits is a usage error" {
    run -2 --separate-stderr bt-announce -i 0123 -t http://127.0.0.1:1/announce
    assert_output ''
    assert_equal "$stderr" "bt-announce: invalid info hash '0123' (want 40 hex digits)"
}

@test "only http, https and udp tracker URLs are accepted" {
    local url
    for url in ftp://example.org/announce file:///etc/passwd wss://example.org/ http:// 'http://a b/'; do
        run -2 --separate-stderr bt-announce -i "$HASH" -t "$url"
        assert_output ''
        assert_equal "$stderr" "bt-announce: unsupported tracker URL '$url' (want http://, https:// or udp://)"
    done
}

@test "bad port, event, numwant, timeout and peer id are usage errors" {
    run -2 --separate-stderr bt-announce -i "$HASH" -t http://x/ -p 70000
    assert_equal "$stderr" "bt-announce: invalid port '70000' (want 1-65535)"
    run -2 --separate-stderr bt-announce -i "$HASH" -t http://x/ -e begun
    assert_equal "$stderr" "bt-announce: invalid event 'begun' (want started, stopped, completed or none)"
    run -2 --separate-stderr bt-announce -i "$HASH" -t http://x/ -n -1
    assert_equal "$stderr" "bt-announce: invalid numwant '-1' (want 0-2147483647)"
    run -2 --separate-stderr bt-announce -i "$HASH" -t http://x/ -T 0
    assert_equal "$stderr" "bt-announce: invalid timeout '0' (want seconds, above 0, at most 3600)"
    run -2 --separate-stderr bt-announce -i "$HASH" -t http://x/ --peer-id short
    assert_equal "$stderr" "bt-announce: invalid peer id 'short' (want 20 characters or 40 hex digits)"
}

# ---- what goes on the wire ---------------------------------------------------

@test "the HTTP announce carries the percent-encoded info hash and every BEP 3 field" {
    start_hostile
    run -0 --separate-stderr bt-announce -i "$HASH" -t "http://127.0.0.1:$HPORT/ok" \
        -p 7001 -n 5 --left 100 --uploaded 20 --downloaded 30 -e completed \
        --peer-id ABCDEFGHIJKLMNOPQRST
    run -0 grep '^http GET' "$HLOG"
    assert_output --regexp "^http GET /ok\?info_hash=$HASH_URL&peer_id=ABCDEFGHIJKLMNOPQRST&port=7001&uploaded=20&downloaded=30&left=100&compact=1&key=[0-9a-f]{8}&event=completed&numwant=5 HTTP/1.1\$"
}

@test "the default peer id is btkit's prefix and 12 random characters, and --event none sends no event" {
    start_hostile
    run -0 bt-announce -i "$HASH" -t "http://127.0.0.1:$HPORT/ok?passkey=x" -e none
    run -0 grep '^http GET' "$HLOG"
    assert_output --regexp "^http GET /ok\?passkey=x&info_hash=$HASH_URL&peer_id=$(peer_id_prefix)[0-9A-Za-z]{12}&port=6881&uploaded=0&downloaded=0&left=1&compact=1&key=[0-9a-f]{8} HTTP/1.1\$"
}

@test "trackers and peers see one peer id prefix, made of the version's digits" {
    # Azureus style (BEP 20): "-BK" and one digit per part of the version,
    # four in all: 0.1.0 is -BK0100-.
    local prefix
    prefix=$(peer_id_prefix)
    assert_regex "$prefix" '^-BK[0-9A-Z]{4}-$'
    start_hostile
    run -0 bt-announce -i "$HASH" -t "http://127.0.0.1:$HPORT/ok"
    run -0 grep -c "peer_id=$prefix" "$HLOG"
    local port
    port=$(free_port)
    start_bg seed bt-seed -q -l "127.0.0.1:$port" --no-announce "$BT_SRCDIR/samples/single.torrent" \
        "$BT_SRCDIR/samples/data"
    wait_port "$port" 10 "$PID_seed"
    # bt-handshake prints the seed's peer id in hex.
    run -0 --separate-stderr bt-handshake "$BT_SRCDIR/samples/single.torrent" "127.0.0.1:$port"
    assert_output --regexp "^$(printf '%s' "$prefix" | od -An -tx1 | tr -d ' \n')[0-9a-f]{24}\$"
}

@test "a magnet link's scheme is case-insensitive here, as in every other tool" {
    start_hostile
    run -0 --separate-stderr bt-announce -T 5 -t "http://127.0.0.1:$HPORT/ok" "MAGNET:?xt=urn:btih:$HASH"
    assert_line 192.0.2.7:6881
    run -0 grep -c "info_hash=$HASH_URL" "$HLOG"
}

@test "the UDP announce sends the event, numwant, port and left of BEP 15" {
    start_hostile ok
    run -0 bt-announce -i "$HASH" -t "udp://127.0.0.1:$HPORT" -p 7002 -n 9 --left 77 -e stopped
    run -0 grep '^udp announce' "$HLOG"
    assert_output 'udp announce cid=1122334455667788 event=3 numwant=9 port=7002 left=77'
}

# ---- what it prints ----------------------------------------------------------

@test "compact peers and peers6 print one per line, IPv6 in brackets" {
    start_hostile
    run -0 --separate-stderr bt-announce -i "$HASH" -t "http://127.0.0.1:$HPORT/ok"
    assert_output "192.0.2.7:6881
198.51.100.9:51413
[2001:db8::7]:6881"
    assert_equal "$stderr" "bt-announce: http://127.0.0.1:$HPORT/ok: interval 900 s, 1 seeders, 2 leechers, 3 peers"
}

@test "a gzip-encoded answer is decoded" {
    start_hostile
    run -0 --separate-stderr bt-announce -i "$HASH" -t "http://127.0.0.1:$HPORT/gzip"
    assert_equal "${#lines[@]}" 3
}

@test "a non-compact peer list is read, and host names are skipped with a note" {
    start_hostile
    run -0 --separate-stderr bt-announce -i "$HASH" -t "http://127.0.0.1:$HPORT/noncompact"
    assert_output "192.0.2.7:6881
[2001:db8::7]:6882"
    assert_equal "${stderr_lines[1]}" "bt-announce: http://127.0.0.1:$HPORT/noncompact: skipped 1 peers given by host name"
}

@test "--json prints one document with the peers and each tracker's answer" {
    start_hostile
    run -0 --separate-stderr bt-announce --json -i "$HASH" -t "http://127.0.0.1:$HPORT/ok"
    run -0 jq -c '[.peers, .trackers[0].interval, .trackers[0].min_interval, .trackers[0].seeders, .trackers[0].leechers, .trackers[0].error]' <<<"$output"
    assert_output '[["192.0.2.7:6881","198.51.100.9:51413","[2001:db8::7]:6881"],900,60,1,2,null]'
}

@test "a warning message goes to stderr and the peers still print" {
    start_hostile
    run -0 --separate-stderr bt-announce -i "$HASH" -t "http://127.0.0.1:$HPORT/warning"
    assert_output ''
    assert_equal "${stderr_lines[1]}" "bt-announce: http://127.0.0.1:$HPORT/warning: warning: tracker is old!"
}

@test "UDP peers print like HTTP ones" {
    start_hostile ok
    run -0 --separate-stderr bt-announce -i "$HASH" -t "udp://127.0.0.1:$HPORT"
    assert_output "192.0.2.7:6881
198.51.100.9:51413"
    assert_equal "$stderr" "bt-announce: udp://127.0.0.1:$HPORT: interval 900 s, 1 seeders, 1 leechers, 2 peers"
}

@test "the peers feed a pipeline" {
    start_hostile
    run -0 bash -o pipefail -c "bt-announce -i $HASH -t http://127.0.0.1:$HPORT/ok 2>/dev/null | grep -c '^\\['"
    assert_output 1
}

@test "a failed write to stdout is an error" {
    start_hostile
    run -1 --separate-stderr bash -c "bt-announce -i $HASH -t http://127.0.0.1:$HPORT/ok >/dev/full"
    assert_equal "${stderr_lines[1]}" 'bt-announce: error writing to standard output: No space left on device'
}

# ---- hostile answers: each its own message, exit 1, stdout empty ---------------

@test "a failure reason is reported as the tracker's refusal" {
    http_fails_with /failure 'tracker refused the request: torrent not allowed'
}

@test "control characters from the tracker never reach the terminal" {
    http_fails_with /escape 'tracker refused the request: bad?[31mredx'
}

@test "a truncated body is not bencoded, with the byte offset" {
    http_fails_with /truncated 'tracker response is not bencoded: byte 23: string length exceeds input'
}

@test "an HTML page is not bencoded" {
    http_fails_with /notbencoded 'tracker response is not bencoded: byte 0: unexpected byte'
}

@test "an empty body is not bencoded" {
    http_fails_with /emptybody 'tracker response is not bencoded: byte 0: input ends inside a value'
}

@test "nesting too deep is not bencoded" {
    http_fails_with /deep 'tracker response is not bencoded: byte 15: nesting too deep'
}

@test "an interval of the wrong type is a malformed response" {
    http_fails_with /wrongtype "malformed tracker response: 'interval' is not a non-negative integer"
}

@test "peers of the wrong type is a malformed response" {
    http_fails_with /peerslist "malformed tracker response: 'peers' is not a string or a list"
}

@test "a body that is not a dictionary is a malformed response" {
    http_fails_with /notdict 'malformed tracker response: the body is not a dictionary'
}

@test "compact peers not a multiple of 6 bytes are refused" {
    http_fails_with /peers7 "compact peer list length is not a multiple of the entry size: 'peers' is 7 bytes, not a multiple of 6"
}

@test "peers6 not a multiple of 18 bytes are refused" {
    http_fails_with /peers6bad "compact peer list length is not a multiple of the entry size: 'peers6' is 5 bytes, not a multiple of 18"
}

@test "an HTTP error status is reported with its number" {
    http_fails_with /status404 'tracker HTTP error: status 404'
}

@test "a failure reason in an HTTP 500 body is still shown" {
    http_fails_with /status500 'tracker refused the request: out of memory'
}

@test "a body over 1 MiB is refused, declared or chunked" {
    http_fails_with /huge 'tracker response exceeds the size limit'
    stop_all
    http_fails_with /hugechunked 'tracker response exceeds the size limit'
}

@test "a redirect to file:// is not followed" {
    http_fails_with /redirect-file 'unsupported or malformed tracker URL'
}

@test "a tracker that never answers times out within --timeout" {
    start_hostile
    SECONDS=0
    run -1 --separate-stderr bt-announce -T 1 -i "$HASH" -t "http://127.0.0.1:$HPORT/slow"
    assert [ "$SECONDS" -le 3 ]
    assert_output ''
    assert_equal "$stderr" "bt-announce: http://127.0.0.1:$HPORT/slow: tracker did not answer in time"
}

@test "a port nobody listens on is a connection failure" {
    local port
    port=$(free_port)
    run -1 --separate-stderr bt-announce -i "$HASH" -t "http://127.0.0.1:$port/announce"
    assert_output ''
    assert_equal "$stderr" "bt-announce: http://127.0.0.1:$port/announce: cannot connect to tracker"
    run -1 --separate-stderr bt-announce -T 2 -i "$HASH" -t "udp://127.0.0.1:$port"
    assert_equal "$stderr" "bt-announce: udp://127.0.0.1:$port: cannot connect to tracker"
}

@test "a host name that does not resolve is a DNS failure" {
    run -1 --separate-stderr bt-announce -T 5 -i "$HASH" -t http://tracker.invalid/announce
    assert_output ''
    assert_equal "$stderr" 'bt-announce: http://tracker.invalid/announce: cannot resolve tracker host'
    run -1 --separate-stderr bt-announce -T 5 -i "$HASH" -t udp://tracker.invalid:6969
    assert_equal "$stderr" 'bt-announce: udp://tracker.invalid:6969: cannot resolve tracker host'
}

@test "UDP: a silent tracker gets retransmissions, then a timeout" {
    start_hostile silent
    SECONDS=0
    run -1 --separate-stderr bt-announce -T 1 -i "$HASH" -t "udp://127.0.0.1:$HPORT"
    assert [ "$SECONDS" -le 3 ]
    assert_equal "$stderr" "bt-announce: udp://127.0.0.1:$HPORT: tracker did not answer in time"
    # 250 ms, then 500 ms, then the rest: three connects in one second.
    run -0 grep -c '^udp connect' "$HLOG"
    assert_output 3
}

@test "UDP: a lost connect is sent again and the announce succeeds" {
    start_hostile drop-first
    run -0 --separate-stderr bt-announce -T 4 -i "$HASH" -t "udp://127.0.0.1:$HPORT"
    assert_equal "${#lines[@]}" 2
    run -0 grep -c '^udp connect' "$HLOG"
    assert_output 2
}

@test "UDP: an answer with another transaction id is ignored" {
    start_hostile wrong-txid
    run -0 --separate-stderr bt-announce -T 2 -i "$HASH" -t "udp://127.0.0.1:$HPORT"
    assert_equal "${#lines[@]}" 2
}

@test "UDP: an error action is the tracker's refusal" {
    udp_fails_with error 'tracker refused the request: torrent not registered'
}

@test "UDP: a short announce answer is malformed" {
    udp_fails_with short 'malformed tracker response: announce answer is 12 bytes, less than 20'
}

@test "UDP: peers not a multiple of 6 bytes are refused" {
    udp_fails_with peers-odd 'compact peer list length is not a multiple of the entry size: 7 bytes of peers, not a multiple of 6'
}

@test "UDP: a URL without a port is refused" {
    run -1 --separate-stderr bt-announce -i "$HASH" -t udp://127.0.0.1/announce
    assert_equal "$stderr" 'bt-announce: udp://127.0.0.1/announce: unsupported or malformed tracker URL'
}

# ---- several trackers (BEP 12) ------------------------------------------------

@test "tiers are tried in order until one answers" {
    local dead
    dead=$(free_port)
    start_hostile
    run -0 --separate-stderr bt-announce -i "$HASH" -t "http://127.0.0.1:$dead/announce" \
        -t "http://127.0.0.1:$HPORT/ok" -t "http://127.0.0.1:$HPORT/noncompact"
    assert_equal "${#lines[@]}" 3
    assert_equal "${stderr_lines[0]}" "bt-announce: http://127.0.0.1:$dead/announce: cannot connect to tracker"
    # The third tracker is never asked.
    run -0 grep -c '^http GET' "$HLOG"
    assert_output 1
}

@test "--all asks every tracker and merges the peers without duplicates" {
    start_hostile ok
    run -0 --separate-stderr bt-announce --all -i "$HASH" -t "http://127.0.0.1:$HPORT/ok" \
        -t "http://127.0.0.1:$HPORT/noncompact" -t "udp://127.0.0.1:$HPORT" \
        -t "http://127.0.0.1:$HPORT/failure"
    assert_output "192.0.2.7:6881
198.51.100.9:51413
[2001:db8::7]:6881
[2001:db8::7]:6882"
    assert_equal "${#stderr_lines[@]}" 5
    assert_equal "${stderr_lines[4]}" "bt-announce: http://127.0.0.1:$HPORT/failure: tracker refused the request: torrent not allowed"
}

@test "when no tracker answers, the run fails with stdout empty" {
    start_hostile
    run -1 --separate-stderr bt-announce -i "$HASH" -t "http://127.0.0.1:$HPORT/failure" \
        -t "http://127.0.0.1:$HPORT/peers7"
    assert_output ''
    assert_equal "${stderr_lines[2]}" 'bt-announce: no tracker answered'
}

# ---- a torrent file names the torrent and its trackers -----------------------

@test "TORRENT: its info hash and length go into the announce, -t replaces its trackers" {
    start_hostile
    run -0 --separate-stderr bt-announce -t "http://127.0.0.1:$HPORT/ok" "$BT_SRCDIR/samples/single.torrent"
    assert_equal "${#lines[@]}" 3
    hash=$(bt-infohash "$BT_SRCDIR/samples/single.torrent")
    run -0 grep '^http GET' "$HLOG"
    assert_output --partial "left=70000&"
    # The info hash on the wire decodes back to bt-infohash's.
    run -0 "$BT_PYTHON" -c 'import sys, urllib.parse; q = urllib.parse.parse_qs(urllib.parse.urlsplit(sys.argv[1].split()[2]).query, encoding="latin-1"); print(q["info_hash"][0].encode("latin-1").hex())' "$output"
    assert_output "$hash"
}

@test "TORRENT: - reads the torrent from standard input" {
    start_hostile
    run -0 --separate-stderr bash -c "bt-announce -t http://127.0.0.1:$HPORT/ok - <'$BT_SRCDIR/samples/single.torrent'"
    assert_equal "${#lines[@]}" 3
}

@test "TORRENT: the torrent's own tracker is used when no -t is given" {
    start_hostile
    require_cmd mktorrent
    head -c 1000 /dev/urandom >"$BATS_TEST_TMPDIR/x.bin"
    mktorrent -a "http://127.0.0.1:$HPORT/ok" -o "$BATS_TEST_TMPDIR/x.torrent" "$BATS_TEST_TMPDIR/x.bin" >/dev/null
    run -0 --separate-stderr bt-announce "$BATS_TEST_TMPDIR/x.torrent"
    assert_equal "${#lines[@]}" 3
    assert_equal "$stderr" "bt-announce: http://127.0.0.1:$HPORT/ok: interval 900 s, 1 seeders, 2 leechers, 3 peers"
}

@test "TORRENT: tiers in order, URLs of a tier shuffled (BEP 12)" {
    start_hostile
    require_cmd mktorrent
    local dead i
    dead=$(free_port)
    head -c 1000 /dev/urandom >"$BATS_TEST_TMPDIR/x.bin"
    # Tier 1: two dead trackers.  Tier 2: two that answer.
    mktorrent -a "http://127.0.0.1:$dead/a,http://127.0.0.1:$dead/b" \
        -a "http://127.0.0.1:$HPORT/ok,http://127.0.0.1:$HPORT/gzip" \
        -o "$BATS_TEST_TMPDIR/x.torrent" "$BATS_TEST_TMPDIR/x.bin" >/dev/null
    for i in $(seq 16); do
        run -0 --separate-stderr bt-announce -T 5 "$BATS_TEST_TMPDIR/x.torrent"
        assert_equal "${#stderr_lines[@]}" 3 # both dead ones, then one that answers
        assert_regex "${stderr_lines[0]}" "127\.0\.0\.1:$dead/[ab]: cannot connect to tracker\$"
    done
    # Only one tracker of tier 2 was asked each time, and each was first sometimes.
    run -0 grep -c '^http GET' "$HLOG"
    assert_output 16
    run -0 grep -c '^http GET /ok?' "$HLOG"
    assert [ "$output" -ge 1 ] && assert [ "$output" -le 15 ]
}

@test "TORRENT: an invalid torrent fails with the byte and field, stdout empty" {
    run -1 --separate-stderr bt-announce -t http://127.0.0.1:1/ "$BT_SRCDIR/samples/hostile/metainfo/file-length-negative.torrent"
    assert_output ''
    assert_equal "$stderr" "bt-announce: $BT_SRCDIR/samples/hostile/metainfo/file-length-negative.torrent: byte 68: info.files[0].length: negative length"
    run -1 --separate-stderr bt-announce "$BT_SRCDIR/samples/hostile/metainfo/EXPECTED"
    assert_equal "$stderr" "bt-announce: $BT_SRCDIR/samples/hostile/metainfo/EXPECTED: byte 0: unexpected byte"
    run -1 --separate-stderr bt-announce "$BATS_TEST_TMPDIR/missing.torrent"
    assert_equal "$stderr" "bt-announce: $BATS_TEST_TMPDIR/missing.torrent: input/output error: No such file or directory"
}

@test "TORRENT: a torrent without trackers needs -t" {
    "$BT_PYTHON" -c 'import sys; d = open(sys.argv[1], "rb").read(); p = b"d8:announce30:http://127.0.0.1:6969/announce"; assert d.startswith(p); open(sys.argv[2], "wb").write(b"d" + d[len(p):])' \
        "$BT_SRCDIR/samples/single.torrent" "$BATS_TEST_TMPDIR/bare.torrent"
    run -1 --separate-stderr bt-announce "$BATS_TEST_TMPDIR/bare.torrent"
    assert_output ''
    assert_equal "$stderr" "bt-announce: $BATS_TEST_TMPDIR/bare.torrent: the torrent names no tracker (use --tracker)"
}

@test "TORRENT and --info-hash together are a usage error" {
    run -2 --separate-stderr bt-announce -i "$HASH" -t http://x/ "$BT_SRCDIR/samples/single.torrent"
    assert_output ''
    assert_equal "$stderr" 'bt-announce: give TORRENT or --info-hash, not both'
}

@test "MAGNET: a magnet link's info hash and trackers are used" {
    start_hostile
    run -0 --separate-stderr bt-announce "magnet:?xt=urn:btih:$HASH&dn=x&tr=http%3A%2F%2F127.0.0.1%3A$HPORT%2Fok&tr=udp%3A%2F%2F127.0.0.1%3A$HPORT"
    assert_equal "${#lines[@]}" 3
    run -0 grep -c "^http GET /ok?info_hash=$HASH_URL&" "$HLOG"
    # Base32 (RFC 4648) names the same torrent.
    run -0 --separate-stderr bt-announce -t "http://127.0.0.1:$HPORT/ok" 'magnet:?xt=urn:btih:AERUKZ4JVPG66AJDIVTYTK6N54ASGRLH'
    run -0 grep -c "^http GET /ok?info_hash=$HASH_URL&" "$HLOG"
    assert_output 2
}

@test "MAGNET: bt-infohash's magnet link feeds bt-announce" {
    start_hostile
    run -0 --separate-stderr bash -c "bt-announce -t http://127.0.0.1:$HPORT/ok \"\$(bt-infohash -m '$BT_SRCDIR/samples/single.torrent')\""
    assert_equal "${#lines[@]}" 3
}

@test "MAGNET: an invalid magnet link fails" {
    run -1 --separate-stderr bt-announce 'magnet:?xt=urn:btih:0123&tr=http://x/'
    assert_output ''
    # As every tool says it (one loader): the link, then what is wrong with it.
    assert_equal "$stderr" "bt-announce: 'magnet:?xt=urn:btih:0123&tr=http://x/': invalid magnet link"
}

# ---- interop: opentracker (Debian), peers registered by real clients -----------

# start_opentracker HASH: sets OT_PORT (or uses the one already set).
start_opentracker() {
    require_cmd opentracker
    mkdir -p "$BATS_TEST_TMPDIR/ot"
    echo "$1" >"$BATS_TEST_TMPDIR/ot/whitelist.txt"
    : "${OT_PORT:=$(free_port)}"
    start_bg opentracker opentracker -i 127.0.0.1 -p "$OT_PORT" -P "$OT_PORT" \
        -d "$BATS_TEST_TMPDIR/ot" -w whitelist.txt
    wait_port "$OT_PORT"
}

@test "opentracker over HTTP and UDP returns the peers other announcers registered" {
    start_opentracker "$HASH"
    run -0 bt-announce -i "$HASH" -t "http://127.0.0.1:$OT_PORT/announce" -p 7101 --left 0
    run -0 bt-announce -i "$HASH" -t "udp://127.0.0.1:$OT_PORT" -p 7102 --left 5
    run -0 --separate-stderr bt-announce -i "$HASH" -t "udp://127.0.0.1:$OT_PORT" -p 7103
    assert_line '127.0.0.1:7101'
    assert_line '127.0.0.1:7102'
    run -0 --separate-stderr bt-announce -i "$HASH" -t "http://127.0.0.1:$OT_PORT/announce" -p 7104
    assert_line '127.0.0.1:7101'
    assert_line '127.0.0.1:7102'
    assert_line '127.0.0.1:7103'
    # A torrent outside its whitelist is refused.
    run -1 --separate-stderr bt-announce -i ffffffffffffffffffffffffffffffffffffffff \
        -t "http://127.0.0.1:$OT_PORT/announce"
    assert_output ''
    assert_equal "$stderr" "bt-announce: http://127.0.0.1:$OT_PORT/announce: tracker refused the request: Requested download is not authorized for use with this tracker."
}

@test "opentracker returns a libtorrent seeder that registered there, over HTTP and UDP" {
    require_libtorrent
    require_cmd mktorrent
    local lt_port hash
    OT_PORT=$(free_port)
    head -c 1048576 /dev/urandom >"$BATS_TEST_TMPDIR/payload.bin"
    mktorrent -a "http://127.0.0.1:$OT_PORT/announce" -o "$BATS_TEST_TMPDIR/p.torrent" \
        "$BATS_TEST_TMPDIR/payload.bin" >/dev/null
    hash=$("$BT_PYTHON" "$BT_SRCDIR/tests/lt-client.py" hash "$BATS_TEST_TMPDIR/p.torrent")
    start_opentracker "$hash"
    lt_port=$(free_port)
    start_bg seeder "$BT_PYTHON" "$BT_SRCDIR/tests/lt-client.py" seed \
        "$BATS_TEST_TMPDIR/p.torrent" "$BATS_TEST_TMPDIR" "$lt_port"
    run -0 timeout 20 bash -c "until grep -q announced '$BATS_TEST_TMPDIR/seeder.log'; do sleep 0.2; done"
    run -0 --separate-stderr bt-announce -i "$hash" -t "http://127.0.0.1:$OT_PORT/announce" -p 7201
    assert_line "127.0.0.1:$lt_port"
    run -0 --separate-stderr bt-announce -i "$hash" -t "udp://127.0.0.1:$OT_PORT" -p 7202
    assert_line "127.0.0.1:$lt_port"
}
