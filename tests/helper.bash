# helper.bash - loaded by every bats suite: finds the tools, isolates the
# environment, and gives network tests free ports and PID-based clean-up.
#
# BT_TOOLS names the directory holding the bt-* commands under test.  It defaults
# to the build tree; a learner grading their own implementation points it at theirs.

bats_load_library bats-support
bats_load_library bats-assert
bats_load_library bats-file

: "${BT_SRCDIR:=$(cd "$BATS_TEST_DIRNAME/.." && pwd)}"
: "${BT_BUILDDIR:=$BT_SRCDIR}"
: "${BT_TOOLS:=$BT_BUILDDIR/tools}"
export BT_SRCDIR BT_BUILDDIR BT_TOOLS
PATH="$BT_TOOLS:$PATH"
export HOME="$BATS_TEST_TMPDIR/home"
mkdir -p "$HOME"
export LC_ALL=C
# No test may reach the real DHT: a node with nothing else to start from
# starts from BT_DHT_ROUTERS, and empty means none (tools/tool_dht.h).
export BT_DHT_ROUTERS=""

# Debian's libtorrent is built for /usr/bin/python3, not whatever is first on PATH.
BT_PYTHON=/usr/bin/python3

# missing WHAT: a counterpart is not installed.  A learner's run skips the test;
# CI sets BT_REQUIRE_ALL=1 and installs everything, so there it is a failure.
missing() {
    if [ "${BT_REQUIRE_ALL:-0}" = 1 ]; then
        echo "$1 is not installed, and BT_REQUIRE_ALL=1" >&2
        return 1
    fi
    skip "$1 is not installed"
}

# interop WHAT: the test runs WHAT, another BitTorrent program.  BT_NO_INTEROP=1
# (a quick grading: exercises/grade --no-interop) skips it, before it starts
# anything: those tests wait for real clients, for long when our side is wrong.
interop() {
    if [ "${BT_NO_INTEROP:-0}" = 1 ]; then
        skip "interop with $1 (BT_NO_INTEROP=1)"
    fi
}

# require_cmd NAME...: the test needs these commands.
require_cmd() {
    local c
    for c in "$@"; do
        case $c in
        aria2c | opentracker | transmission-cli | transmission-daemon | qbittorrent-nox | rtorrent | \
            deluged)
            interop "$c"
            ;;
        esac
        command -v "$c" >/dev/null 2>&1 || missing "$c"
    done
}

require_libtorrent() {
    interop python3-libtorrent
    "$BT_PYTHON" -c 'import libtorrent' 2>/dev/null || missing python3-libtorrent
}

# free_port: print a TCP and UDP port on 127.0.0.1 that nobody listens on now.
free_port() {
    "$BT_PYTHON" - <<'PY'
import socket
for _ in range(50):
    t = socket.socket(); t.bind(("127.0.0.1", 0)); port = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", port))
    except OSError:
        t.close(); u.close(); continue
    t.close(); u.close(); print(port); break
PY
}

# wait_port PORT [SECONDS [PID]]: wait until something accepts TCP on
# 127.0.0.1:PORT; with PID, give up at once if the process that should listen
# has exited (a server that fails at startup, as an exercise's skeleton does).
wait_port() {
    local port=$1 limit=${2:-10} pid=${3:-} i
    for ((i = 0; i < limit * 10; i++)); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            echo "the process meant to listen on 127.0.0.1:$port has exited" >&2
            return 1
        fi
        sleep 0.1
    done
    echo "nothing listens on 127.0.0.1:$port after ${limit}s" >&2
    return 1
}

# flip_byte FILE OFFSET: change the byte at OFFSET of FILE, always (writing
# a fixed byte leaves a file of random bytes unchanged once in 256 runs).
flip_byte() {
    local old
    old=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    printf "\\$(printf '%03o' $((old ^ 255)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# seed_bg NAME TORRENT DATA [OPTIONS...]: a bt-seed of DATA (with OPTIONS)
# on a free loopback port, stopped by stop_all; sets SEED_PORT and SEED_ADDR.
seed_bg() {
    local name=$1 torrent=$2 data=$3 pid
    shift 3
    SEED_PORT=$(free_port)
    start_bg "$name" timeout 300 bt-seed -l "127.0.0.1:$SEED_PORT" "$@" "$torrent" "$data"
    pid="PID_${name//-/_}"
    wait_port "$SEED_PORT" 10 "${!pid}"
    SEED_ADDR="127.0.0.1:$SEED_PORT"
}

# start_bg NAME CMD...: run CMD in the background with its output in
# $BATS_TEST_TMPDIR/NAME.log, remembering its PID (and ours, its parent) for stop_all.
# wait_log FILE REGEX [SECONDS]: until a line of FILE matches REGEX; shows
# the end of FILE if none does in time (default 20 s).
wait_log() {
    local i
    for ((i = 0; i < ${3:-20} * 10; i++)); do
        grep -Eq -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "no line of $1 matches '$2' after ${3:-20}s:" >&2
    tail -n 40 "$1" >&2
    return 1
}

start_bg() {
    local name=$1
    shift
    # setsid: the command leads a process group of its own, so stop_all also
    # reaches what it starts (timeout's child).  3>&-: bats waits until every
    # holder of its fd 3 is gone, so a stray process must not hold it.
    setsid "$@" >"$BATS_TEST_TMPDIR/$name.log" 2>&1 3>&- &
    echo "$! $BASHPID" >>"$BATS_TEST_TMPDIR/pids"
    eval "PID_${name//-/_}=$!"
}

# is_child PID PARENT: is PID still a live process whose parent is PARENT?  PIDs
# wrap around (at 32768 here) within a long test run: once our child has exited,
# its PID may belong to someone else's process, which must never be killed.
is_child() {
    local parent=$2 stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) } # the fields after the command name: state ppid ...
    # shellcheck disable=SC2086
    set -- $stat
    [ "$1" != Z ] && [ "$2" = "$parent" ]
}

# wait_for_exit PID [SECONDS]: wait for a background child to exit, at most
# SECONDS (default 30), and return its exit status; 124 (after killing it) if it
# is still running then.  A plain `wait` would hang the suite on a process that
# hangs (a sanitizer's leak check stuck at exit, say).
wait_for_exit() {
    local pid=$1 i
    for ((i = 0; i < ${2:-30} * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        return 124
    fi
    wait "$pid"
}

# stop_group PGID: stop every process of a group this suite created, by the
# group's ID: TERM, up to five seconds, then KILL.  This reaches what outlives
# the group's leader (a sanitizer's leak check that hangs at exit, say); the
# kernel does not hand out the ID again while the group has members.
stop_group() {
    local pgid=$1 i
    kill -TERM -- "-$pgid" 2>/dev/null || return 0
    for ((i = 0; i < 50; i++)); do
        kill -0 -- "-$pgid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL -- "-$pgid" 2>/dev/null || true
}

# stop_all: stop every process start_bg started, with its process group.  The
# first signal goes only to a leader that is still our child (PIDs wrap: a stale
# one may now be somebody else's); then each group is stopped by its ID, which
# also reaches members whose leader has exited.
stop_all() {
    local pid parent
    [ -f "$BATS_TEST_TMPDIR/pids" ] || return 0
    while read -r pid parent; do
        is_child "$pid" "$parent" && kill -- "-$pid" 2>/dev/null
    done <"$BATS_TEST_TMPDIR/pids"
    while read -r pid parent; do
        stop_group "$pid"
    done <"$BATS_TEST_TMPDIR/pids"
    rm -f "$BATS_TEST_TMPDIR/pids"
    return 0
}

# start_hostile [UDP-MODE]: run the scripted tracker of tests/hostile-tracker.py;
# sets HPORT and HLOG (its log: the port, then every request it got).
start_hostile() {
    start_bg hostile "$BT_PYTHON" "$BT_SRCDIR/tests/hostile-tracker.py" "${1:-ok}"
    HLOG="$BATS_TEST_TMPDIR/hostile.log"
    local i
    for i in $(seq 100); do
        [ -s "$HLOG" ] && break
        sleep 0.1
    done
    HPORT=$(head -n 1 "$HLOG")
    wait_port "$HPORT"
}

# peer_id_prefix: the peer id prefix btkit's version makes (BEP 20's Azureus
# style: "-BK", one character per part of the version, four in all, "-").
peer_id_prefix() {
    local version parts p out=""
    version=$(bt-announce --version)
    version=${version##* }
    IFS=. read -ra parts <<<"$version"
    for p in "${parts[@]:0:4}"; do
        out+=$p
    done
    while [ ${#out} -lt 4 ]; do
        out+=0
    done
    echo "-BK$out-"
}
