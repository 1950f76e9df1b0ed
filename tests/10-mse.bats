#!/usr/bin/env bats
# Message Stream Encryption (MSE/PE): bt-download and bt-seed with
# --encryption, against each other and against libtorrent requiring
# encryption (tests/lt-client.py --encryption-forced), and MSE peers that
# break the handshake (tests/mse-peer.py).

bats_require_minimum_version 1.5.0

load helper

S="$BT_SRCDIR/samples"

setup() {
    cd "$BATS_TEST_TMPDIR"
}

teardown() {
    stop_all
}

# seed NAME [ARGS]: bt-seed of samples/multi.torrent on a free port; sets $SEED_PORT.
seed() {
    local name=$1
    shift
    seed_bg "$name" "$S/multi.torrent" "$S/data" --no-dht --no-announce "$@"
}

download() {
    run --separate-stderr timeout 60 bt-download --no-dht --no-announce -l 127.0.0.1:0 "$@"
}

# mse_peer MODE: tests/mse-peer.py listening on a free port; sets $MSE_PORT.
mse_peer() {
    MSE_PORT=$(free_port)
    start_bg mse "$BT_PYTHON" "$BT_SRCDIR/tests/mse-peer.py" "$1" "$MSE_PORT"
    wait_port "$MSE_PORT" 10 "$PID_mse"
}

@test "--encryption takes off, prefer or require, and nothing else" {
    run -2 --separate-stderr bt-download --encryption always "$S/multi.torrent"
    [ "$output" = "" ]
    [[ "$stderr" == *"invalid encryption 'always'"* ]]
    run -2 --separate-stderr bt-seed --encryption "" "$S/multi.torrent" "$S/data"
    run -2 --separate-stderr bt-handshake --encryption yes "$S/multi.torrent" 127.0.0.1:1
    run -2 --separate-stderr bt-fetch-piece --encryption no "$S/multi.torrent" 0
}

@test "bt-download downloads from bt-seed with encryption required on both, RC4 both ways" {
    seed s --encryption require --trace
    download --encryption require --trace -p "127.0.0.1:$SEED_PORT" -o out "$S/multi.torrent"
    [ "$status" -eq 0 ]
    diff -r out/multi "$S/data/multi"
    # The initiator's steps, in order, and the stream is RC4 after them.
    grep -q "^-> MSE Ya, our public key, and PadA (.* bytes), offering rc4$" <<<"$stderr"
    grep -q "^<- MSE Yb, their public key (96 bytes)$" <<<"$stderr"
    grep -q "^<- MSE PadB (.* bytes), ENCRYPT(VC) found$" <<<"$stderr"
    grep -q "^<- MSE ENCRYPT(crypto_select 0x02 (rc4)" <<<"$stderr"
    grep -q "the stream is rc4 from here" <<<"$stderr"
    # The receiver's: it detected MSE, found req1 and our torrent, got our handshake as IA.
    grep -q "^<- not a plain handshake: MSE, as the receiver$" s.log
    grep -q "^<- MSE PadA (.* bytes), HASH('req1', S) found$" s.log
    grep -q "HASH('req3', S): our torrent$" s.log
    grep -q "^<- MSE ENCRYPT(IA): 68 bytes of payload$" s.log
    grep -q "^-> MSE ENCRYPT(VC, crypto_select 0x02 (rc4), PadD)" s.log
}

@test "by default both prefer: MSE offering both methods, and the receiver picks plaintext" {
    # No --encryption: prefer is the default of every tool.
    seed s --trace
    download --trace -p "127.0.0.1:$SEED_PORT" -o out "$S/multi.torrent"
    [ "$status" -eq 0 ]
    diff -r out/multi "$S/data/multi"
    grep -q "offering rc4 or plaintext$" <<<"$stderr"
    grep -q "^<- MSE ENCRYPT(crypto_select 0x01 (plaintext)" <<<"$stderr"
    grep -q "the stream is plaintext from here" <<<"$stderr"
    grep -q "^-> MSE ENCRYPT(VC, crypto_select 0x01 (plaintext), PadD)" s.log
}

@test "prefer dialling a seeder that requires encryption gets RC4" {
    seed s --encryption require --trace
    download --encryption prefer --trace -p "127.0.0.1:$SEED_PORT" -o out "$S/multi.torrent"
    [ "$status" -eq 0 ]
    diff -r out/multi "$S/data/multi"
    grep -q "offering rc4 or plaintext$" <<<"$stderr"
    grep -q "^<- MSE ENCRYPT(crypto_select 0x02 (rc4)" <<<"$stderr"
    grep -q "the stream is rc4 from here" <<<"$stderr"
}

@test "a seeder that prefers encryption still serves a plain handshake" {
    seed s --encryption prefer
    download --encryption off -p "127.0.0.1:$SEED_PORT" -o out "$S/multi.torrent"
    [ "$status" -eq 0 ]
    diff -r out/multi "$S/data/multi"
}

@test "a seeder that requires encryption refuses a plain handshake, and says why" {
    seed s --encryption require
    run -1 --separate-stderr timeout 30 bt-handshake --encryption off -t 5 "$S/multi.torrent" \
        "127.0.0.1:$SEED_PORT"
    [ "$output" = "" ]
    sleep 0.2
    grep -q "plain handshake refused: encryption is required" s.log
}

@test "require dialling a peer that speaks only plain BEP 3 fails" {
    seed s --encryption off
    run -1 --separate-stderr timeout 30 bt-handshake -t 3 --encryption require \
        "$S/multi.torrent" "127.0.0.1:$SEED_PORT"
    [ "$output" = "" ]
    [[ "$stderr" == *"127.0.0.1:$SEED_PORT"*"during the encrypted handshake (does it speak MSE"* ]]
}

@test "prefer dials a plain-only peer again, plain, when it drops MSE" {
    seed s --encryption off
    download --encryption prefer --trace -p "127.0.0.1:$SEED_PORT" -o out "$S/multi.torrent"
    [ "$status" -eq 0 ]
    diff -r out/multi "$S/data/multi"
    grep -q "offering rc4 or plaintext$" <<<"$stderr"
    grep -q "^<- the peer closed the connection during MSE: dialling again, plain$" <<<"$stderr"
    run -0 --separate-stderr timeout 30 bt-handshake --encryption prefer "$S/multi.torrent" \
        "127.0.0.1:$SEED_PORT"
    [[ "$output" =~ ^[0-9a-f]{40}$ ]]
}

@test "bt-download downloads from a libtorrent seeder that requires encryption" {
    require_libtorrent
    local port
    port=$(free_port)
    start_bg lt "$BT_PYTHON" "$BT_SRCDIR/tests/lt-client.py" seed "$S/multi.torrent" "$S/data" \
        "$port" --encryption-forced
    wait_port "$port" 20 "$PID_lt"
    # Plain BEP 3 gets nowhere with it ...
    run -1 --separate-stderr timeout 30 bt-handshake --encryption off -t 5 "$S/multi.torrent" \
        "127.0.0.1:$port"
    # ... MSE with RC4 does.
    download --encryption require --trace -p "127.0.0.1:$port" -o out "$S/multi.torrent"
    [ "$status" -eq 0 ]
    diff -r out/multi "$S/data/multi"
    grep -q "crypto_select 0x02 (rc4)" <<<"$stderr"
    # From its magnet link too: the metadata exchange (BEP 9) goes encrypted as well.
    local hash
    hash=$(bt-infohash "$S/multi.torrent")
    download --encryption require -p "127.0.0.1:$port" -o out2 "magnet:?xt=urn:btih:$hash"
    [ "$status" -eq 0 ]
    diff -r out2/multi "$S/data/multi"
}

@test "prefer against libtorrent's defaults: MSE, then plaintext as libtorrent selects" {
    require_libtorrent
    local port
    port=$(free_port)
    start_bg lt "$BT_PYTHON" "$BT_SRCDIR/tests/lt-client.py" seed "$S/multi.torrent" "$S/data" \
        "$port"
    wait_port "$port" 20 "$PID_lt"
    # libtorrent 2.0.8 (pe_enabled, pe_both, prefer_rc4 off) picks plaintext
    # when offered both: the stream after MSE is not encrypted.
    download --encryption prefer --trace -p "127.0.0.1:$port" -o out "$S/multi.torrent"
    [ "$status" -eq 0 ]
    diff -r out/multi "$S/data/multi"
    grep -q "crypto_select 0x01 (plaintext)" <<<"$stderr"
    grep -q "the stream is plaintext from here" <<<"$stderr"
}

@test "libtorrent requiring encryption downloads from bt-seed --encryption require" {
    require_libtorrent
    local port
    seed s --encryption require --trace
    port=$(free_port)
    mkdir lt
    run -0 timeout 60 "$BT_PYTHON" "$BT_SRCDIR/tests/lt-client.py" leech "$S/multi.torrent" lt \
        "$port" --connect "$SEED_PORT" --encryption-forced
    [[ "$output" == *complete* ]]
    diff -r lt/multi "$S/data/multi"
    grep -q "^<- not a plain handshake: MSE, as the receiver$" s.log
    grep -q "^-> MSE ENCRYPT(VC, crypto_select 0x02 (rc4), PadD)" s.log
}

@test "an MSE peer that stalls mid-handshake is dropped at the deadline" {
    mse_peer stall
    local start=$SECONDS
    run -1 --separate-stderr timeout 30 bt-handshake -t 2 --encryption require \
        "$S/multi.torrent" "127.0.0.1:$MSE_PORT"
    [ "$output" = "" ]
    [[ "$stderr" == *"encrypted handshake (MSE) not finished after 2000 ms"* ]]
    [ $((SECONDS - start)) -le 6 ]
}

@test "bt-seed drops an MSE initiator that stalls mid-handshake at its deadline" {
    seed s --encryption require -t 2
    run -0 timeout 30 "$BT_PYTHON" "$BT_SRCDIR/tests/mse-peer.py" dial-stall "$SEED_PORT"
    [[ "$output" =~ ^closed\ after\ ([0-9]+)\. ]]
    [ "${BASH_REMATCH[1]}" -ge 1 ] && [ "${BASH_REMATCH[1]}" -le 4 ]
    grep -q "encrypted handshake (MSE) not finished after 2000 ms" s.log
}

@test "an MSE peer that sends a PadB over 512 bytes is dropped with the reason" {
    mse_peer big-pad
    run -1 --separate-stderr timeout 30 bt-handshake -t 10 --encryption require \
        "$S/multi.torrent" "127.0.0.1:$MSE_PORT"
    [ "$output" = "" ]
    [[ "$stderr" == *"no verification constant within 520 bytes after Yb (PadB longer than 512 bytes?)"* ]]
}

@test "bt-seed drops an MSE initiator whose PadA is over 512 bytes, at once" {
    seed s --encryption require -t 20
    run -0 timeout 30 "$BT_PYTHON" "$BT_SRCDIR/tests/mse-peer.py" dial-big-pad "$SEED_PORT"
    [[ "$output" =~ ^closed\ after\ 0\. ]]
    grep -q "no HASH('req1', S) within 532 bytes after Ya" s.log
}
