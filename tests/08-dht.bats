#!/usr/bin/env bats
# 08-dht.bats - bt-dht (stage 8, BEP 5): usage, a DHT of bt-dht nodes on
# loopback (ping, find-node, announce, get-peers, the state file, the trace),
# and nodes that misbehave (tests/hostile-dht.py).

bats_require_minimum_version 1.5.0
load helper

HASH=0123456789abcdef0123456789abcdef01234567
HOSTILE_DHT="$BT_SRCDIR/tests/hostile-dht.py"

teardown() {
    stop_all
}

# node NAME [ARGS...]: start a bt-dht serve node on a free port; sets NODE (its
# address) and NODE_PORT.  Fails at once if the node exits instead (as one
# built from an exercise's skeleton does), rather than waiting for it.
node() {
    local name=$1 port i pid
    shift
    port=$(free_port)
    start_bg "$name" bt-dht -l "127.0.0.1:$port" "$@" serve
    pid=PID_${name//-/_}
    pid=${!pid}
    for i in $(seq 50); do
        grep -q "^127.0.0.1:$port\$" "$BATS_TEST_TMPDIR/$name.log" && break
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "bt-dht serve ($name) exited before it listened: $(cat "$BATS_TEST_TMPDIR/$name.log")" >&2
            return 1
        fi
        sleep 0.1
    done
    NODE="127.0.0.1:$port"
    NODE_PORT=$port
}

# swarm N: N serve nodes, each bootstrapped from the first; sets FIRST.
swarm() {
    local i
    node n1
    FIRST=$NODE
    for i in $(seq 2 "$1"); do
        node "n$i" -b "$FIRST"
    done
    sleep 1 # every node has asked the first for its neighbourhood
}

# hex TEXT: TEXT's bytes in hex.
hex() {
    printf '%s' "$1" | od -An -tx1 | tr -d ' \n'
}

# hostile MODE: the scripted node; sets HOSTILE (its address).
hostile() {
    local port
    port=$(free_port)
    start_bg hostile "$BT_PYTHON" "$HOSTILE_DHT" "$1" "$port"
    sleep 0.3
    HOSTILE="127.0.0.1:$port"
}

# ---- usage -------------------------------------------------------------------

@test "no command is a usage error" {
    run -2 --separate-stderr bt-dht
    assert_output ''
    [[ "$stderr" == *"usage: bt-dht [options] ping ADDR"* ]]
}

@test "--help names every command and the tutorial" {
    run -0 --separate-stderr bt-dht --help
    assert_line --partial 'get-peers HASH'
    assert_line --partial 'serve'
    assert_line --partial 'tutorials/08-dht.md'
}

@test "--version prints the package version" {
    run -0 bt-dht --version
    assert_output --regexp '^bt-dht \(btkit\) [0-9]+\.[0-9]+'
}

@test "bad commands and operands are usage errors, before any I/O" {
    run -2 --separate-stderr bt-dht fetch "$HASH"
    assert_output ''
    [[ "$stderr" == *"unknown command 'fetch'"* ]]
    run -2 --separate-stderr bt-dht ping localhost:6881
    assert_equal "$stderr" "bt-dht: localhost:6881: invalid network address"
    run -2 --separate-stderr bt-dht find-node 0123
    assert_equal "$stderr" "bt-dht: invalid node id '0123' (want 40 hex digits)"
    run -2 --separate-stderr bt-dht announce "$HASH" 0
    assert_equal "$stderr" "bt-dht: invalid port '0' (want 1-65535)"
    run -2 --separate-stderr bt-dht get-peers "$HASH" extra
    [[ "$stderr" == *"usage: bt-dht"* ]]
    run -2 --separate-stderr bt-dht -b nowhere get-peers "$HASH"
    assert_equal "$stderr" "bt-dht: invalid DHT node 'nowhere' (expected HOST:PORT)"
    run -2 --separate-stderr bt-dht -l nowhere serve
    assert_equal "$stderr" "bt-dht: invalid listen address 'nowhere'"
}

@test "with no node to start from, a lookup fails clearly" {
    run -1 --separate-stderr timeout 20 bt-dht get-peers "$HASH"
    assert_output ''
    [[ "$stderr" == *"no DHT node to ask"* ]]
}

# ---- a DHT of bt-dht nodes -----------------------------------------------------

@test "serve prints its address; ping prints the node's id and address" {
    node n1
    run -0 --separate-stderr timeout 20 bt-dht ping "$NODE"
    assert_output --regexp "^[0-9a-f]{40} $NODE\$"
}

@test "ping of a node that is not there fails after the timeout" {
    run -1 --separate-stderr timeout 20 bt-dht -t 2 ping "127.0.0.1:$(free_port)"
    assert_output ''
    [[ "$stderr" == *"no answer"* ]]
}

@test "find-node walks a DHT of eight nodes and prints the closest, closest first" {
    swarm 8
    run -0 --separate-stderr timeout 20 bt-dht -b "$FIRST" find-node "$HASH"
    [ "${#lines[@]}" -ge 6 ]
    assert_line --regexp "^[0-9a-f]{40} 127\.0\.0\.1:[0-9]+\$"
    # Closest first: each id's XOR distance to HASH is not below the previous one's.
    "$BT_PYTHON" - "$HASH" "$output" <<'PY'
import sys
target = int(sys.argv[1], 16)
dists = [int(line.split()[0], 16) ^ target for line in sys.argv[2].splitlines()]
assert dists == sorted(dists), dists
PY
}

@test "announce, then get-peers from another node finds the announced port" {
    swarm 8
    run -0 --separate-stderr timeout 20 bt-dht -b "$FIRST" announce "$HASH" 51413
    [[ "$stderr" == *"announced to "* ]]
    run -0 --separate-stderr timeout 20 bt-dht -b "$NODE" get-peers "$HASH"
    assert_line 127.0.0.1:51413
    # A magnet link names the same torrent.
    run -0 --separate-stderr timeout 20 bt-dht -b "$NODE" get-peers "magnet:?xt=urn:btih:$HASH"
    assert_line 127.0.0.1:51413
}

@test "get-peers --json prints one document with the peers and the nodes that answered" {
    swarm 6
    run -0 --separate-stderr timeout 20 bt-dht -b "$FIRST" announce "$HASH" 6881
    run -0 --separate-stderr timeout 20 bt-dht -b "$FIRST" get-peers --json "$HASH"
    run -0 jq -e --arg h "$HASH" '.info_hash == $h and (.peers | index("127.0.0.1:6881")) != null
        and (.nodes | length) >= 3 and .queries >= .answers and .answers >= 3' <<<"$output"
}

@test "--trace shows every query and answer, one line each" {
    node n1
    run -0 --separate-stderr timeout 20 bt-dht --trace ping "$NODE"
    [[ "$stderr" == *"-> $NODE query ping t="*" ro"* ]]
    [[ "$stderr" == *"<- $NODE response t="* ]]
}

@test "a node whose bootstrap node was not there yet pings it again, and joins" {
    local port lonely i
    port=$(free_port)
    node lonely -b "127.0.0.1:$port"
    lonely=$NODE
    sleep 2 # its bootstrap ping is lost: its table stays empty
    run -0 --separate-stderr timeout 10 bt-dht -b "$lonely" find-node "$HASH"
    refute_output --partial "127.0.0.1:$port"
    start_bg late bt-dht -l "127.0.0.1:$port" serve
    # BT_DHT_REJOIN_MS (5 s) after the bootstrap, it pings again.
    for i in $(seq 30); do
        bt-dht -t 2 -b "$lonely" find-node "$HASH" 2>/dev/null | grep -q " 127.0.0.1:$port\$" && return 0
        sleep 0.5
    done
    echo "the lonely node never joined the node that came late" >&2
    return 1
}

@test "--state keeps the node's id and nodes: a restart needs no bootstrap node" {
    swarm 4
    node keeper -b "$FIRST" --state "$BATS_TEST_TMPDIR/dht.state"
    local port=$NODE_PORT
    sleep 1
    run -0 bt-dht ping "$NODE"
    local id=${output%% *}
    kill -TERM "$PID_keeper"
    wait_for_exit "$PID_keeper" 10
    [ -s "$BATS_TEST_TMPDIR/dht.state" ]
    run -0 bt-decode "$BATS_TEST_TMPDIR/dht.state"
    assert_output --partial "{\"id\":{\"\$hex\":\"$id\"}"
    # The same id, and nodes to ask, without -b.
    start_bg again bt-dht -l "127.0.0.1:$port" --state "$BATS_TEST_TMPDIR/dht.state" serve
    sleep 1
    run -0 bt-dht ping "127.0.0.1:$port"
    assert_output "$id 127.0.0.1:$port"
    run -0 --separate-stderr timeout 20 bt-dht --state "$BATS_TEST_TMPDIR/dht.state" \
        find-node "$HASH"
    [ "${#lines[@]}" -ge 3 ]
}

@test "a state file that is not one is refused" {
    printf 'd2:idi1ee' >"$BATS_TEST_TMPDIR/bad.state"
    run -1 --separate-stderr bt-dht --state "$BATS_TEST_TMPDIR/bad.state" get-peers "$HASH"
    [[ "$stderr" == *"bad.state: not a DHT state file"* ]]
}

# ---- hostile nodes ------------------------------------------------------------

@test "hostile: answers with 5,000 bytes of nodes are dropped, the lookup still ends" {
    hostile oversized
    run -1 --separate-stderr timeout 30 bt-dht -b "$HOSTILE" get-peers "$HASH"
    assert_output ''
}

@test "hostile: nodes that are not a multiple of 26 bytes are dropped" {
    hostile ragged
    run -1 --separate-stderr timeout 30 bt-dht --trace -b "$HOSTILE" find-node "$HASH"
    [[ "$stderr" == *"nodes"* ]]
}

@test "hostile: a node that answers with itself, ever closer, cannot keep a lookup going" {
    hostile loop
    run --separate-stderr timeout 60 bt-dht -t 50 -b "$HOSTILE" find-node "$HASH"
    [ "$status" -le 1 ]
    [[ "$stderr" != *"no answer within"* ]]
}

@test "hostile: garbage and answers of other transactions are ignored" {
    hostile garbage
    run -1 --separate-stderr timeout 30 bt-dht -t 5 -b "$HOSTILE" get-peers "$HASH"
    stop_all
    hostile wrong-tid
    run -1 --separate-stderr timeout 30 bt-dht -t 5 -b "$HOSTILE" get-peers "$HASH"
}

@test "hostile: a flood of queries from one address is rate-limited; others are still answered" {
    node n1
    run -0 "$BT_PYTHON" "$HOSTILE_DHT" flood "$NODE_PORT" 2000
    [ "$output" -ge 64 ]
    [ "$output" -lt 1000 ]
    run -0 timeout 20 bt-dht ping "$NODE"
}

@test "hostile: an announce with a bad token gets error 203, and nothing is stored" {
    node n1
    # announce_peer for the hash "mnopqrstuvwxyz123456" with a token we were never given
    run -0 "$BT_PYTHON" "$HOSTILE_DHT" probe "$NODE_PORT" "$(hex 'd1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:porti6881e5:token4:fakee1:q13:announce_peer1:t2:aa1:y1:qe')"
    assert_output --regexp '^[0-9]+ e$'
    run -0 --separate-stderr timeout 20 bt-dht -t 5 -b "$NODE" get-peers "$(hex mnopqrstuvwxyz123456)"
    assert_output ''
    [[ "$stderr" == *"0 peers"* ]]
}

@test "amplification: an unproven address gets at most four times what it sent" {
    local first i q len
    node n1
    first=$NODE_PORT
    for i in 2 3 4 5 6 7 8 9; do
        node "n$i" -b "127.0.0.1:$first"
    done
    sleep 1
    # A get_peers of 91 bytes, from an address that never answered a query:
    # the answer (a token and up to 8 nodes, 26 bytes each) is cut to fit.
    q=$(hex 'd1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz123456e1:q9:get_peers1:t2:aa1:y1:qe')
    run -0 "$BT_PYTHON" "$HOSTILE_DHT" probe "$first" "$q"
    assert_output --regexp ' r$'
    len=${output%% *}
    [ "$len" -le $((4 * ${#q} / 2)) ]
}

# ---- the DHT in the other tools --------------------------------------------------

# dht_seed TORRENT: bt-seed of the sample data, its DHT node started from FIRST;
# waits until a get-peers from FIRST finds it.  Sets SEED and SEED_HASH.
dht_seed() {
    local i
    load wire
    start_seed seed "$1" --dht-bootstrap "$FIRST"
    SEED_HASH=$(bt-infohash "$1" | head -n 1)
    for i in $(seq 50); do
        bt-dht -t 2 -b "$FIRST" get-peers "$SEED_HASH" 2>/dev/null | grep -qx "$SEED" && return 0
        sleep 0.2
    done
    echo "bt-seed never announced itself to the DHT" >&2
    return 1
}

@test "bt-seed announces its torrent to the DHT: get-peers finds its address" {
    swarm 4
    dht_seed "$BT_SRCDIR/samples/multi.torrent"
    run -0 --separate-stderr timeout 20 bt-dht -b "$NODE" get-peers "$SEED_HASH"
    assert_line "$SEED"
}

@test "BEP 27: a private torrent stays off the DHT (no announce, no DHT bit), and says so" {
    local hash
    swarm 2
    load wire
    start_seed seed "$BT_SRCDIR/samples/odd.torrent" --dht-bootstrap "$FIRST"
    hash=$(bt-infohash "$BT_SRCDIR/samples/odd.torrent" 2>/dev/null | head -n 1)
    run -0 --separate-stderr bt-handshake -v -t 5 "$BT_SRCDIR/samples/odd.torrent" "$SEED"
    assert_line --index 3 "reserved: 0000000000100004 (extension protocol, fast)"
    grep -q "a private torrent (BEP 27): its trackers only, no DHT" "$BATS_TEST_TMPDIR/seed.log"
    # A public torrent's seeder is in the DHT within a second (dht_seed); give
    # this one three, then ask.
    sleep 3
    run --separate-stderr timeout 20 bt-dht -b "$FIRST" get-peers "$hash"
    refute_output --partial "$SEED"
    [[ "$stderr" == *" 0 peers, "* ]]
}

@test "bt-download fetches a bare magnet link (xt only) from peers the DHT found" {
    swarm 4
    dht_seed "$BT_SRCDIR/samples/multi.torrent"
    run -0 --separate-stderr timeout 60 bt-download -l 127.0.0.1:0 --give-up 10 \
        --dht-bootstrap "$NODE" -o "$BATS_TEST_TMPDIR/out" "magnet:?xt=urn:btih:$SEED_HASH"
    [[ "$stderr" == *"metadata: "*" bytes from $SEED"* ]]
    diff -r "$BT_SRCDIR/samples/data/multi" "$BATS_TEST_TMPDIR/out/multi"
}

@test "bt-infohash and bt-fetch-piece take a bare magnet link's metadata from DHT peers" {
    swarm 4
    dht_seed "$BT_SRCDIR/samples/single.torrent"
    run -0 --separate-stderr timeout 30 bt-infohash -p "$BT_SRCDIR/samples/single.torrent"
    local expected=$output
    run -0 --separate-stderr timeout 30 bt-infohash -p --dht-bootstrap "$NODE" \
        "magnet:?xt=urn:btih:$SEED_HASH"
    [ "$output" = "$expected" ]
    [[ "$stderr" == *"metadata: "*" bytes from $SEED"* ]]
    run -0 --separate-stderr timeout 30 bt-fetch-piece --dht-bootstrap "$NODE" \
        -o "$BATS_TEST_TMPDIR/piece" "magnet:?xt=urn:btih:$SEED_HASH" 0
    cmp -n "$(stat -c %s "$BATS_TEST_TMPDIR/piece")" "$BATS_TEST_TMPDIR/piece" \
        "$BT_SRCDIR/samples/data/single.bin"
}

@test "peers that both run a DHT trade port messages, and each pings the other's node" {
    swarm 2
    dht_seed "$BT_SRCDIR/samples/multi.torrent"
    run -0 --separate-stderr timeout 60 bt-download -l 127.0.0.1:0 --give-up 10 --trace \
        --dht-bootstrap "$FIRST" -o "$BATS_TEST_TMPDIR/out" "$BT_SRCDIR/samples/multi.torrent"
    [[ "$stderr" == *"-> port (7 bytes)"* ]]
    [[ "$stderr" == *"<- port (7 bytes)"* ]]
    [[ "$stderr" == *"port ${SEED##*:}"* ]]
    [[ "$stderr" == *"-> $SEED query ping t="* ]]
}

@test "bt-download --seed stays in the DHT: a second download finds it there alone" {
    local port
    swarm 4
    dht_seed "$BT_SRCDIR/samples/multi.torrent"
    port=$(free_port)
    start_bg dl1 timeout 120 bt-download -l "127.0.0.1:$port" --seed --give-up 10 \
        --dht-bootstrap "$NODE" -o "$BATS_TEST_TMPDIR/one" "magnet:?xt=urn:btih:$SEED_HASH"
    for i in $(seq 100); do
        grep -q "done: " "$BATS_TEST_TMPDIR/dl1.log" && break
        sleep 0.1
    done
    diff -r "$BT_SRCDIR/samples/data/multi" "$BATS_TEST_TMPDIR/one/multi"
    # The first seeder leaves; the one left is the download that seeds.
    kill "$PID_seed"
    run -0 --separate-stderr timeout 20 bt-dht -b "$FIRST" get-peers "$SEED_HASH"
    assert_line "127.0.0.1:$port"
    run -0 --separate-stderr timeout 60 bt-download -l 127.0.0.1:0 --give-up 10 \
        --dht-bootstrap "$FIRST" -o "$BATS_TEST_TMPDIR/two" "magnet:?xt=urn:btih:$SEED_HASH"
    [[ "$stderr" == *"metadata: "*" bytes from 127.0.0.1:$port"* ]]
    diff -r "$BT_SRCDIR/samples/data/multi" "$BATS_TEST_TMPDIR/two/multi"
}

@test "--no-dht: a bare magnet link has no peers to ask, and no node is started" {
    node n1
    run -1 --separate-stderr timeout 30 bt-download -l 127.0.0.1:0 --no-dht --trace \
        --dht-bootstrap "$NODE" -o "$BATS_TEST_TMPDIR/out" "magnet:?xt=urn:btih:$HASH"
    [[ "$stderr" == *"no peers to ask: give -p PEER, or a link with x.pe or tr"* ]]
    [[ "$stderr" != *"query"* ]]
    [[ "$stderr" != *"DHT found none"* ]]
}

@test "./demo --dht: a swarm with no tracker, found from a bare magnet link, stops what it started" {
    run -0 --separate-stderr env TMPDIR="$BATS_TEST_TMPDIR" timeout 120 "$BT_SRCDIR/demo" --dht 8
    [[ "$output" == *"seeder 2 listens on 127.0.0.1:"*" and announces to the DHT"* ]]
    [[ "$output" == *"identical: 8 MiB in "* ]]
    [[ "$stderr" == *"metadata: "*" bytes from 127.0.0.1:"* ]]
    [[ "$stderr" == *"done: 8.0 MiB in "* ]]
    run ! compgen -G "$BATS_TEST_TMPDIR/btkit-demo.*"
}

@test "IPv6: a DHT of nodes on ::1 (compact nodes6, BEP 32), the family taken from -b" {
    local a b
    a=$(free_port)
    b=$(free_port)
    start_bg v6a bt-dht -l "[::1]:$a" serve
    sleep 0.3
    start_bg v6b bt-dht -l "[::1]:$b" -b "[::1]:$a" serve
    sleep 0.5
    run -0 --separate-stderr timeout 20 bt-dht -b "[::1]:$b" announce "$HASH" 51413
    [[ "$stderr" == *"announced to 2 of 2 nodes"* ]]
    run -0 --separate-stderr timeout 20 bt-dht -b "[::1]:$a" get-peers "$HASH"
    assert_output '[::1]:51413'
    run -0 --separate-stderr timeout 20 bt-dht -b "[::1]:$a" find-node "$HASH"
    assert_line --regexp "^[0-9a-f]{40} \[::1\]:$b\$"
    run -0 --separate-stderr timeout 20 bt-dht ping "[::1]:$b"
    assert_output --regexp "^[0-9a-f]{40} \[::1\]:$b\$"
}

@test "hostile: ids that collide (ours, and one id at eight addresses) cost one query" {
    swarm 4
    run -0 --separate-stderr timeout 20 bt-dht -b "$FIRST" announce "$HASH" 51413
    hostile collide
    run -0 --separate-stderr timeout 30 bt-dht --trace -b "$HOSTILE" -b "$FIRST" get-peers "$HASH"
    assert_line 127.0.0.1:51413
    # Of the eight addresses that share one id, one is asked (a lookup knows a
    # node by its id); the node listed under our own id is never asked (in
    # the bootstrap's lookup of our id, the eight carry ours too).
    [[ "$stderr" == *"-> $HOSTILE query get_peers "* ]]
    [ "$(grep -c -- '^-> 127\.0\.0\.1:[1-8] query get_peers' <<<"$stderr")" -eq 1 ]
    [ "$(grep -c -- '^-> 127\.0\.0\.1:[1-9] query find_node' <<<"$stderr")" -eq 0 ]
    [ "$(grep -c -- '^-> 127\.0\.0\.1:9 query' <<<"$stderr")" -eq 0 ]
}

@test "samples/krpc: a node answers each sample query; the samples decode to JSON" {
    local f
    node n1
    for f in ping find_node get_peers; do
        run -0 "$BT_PYTHON" "$HOSTILE_DHT" probe "$NODE_PORT" \
            "$(od -An -tx1 -v "$BT_SRCDIR/samples/krpc/$f-query.ben" | tr -d ' \n')"
        assert_output --regexp ' r$'
    done
    # The sample's token was never handed out by this node: error 203.
    run -0 "$BT_PYTHON" "$HOSTILE_DHT" probe "$NODE_PORT" \
        "$(od -An -tx1 -v "$BT_SRCDIR/samples/krpc/announce_peer-query.ben" | tr -d ' \n')"
    assert_output --regexp ' e$'
    for f in "$BT_SRCDIR"/samples/krpc/*.ben; do
        bt-decode "$f" | jq -e '.t and (.y == "q" or .y == "r" or .y == "e")' >/dev/null
    done
}
