#!/usr/bin/env bats
# man-examples.bats - every example in every man page really works.
#
# In each man/*.1, the `.Bd -literal` blocks of the EXAMPLES section hold command
# lines starting with "$ " (other lines there are output shown to the reader).
# Each page's commands run in order, each with `bash -o pipefail -c`, in a fresh
# scratch copy of samples/ with the tools first on PATH, and each must exit 0.
# A page without any such command fails too: every page must have examples.

bats_require_minimum_version 1.5.0
load helper

# examples PAGE: the command lines of PAGE's EXAMPLES, "$ " stripped and the mdoc
# escapes a shell line may need (\e \& \- \(aq \(dq) turned back into characters.
examples() {
    awk '
        /^\.Sh / { in_examples = ($2 == "EXAMPLES"); literal = 0; next }
        in_examples && /^\.Bd -literal/ { literal = 1; next }
        in_examples && /^\.Ed/ { literal = 0; next }
        in_examples && literal && /^\$ / { print substr($0, 3) }
    ' "$1" | sed -e 's/\\&//g' -e 's/\\-/-/g' -e "s/\\\\(aq/'/g" -e 's/\\(dq/"/g' -e 's/\\e/\\/g'
}

# run_page PAGE: run its examples in one shell session, so that a server one line
# starts in the background (`bt-seed ... &`) serves the lines after it; each line
# must exit 0.  Background jobs are stopped by PID at the end.  Print each
# failure with the session's output; return 1 if any.
run_page() {
    local page=$1 name dir cmd count=0 rc=0
    name=$(basename "$page")
    dir="$BATS_TEST_TMPDIR/$name/samples"
    mkdir -p "$dir"
    cp -R "$BT_SRCDIR/samples/." "$dir/"
    chmod -R u+w "$dir" # distcheck's source tree is read-only, and cp keeps modes
    {
        echo 'set -o pipefail; failed=0'
        while IFS= read -r cmd; do
            count=$((count + 1))
            printf '{\n%s\n} </dev/null\n' "$cmd"
            printf 'rc=$?; if [ "$rc" -ne 0 ]; then echo "%s: exit $rc: \\$ "%q; failed=1; fi\n' \
                "$name" "$cmd"
        done < <(examples "$page")
        # No wait: a server that hangs on its way out must not hang the session;
        # run_page kills what is left of the session's process group.
        echo 'for pid in $(jobs -p); do kill "$pid"; done; exit "$failed"'
        echo "# $count"
    } >"$dir/../session.sh"
    count=$(sed -n 's/^# //p' "$dir/../session.sh")
    if [ "$count" -eq 0 ]; then
        echo "$name: no \"\$ \" command lines in a .Bd -literal block under EXAMPLES"
        return 1
    fi
    # Its own process group, without bats' fd 3: nothing it leaves running can
    # keep bats waiting, and all of it is stopped by the group's ID.  Without
    # leak checks: in a sanitizer build, a `timeout 5 bt-seed &` of a page,
    # signalled by timeout and by the cleanup at once, can leave LeakSanitizer's
    # exit-time tracer and its process waiting on each other forever, spinning
    # a core (the other suites check the same tools for leaks).
    (cd "$dir" && ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
        setsid timeout 120 bash "$dir/../session.sh" >"$dir/../out" 2>&1 3>&- &
        echo $! >"$dir/../pgid"
        wait $!) || rc=$?
    stop_group "$(cat "$dir/../pgid")"
    if [ "$rc" -ne 0 ]; then
        sed 's/^/    /' "$dir/../out"
        return 1
    fi
}

@test "the example extractor finds commands and undoes mdoc escapes" {
    local page="$BATS_TEST_TMPDIR/x.1"
    printf '%s\n' '.Sh DESCRIPTION' '.Bd -literal' '$ not-an-example' '.Ed' \
        '.Sh EXAMPLES' 'Text.' '.Bd -literal -offset indent' '$ echo \-n a\e\e b \(aqc\(aq' \
        'output line' '.Ed' '$ outside-a-block' '.Sh SEE ALSO' >"$page"
    run -0 examples "$page"
    assert_output "echo -n a\\\\ b 'c'"
}

@test "every man page's EXAMPLES run from samples/ and exit 0" {
    local page n=0 status=0
    for page in "$BT_SRCDIR"/man/*.1; do
        run_page "$page" || status=1
        n=$((n + 1))
    done
    [ "$n" -gt 0 ]
    [ "$status" -eq 0 ]
}
