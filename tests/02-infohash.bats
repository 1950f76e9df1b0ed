#!/usr/bin/env bats
# 02-infohash.bats - bt-infohash: usage, golden output for the samples, every
# hostile file with its exact error, warnings, pipelines, and interop: torrents
# made by mktorrent and transmission-create hash the same here as in
# transmission-show and libtorrent, and our magnet links parse in libtorrent.
#
# The golden files (tests/golden/02-*.out) and samples/hostile/metainfo/EXPECTED
# are written by samples/generate, in Python, without btkit.
bats_require_minimum_version 1.5.0

load helper

setup() {
    S="$BT_SRCDIR/samples"
    H="$S/hostile/metainfo"
    G="$BT_SRCDIR/tests/golden"
}

teardown() {
    stop_all
}

# --- usage -------------------------------------------------------------------

@test "--help prints usage and names the tutorial" {
    run -0 --separate-stderr bt-infohash --help
    assert_line --index 0 'usage: bt-infohash [-s | -p | -m] [--v1 | --v2] [-q] [--strict] [--save OUT] [FILE | -]'
    assert_output --partial 'tutorials/02-metainfo.md'
    [ -z "$stderr" ]
}

@test "--version prints the version" {
    run -0 --separate-stderr bt-infohash --version
    assert_output --regexp '^bt-infohash \(btkit\) [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "an unknown option is a usage error with empty stdout" {
    run -2 --separate-stderr bt-infohash --bogus "$S/single.torrent"
    assert_output ''
    [[ "$stderr" == *"usage: bt-infohash"* ]]
}

@test "two operands are a usage error" {
    run -2 --separate-stderr bt-infohash "$S/single.torrent" "$S/multi.torrent"
    assert_output ''
    [[ "$stderr" == *"one torrent at a time: unexpected '$S/multi.torrent'"* ]]
}

@test "-s, -p and -m exclude each other" {
    run -2 --separate-stderr bt-infohash -s -m "$S/single.torrent"
    assert_output ''
    [[ "$stderr" == *"-s, -p and -m exclude each other"* ]]
}

@test "a missing file fails with the system's reason" {
    run -1 --separate-stderr bt-infohash "$BATS_TEST_TMPDIR/nope.torrent"
    assert_output ''
    [ "$stderr" = "bt-infohash: $BATS_TEST_TMPDIR/nope.torrent: input/output error: No such file or directory" ]
}

@test "input over 64 MiB is refused, from a file or a pipe" {
    truncate -s 65M "$BATS_TEST_TMPDIR/big.torrent"
    run -1 --separate-stderr bt-infohash "$BATS_TEST_TMPDIR/big.torrent"
    assert_output ''
    [ "$stderr" = "bt-infohash: $BATS_TEST_TMPDIR/big.torrent: input exceeds the size limit" ]
    run -1 --separate-stderr bash -c 'cat "$1" | bt-infohash' _ "$BATS_TEST_TMPDIR/big.torrent"
    assert_output ''
    [ "$stderr" = "bt-infohash: standard input: input exceeds the size limit" ]
}

@test "a write error on stdout is a failure" {
    [ -w /dev/full ] || skip "no /dev/full"
    run -1 --separate-stderr bash -c 'bt-infohash -p "$1" >/dev/full' _ "$S/large.torrent"
    [[ "$stderr" == *"error writing to standard output"* ]]
}

# --- golden output -------------------------------------------------------------

@test "the info hash of every sample matches the generator's" {
    local hash file
    while read -r hash file; do
        run -0 --separate-stderr bt-infohash --lenient "$S/$file"
        [ "$output" = "$hash" ] || fail "$file: got '$output', want '$hash'"
    done <"$G/02-infohash.out"
}

@test "the default output is one line of 40 hex digits and nothing else" {
    run -0 --separate-stderr bt-infohash "$S/multi.torrent"
    assert_output --regexp '^[0-9a-f]{40}$'
    [ "${#lines[@]}" -eq 1 ]
    [ -z "$stderr" ]
}

# golden KIND OPTION: bt-infohash OPTION prints tests/golden/02-SAMPLE.KIND.out for each sample.
golden() {
    local t
    for t in single multi large odd small; do
        run -0 --separate-stderr bt-infohash "$2" "$S/$t.torrent"
        diff -u "$G/02-$t.$1.out" <(printf '%s\n' "$output") || fail "$t: $1 output differs"
    done
}

@test "the summaries match the golden files" {
    golden summary --summary
}

@test "the piece hashes match the golden files, one per line" {
    golden pieces --pieces
}

@test "the magnet links match the golden files" {
    golden magnet --magnet
}

@test "the shipped payloads hash to the torrents' piece hashes" {
    local t
    for t in single multi large odd small; do
        run -0 --separate-stderr bt-infohash -p "$S/$t.torrent"
        diff -u <(printf '%s\n' "$output") <("$BT_PYTHON" - "$S/$t.torrent" "$S/data" <<'PY'
import hashlib, sys, libtorrent as lt
ti = lt.torrent_info(sys.argv[1])
fs = ti.files()
data = b"".join(open(sys.argv[2] + "/" + fs.file_path(i), "rb").read()
                for i in range(fs.num_files()))
for i in range(0, len(data), ti.piece_length()):
    print(hashlib.sha1(data[i:i + ti.piece_length()]).hexdigest())
PY
) || fail "$t payload does not match"
    done
}

# --- warnings ------------------------------------------------------------------

@test "a piece length that is not a power of two is legal, with a warning" {
    run -0 --separate-stderr bt-infohash "$S/odd.torrent"
    assert_output "$(awk '$2 == "odd.torrent" { print $1 }' "$G/02-infohash.out")"
    [ "$stderr" = "bt-infohash: $S/odd.torrent: warning: piece length 20000 is not a power of two" ]
}

@test "a piece length under 16 KiB is legal, with a warning" {
    run -0 --separate-stderr bt-infohash "$S/small.torrent"
    assert_output --regexp '^[0-9a-f]{40}$'
    [ "$stderr" = "bt-infohash: $S/small.torrent: warning: piece length 4096 is under 16 KiB" ]
}

@test "-q silences the warnings" {
    run -0 --separate-stderr bt-infohash -q "$S/odd.torrent"
    assert_output --regexp '^[0-9a-f]{40}$'
    [ -z "$stderr" ]
}

# --- hostile input ---------------------------------------------------------------

@test "every hostile file fails --strict with its exact error, exit 1 and empty stdout" {
    local file msg n=0
    cd "$H"
    while IFS=$'\t' read -r file msg; do
        [[ "$file" == \#* ]] && continue
        run -1 --separate-stderr bt-infohash --strict "$file"
        [ -z "$output" ] || fail "$file: stdout not empty: $output"
        [ "$stderr" = "bt-infohash: $file: $msg" ] ||
            fail "$file: got '$stderr', want 'bt-infohash: $file: $msg'"
        n=$((n + 1))
    done <EXPECTED
    [ "$n" -eq "$(ls *.torrent | wc -l)" ] || fail "EXPECTED lists $n of $(ls *.torrent | wc -l) files"
}

@test "--lenient accepts non-canonical bencode and drops malformed optional fields" {
    local f
    cd "$H"
    for f in unsorted-keys leading-zero trailing-garbage announce-int announce-nul \
        announce-list-flat creation-date-string; do
        run -0 --separate-stderr bt-infohash --lenient "$f.torrent"
        [[ "$output" =~ ^[0-9a-f]{40}$ ]] || fail "$f: no hash with --lenient"
    done
}

@test "--lenient, the default, still refuses inconsistent sizes" {
    local file msg
    cd "$H"
    for file in pieces-too-few total-length-overflow huge-piece-count piece-length-zero \
        pieces-partial length-negative; do
        msg=$(awk -F '\t' -v f="$file.torrent" '$1 == f { print $2 }' EXPECTED)
        run -1 --separate-stderr bt-infohash --lenient "$file.torrent"
        assert_output ''
        [ "$stderr" = "bt-infohash: $file.torrent: $msg" ] || fail "$file: got '$stderr'"
        run -1 --separate-stderr bt-infohash "$file.torrent"
        [ "$stderr" = "bt-infohash: $file.torrent: $msg" ] || fail "$file: got '$stderr' by default"
    done
}

@test "the non-canonical sample is refused --strict, read by default, and hashes its own bytes" {
    run -1 --separate-stderr bt-infohash --strict "$S/unsorted.torrent"
    assert_output ''
    [ "$stderr" = "bt-infohash: $S/unsorted.torrent: byte 223: dictionary keys are not sorted" ]
    run -0 --separate-stderr bt-infohash "$S/unsorted.torrent"
    assert_output "$(awk '$2 == "unsorted.torrent" { print $1 }' "$G/02-infohash.out")"
    refute_output "$(bt-infohash "$S/single.torrent")"
}

@test "libtorrent agrees on the non-canonical sample's hash" {
    require_libtorrent
    run -0 --separate-stderr bt-infohash --lenient "$S/unsorted.torrent"
    local ours=$output
    run -0 "$BT_PYTHON" -c 'import sys, libtorrent as lt; print(lt.torrent_info(sys.argv[1]).info_hash())' \
        "$S/unsorted.torrent"
    assert_output "$ours"
}

# --- pipelines -------------------------------------------------------------------

@test "reads standard input with - or no operand" {
    local want
    want=$(awk '$2 == "multi.torrent" { print $1 }' "$G/02-infohash.out")
    run -0 --separate-stderr bash -o pipefail -c 'cat "$1" | bt-infohash -' _ "$S/multi.torrent"
    assert_output "$want"
    run -0 --separate-stderr bt-infohash <"$S/multi.torrent"
    assert_output "$want"
}

@test "errors on standard input name it as bt-decode does" {
    run -1 --separate-stderr bt-infohash - <"$H/piece-length-zero.torrent"
    assert_output ''
    [[ "$stderr" == "bt-infohash: standard input: byte "*": info.piece length: piece length is not positive" ]]
}

@test "pipeline: piece hashes count matches the summary's piece count" {
    run -0 bash -o pipefail -c 'bt-infohash -p "$1" | wc -l' _ "$S/multi.torrent"
    local n=$output
    run -0 bash -o pipefail -c "bt-infohash -s \"\$1\" | awk '/^pieces:/ { print \$2 }'" _ "$S/multi.torrent"
    assert_output "$n"
}

# --- interop: torrents made by real tools ------------------------------------------

# make_payload DIR: a directory of files with awkward names, and a single file.
make_payload() {
    mkdir -p "$1/payload dir/sub"
    head -c 300000 /dev/urandom >"$1/payload dir/a.bin"
    head -c 12345 /dev/urandom >"$1/payload dir/sub/ünïcode & more.txt"
    : >"$1/payload dir/sub/empty"
    head -c 100001 /dev/urandom >"$1/single file.bin"
}

# check_agree TORRENT: our hash equals transmission-show's and libtorrent's, our piece
# hashes and sizes equal libtorrent's, and our magnet link parses to the same hash.
check_agree() {
    local t=$1 ours
    run -0 --separate-stderr bt-infohash -q "$t"
    ours=$output
    run -0 transmission-show "$t"
    [ "$(awk '$1 == "Hash:" { print $2 }' <<<"$output")" = "$ours" ] ||
        fail "$t: transmission-show says $(grep Hash: <<<"$output"), we say $ours"
    run -0 "$BT_PYTHON" - "$t" <<'PY'
import sys, libtorrent as lt
ti = lt.torrent_info(sys.argv[1])
print(ti.info_hash())
for i in range(ti.num_pieces()):
    print(ti.hash_for_piece(i).hex())
print(ti.total_size(), ti.piece_length(), ti.num_files())
PY
    [ "${lines[0]}" = "$ours" ] || fail "$t: libtorrent says ${lines[0]}, we say $ours"
    diff <(printf '%s\n' "${lines[@]:1:${#lines[@]}-2}") <(bt-infohash -q -p "$t") ||
        fail "$t: piece hashes differ from libtorrent's"
    local sizes=${lines[-1]}
    run -0 bash -o pipefail -c "bt-infohash -q -s \"\$1\" | awk '/^total length:/ { t = \$3 } /^piece length:/ { p = \$3 } /^files:/ { f = \$2 } END { print t, p, f }'" _ "$t"
    assert_output "$sizes"
    run -0 --separate-stderr bt-infohash -q -m "$t"
    local link=$output
    run -0 "$BT_PYTHON" - "$link" <<'PY'
import sys, libtorrent as lt
p = lt.parse_magnet_uri(sys.argv[1])
print(p.info_hashes.v1)
print(p.name)
print(" ".join(p.trackers))
PY
    assert_line --index 0 "$ours"
    [ "${lines[1]}" = "$("$BT_PYTHON" -c 'import sys, libtorrent as lt; print(lt.torrent_info(sys.argv[1]).name())' "$t")" ] ||
        fail "$t: magnet name '${lines[1]}' differs"
    assert_line --index 2 --partial "http://127.0.0.1:6969/announce"
}

@test "interop: mktorrent's single- and multi-file torrents agree with transmission and libtorrent" {
    require_cmd mktorrent transmission-show
    require_libtorrent
    local d=$BATS_TEST_TMPDIR
    make_payload "$d"
    mktorrent -a http://127.0.0.1:6969/announce -l 15 -o "$d/m1.torrent" "$d/single file.bin" >/dev/null
    mktorrent -a http://127.0.0.1:6969/announce -a udp://127.0.0.1:6969 -l 16 -p \
        -c "a comment" -o "$d/m2.torrent" "$d/payload dir" >/dev/null
    check_agree "$d/m1.torrent"
    check_agree "$d/m2.torrent"
}

@test "interop: transmission-create's single- and multi-file torrents agree with transmission and libtorrent" {
    require_cmd transmission-create transmission-show
    require_libtorrent
    local d=$BATS_TEST_TMPDIR
    make_payload "$d"
    transmission-create -t http://127.0.0.1:6969/announce -s 16 -o "$d/t1.torrent" \
        "$d/single file.bin" >/dev/null
    transmission-create -t http://127.0.0.1:6969/announce -s 64 -p -c "made by a test" \
        -o "$d/t2.torrent" "$d/payload dir" >/dev/null
    check_agree "$d/t1.torrent"
    check_agree "$d/t2.torrent"
}

@test "interop: the samples agree with libtorrent and transmission-show" {
    require_cmd transmission-show
    require_libtorrent
    local t
    for t in single multi large odd small; do
        check_agree "$S/$t.torrent"
    done
}
