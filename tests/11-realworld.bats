#!/usr/bin/env bats
# 11-realworld.bats - odd but real torrents (issue 16): what libtorrent and
# Transmission load, btkit loads too, with a warning for everything it overlooks
# or changes, and refuses with --strict.  Nothing it loads may write outside the
# download directory, and bt-infohash, bt-download and bt-seed agree on every
# torrent: one loads it, all do.
#
# samples/realworld/EXPECTED and STRICT (and samples/hostile/metainfo/LENIENT)
# are the exact stderr lines, worked out by samples/generate from the rules in
# lib/metainfo/sanitize.h; samples/data/realworld/ holds each torrent's files
# under the names btkit must save them as.

bats_require_minimum_version 1.5.0
load helper

setup() {
    S="$BT_SRCDIR/samples"
    R="$S/realworld"
    H="$S/hostile/metainfo"
    cd "$BATS_TEST_TMPDIR"
}

teardown() {
    stop_all
}

# want_lines LIST FILE: the lines LIST gives FILE ("-" is none), one per line.
want_lines() {
    awk -F '\t' -v f="$2" '$1 == f && $2 != "-" { print $2 }' "$1"
}

# check_list DIR LIST [ARGS]: every torrent LIST names prints on stderr exactly its
# lines (each after "bt-infohash: FILE: "), exits 0 with one hash line if they
# are all warnings, else 1 with stdout empty.
check_list() {
    local dir=$1 list=$2 file want n=0
    shift 2
    cd "$dir"
    for file in $(awk -F '\t' '!/^#/ { print $1 }' "$list" | sort -u); do
        want=$(want_lines "$list" "$file" | sed "s|^|bt-infohash: $file: |")
        run --separate-stderr bt-infohash -q "$@" "$file"
        [ "$stderr" = "$want" ] || fail "$file $*: got '$stderr', want '$want'"
        if [ -n "$want" ] && grep -qv '^bt-infohash: [^:]*: warning: ' <<<"$want"; then
            [ "$status" -eq 1 ] && [ -z "$output" ] || fail "$file $*: should be refused"
        else
            [ "$status" -eq 0 ] && [[ "$output" =~ ^[0-9a-f]{40} ]] || fail "$file $*: should load"
        fi
        n=$((n + 1))
    done
    [ "$n" -eq "$(ls *.torrent | wc -l)" ] || fail "$list lists $n of $(ls *.torrent | wc -l) files"
}

@test "--strict is in the usage of bt-infohash, bt-download and bt-seed" {
    local tool
    for tool in bt-infohash bt-download bt-seed; do
        run -0 "$tool" --help
        assert_output --partial "--strict"
    done
}

@test "each real-world sample loads with its warnings, or is refused, exactly as EXPECTED" {
    check_list "$R" "$R/EXPECTED"
}

@test "--strict refuses them as before, exactly as STRICT" {
    check_list "$R" "$R/STRICT" --strict
}

@test "--lenient is the default by another name" {
    check_list "$R" "$R/EXPECTED" --lenient
}

@test "every hostile torrent by default: made safe with warnings, or refused, as LENIENT" {
    check_list "$H" "$H/LENIENT"
}

@test "the non-canonical sample is read with one warning, hashed as its bytes are" {
    run -0 --separate-stderr bt-infohash "$S/unsorted.torrent"
    assert_output "$(awk '$2 == "unsorted.torrent" { print $1 }' "$BT_SRCDIR/tests/golden/02-infohash.out")"
    [ "$stderr" = "bt-infohash: $S/unsorted.torrent: warning: byte 223: dictionary keys are not sorted: accepted" ]
}

@test "the info hash is over the original bytes, whatever was made safe" {
    local hash file
    cd "$R"
    while read -r hash file; do
        run -0 --separate-stderr bt-infohash -q "$file"
        [ "$output" = "$hash" ] || fail "$file: got $output, want $hash"
    done <HASHES
    [ "$(wc -l <HASHES)" -ge 8 ]
}

@test "a file that would leave the download directory is saved inside it" {
    run -0 --separate-stderr bt-infohash -s "$R/paths.torrent"
    assert_line --regexp '^ +1 +100  etc/passwd$'
    assert_line --regexp '^ +2 +120  _abs/x.txt$'
    refute_output --partial '..'
    run -0 --separate-stderr bt-infohash -s "$R/name-unsafe.torrent"
    assert_line 'name:          .._.._evil.sh'
}

@test "the summary shows BEP 47 links where they point, and no pad file" {
    run -0 --separate-stderr bt-infohash -s "$R/bep47.torrent"
    assert_line 'files:         3'
    # Links have no number and no size.
    assert_line '          run-link -> bin/run.sh'
    assert_line '          bin/up-link -> .hidden'
    assert_line '  3  100  blob.bin'
    refute_output --partial 'escape'
    refute_output --partial '.pad'
}

@test "bt-infohash, bt-download and bt-seed agree on every sample: one loads it, all do" {
    local f ih want tool n=0
    for f in "$S"/*.torrent "$R"/*.torrent "$H"/*.torrent; do
        run --separate-stderr bt-infohash -q "$f"
        ih=$status
        want=$(sed "s|^bt-infohash: ||" <<<"$stderr")
        # The download directory cannot be made, and the data is not there: each
        # tool fails right after loading, or while loading, and says which.
        run --separate-stderr timeout 20 bt-download -q --no-dht --no-announce -l 127.0.0.1:0 \
            -o /dev/null/x "$f"
        [ "$status" -eq 1 ] || fail "bt-download $f: exit $status"
        run_compare bt-download "$f" "$ih" "$want"
        run --separate-stderr timeout 20 bt-seed -q --no-dht --no-announce -l 127.0.0.1:0 "$f" \
            /dev/null/x
        [ "$status" -eq 1 ] || fail "bt-seed $f: exit $status"
        run_compare bt-seed "$f" "$ih" "$want"
        n=$((n + 1))
    done
    [ "$n" -gt 80 ]
}

# run_compare TOOL FILE IH_STATUS IH_LINES: $stderr of TOOL on FILE starts with
# bt-infohash's lines about it; if bt-infohash refused FILE, that is all TOOL
# says, else it goes on to say why /dev/null/x will not do.
run_compare() {
    local tool=$1 f=$2 ih=$3 want=$4 got n
    got=$(sed "s|^$tool: ||" <<<"$stderr")
    if [ -z "$want" ]; then
        n=0
    else
        n=$(wc -l <<<"$want")
    fi
    [ "$(head -n "$n" <<<"$got")" = "$want" ] || fail "$tool $f: got '$got', want '$want' first"
    if [ "$ih" -eq 1 ]; then
        [ "$got" = "$want" ] || fail "$tool $f: bt-infohash refused it, $tool went on: '$got'"
    else
        [ "$(wc -l <<<"$got")" -gt "$n" ] && [ -n "$got" ] ||
            fail "$tool $f: bt-infohash loaded it, $tool did not go on: '$got'"
    fi
}

# seed_and_fetch NAME: bt-seed serves samples/realworld/NAME.torrent from a copy
# of data/realworld; bt-download fetches it into out/.  Sets $stderr, $output.
seed_and_fetch() {
    local port
    cp -R "$S/data/realworld" seed
    port=$(free_port)
    start_bg s1 bt-seed -q --no-dht --no-announce -l "127.0.0.1:$port" "$R/$1.torrent" seed
    wait_port "$port" 10 "$PID_s1"
    mkdir -p out/inner
    run --separate-stderr timeout 60 bt-download -q --no-dht --no-announce -l 127.0.0.1:0 \
        --give-up 10 -o out/inner -p "127.0.0.1:$port" "$R/$1.torrent"
}

@test "a torrent of unsafe paths downloads into the sanitised names, and nothing outside" {
    seed_and_fetch paths
    [ "$status" -eq 0 ] || fail "exit $status: $stderr"
    [ "$output" = "out/inner/paths" ]
    diff -r "$S/data/realworld/paths" out/inner/paths
    # Only the torrent's directory and the state file were written.
    [ "$(ls -A out)" = "inner" ]
    [ "$(ls -A out/inner)" = "$(printf '.paths.bt-state\npaths')" ]
    [ "$(grep -c ': warning: ' <<<"$stderr")" -eq 10 ]
}

@test "files that end up with one name are numbered, and each gets its own bytes" {
    seed_and_fetch collide
    [ "$status" -eq 0 ] || fail "exit $status: $stderr"
    diff -r "$S/data/realworld/collide" out/inner/collide
    [ -f out/inner/collide/dup.2.bin ] && [ -f out/inner/collide/d.1/e ]
}

@test "a single file named ../../evil.sh is saved in the download directory" {
    seed_and_fetch name-unsafe
    [ "$status" -eq 0 ] || fail "exit $status: $stderr"
    [ "$output" = "out/inner/.._.._evil.sh" ]
    cmp "$S/data/realworld/.._.._evil.sh" out/inner/.._.._evil.sh
    [ ! -e evil.sh ] && [ ! -e out/evil.sh ]
}

@test "BEP 47: links inside the torrent are made, one that leaves it is not; x is applied" {
    seed_and_fetch bep47
    [ "$status" -eq 0 ] || fail "exit $status: $stderr"
    local f
    for f in bin/run.sh .hidden blob.bin; do
        cmp "$S/data/realworld/bep47/$f" "out/inner/bep47/$f"
    done
    [ "$(readlink out/inner/bep47/run-link)" = "bin/run.sh" ]
    [ "$(readlink out/inner/bep47/bin/up-link)" = "../.hidden" ]
    cmp out/inner/bep47/bin/up-link "$S/data/realworld/bep47/.hidden"
    [ ! -e out/inner/bep47/escape ] && [ ! -L out/inner/bep47/escape ]
    [ -x out/inner/bep47/bin/run.sh ] && [ ! -x out/inner/bep47/.hidden ]
    [ ! -e out/inner/bep47/.pad ]
    assert_equal "$(grep -c ': warning: ' <<<"$stderr")" 2
}

@test "libtorrent's v2 and hybrid torrents with a BEP 47 link: loaded, fetched from libtorrent, the link made" {
    require_libtorrent
    mkdir -p src/top/bin
    head -c 50000 /dev/urandom >src/top/bin/run.sh
    chmod +x src/top/bin/run.sh
    ln -s bin/run.sh src/top/link
    # libtorrent writes a v2 link as a file tree leaf with "attr" and
    # "symlink path" and no "length"; an executable's leaf has "attr" "x".
    (cd src && "$BT_PYTHON" - <<'PY'
import libtorrent as lt
fs = lt.file_storage()
lt.add_files(fs, "top", flags=lt.create_torrent.symlinks)
for name, flags in (("hybrid", 0), ("v2", lt.create_torrent.v2_only)):
    ct = lt.create_torrent(fs, 16384, flags=lt.create_torrent.symlinks | flags)
    lt.set_piece_hashes(ct, ".")
    open("../" + name + ".torrent", "wb").write(lt.bencode(ct.generate()))
PY
    )
    [ "$(bt-decode v2.torrent | jq -c '.info."file tree".link[""]')" = \
        '{"attr":"xl","symlink path":["bin","run.sh"]}' ]
    local kind port pid
    for kind in v2 hybrid; do
        run -0 --separate-stderr bt-infohash --strict -s "$kind.torrent"
        assert_line --regexp '^ +link -> bin/run\.sh$'
        assert_line --regexp '^  1  50000  bin/run\.sh$'
        port=$(free_port)
        start_bg "lt-$kind" timeout 120 "$BT_PYTHON" "$BT_SRCDIR/tests/lt-client.py" seed \
            "$kind.torrent" src "$port"
        pid="PID_lt_$kind"
        wait_port "$port" 20 "${!pid}"
        run -0 --separate-stderr timeout 60 bt-download -q --no-dht --no-announce \
            -l 127.0.0.1:0 -o "$kind" -p "127.0.0.1:$port" "$kind.torrent"
        cmp src/top/bin/run.sh "$kind/top/bin/run.sh"
        [ "$(readlink "$kind/top/link")" = bin/run.sh ]
        [ -x "$kind/top/bin/run.sh" ]
        [ -z "$stderr" ]
    done
}
