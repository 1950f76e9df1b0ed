#!/usr/bin/env bats
# Local service discovery (BEP 14): peers of a torrent on one LAN find each
# other by multicast.  Never on a real LAN: each test makes two network
# namespaces joined by a veth pair (10.203.N.1 and .2, a /24 of their own,
# multicast routed over the link) and runs one side in each.  Needs root and
# iproute2; skipped elsewhere.

bats_require_minimum_version 1.5.0

load helper

S="$BT_SRCDIR/samples"

setup() {
    cd "$BATS_TEST_TMPDIR"
    [ "$(id -u)" = 0 ] || skip "network namespaces need root"
    require_cmd ip
    # Short names (interfaces take 15 bytes), distinct across parallel runs.
    NS_TAG="$((($$ + BATS_TEST_NUMBER) % 100000))"
    NET="10.203.$((BATS_TEST_NUMBER % 250))"
    NS_A="btla$NS_TAG"
    NS_B="btlb$NS_TAG"
    ip netns add "$NS_A"
    ip netns add "$NS_B"
    ip link add "va$NS_TAG" type veth peer name "vb$NS_TAG"
    ip link set "va$NS_TAG" netns "$NS_A"
    ip link set "vb$NS_TAG" netns "$NS_B"
    ip -n "$NS_A" addr add "$NET.1/24" dev "va$NS_TAG"
    ip -n "$NS_B" addr add "$NET.2/24" dev "vb$NS_TAG"
    local ns dev
    for ns in "$NS_A:va$NS_TAG" "$NS_B:vb$NS_TAG"; do
        dev=${ns#*:}
        ns=${ns%%:*}
        ip -n "$ns" link set lo up
        ip -n "$ns" link set "$dev" up
        ip -n "$ns" route add 224.0.0.0/4 dev "$dev"
    done
}

teardown() {
    stop_all
    [ -z "${NS_A:-}" ] || ip netns del "$NS_A" 2>/dev/null || true
    [ -z "${NS_B:-}" ] || ip netns del "$NS_B" 2>/dev/null || true
}

# in NS CMD...: run CMD in namespace NS.
in_ns() {
    local ns=$1
    shift
    ip netns exec "$ns" "$@"
}

@test "bt-download finds a bt-seed on its LAN by local service discovery alone" {
    start_bg seed ip netns exec "$NS_A" timeout 30 bt-seed --lsd --no-dht --no-announce \
        -l "$NET.1:0" "$S/multi.torrent" "$S/data"
    run --separate-stderr in_ns "$NS_B" timeout 30 bt-download --lsd --no-dht --no-announce \
        --no-web-seeds -l "$NET.2:0" -o out "$S/multi.torrent"
    [ "$status" -eq 0 ] || fail "$stderr"
    diff -r "$S/data/multi" out/multi
    [[ "$stderr" == *"$NET.1:"*": found by local service discovery"* ]] || fail "$stderr"
    grep -q "$NET.2:[0-9]*: found by local service discovery; dialling" "$BATS_TEST_TMPDIR/seed.log"
}

@test "without --lsd nothing is heard, and a download with no other source gives up" {
    start_bg seed ip netns exec "$NS_A" timeout 30 bt-seed --lsd --no-dht --no-announce \
        -l "$NET.1:0" "$S/multi.torrent" "$S/data"
    run --separate-stderr in_ns "$NS_B" timeout 30 bt-download --no-dht --no-announce \
        --no-web-seeds --give-up 2 -l "$NET.2:0" -o out "$S/multi.torrent"
    [ "$status" -ne 0 ]
    [[ "$stderr" != *"local service discovery"* ]] || fail "$stderr"
}

@test "a private torrent is never announced on the LAN (BEP 27)" {
    mkdir data
    head -c 100000 /dev/urandom >data/p.bin
    run -0 bt-create --v1 -p -d -o p.torrent data/p.bin
    run --separate-stderr in_ns "$NS_B" timeout 30 bt-download --lsd --no-dht --no-announce \
        --give-up 1 -l "$NET.2:0" -o out p.torrent
    [[ "$stderr" == *"local service discovery off: the torrent is private (BEP 27)"* ]] ||
        fail "$stderr"
}

@test "libtorrent with LSD on finds bt-seed, and bt-download finds libtorrent" {
    require_libtorrent
    start_bg seed ip netns exec "$NS_A" timeout 60 bt-seed --lsd --no-dht --no-announce \
        -l "$NET.1:0" "$S/multi.torrent" "$S/data"
    sleep 0.5
    run -0 in_ns "$NS_B" timeout 60 "$BT_PYTHON" "$BT_SRCDIR/tests/lt-client.py" leech \
        "$S/multi.torrent" lt 6881 --host "$NET.2" --lsd
    assert_output --partial complete
    diff -r "$S/data/multi" lt/multi
    stop_all
    start_bg lt ip netns exec "$NS_A" timeout 60 "$BT_PYTHON" "$BT_SRCDIR/tests/lt-client.py" \
        seed "$S/multi.torrent" "$S/data" 6881 --host "$NET.1" --lsd
    sleep 1
    run --separate-stderr in_ns "$NS_B" timeout 60 bt-download --lsd --no-dht --no-announce \
        --no-web-seeds -l "$NET.2:0" -o out "$S/multi.torrent"
    [ "$status" -eq 0 ] || fail "$stderr"
    diff -r "$S/data/multi" out/multi
}
