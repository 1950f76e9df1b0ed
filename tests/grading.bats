#!/usr/bin/env bats
# grading.bats - the exercises' grading is real.
#
# For each stage that exercises/stages.txt lists: `make exercise` builds the
# shipped skeletons and `make grade` scores them below full and fails; the
# reference lib files, copied into an EXERCISE_DIR, build and pass every check;
# and the skeletons define exactly the public functions of the reference files.
# Everything is built under $BATS_TEST_TMPDIR (EXERCISE_BUILD), never in the
# build tree.  Each stage's scores are printed to the TAP log as "# grading: ...".
#
# Grading here is the quick kind, INTEROP=no: the checks against libtorrent,
# transmission, aria2c and opentracker are skipped.  Against a skeleton each of
# them waits for a real client until its timeout (minutes per stage), and the
# reference passes them in `make check` already, built from the same files.

bats_require_minimum_version 1.5.0
load helper

# Stages with a test below; a stage listed in stages.txt beyond these fails the
# last test.
STAGES="1 2 3 4 5 6 8 9"

# QUICK_N: for the stages whose suites are long, the checks graded here (a bats
# --filter regex), so that each stage's test takes about two minutes.  Each set
# has checks that a skeleton passes (usage) and checks of every part of the
# stage's files.  exercises/README.md describes them; make grade runs all.
# Stage 3: announce URL and peer id, HTTP and UDP answers, compact and IPv6
# peers, tiers; bt-tracker reading queries and answering over HTTP and UDP.
QUICK_3='no operand|percent-encoded|peer id is|UDP announce sends|compact peers|non-compact'
QUICK_3+='|UDP peers print|failure reason is reported|nesting too deep|malformed response'
QUICK_3+='|peers6 not|UDP: an |UDP: a short|UDP: peers|tiers|--all asks'
QUICK_3+='|peers announcing over HTTP and UDP|^IPv6|malformed parameters'
# Stage 5: whole pieces from bt-seed, pipelining, the trace of the messages,
# the peer messages refused by size and range, and bt-seed refusing requests.
QUICK_5='usage error|from bt-seed matches|spans files|pipelined|--trace shows'
QUICK_5+='|hostile: a (length prefix|bitfield|have)|serves every piece|drops the peer'
QUICK_5+='|answers requests in order'
# Stage 8: a DHT of bt-dht nodes on loopback, whose ids, routing tables and
# lookups are the learner's: ping, find-node closest first, announce and
# get-peers, the state file's good nodes, a lookup that must end, the rate
# limit (per port on loopback: bt_dht_id_local), the table's proven addresses,
# ids that collide, IPv6, and the other tools finding each other through it.
QUICK_8='no command is|no node to start from|serve prints|find-node walks|announce, then get-peers'
QUICK_8+='|get-peers --json|--state keeps|answers with itself|flood of queries|unproven address'
QUICK_8+='|ids that collide|bt-seed announces|fetches a bare magnet link|trade port messages'
QUICK_8+='|demo --dht|^IPv6'
# Stage 9: the allowed fast set bt-seed gives 127.0.0.1, have all and reject
# request once both sides set the fast bit, a fast message without it; a
# seeder learned by PEX, one told by a bt-download --seed, and the parser's
# bounds: a flood, an oversized message, a list of no whole number of peers.
QUICK_9='example peer is the published|gives a fast peer at 127|choked request gets a reject'
QUICK_9+='|trade have all|have all from a peer without|brings the only seeder|finds a second seeder'
QUICK_9+='|PEX flood|over the size limit|no whole number'

setup() {
    [ -f "$BT_BUILDDIR/Makefile" ] || skip "needs a configured build tree ($BT_BUILDDIR has no Makefile)"
}

# stages ARGS: exercises/stages, the reader of stages.txt (list, files N, suites N).
stages() {
    bash "$BT_SRCDIR/exercises/stages" "$@"
}

# stage_files N: the lib files of stage N, from stages.txt.
stage_files() {
    stages files "$1"
}

# in_build TARGET VAR=VALUE...: run make TARGET in the build tree, outside the
# jobserver of any make that runs this suite.
in_build() {
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$BT_BUILDDIR" "$@"
}

# score N: "PASS TOTAL" from the report in $output.
score() {
    local line
    line=$(grep -E "^stage $1: [0-9]+/[0-9]+ checks pass" <<<"$output") || return 1
    line=${line#stage $1: }
    echo "${line%%/*} $(echo "${line#*/}" | cut -d' ' -f1)"
}

# public_functions OBJ: the functions an object file defines for others.
public_functions() {
    nm -g --defined-only "$1" | awk '$2 == "T" { print $3 }' | sort
}

# grade_stage N: the skeleton fails, the reference passes, both define the same API.
grade_stage() {
    local n=$1 files f o build quick pass total
    files=$(stage_files "$n")
    [ -n "$files" ] || skip "stage $n has no exercise yet"
    # One build directory for every stage: the reference objects are compiled
    # once (exercises/build recompiles only a stage's own files each time).
    build="$BATS_FILE_TMPDIR/build"
    quick="QUICK_$n"
    quick=${!quick:-}

    run in_build grade STAGE="$n" INTEROP=no FILTER="$quick" EXERCISE_BUILD="$build"
    assert_failure
    assert_line --regexp '^PASS  '
    assert_line --regexp '^FAIL  '
    assert_line --regexp '^      .+' # a failure's details, indented
    read -r pass total < <(score "$n") || fail "no score line in: $output"
    [ "$pass" -lt "$total" ] || fail "the skeleton scored $pass/$total"
    echo "# grading: stage $n: the shipped skeleton scores $pass/$total" >&3
    mkdir -p "$BATS_TEST_TMPDIR/skeleton"
    cp "$build"/obj/learner/*.o "$BATS_TEST_TMPDIR/skeleton/"

    mkdir -p "$BATS_TEST_TMPDIR/mine"
    for f in $files; do
        cp "$BT_SRCDIR/lib/$f" "$BATS_TEST_TMPDIR/mine/"
    done
    run in_build grade STAGE="$n" INTEROP=no FILTER="$quick" EXERCISE_BUILD="$build" \
        EXERCISE_DIR="$BATS_TEST_TMPDIR/mine"
    assert_success
    refute_line --regexp '^FAIL  '
    read -r pass total < <(score "$n") || fail "no score line in: $output"
    [ "$pass" -eq "$total" ] && [ "$total" -gt 0 ]
    echo "# grading: stage $n: the reference scores $pass/$total" >&3

    for f in $files; do
        o=${f%.c}
        o=${o//\//_}.o
        assert_equal "$(public_functions "$BATS_TEST_TMPDIR/skeleton/$o")" \
            "$(public_functions "$build/obj/learner/$o")"
    done
}

@test "stages.txt: every file of every stage is in lib/ and has a skeleton, every suite exists" {
    local n f count=0
    for n in $(stages list); do
        for f in $(stage_files "$n"); do
            assert_file_exists "$BT_SRCDIR/lib/$f"
            assert_file_exists "$BT_SRCDIR/exercises/stage$n/$(basename "$f")"
            count=$((count + 1))
        done
        run -0 stages suites "$n"
        [ -n "$output" ] || fail "stage $n has no graded suite"
        for f in $output; do
            assert_file_exists "$BT_SRCDIR/$f"
        done
    done
    [ "$count" -ge 2 ]
    # A stage's own `tests:` field, or else tests/0N-*.bats.
    run -0 stages suites 9
    assert_output $'tests/10-fast.bats\ntests/10-pex.bats'
    run -0 stages suites 3
    assert_output "$(cd "$BT_SRCDIR" && ls tests/03-*.bats)"
}

@test "make exercise refuses a missing STAGE, an unknown stage and a missing file, clearly" {
    run in_build exercise
    assert_failure
    assert_output --partial "usage: exercises/build [-o OUTDIR] STAGE [DIR]"
    run in_build exercise STAGE=99 EXERCISE_BUILD="$BATS_TEST_TMPDIR/x"
    assert_failure
    assert_output --partial "exercises/build: stage 99 has no exercise (stages with one: 1 2"
    run in_build exercise STAGE=1 EXERCISE_DIR="$BATS_TEST_TMPDIR" EXERCISE_BUILD="$BATS_TEST_TMPDIR/x"
    assert_failure
    assert_output --partial "exercises/build: $BATS_TEST_TMPDIR/bencode.c: no such file (stage 1 is: bencode/bencode.c)"
    assert_dir_not_exists "$BATS_TEST_TMPDIR/x/tools"
}

@test "a learner file that does not compile stops the build with its error, and no tools" {
    printf 'int broken(void) { return }\n' >"$BATS_TEST_TMPDIR/bencode.c"
    run in_build exercise STAGE=1 EXERCISE_DIR="$BATS_TEST_TMPDIR" EXERCISE_BUILD="$BATS_TEST_TMPDIR/x"
    assert_failure
    assert_output --partial "bencode.c:1:"
    assert_output --partial "exercises/build: stage 1: $BATS_TEST_TMPDIR/bencode.c does not compile"
    assert_file_not_exists "$BATS_TEST_TMPDIR/x/tools/bt-decode"
}

@test "exercises/grade --tools grades any directory of bt-* commands (any language)" {
    local dir="$BATS_TEST_TMPDIR/other" t
    mkdir -p "$dir"
    # Tools in another language: here shell scripts in front of the reference.
    for t in bt-decode bt-encode; do
        printf '#!/bin/sh\nexec "%s/%s" "$@"\n' "$BT_BUILDDIR/tools" "$t" >"$dir/$t"
        chmod +x "$dir/$t"
    done
    run "$BT_SRCDIR/exercises/grade" 1 --tools "$dir" --filter 'golden JSON'
    assert_success
    assert_line "stage 1: grading the tools in $dir"
    assert_line "PASS  every sample decodes to its golden JSON"
    assert_line "stage 1: 1/1 checks pass"

    printf '#!/bin/sh\necho "{}"\n' >"$dir/bt-decode"
    run "$BT_SRCDIR/exercises/grade" 1 --tools "$dir" --filter 'golden JSON'
    assert_failure
    assert_line "FAIL  every sample decodes to its golden JSON"
    assert_line "stage 1: 0/1 checks pass"

    run "$BT_SRCDIR/exercises/grade" 1 --tools "$BATS_TEST_TMPDIR/none"
    assert_failure
    assert_output --partial "no such directory"
    run -2 "$BT_SRCDIR/exercises/grade" one
}

@test "make grade passes FILTER and INTEROP=no on to the grader" {
    run in_build grade STAGE=4 INTEROP=no FILTER='closed port|aria2c' \
        EXERCISE_BUILD="$BATS_FILE_TMPDIR/build"
    assert_failure
    assert_line --regexp '^FAIL  a closed port fails with connection refused$'
    assert_line 'SKIP  shakes hands with aria2c (interop with aria2c (BT_NO_INTEROP=1))'
    assert_line 'stage 4: 0/1 checks pass (1 skipped: see SKIP above)'
}

@test "stage 1: the skeleton fails its grading, the reference passes" {
    grade_stage 1
}

@test "stage 2: the skeleton fails its grading, the reference passes" {
    grade_stage 2
}

@test "stage 3: the skeleton fails its grading, the reference passes" {
    grade_stage 3
}

@test "stage 4: the skeleton fails its grading, the reference passes" {
    grade_stage 4
}

@test "stage 5: the skeleton fails its grading, the reference passes" {
    grade_stage 5
}

@test "stage 6: the skeleton fails its grading, the reference passes" {
    grade_stage 6
}

@test "stage 8: the skeleton fails its grading, the reference passes" {
    grade_stage 8
}

@test "stage 9: the skeleton fails its grading, the reference passes" {
    grade_stage 9
}

@test "every stage of stages.txt is graded by a test of this suite" {
    local n status=0
    while read -r n; do
        case " $STAGES " in
        *" $((10#$n)) "*) ;;
        *)
            echo "exercises/stages.txt: stage $n has no test in tests/grading.bats"
            status=1
            ;;
        esac
    done < <(stages list)
    return "$status"
}
