#!/usr/bin/env bats
# 08-interop.bats - btkit's DHT (stage 8, BEP 5) in one DHT with real clients on
# loopback: bt-dht serve nodes and libtorrent's nodes join through each other;
# bt-dht finds a libtorrent seeder that announced to the DHT alone; libtorrent
# finds a peer that bt-dht announced; aria2c's DHT walks ours to a bt-seed; a
# libtorrent leecher finds bt-seed through our nodes, and bt-download a
# libtorrent seeder through a DHT of both, each from a bare magnet link.
#
# The bt-dht nodes run with --trace, so each test checks what crossed the wire,
# not only what the tools printed.  tests/lt-client.py runs libtorrent: its dht
# mode is a DHT node alone and logs its routing table ("nodes ADDR...") and the
# peers a lookup found ("peer ADDR"); with --dht-node its seed mode announces
# its torrent to the DHT.  Loopback quirks of libtorrent's DHT (every node is
# 127.0.0.1, which its per-IP limits would ban) are settled in lt-client.py.
bats_require_minimum_version 1.5.0

load helper
load wire

LT_CLIENT="$BT_SRCDIR/tests/lt-client.py"
MDPEER="$BT_SRCDIR/tests/metadata-peer.py"
TARGET=0123456789abcdef0123456789abcdef01234567
HASH=fedcba9876543210fedcba9876543210fedcba98

setup() {
    cd "$BATS_TEST_TMPDIR"
}

teardown() {
    stop_all
}

# bt_node NAME [bt-dht options...]: a bt-dht serve node on a free port, tracing
# every datagram into NAME.log; sets NODE (its address).
bt_node() {
    local name=$1 port
    shift
    port=$(free_port)
    start_bg "$name" timeout 120 bt-dht --trace -l "127.0.0.1:$port" "$@" serve
    NODE="127.0.0.1:$port"
    wait_log "$name.log" "^$NODE\$" 10
}

# lt_node NAME [lt-client.py options...]: a libtorrent session that runs the DHT
# and nothing else, on a free port; sets NODE.  It logs "nodes ..." once its
# DHT runs.
lt_node() {
    local name=$1 port
    shift
    port=$(free_port)
    start_bg "$name" timeout 120 "$BT_PYTHON" "$LT_CLIENT" dht "$port" "$@"
    NODE="127.0.0.1:$port"
    wait_log "$name.log" "^nodes( |$)" 20
}

# lt_table NAME: the last routing table NAME's libtorrent logged, one address a line.
lt_table() {
    awk '$1 == "nodes" { last = $0 } END { n = split(last, a); for (i = 2; i <= n; i++) print a[i] }' \
        "$BATS_TEST_TMPDIR/$1.log"
}

# has_all TEXT ADDR...: is each ADDR a line of TEXT, or the last word of one?
has_all() {
    local text=$1 a
    shift
    for a in "$@"; do
        grep -Eq "(^| )${a//./\\.}\$" <<<"$text" || return 1
    done
}

# short HEX: a 40-digit id as the trace abbreviates it ("0123..4567").
short() {
    echo "${1:0:4}..${1:36:4}"
}

@test "bt-dht and libtorrent nodes join one DHT through each other" {
    require_libtorrent
    local b1 b2 b3 l1 l2 l3 l4 i a n table union=""
    # A chain that alternates: each node knows only the one before it.
    bt_node b1
    b1=$NODE
    lt_node l1 --dht-node "$b1"
    l1=$NODE
    lt_node l2 --dht-node "$l1"
    l2=$NODE
    bt_node b2 -b "$l2"
    b2=$NODE
    lt_node l3 --dht-node "$b2"
    l3=$NODE
    bt_node b3 -b "$l3"
    b3=$NODE
    lt_node l4 --dht-node "$b3"
    l4=$NODE
    # A lookup from the first bt-dht node reaches every node of the DHT.
    for i in $(seq 15); do
        run --separate-stderr timeout 20 bt-dht -t 10 -b "$b1" find-node "$TARGET"
        has_all "$output" "$l1" "$l2" "$l3" "$l4" "$b1" "$b2" "$b3" && break
        sleep 1
    done
    [ "$status" -eq 0 ]
    for a in "$l1" "$l2" "$l3" "$l4" "$b1" "$b2" "$b3"; do
        assert_line --regexp "^[0-9a-f]{40} $a\$"
    done
    # The id listed for each libtorrent node is the one it answers a ping with.
    local found=$output
    for a in "$l1" "$l2" "$l3" "$l4"; do
        run -0 --separate-stderr timeout 20 bt-dht ping "$a"
        grep -qx "$output" <<<"$found"
    done
    # libtorrent put the bt-dht nodes in its routing tables: each node holds
    # one at least, and together they hold all three.
    for i in $(seq 100); do
        union=$(for n in l1 l2 l3 l4; do lt_table "$n"; done)
        has_all "$union" "$b1" "$b2" "$b3" && break
        sleep 0.1
    done
    has_all "$union" "$b1" "$b2" "$b3"
    for n in l1 l2 l3 l4; do
        table=$(lt_table "$n")
        grep -qx "$b1\|$b2\|$b3" <<<"$table"
    done
    # On the wire: libtorrent asked the first node (l1 joined through it);
    # the second joined through l2 (ping, then find_node for its own id) and
    # answered l3's queries.
    grep -q "^<- $l1 query " b1.log
    grep -q "^-> $l2 query ping " b2.log
    grep -q "^<- $l2 response " b2.log
    grep -q "^-> $l2 query find_node " b2.log
    grep -q "^<- $l3 query " b2.log
    grep -q "^-> $l3 response " b2.log
}

@test "bt-dht get-peers finds a libtorrent seeder that announced to the DHT alone" {
    require_libtorrent
    local b1 b2 l1 port hash i
    # A torrent with no tracker: the DHT is the only way to find its seeder.
    bt-create -q --v1 -d -l 32768 -o t.torrent "$(data_copy)/multi"
    run -0 bt-infohash t.torrent
    hash=$output
    bt_node b1
    b1=$NODE
    lt_node l1 --dht-node "$b1"
    l1=$NODE
    bt_node b2 -b "$l1"
    b2=$NODE
    port=$(free_port)
    start_bg seeder timeout 120 "$BT_PYTHON" "$LT_CLIENT" seed t.torrent "$(data_copy)" "$port" \
        --dht-node "$b1" --dht-node "$l1"
    # It announces every few seconds (lt-client.py); ask until the DHT has it.
    for i in $(seq 30); do
        run --separate-stderr timeout 20 bt-dht -t 10 -b "$b2" get-peers "$hash"
        [[ "$output" == *"127.0.0.1:$port"* ]] && break
        sleep 1
    done
    assert_line "127.0.0.1:$port"
    # The seeder's own announce_peer reached a bt-dht node, with its port ...
    grep -q "^<- 127.0.0.1:$port query announce_peer .* info_hash=$(short "$hash") " b1.log b2.log
    # ... and the peer found is that seeder (libtorrent's peer id), with that torrent.
    run -0 --separate-stderr timeout 20 bt-handshake -v t.torrent "127.0.0.1:$port"
    assert_line --regexp '^client: libtorrent '
}

@test "libtorrent finds a peer that bt-dht announce put in a DHT of bt-dht nodes" {
    require_libtorrent
    local b1 b2 b3 a
    bt_node b1
    b1=$NODE
    bt_node b2 -b "$b1"
    b2=$NODE
    bt_node b3 -b "$b1"
    b3=$NODE
    run -0 --separate-stderr timeout 20 bt-dht -b "$b1" announce "$HASH" 51413
    [[ "$stderr" == *"announced to 3 of 3 nodes"* ]]
    # libtorrent knows of the second node alone, and asks for HASH's peers.
    lt_node l1 --dht-node "$b2" --get-peers "$HASH" --trace
    wait_log l1.log '^peer 127\.0\.0\.1:51413$' 30
    # On the wire: a get_peers of libtorrent's, answered with the peer by a
    # bt-dht node (the trace shows how many values went back).
    grep -Eq "^<- $NODE query get_peers .* info_hash=$(short "$HASH")( |$)" b1.log b2.log b3.log
    grep -Eq "^-> $NODE response .* values=1 " b1.log b2.log b3.log
    # The DHT libtorrent joined is btkit's alone: its table holds the three.
    wait_log l1.log "^nodes( 127\.0\.0\.1:[0-9]+){3}\$" 10
    for a in $(lt_table l1); do
        [[ " $b1 $b2 $b3 " == *" $a "* ]]
    done
}

@test "aria2c's DHT walks bt-dht nodes to a peer they hold, and announces itself" {
    require_cmd aria2c
    local t="$SAMPLES/multi.torrent" hash b1 b2 port dht_port i
    hash=$(bt-infohash "$t")
    # A peer that only the DHT names: bt-seed contacts no tracker.
    start_seed s1 "$t" --no-announce
    bt_node b1
    b1=$NODE
    bt_node b2 -b "$b1"
    b2=$NODE
    run -0 --separate-stderr timeout 20 bt-dht -b "$b2" announce "$hash" "${SEED##*:}"
    port=$(free_port)
    dht_port=$(free_port)
    [ "$dht_port" != "$port" ] || dht_port=$(free_port)
    # aria2c starts from the first node alone (its DHT socket listens on every
    # address: aria2c has no option to bind it, but it talks to loopback only).
    mkdir -p a2
    start_bg aria2 timeout 60 aria2c --enable-dht=true --enable-dht6=false \
        --dht-listen-port="$dht_port" --dht-entry-point="$b1" --dht-file-path=a2/dht.dat \
        --bt-enable-lpd=false --enable-peer-exchange=false --bt-metadata-only=true \
        --bt-save-metadata=true --listen-port="$port" -d a2 --console-log-level=warn \
        --summary-interval=0 "magnet:?xt=urn:btih:$hash"
    for i in $(seq 400); do
        [ -s "a2/$hash.torrent" ] && break
        sleep 0.1
    done
    # It found bt-seed through our DHT, and fetched the right metadata.
    "$BT_PYTHON" "$MDPEER" info "$t" >orig.info
    "$BT_PYTHON" "$MDPEER" info "a2/$hash.torrent" >a2.info
    cmp a2.info orig.info
    # On the wire: aria2c asked the second node, which it learned of from the
    # first, and announced its own port to both.
    grep -Eq "^<- 127.0.0.1:$dht_port query get_peers .* info_hash=$(short "$hash")( |$)" b2.log
    grep -q "^<- 127.0.0.1:$dht_port query announce_peer .* port=$port " b1.log
    grep -q "^<- 127.0.0.1:$dht_port query announce_peer .* port=$port " b2.log
    run -0 --separate-stderr timeout 20 bt-dht -b "$b1" get-peers "$hash"
    assert_line "127.0.0.1:$port"
    assert_line "$SEED"
}

@test "a libtorrent leecher finds bt-seed through btkit's DHT alone, from a bare magnet link" {
    require_libtorrent
    local b1 b2 hash
    bt-create -q --v1 -d -l 32768 -o t.torrent "$(data_copy)/multi"
    hash=$(bt-infohash t.torrent)
    bt_node b1
    b1=$NODE
    bt_node b2 -b "$b1"
    b2=$NODE
    # bt-seed announces to the DHT it started from, and to no tracker.
    start_seed seed t.torrent --no-announce --dht-bootstrap "$b1"
    for i in $(seq 50); do
        bt-dht -t 2 -b "$b2" get-peers "$hash" 2>/dev/null | grep -qx "$SEED" && break
        sleep 0.2
    done
    grep -q "^<- $SEED query announce_peer .* info_hash=$(short "$hash") port=${SEED##*:} " b1.log b2.log
    # libtorrent knows the second bt-dht node alone.
    run -0 --separate-stderr timeout 60 "$BT_PYTHON" "$LT_CLIENT" magnet \
        "magnet:?xt=urn:btih:$hash" lt "$(free_port)" --dht-node "$b2"
    assert_line complete
    diff -r "$(data_copy)/multi" lt/multi
    grep -Eq "^<- 127\.0\.0\.1:[0-9]+ query get_peers .* info_hash=$(short "$hash")( |$)" b1.log b2.log
}

@test "bt-download completes a bare magnet link from a libtorrent seeder through a mixed DHT" {
    require_libtorrent
    local b1 l1 port hash i
    bt-create -q --v1 -d -l 32768 -o t.torrent "$(data_copy)/multi"
    hash=$(bt-infohash t.torrent)
    bt_node b1
    b1=$NODE
    lt_node l1 --dht-node "$b1"
    l1=$NODE
    port=$(free_port)
    start_bg lt-seed timeout 120 "$BT_PYTHON" "$LT_CLIENT" seed t.torrent "$(data_copy)" "$port" \
        --dht-node "$b1" --dht-node "$l1"
    wait_log lt-seed.log '^dht reply' 20
    # bt-download starts from the libtorrent node alone and learns the
    # bt-dht node from it: its lookup asks both clients' nodes.
    run -0 --separate-stderr timeout 60 bt-download -l 127.0.0.1:0 --give-up 20 --trace \
        --dht-bootstrap "$l1" -o out "magnet:?xt=urn:btih:$hash"
    [[ "$stderr" == *"metadata: "*" bytes from 127.0.0.1:$port"* ]]
    diff -r "$(data_copy)/multi" out/multi
    grep -q "^-> $l1 query get_peers .* info_hash=$(short "$hash")" <<<"$stderr"
    grep -q "^-> $b1 query get_peers .* info_hash=$(short "$hash")" <<<"$stderr"
}
