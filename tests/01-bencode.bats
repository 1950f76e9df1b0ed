#!/usr/bin/env bats
# 01-bencode.bats - stage 1: bt-decode and bt-encode.
#
# Usage, golden output against samples/bencode/*.json, every hostile fixture with
# its exact message, round trips (samples, random values, through jq), and the
# jq pipeline that edits a torrent.

bats_require_minimum_version 1.5.0
load helper

SAMPLES="$BT_SRCDIR/samples/bencode"
HOSTILE="$BT_SRCDIR/samples/hostile"

# --- usage ---

@test "bt-decode --help shows usage and the tutorial, exits 0" {
    run -0 --separate-stderr bt-decode --help
    assert_line --index 0 "usage: bt-decode [-p] [--lenient] [FILE | -]"
    assert_output --partial "tutorials/01-bencode.md"
    [ -z "$stderr" ]
}

@test "bt-encode --help shows usage and the tutorial, exits 0" {
    run -0 --separate-stderr bt-encode --help
    assert_line --index 0 "usage: bt-encode [--lenient] [FILE | -]"
    assert_output --partial "tutorials/01-bencode.md"
}

@test "--version names the tool and btkit" {
    run -0 bt-decode --version
    assert_output --regexp '^bt-decode \(btkit\) [0-9]+\.[0-9]+\.[0-9]+$'
    run -0 bt-encode --version
    assert_output --regexp '^bt-encode \(btkit\) [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "an unknown option is a usage error: exit 2, usage on stderr, stdout empty" {
    run -2 --separate-stderr bt-decode --frobnicate "$SAMPLES/list.ben"
    assert_output ""
    [ "${stderr_lines[0]}" = "bt-decode: unrecognized option '--frobnicate'" ]
    [ "${stderr_lines[1]}" = "usage: bt-decode [-p] [--lenient] [FILE | -]" ]
    run -2 --separate-stderr bt-encode -p
    assert_output ""
    [ "${stderr_lines[0]}" = "bt-encode: invalid option -- 'p'" ]
}

@test "two operands, or -e with an operand, is a usage error" {
    run -2 --separate-stderr bt-decode "$SAMPLES/list.ben" "$SAMPLES/dict.ben"
    assert_output ""
    [ "${stderr_lines[0]}" = "bt-decode: too many operands" ]
    run -2 --separate-stderr bt-decode -e i1e "$SAMPLES/list.ben"
    assert_output ""
    run -2 --separate-stderr bt-encode -e 1 x.json
    assert_output ""
    [ "${stderr_lines[0]}" = "bt-encode: too many operands" ]
}

@test "-e without its value is a usage error" {
    run -2 --separate-stderr bt-decode -e
    assert_output ""
    [ "${stderr_lines[0]}" = "bt-decode: option requires an argument -- 'e'" ]
}

# --- golden output ---

@test "bt-decode -e decodes its argument, compact by default" {
    run -0 --separate-stderr bt-decode -e 'l5:helloi52ee'
    assert_output '["hello",52]'
    [ -z "$stderr" ]
}

@test "every sample decodes to its golden JSON" {
    local ben n=0
    for ben in "$SAMPLES"/*.ben; do
        run -0 --separate-stderr bt-decode "$ben"
        [ -z "$stderr" ]
        [ "$output" = "$(cat "${ben%.ben}.json")" ] || fail "$(basename "$ben"): got $output"
        n=$((n + 1))
    done
    [ "$n" -ge 8 ]
}

@test "binary strings are \$hex, binary keys make a \$dict, lookalike dicts too" {
    run -0 bt-decode -e '3:abc'
    assert_output '"abc"'
    printf '3:\377\000\001' >"$BATS_TEST_TMPDIR/bin.ben"
    run -0 bt-decode "$BATS_TEST_TMPDIR/bin.ben"
    assert_output '{"$hex":"ff0001"}'
    run -0 bt-decode "$SAMPLES/strings.ben"
    assert_output --partial '{"$hex":"fffefd"}'
    run -0 bt-decode "$SAMPLES/scrape.ben"
    assert_output --partial '{"files":{"$dict":[[{"$hex":"352f7829a2384b001cc12b0c2613c756454a1f6a"},'
    run -0 bt-decode -e 'd4:$hexi1ee'
    assert_output '{"$dict":[["$hex",1]]}'
    run -0 bt-decode -e 'd4:$hexi1e1:xi2ee'
    assert_output '{"$hex":1,"x":2}'
}

@test "pretty output is indented like jq, with \$hex on one line" {
    run -0 --separate-stderr bt-decode --pretty "$SAMPLES/torrent.ben"
    assert_line --index 0 '{'
    assert_line --index 1 '  "announce": "http://127.0.0.1:6969/announce",'
    assert_line --index 4 '  "info": {'
    assert_line --index 8 --regexp '^    "pieces": \{"\$hex": "0561036214eb[0-9a-f]{108}"\}$'
    assert_line --index 9 '  }'
    assert_line --index 10 '}'
    [ "${#lines[@]}" -eq 11 ]
}

@test "pretty output equals jq's for text-only samples" {
    require_cmd jq
    local name
    for name in list dict nested; do
        run -0 bt-decode -p "$SAMPLES/$name.ben"
        [ "$output" = "$(jq . "$SAMPLES/$name.json")" ] || fail "$name differs from jq"
    done
}

@test "standard input is read when FILE is - or absent" {
    run -0 bt-decode <"$SAMPLES/dict.ben"
    assert_output '{"bar":"spam","foo":42}'
    run -0 bt-decode - <"$SAMPLES/dict.ben"
    assert_output '{"bar":"spam","foo":42}'
    run -0 bt-encode <"$SAMPLES/dict.json"
    assert_output 'd3:bar4:spam3:fooi42ee'
}

@test "bt-encode sorts keys by raw bytes and writes canonical integers" {
    run -0 bt-encode -e '{"b": 1, "ab": [-0, 7], "\u00e9": "", "a": "x"}'
    assert_output "$(printf 'd1:a1:x2:abli0ei7ee1:bi1e2:\303\2510:e')"
    run -0 bt-encode -e '[{"$hex": "4A6b"}, -9223372036854775808]'
    assert_output 'l2:Jki-9223372036854775808ee'
}

@test "bt-encode writes no trailing newline" {
    bt-encode -e '[1]' >"$BATS_TEST_TMPDIR/out"
    run -0 od -An -c "$BATS_TEST_TMPDIR/out"
    assert_output '   l   i   1   e   e'
}

# --- errors ---

@test "every hostile bencode fixture fails with its exact message; --lenient as listed" {
    local file want lenient n=0
    cd "$HOSTILE/bencode"
    while IFS=$'\t' read -r file want lenient; do
        case "$file" in '#'* | '') continue ;; esac
        run -1 --separate-stderr bt-decode "$file"
        [ "$stderr" = "$want" ] || fail "$file: got '$stderr', want '$want'"
        [ -z "$output" ] || fail "$file: stdout not empty"
        if [ "$lenient" = - ]; then
            run -0 --separate-stderr bt-decode --lenient "$file"
            [ -n "$output" ] && [ -z "$stderr" ] || fail "$file: --lenient should accept it"
        else
            run -1 --separate-stderr bt-decode --lenient "$file"
            [ "$stderr" = "$lenient" ] || fail "$file --lenient: got '$stderr'"
            [ -z "$output" ] || fail "$file --lenient: stdout not empty"
        fi
        n=$((n + 1))
    done <EXPECTED
    [ "$n" -eq "$(find . -name '*.ben' | wc -l)" ]
}

@test "every hostile JSON fixture fails in bt-encode with its exact message" {
    local file want n=0
    cd "$HOSTILE/json"
    while IFS=$'\t' read -r file want; do
        case "$file" in '#'* | '') continue ;; esac
        run -1 --separate-stderr bt-encode "$file"
        [ "$stderr" = "$want" ] || fail "$file: got '$stderr', want '$want'"
        [ -z "$output" ] || fail "$file: stdout not empty"
        n=$((n + 1))
    done <EXPECTED
    [ "$n" -eq "$(find . -name '*.json' | wc -l)" ]
}

@test "errors in -e and standard input are named as such" {
    run -1 --separate-stderr bt-decode -e 'l5:hello'
    assert_output ""
    [ "$stderr" = "bt-decode: expression: byte 8: input ends inside a value" ]
    run -1 --separate-stderr bt-decode <"$HOSTILE/bencode/unsorted-keys.ben"
    [ "$stderr" = "bt-decode: standard input: byte 10: dictionary keys are not sorted" ]
    run -1 --separate-stderr bt-encode -e '[1.0]'
    [ "$stderr" = "bt-encode: expression: byte 2: number is not an integer" ]
}

@test "a missing file fails with the system's reason" {
    run -1 --separate-stderr bt-decode "$BATS_TEST_TMPDIR/nosuch.ben"
    assert_output ""
    [ "$stderr" = "bt-decode: $BATS_TEST_TMPDIR/nosuch.ben: input/output error: No such file or directory" ]
}

@test "input over the size cap (256 MiB) is refused without reading it all into JSON" {
    truncate -s $((256 * 1024 * 1024 + 1)) "$BATS_TEST_TMPDIR/big.ben"
    run -1 --separate-stderr bt-decode "$BATS_TEST_TMPDIR/big.ben"
    assert_output ""
    [ "$stderr" = "bt-decode: $BATS_TEST_TMPDIR/big.ben: input exceeds the size limit" ]
}

@test "a failed write to standard output is an error" {
    [ -w /dev/full ] || skip "no /dev/full"
    run -1 --separate-stderr bash -c 'bt-decode -e i1e >/dev/full'
    [ "$stderr" = "bt-decode: error writing to standard output: No space left on device" ]
    run -1 --separate-stderr bash -c 'bt-encode -e 1 >/dev/full'
    [ "$stderr" = "bt-encode: error writing to standard output: No space left on device" ]
}

# --- round trips ---

# round_trip FILE...: each FILE through bt-decode (compact, then pretty) and
# bt-encode must give its bytes back; names the first file that does not.
round_trip() {
    run -0 bash -o pipefail -c '
        for f in "$@"; do
            bt-decode "$f" | bt-encode | cmp -s - "$f" || { echo "compact: $f"; exit 1; }
            bt-decode -p "$f" | bt-encode | cmp -s - "$f" || { echo "pretty: $f"; exit 1; }
        done' _ "$@"
}

@test "bt-decode x | bt-encode | cmp - x for every canonical sample, compact and pretty" {
    round_trip "$SAMPLES"/*.ben
}

@test "200 random canonical values round-trip, compact and pretty" {
    local dir="$BATS_TEST_TMPDIR/random"
    mkdir "$dir"
    "$BT_PYTHON" "$BT_SRCDIR/tests/gen-bencode.py" "$dir" 200 "${BT_SEED:-1}"
    [ "$(find "$dir" -name "*.ben" | wc -l)" -eq 200 ]
    round_trip "$dir"/*.ben
}

@test "the JSON survives jq: bt-decode | jq . | bt-encode gives the bytes back" {
    require_cmd jq
    local ben
    # jq 1.6 keeps integers only up to 2^53, so ints.ben is left out.
    for ben in "$SAMPLES"/{list,dict,strings,nested,lookalike,torrent,scrape}.ben; do
        run -0 bash -o pipefail -c 'bt-decode "$1" | jq . | bt-encode | cmp - "$1"' _ "$ben"
    done
}

@test "non-canonical input comes out canonical: --lenient then bt-encode sorts" {
    run -0 bash -o pipefail -c 'bt-decode --lenient "$1" | bt-encode' _ \
        "$HOSTILE/bencode/unsorted-keys.ben"
    assert_output 'd6:lengthi1e4:name1:xe'
    run -0 bash -o pipefail -c 'bt-decode --lenient "$1" | bt-encode' _ \
        "$HOSTILE/bencode/leading-zero-int.ben"
    assert_output 'i3e'
}

@test "repeated keys: bt-encode refuses them, bt-encode --lenient keeps the first" {
    local dup="$HOSTILE/bencode/duplicate-key.ben"
    run -0 bt-decode --lenient "$dup"
    assert_output '{"$dict":[["name","x"],["name","y"]]}'
    run -1 --separate-stderr bash -o pipefail -c 'bt-decode --lenient "$1" | bt-encode' _ "$dup"
    assert_output ""
    [ "$stderr" = "bt-encode: standard input: byte 24: duplicate dictionary key" ]
    run -0 bash -o pipefail -c 'bt-decode --lenient "$1" | bt-encode --lenient' _ "$dup"
    assert_output 'd4:name1:xe'
}

# --- pipelines ---

@test "jq edits a torrent: a new announce URL, the info dict byte for byte the same" {
    require_cmd jq
    local t="$SAMPLES/torrent.ben" y="$BATS_TEST_TMPDIR/y.ben"
    run -0 bash -o pipefail -c \
        'bt-decode "$1" | jq ".announce=\"http://[::1]:7070/announce\"" | bt-encode >"$2"' _ "$t" "$y"
    run -0 bt-decode "$y"
    run -0 bash -o pipefail -c 'bt-decode "$1" | jq -r .announce' _ "$y"
    assert_output 'http://[::1]:7070/announce'
    # "info" is the last key, so the files end in the same info dict bytes, and
    # the info hash is unchanged.
    local n
    run -0 bash -o pipefail -c 'bt-decode "$1" | jq -c .info | bt-encode | wc -c' _ "$t"
    n=$output
    [ "$n" -gt 100 ]
    tail -c "$((n + 1))" "$t" >"$BATS_TEST_TMPDIR/info.old"
    tail -c "$((n + 1))" "$y" >"$BATS_TEST_TMPDIR/info.new"
    run -0 cmp "$BATS_TEST_TMPDIR/info.old" "$BATS_TEST_TMPDIR/info.new"
    [ "$(head -c 5 "$BATS_TEST_TMPDIR/info.new")" = "d6:le" ]
}

@test "keys jq adds in any order come out sorted, and the result decodes strictly" {
    require_cmd jq
    run -0 bash -o pipefail -c \
        'bt-decode "$1" | jq -c ".zzz = 1 | .\"a b\" = [\"x\"] | .info.private = 1" | bt-encode |
         bt-decode | jq -c "keys_unsorted, (.info | keys_unsorted)"' _ "$SAMPLES/torrent.ben"
    assert_line --index 0 '["a b","announce","created by","creation date","info","zzz"]'
    assert_line --index 1 '["length","name","piece length","pieces","private"]'
}

@test "a JSON file edited by hand becomes bencode that bt-decode reads back" {
    printf '{\n  "name": "caf\\u00e9",\n  "hash": {"$hex": "00ff"}\n}\n' >"$BATS_TEST_TMPDIR/h.json"
    run -0 bash -o pipefail -c 'bt-encode "$1" | bt-decode' _ "$BATS_TEST_TMPDIR/h.json"
    assert_output '{"hash":{"$hex":"00ff"},"name":"café"}'
}
