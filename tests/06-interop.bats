#!/usr/bin/env bats
# 06-interop.bats - bt-download against real clients on loopback.  Each of
# transmission, python3-libtorrent and aria2c seeds a multi-file torrent (three
# files, one in a subdirectory, pieces that straddle file boundaries) and
# bt-download must fetch a byte-identical copy; then all of them plus a bt-seed
# form one swarm behind bt-tracker; then each client downloads from
# `bt-download --seed`.
#
# Loopback quirks (see /work/shared/INTEROP.md): transmission ignores 127.x
# peers that a tracker names, so bt-download dials it with -p; aria2c needs DHT,
# LPD and PEX off.  Transmission is slow to unchoke (it rechokes every 10 s),
# which sets the time limits here.
bats_require_minimum_version 1.5.0

load helper

setup() {
    cd "$BATS_TEST_TMPDIR"
    mkdir -p seed/top/sub
    # Sizes that are not multiples of the 64 KiB piece, so pieces span files.
    head -c 1500000 /dev/urandom >seed/top/a.bin
    head -c 2200001 /dev/urandom >seed/top/sub/b.bin
    printf 'a small text file at the end\n' >seed/top/z.txt
    TRACKER_PORT=$(free_port)
    TRACKER="http://127.0.0.1:$TRACKER_PORT/announce"
    if command -v mktorrent >/dev/null 2>&1; then
        mktorrent -a "$TRACKER" -l 16 -o t.torrent seed/top >/dev/null
    fi
    ARIA2_OPTS=(--enable-dht=false --enable-dht6=false --bt-enable-lpd=false
        --enable-peer-exchange=false --file-allocation=none --summary-interval=0
        --console-log-level=warn)
}

teardown() {
    stop_all
}

# --- counterparts --------------------------------------------------------------

# transmission_conf DIR: a transmission config with nothing that leaves loopback.
transmission_conf() {
    mkdir -p "$1"
    cat >"$1/settings.json" <<'EOF'
{
    "dht-enabled": false, "lpd-enabled": false, "utp-enabled": false,
    "pex-enabled": false, "port-forwarding-enabled": false,
    "bind-address-ipv4": "127.0.0.1", "encryption": 0,
    "speed-limit-up-enabled": false, "ratio-limit-enabled": false
}
EOF
}

# seed_with CLIENT PORT: serve seed/top from CLIENT on 127.0.0.1:PORT.
seed_with() {
    case $1 in
    transmission)
        transmission_conf tr-seed
        start_bg tr-seed timeout 300 transmission-cli -g tr-seed -w seed -p "$2" t.torrent
        ;;
    libtorrent)
        start_bg lt-seed timeout 300 "$BT_PYTHON" "$BT_SRCDIR/tests/lt-client.py" seed \
            t.torrent seed "$2"
        ;;
    aria2c)
        start_bg aria2-seed timeout 300 aria2c "${ARIA2_OPTS[@]}" --listen-port="$2" \
            --seed-ratio=0.0 --bt-seed-unverified=true -d seed t.torrent
        ;;
    bt-seed)
        start_bg bt-seed timeout 300 bt-seed -q -l "127.0.0.1:$2" t.torrent seed
        ;;
    esac
    wait_port "$2" 20
}

require_client() {
    case $1 in
    transmission) require_cmd transmission-cli ;;
    libtorrent) require_libtorrent ;;
    aria2c) require_cmd aria2c ;;
    esac
}

# seeders_known N: wait until the tracker counts N seeders of t.torrent.
seeders_known() {
    local hash query i
    hash=$(bt-infohash t.torrent)
    query=$(sed 's/../%&/g' <<<"$hash")
    # Up to a minute: under the sanitizer run transmission takes its time.
    for i in $(seq 300); do
        if curl -s "http://127.0.0.1:$TRACKER_PORT/scrape?info_hash=$query" |
            grep -aq "8:completei$1e"; then
            return 0
        fi
        sleep 0.2
    done
    echo "the tracker never counted $1 seeders" >&2
    return 1
}

# ours_seeds [OPTIONS...]: a bt-download that already holds everything and seeds.
ours_seeds() {
    cp -r seed ours
    start_bg ours timeout 300 bt-download -v --seed -l 127.0.0.1:0 -o ours "$@" t.torrent
}

# --- bt-download from each client ---------------------------------------------

download_from() {
    require_cmd mktorrent
    require_client "$1"
    local port
    port=$(free_port)
    seed_with "$1" "$port"
    run -0 --separate-stderr timeout 120 bt-download -v --no-announce -l 127.0.0.1:0 \
        -p "127.0.0.1:$port" -o out t.torrent
    assert_output out/top
    assert_regex "$stderr" "127.0.0.1:$port: connected \\($2"
    assert_regex "$stderr" 'complete: every piece verified'
    diff -r seed/top out/top
}

@test "downloads a multi-file torrent from a transmission seeder" {
    download_from transmission 'Transmission'
}

@test "downloads a multi-file torrent from a libtorrent seeder" {
    download_from libtorrent 'libtorrent'
}

@test "downloads a multi-file torrent from an aria2c seeder" {
    download_from aria2c 'aria2'
}

@test "downloads from transmission, libtorrent, aria2c and bt-seed in one swarm via bt-tracker" {
    require_cmd mktorrent curl transmission-cli aria2c
    require_libtorrent
    local p_tr p_lt p_ar p_bt
    start_bg tracker timeout 300 bt-tracker -q -p "$TRACKER_PORT"
    wait_port "$TRACKER_PORT"
    p_tr=$(free_port)
    seed_with transmission "$p_tr"
    p_lt=$(free_port)
    seed_with libtorrent "$p_lt"
    p_ar=$(free_port)
    seed_with aria2c "$p_ar"
    p_bt=$(free_port)
    seed_with bt-seed "$p_bt"
    # bt-seed announces itself to the torrent's tracker, as the clients do.
    seeders_known 4
    run -0 --separate-stderr timeout 120 bt-download -v -l 127.0.0.1:0 -o out t.torrent
    assert_output out/top
    assert_regex "$stderr" "tracker $TRACKER: interval [0-9]+ s, .*, 4 peers"
    assert_regex "$stderr" 'complete: every piece verified'
    diff -r seed/top out/top
}

# --- each client from bt-download --seed --------------------------------------

@test "libtorrent downloads from bt-download --seed found through bt-tracker" {
    require_cmd mktorrent
    require_libtorrent
    start_bg tracker timeout 300 bt-tracker -q -p "$TRACKER_PORT"
    wait_port "$TRACKER_PORT"
    ours_seeds
    run -0 timeout 120 "$BT_PYTHON" "$BT_SRCDIR/tests/lt-client.py" leech t.torrent lt "$(free_port)"
    assert_line complete
    diff -r seed/top lt/top
}

@test "aria2c downloads from bt-download --seed found through bt-tracker" {
    require_cmd mktorrent aria2c
    start_bg tracker timeout 300 bt-tracker -q -p "$TRACKER_PORT"
    wait_port "$TRACKER_PORT"
    ours_seeds
    run -0 timeout 120 aria2c "${ARIA2_OPTS[@]}" --listen-port="$(free_port)" --seed-time=0 \
        -d aria t.torrent
    diff -r seed/top aria/top
}

@test "transmission downloads from bt-download --seed that dials it" {
    require_cmd mktorrent transmission-cli
    local port i
    port=$(free_port)
    transmission_conf tr-leech
    printf '#!/bin/sh\ntouch "%s/finished"\n' "$BATS_TEST_TMPDIR" >finished.sh
    chmod +x finished.sh
    start_bg tr-leech timeout 300 transmission-cli -g tr-leech -w tr -p "$port" \
        -f "$BATS_TEST_TMPDIR/finished.sh" t.torrent
    wait_port "$port" 20
    ours_seeds --no-announce -p "127.0.0.1:$port"
    for i in $(seq 1200); do
        [ -e finished ] && break
        sleep 0.1
    done
    assert_file_exists finished
    diff -r seed/top tr/top
    run grep -c "127.0.0.1:$port: connected (Transmission" ours.log
    assert_output 1
}
