# wire.bash - helpers shared by the peer wire suites (04-handshake, 05-fetch-piece,
# 05-seed): start seeders of every kind on loopback and wait until they answer.

SAMPLES="$BT_SRCDIR/samples"

# data_copy: a writable copy of the sample payloads (real clients may open their
# files read-write, and distcheck's source tree is read-only); prints its path.
data_copy() {
    if [ ! -d "$BATS_TEST_TMPDIR/data" ]; then
        cp -R "$SAMPLES/data" "$BATS_TEST_TMPDIR/data"
        chmod -R u+w "$BATS_TEST_TMPDIR/data"
    fi
    echo "$BATS_TEST_TMPDIR/data"
}

# start_seed NAME TORRENT [bt-seed options...]: bt-seed on a free port; sets SEED.
start_seed() {
    local name=$1 torrent=$2
    shift 2
    seed_bg "$name" "$torrent" "$SAMPLES/data" "$@"
    SEED=$SEED_ADDR
}

# wait_handshake TORRENT PEER [SECONDS]: until PEER completes a handshake
# (real clients check their data before they answer).
wait_handshake() {
    local i
    for ((i = 0; i < ${3:-30}; i++)); do
        bt-handshake -t 2 "$1" "$2" >/dev/null 2>&1 && return 0
        sleep 1
    done
    echo "$2 never completed a handshake" >&2
    return 1
}

# start_lt_seed TORRENT: a libtorrent seeder of the sample data; sets LT.
start_lt_seed() {
    local port
    require_libtorrent
    port=$(free_port)
    start_bg lt-seed timeout 120 "$BT_PYTHON" "$BT_SRCDIR/tests/lt-client.py" seed "$1" \
        "$(data_copy)" "$port"
    LT="127.0.0.1:$port"
    wait_handshake "$1" "$LT"
}

# start_tr_seed TORRENT: transmission-cli seeding the sample data; sets TR.
start_tr_seed() {
    local port
    require_cmd transmission-cli
    port=$(free_port)
    start_bg tr-seed timeout 120 transmission-cli -w "$(data_copy)" -p "$port" \
        -g "$BATS_TEST_TMPDIR/tr-config" "$1"
    TR="127.0.0.1:$port"
    wait_handshake "$1" "$TR"
    # transmission closes a connection from an address while it still holds an
    # earlier one from that address: let it forget the probe.
    sleep 2
}

# start_aria2_seed TORRENT: aria2c checking and seeding the sample data; sets A2.
start_aria2_seed() {
    local port
    require_cmd aria2c
    port=$(free_port)
    start_bg aria2-seed timeout 120 aria2c --check-integrity=true --seed-ratio=0.0 \
        --enable-dht=false --enable-dht6=false --bt-enable-lpd=false \
        --enable-peer-exchange=false --listen-port="$port" --dir="$(data_copy)" \
        --bt-tracker-connect-timeout=1 --bt-tracker-timeout=1 --console-log-level=warn \
        --summary-interval=0 --allow-overwrite=false "$1"
    A2="127.0.0.1:$port"
    wait_handshake "$1" "$A2"
}

# piece_sha1 TORRENT INDEX: the golden SHA-1 of a piece, from stage 2's files.
piece_sha1() {
    local name
    name=$(basename "$1" .torrent)
    sed -n "$(($2 + 1))p" "$BT_SRCDIR/tests/golden/02-$name.pieces.out"
}
