#!/usr/bin/env bats
# tutorials.bats - every command of every tutorial really works, so that the
# tutorials never rot.
#
# In tutorials/NN-*.md, the command lines are the lines starting with "$ " inside
# ```sh fences (other lines there are output shown to the reader; a line ending in
# a backslash continues on the next).  All the commands of one tutorial run in
# order in ONE bash session, so a variable set, a directory entered or a server
# started in the background by one command is there for the next.  The session
# runs in a scratch copy of samples/ with the tools first on PATH, under
# `set -o pipefail`, with stdin from /dev/null, and each command must exit 0.  A
# command meant to show an error ends with `; echo "exit status $?"`.
#
# The session is its own process group (setsid) and is bounded in time; when it
# ends, its whole process group is stopped by its ID, background servers included.
# tutorials/README.md tells tutorial authors these rules.

bats_require_minimum_version 1.5.0
load helper

# The stages that have a tutorial test below.  A tutorial numbered otherwise
# fails the last test, so that no tutorial goes unrun.
STAGES="01 02 03 04 05 06 07 08 09"

# commands FILE: "LINE<TAB>COMMAND" for each command of FILE, LINE being where it
# starts; continuation lines are joined the way bash joins them.
commands() {
    awk '
        /^```sh[[:space:]]*$/ { in_sh = 1; cont = 0; next }
        /^```/ { in_sh = 0; cont = 0; next }
        !in_sh { next }
        cont { cmd = cmd $0 }
        !cont && /^\$ / { start = NR; cmd = substr($0, 3); cont = 1 }
        cont {
            if (cmd ~ /\\$/) { cmd = substr(cmd, 1, length(cmd) - 1); next }
            print start "\t" cmd
            cont = 0
        }
    ' "$1"
}

# tutorial_session: runs inside the scratch directory as its own process group;
# reads $__bt_dir/commands, writes each command's output to $__bt_dir/out.LINE and
# "LINE STATUS" to $__bt_dir/results.  Its names start with __bt_ so that a
# tutorial's own variables cannot clobber them.
tutorial_session() {
    set -o pipefail
    echo "$$" >"$__bt_dir/pgid"
    local __bt_line __bt_cmd __bt_rc
    while IFS=$'\t' read -r __bt_line __bt_cmd <&3; do
        __bt_rc=0
        eval "$__bt_cmd" </dev/null >"$__bt_dir/out.$__bt_line" 2>&1 3<&- || __bt_rc=$?
        echo "$__bt_line $__bt_rc" >>"$__bt_dir/results"
    done 3<"$__bt_dir/commands"
}

# run_tutorial FILE: run FILE's commands; print each failure with the tutorial,
# line, command and output; return 1 if any failed or did not run.
run_tutorial() {
    local file=$1 name work scratch line cmd rc status=0 count=0 limit
    name=tutorials/$(basename "$file")
    limit=${BT_TUTORIAL_TIMEOUT:-120}
    work="$BATS_TEST_TMPDIR/$(basename "$file" .md)"
    scratch="$work/samples"
    mkdir -p "$scratch"
    cp -R "$BT_SRCDIR/samples/." "$scratch/"
    chmod -R u+w "$scratch" # distcheck's source tree is read-only, and cp keeps modes
    commands "$file" >"$work/commands"
    : >"$work/results"

    rc=0
    (cd "$scratch" && __bt_dir=$work timeout "$limit" setsid -w bash -c \
        "$(declare -f tutorial_session); tutorial_session" </dev/null >"$work/session.log" 2>&1) ||
        rc=$?
    if [ -s "$work/pgid" ]; then
        stop_group "$(cat "$work/pgid")"
    fi
    if [ "$rc" -eq 124 ]; then
        echo "$name: the session took longer than ${limit}s and was stopped"
        status=1
    elif [ "$rc" -ne 0 ]; then
        echo "$name: the session itself failed (exit $rc):"
        sed 's/^/    /' "$work/session.log"
        status=1
    fi

    while IFS=$'\t' read -r line cmd; do
        count=$((count + 1))
        rc=$(awk -v l="$line" '$1 == l { print $2 }' "$work/results")
        if [ -z "$rc" ]; then
            echo "$name:$line: did not run (the session ended before it)"
            echo "    \$ $cmd"
            status=1
        elif [ "$rc" -ne 0 ]; then
            echo "$name:$line: exit $rc"
            echo "    \$ $cmd"
            sed 's/^/        /' "$work/out.$line"
            status=1
        fi
    done <"$work/commands"
    if [ "$count" -eq 0 ]; then
        echo "$name: no \"\$ \" command lines in a \`\`\`sh block"
        status=1
    fi
    return "$status"
}

# run_stage_tutorial NN: run every tutorials/NN-*.md; skip if the stage has none yet.
run_stage_tutorial() {
    local file found=0 status=0
    for file in "$BT_SRCDIR"/tutorials/"$1"-*.md; do
        [ -f "$file" ] || continue
        found=1
        run_tutorial "$file" || status=1
    done
    [ "$found" -eq 1 ] || skip "tutorials/$1-*.md is not written yet"
    return "$status"
}

# --- the runner itself ---

@test "the command extractor reads only \$ lines of sh blocks, with line numbers" {
    local md="$BATS_TEST_TMPDIR/x.md"
    printf '%s\n' 'Text $ not-a-command' '```' '$ in-a-plain-block' '```' '```sh' \
        '$ echo one' 'output line' '$ echo two \' '    three' '```' '```c' '$ c-code' '```' \
        '$ outside' '```sh' '$ echo "a	b"' '```' >"$md"
    run -0 commands "$md"
    assert_equal "${#lines[@]}" 3
    assert_equal "${lines[0]}" "6	echo one"
    assert_equal "${lines[1]}" "8	echo two     three"
    assert_equal "${lines[2]}" "16	echo \"a	b\""
}

@test "the runner keeps state between commands and runs from a copy of samples/" {
    local md="$BATS_TEST_TMPDIR/state.md"
    printf '%s\n' '```sh' '$ n=$(wc -c < single.torrent)' '$ mkdir -p d && cd d' \
        '$ test "$n" -gt 0 && test "$(basename "$PWD")" = d && test -f ../multi.torrent' \
        '$ rm ../single.torrent' '```' >"$md"
    run -0 run_tutorial "$md"
    assert_file_exists "$BT_SRCDIR/samples/single.torrent"
}

@test "the runner reports the tutorial, line, command and output of a failure, and goes on" {
    local md="$BATS_TEST_TMPDIR/fail.md"
    printf '%s\n' '# title' '```sh' '$ echo fine' '$ echo oops >&2; false' \
        '$ true | false | true' '$ touch later-ran' '```' >"$md"
    run -1 run_tutorial "$md"
    assert_line "tutorials/fail.md:4: exit 1"
    assert_line "    \$ echo oops >&2; false"
    assert_line "        oops"
    assert_line "tutorials/fail.md:5: exit 1" # pipefail
    refute_line --partial "fail.md:3"
    assert_file_exists "$BATS_TEST_TMPDIR/fail/samples/later-ran"
}

@test "a server started in the background is usable later and stopped at the end" {
    local md="$BATS_TEST_TMPDIR/server.md"
    printf '%s\n' '```sh' \
        '$ (echo 127.0.0.1:6881; exec sleep 300) > server.addr & echo $! > server.pid' \
        '$ sleep 300 & echo $! > other.pid' \
        '$ sleep 0.5; cat server.addr' '$ grep -q 6881 server.addr' '```' >"$md"
    run -0 run_tutorial "$md"
    local pid
    for pid in $(cat "$BATS_TEST_TMPDIR"/server/samples/*.pid); do
        run ! kill -0 "$pid"
    done
}

@test "a tutorial that hangs is stopped after BT_TUTORIAL_TIMEOUT seconds and fails" {
    local md="$BATS_TEST_TMPDIR/hang.md"
    printf '%s\n' '```sh' '$ sleep 300 & echo $! > bg.pid' '$ sleep 60' '$ echo never' '```' >"$md"
    SECONDS=0
    BT_TUTORIAL_TIMEOUT=2 run -1 run_tutorial "$md"
    [ "$SECONDS" -lt 20 ]
    assert_line "tutorials/hang.md: the session took longer than 2s and was stopped"
    assert_line "tutorials/hang.md:4: did not run (the session ended before it)"
    run ! kill -0 "$(cat "$BATS_TEST_TMPDIR/hang/samples/bg.pid")"
}

# --- the tutorials: one test per stage ---

@test "tutorial 01 (bencode): every command runs" {
    run_stage_tutorial 01
}

@test "tutorial 02 (metainfo): every command runs" {
    run_stage_tutorial 02
}

@test "tutorial 03 (trackers): every command runs" {
    run_stage_tutorial 03
}

@test "tutorial 04 (handshake): every command runs" {
    run_stage_tutorial 04
}

@test "tutorial 05 (messages): every command runs" {
    run_stage_tutorial 05
}

@test "tutorial 06 (download): every command runs" {
    run_stage_tutorial 06
}

@test "tutorial 07 (magnets): every command runs" {
    run_stage_tutorial 07
}

@test "tutorial 08 (dht): every command runs" {
    run_stage_tutorial 08
}

@test "tutorial 09 (real swarms): every command runs" {
    require_cmd lighttpd
    run_stage_tutorial 09
}

@test "every tutorials/NN-*.md is run by a test of this suite" {
    local file nn status=0
    for file in "$BT_SRCDIR"/tutorials/[0-9][0-9]-*.md; do
        nn=$(basename "$file" | cut -c1-2)
        case " $STAGES " in
        *" $nn "*) ;;
        *)
            echo "tutorials/$(basename "$file"): stage $nn has no test in tests/tutorials.bats"
            status=1
            ;;
        esac
    done
    return "$status"
}
