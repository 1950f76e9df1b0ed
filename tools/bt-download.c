/*
 * bt-download - download a whole torrent from a swarm (stage 6).
 *
 *   bt-download [-o DIR] [-p PEER]... [-t URL]... [--seed] [-s] [-q] TORRENT
 *
 * Checks what DIR already holds (so a killed download resumes), asks the
 * trackers for peers in the background, downloads every missing piece from many
 * peers at once (lib/session/download.c), and prints the path of the finished download
 * on stdout.  Progress goes to stderr: a bar on a terminal, plain lines if not.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tracker/announcer.h"
#include "session/download.h"
#include "core/loop.h"
#include "pieces/storage.h"
#include "tool.h"
#include "source.h"
#include "tracker/tracker.h"
#include "wire.h"

#define DEFAULT_LISTEN      "0.0.0.0:6881"
#define DEFAULT_GIVE_UP_S   60
#define MAX_TRACKERS        64
#define MAX_CLI_PEERS       256
#define ANNOUNCE_TIMEOUT_MS 15000
#define STOP_TIMEOUT_MS     3000 /* the "stopped" announce on the way out */
#define NUMWANT             200
#define LINE_EVERY_MS       5000 /* progress lines when stderr is not a terminal */
#define BAR_EVERY_MS        250
#define BAR_WIDTH           30

static volatile sig_atomic_t interrupted;
static const char default_listen[] = DEFAULT_LISTEN;

static void on_signal(int sig)
{
    interrupted = sig;
}

struct options {
    const char *torrent;
    const char *dir;
    const char *listen;
    char *trackers[MAX_TRACKERS];
    size_t tracker_count;
    const char *peers[MAX_CLI_PEERS]; /* -p arguments, "-" for stdin */
    size_t peer_count;
    int no_announce;
    int sequential;
    int seed;
    int quiet;
    int verbose;
    int trace;
    int timeout_s;
    int give_up_s;
    size_t max_peers;
};

/* Everything the loop's callbacks need. */
struct session {
    struct options *o;
    struct bt_torrent t;
    struct bt_storage st;
    struct bt_loop loop;
    struct bt_download dl;
    struct bt_announcer ann;
    struct bt_peer_config cfg;
    struct bt_source_opts source; /* for a magnet link: who gave the metadata */
    int tty;
    int announced;      /* "started" went out: "stopped" must follow */
    int said_completed; /* the "completed" event was sent or is under way */
    int want_completed; /* send "completed" when the running announce ends */
    uint64_t next_announce_ms;
    uint64_t start_ms;
    uint64_t last_line_ms;
    int64_t start_have;
    int bar_shown;
    int gave_up;
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: %s [options] TORRENT|MAGNET\n"
            "\n"
            "Download TORRENT's files into DIR from the swarm, verifying every piece, and\n"
            "print the path of the result.  What DIR already holds is checked first, so a\n"
            "download that was stopped or killed resumes where it was.  Given a magnet\n"
            "link, first fetch the metadata (BEP 9) from the -p peers, the link's x.pe\n"
            "peers or its trackers (tutorials/07-magnets.md).\n"
            "\n"
            "  -o, --output DIR     download into DIR (default: the current directory)\n"
            "  -p, --peer PEER      also use PEER (ip:port or [v6]:port; repeatable);\n"
            "                       '-' reads peers from standard input, one per line\n"
            "  -t, --tracker URL    announce to URL instead of the torrent's trackers\n"
            "      --no-announce    contact no tracker (use -p peers only)\n"
            "  -l, --listen ADDR    accept peers on ADDR (default %s; port 0 picks one)\n"
            "  -m, --max-peers N    at most N connections (default %d)\n"
            "  -s, --sequential     fetch pieces in order (for streaming) instead of rarest first\n"
            "      --seed           keep serving peers after the download completes\n"
            "      --give-up SECS   fail after SECS with no peer and no progress (default %d)\n"
            "      --timeout SECS   peer connect, handshake and idle timeout (default 30)\n"
            "  -q, --quiet          print only errors\n"
            "  -v, --verbose        also log every peer connecting and leaving\n"
            "      --trace          show every message sent and received on stderr\n"
            "  -h, --help           show this help\n"
            "  -V, --version        show the version\n"
            "\n"
            "Tutorial: tutorials/06-download.md\n",
            bt_tool_name(), DEFAULT_LISTEN, BT_DL_MAX_PEERS, DEFAULT_GIVE_UP_S);
}

/* "1.5 MiB" and friends, for people. */
static void human_bytes(double v, char *out, size_t n)
{
    static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    size_t u = 0;

    while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
        v /= 1024;
        u++;
    }
    snprintf(out, n, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
}

static void clear_bar(struct session *s)
{
    if (s->bar_shown) {
        fprintf(stderr, "\r%*s\r", 79, "");
        s->bar_shown = 0;
    }
}

static void log_event(void *arg, const char *peer, const char *text)
{
    struct session *s = arg;

    if (s->o->quiet)
        return;
    /* Per-peer comings and goings are noise unless asked for. */
    if (!s->o->verbose && peer != NULL &&
        (strncmp(text, "connected", 9) == 0 || strncmp(text, "disconnected", 12) == 0 ||
         strncmp(text, "failed", 6) == 0 || strncmp(text, "cannot connect", 14) == 0))
        return;
    clear_bar(s);
    if (peer != NULL)
        bt_tool_warn("%s: %s", peer, text);
    else
        bt_tool_warn("%s", text);
}

static void show_progress(struct session *s, int final)
{
    const struct bt_download *dl = &s->dl;
    double pct =
        s->t.total_length > 0 ? 100.0 * (double)dl->have_bytes / (double)s->t.total_length : 100.0;
    uint64_t rate = bt_download_rate(dl);
    char rate_text[32], eta[32];
    int64_t left = s->t.total_length - dl->have_bytes;

    if (s->o->quiet)
        return;
    human_bytes((double)rate, rate_text, sizeof(rate_text));
    if (rate > 0 && left > 0) {
        uint64_t secs = (uint64_t)left / rate;

        snprintf(eta, sizeof(eta), "%" PRIu64 ":%02" PRIu64, secs / 60, secs % 60);
    } else {
        snprintf(eta, sizeof(eta), "-:--");
    }
    if (s->tty) {
        int filled = (int)(pct * BAR_WIDTH / 100.0);

        fprintf(stderr, "\r[%.*s%*s] %5.1f%%  %9s/s  %3zu peers  ETA %s ", filled,
                "##############################", BAR_WIDTH - filled, "", pct, rate_text,
                bt_download_open_peers(dl), eta);
        s->bar_shown = 1;
        if (final)
            clear_bar(s);
    } else if (!final) {
        bt_tool_warn("%.1f%% %s/s %zu peers ETA %s", pct, rate_text, bt_download_open_peers(dl),
                     eta);
    }
    fflush(stderr);
}

/* The announce request as things stand. */
static void fill_request(struct session *s, struct bt_announce_req *req,
                         enum bt_tracker_event event)
{
    bt_announce_req_init(req);
    memcpy(req->info_hash, s->t.info_hash, BT_INFOHASH_LEN);
    memcpy(req->peer_id, s->cfg.peer_id, BT_PEER_ID_LEN);
    req->port =
        s->dl.pool.listen_fd >= 0 ? bt_addr_port(&s->dl.pool.listen_addr) : BT_TRACKER_DEFAULT_PORT;
    req->downloaded = (int64_t)s->dl.downloaded;
    req->uploaded = (int64_t)bt_download_uploaded(&s->dl);
    req->left = s->t.total_length - s->dl.have_bytes;
    req->event = event;
    req->numwant = event == BT_EVENT_STOPPED ? 0 : NUMWANT;
}

static void announce(struct session *s, enum bt_tracker_event event)
{
    struct bt_announce_req req;

    fill_request(s, &req, event);
    if (bt_announcer_announce(&s->ann, &req) == BT_OK) {
        if (event == BT_EVENT_STARTED)
            s->announced = 1;
        if (event == BT_EVENT_COMPLETED)
            s->said_completed = 1;
    }
}

static void on_announced(void *arg, const struct bt_announce_result *r)
{
    struct session *s = arg;
    size_t i;

    if (r->err != BT_OK) {
        clear_bar(s);
        if (!s->o->quiet)
            bt_tool_warn("tracker %s: %s%s%s", r->url, bt_strerror(r->err),
                         r->resp.failure != NULL ? ": " : "",
                         r->resp.failure != NULL ? r->resp.failure : "");
    } else {
        for (i = 0; i < r->resp.peers.count; i++) {
            const struct bt_tracker_peer *tp = &r->resp.peers.peers[i];
            struct bt_addr addr;

            if (bt_addr_from_raw(tp->ip, tp->iplen, tp->port, &addr) == BT_OK)
                bt_download_add_peer(&s->dl, &addr);
        }
        if (s->o->verbose)
            bt_tool_warn("tracker %s: %zu peers", r->url, r->resp.peers.count);
        if (r->resp.warning != NULL && !s->o->quiet)
            bt_tool_warn("tracker %s: warning: %s", r->url, r->resp.warning);
    }
    /* Starving for peers: ask again soon; else as often as the tracker asks. */
    s->next_announce_ms =
        bt_loop_now_ms() + bt_announcer_next_ms(&s->ann, r, bt_download_usable_peers(&s->dl) == 0);
    if (s->want_completed && !s->said_completed)
        announce(s, BT_EVENT_COMPLETED);
}

/* Can anything still bring a peer?  If not, the download cannot finish. */
static int hopeless(struct session *s)
{
    if (bt_download_usable_peers(&s->dl) > 0 || s->dl.pool.conn_count > 0)
        return 0;
    if (!bt_announcer_has_trackers(&s->ann))
        return 1;
    /* A tracker that answers may yet hand out peers: give it the give-up time. */
    return 0;
}

static void on_tool_tick(void *arg)
{
    struct session *s = arg;
    uint64_t now = bt_loop_now_ms();
    uint64_t idle_since = s->dl.last_progress_ms;

    if (s->dl.complete && !s->said_completed && s->announced) {
        if (s->ann.busy)
            s->want_completed = 1;
        else
            announce(s, BT_EVENT_COMPLETED);
    }
    if (!s->ann.busy && bt_announcer_has_trackers(&s->ann) && now >= s->next_announce_ms &&
        s->announced)
        announce(s, BT_EVENT_NONE);
    if (!s->dl.complete) {
        int stuck = bt_download_open_peers(&s->dl) == 0 &&
                    now - idle_since >= (uint64_t)s->o->give_up_s * 1000;

        if ((hopeless(s) && now - s->start_ms > 1000) || stuck) {
            s->gave_up = 1;
            bt_loop_stop(&s->loop);
            return;
        }
    }
    if (s->tty ? 1 : now - s->last_line_ms >= LINE_EVERY_MS) {
        if (!s->dl.complete || s->o->seed) {
            show_progress(s, 0);
            s->last_line_ms = now;
        }
    }
    bt_loop_timer(&s->loop, s->tty ? BAR_EVERY_MS : 1000, on_tool_tick, s, NULL);
}

static int parse_options(int argc, char **argv, struct options *o)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},  {"peer", required_argument, NULL, 'p'},
        {"tracker", required_argument, NULL, 't'}, {"no-announce", no_argument, NULL, 'N'},
        {"listen", required_argument, NULL, 'l'},  {"max-peers", required_argument, NULL, 'm'},
        {"sequential", no_argument, NULL, 's'},    {"seed", no_argument, NULL, 'S'},
        {"give-up", required_argument, NULL, 'G'}, {"timeout", required_argument, NULL, 'T'},
        {"quiet", no_argument, NULL, 'q'},         {"verbose", no_argument, NULL, 'v'},
        {"trace", no_argument, NULL, 'R'},         {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},       {NULL, 0, NULL, 0},
    };
    int c;

    while ((c = getopt_long(argc, argv, "o:p:t:l:m:sqvhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            o->dir = optarg;
            break;
        case 'p':
            if (o->peer_count == MAX_CLI_PEERS) {
                bt_tool_warn("at most %d -p options (use -p - for more)", MAX_CLI_PEERS);
                return BT_EXIT_USAGE;
            }
            o->peers[o->peer_count++] = optarg;
            break;
        case 't':
            if (o->tracker_count == MAX_TRACKERS) {
                bt_tool_warn("at most %d trackers", MAX_TRACKERS);
                return BT_EXIT_USAGE;
            }
            o->trackers[o->tracker_count++] = optarg;
            break;
        case 'N':
            o->no_announce = 1;
            break;
        case 'l':
            o->listen = optarg;
            break;
        case 'm': {
            char *end;
            unsigned long v = strtoul(optarg, &end, 10);

            if (*end != '\0' || v == 0 || v > 10000) {
                bt_tool_warn("invalid peer count '%s'", optarg);
                return BT_EXIT_USAGE;
            }
            o->max_peers = (size_t)v;
            break;
        }
        case 's':
            o->sequential = 1;
            break;
        case 'S':
            o->seed = 1;
            break;
        case 'G':
            o->give_up_s = bt_wire_seconds("give-up time", optarg);
            if (o->give_up_s < 0)
                return BT_EXIT_USAGE;
            break;
        case 'T':
            o->timeout_s = bt_wire_seconds("timeout", optarg);
            if (o->timeout_s < 0)
                return BT_EXIT_USAGE;
            break;
        case 'q':
            o->quiet = 1;
            break;
        case 'v':
            o->verbose = 1;
            break;
        case 'R':
            o->trace = 1;
            break;
        case 'h':
            usage(stdout);
            exit(bt_tool_close_stdout(BT_EXIT_OK));
        case 'V':
            bt_tool_version();
            exit(bt_tool_close_stdout(BT_EXIT_OK));
        default:
            usage(stderr);
            return BT_EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        usage(stderr);
        return BT_EXIT_USAGE;
    }
    o->torrent = argv[optind];
    return BT_EXIT_OK;
}

/* Add the -p peers; "-" reads them from standard input, as bt-announce prints them. */
static int add_cli_peers(struct session *s)
{
    size_t i;

    for (i = 0; i < s->o->peer_count; i++) {
        const char *arg = s->o->peers[i];
        struct bt_addr addr;

        if (strcmp(arg, "-") == 0) {
            while (bt_wire_next_peer(stdin, &addr))
                bt_download_add_peer(&s->dl, &addr);
            continue;
        }
        if (bt_addr_parse(arg, &addr) != BT_OK) {
            bt_tool_warn("invalid peer '%s' (expected ip:port or [v6]:port)", arg);
            return BT_EXIT_USAGE;
        }
        bt_download_add_peer(&s->dl, &addr);
    }
    return BT_EXIT_OK;
}

static void on_check(void *arg, size_t done, size_t total)
{
    struct session *s = arg;

    if (s->tty && !s->o->quiet && (done % 64 == 0 || done == total)) {
        fprintf(stderr, "\rchecking existing data: %zu/%zu pieces", done, total);
        if (done == total)
            fputc('\n', stderr);
    }
}

static void summary(struct session *s)
{
    double secs = (double)(bt_loop_now_ms() - s->start_ms) / 1000.0;
    int64_t got = s->dl.have_bytes - s->start_have;
    char total[32], rate[32], up[32];

    if (s->o->quiet)
        return;
    human_bytes((double)got, total, sizeof(total));
    human_bytes(secs > 0 ? (double)got / secs : 0, rate, sizeof(rate));
    human_bytes((double)bt_download_uploaded(&s->dl), up, sizeof(up));
    bt_tool_warn("done: %s in %.1f s (%s/s) from %zu peers; uploaded %s; %zu hash failures", total,
                 secs, rate, s->dl.peers_ever, up, s->dl.hash_fails);
}

/* Make DIR if it does not exist (one level, as aria2c -d and wget -P do). */
static int ensure_dir(const char *dir)
{
    struct stat sb;

    if (stat(dir, &sb) == 0) {
        if (!S_ISDIR(sb.st_mode)) {
            bt_tool_warn("%s: not a directory", dir);
            return 1;
        }
        return 0;
    }
    if (mkdir(dir, 0777) < 0) {
        bt_tool_warn("%s: cannot create directory: %s", dir, strerror(errno));
        return 1;
    }
    return 0;
}

/*
 * The torrent, or a magnet link's metadata fetched from the -p peers (those
 * given on the command line; "-" is read later, for the download), the link's
 * x.pe peers or its trackers.
 */
static int load_torrent(struct session *s)
{
    struct bt_addr addrs[MAX_CLI_PEERS];
    size_t i, n = 0;
    int status;

    for (i = 0; i < s->o->peer_count; i++)
        if (strcmp(s->o->peers[i], "-") != 0 && bt_addr_parse(s->o->peers[i], &addrs[n]) == BT_OK)
            n++;
    s->source.peers = addrs;
    s->source.peer_count = n;
    s->source.timeout_s = s->o->timeout_s;
    s->source.trace = s->o->trace;
    s->source.quiet = s->o->quiet;
    s->source.no_trackers = s->o->no_announce;
    status = bt_source_load(s->o->torrent, &s->source, &s->t, NULL);
    s->source.peers = NULL; /* addrs ends here */
    return status;
}

static int run(struct session *s)
{
    struct options *o = s->o;
    struct bt_download_opts dopts;
    struct bt_addr listen_addr;
    struct bt_tracker_tiers tiers;
    struct bt_announce_opts aopts = {.timeout_ms = ANNOUNCE_TIMEOUT_MS};
    enum bt_err err;
    int status;

    if (load_torrent(s) != 0)
        return BT_EXIT_FAIL;
    if (bt_wire_listen_addr(o->listen, &listen_addr) != BT_OK) {
        bt_tool_warn("invalid listen address '%s'", o->listen);
        return BT_EXIT_USAGE;
    }
    if (ensure_dir(o->dir) != 0)
        return BT_EXIT_FAIL;
    err = bt_storage_open(&s->st, &s->t, o->dir, BT_STORAGE_WRITE);
    if (err != BT_OK) {
        bt_tool_error(err, o->dir);
        return BT_EXIT_FAIL;
    }
    if (access(o->dir, W_OK) != 0) {
        bt_tool_warn("%s: not writable: %s", o->dir, strerror(errno));
        return BT_EXIT_FAIL;
    }
    if (bt_wire_config(&s->cfg, &s->t, o->timeout_s) != 0)
        return BT_EXIT_FAIL;
    s->cfg.reqq = BT_UPLOAD_MAX_REQUESTS;

    err = bt_download_setup(&s->dl, &s->t, &s->st);
    if (err == BT_OK)
        err = bt_download_check(&s->dl, on_check, s);
    if (err == BT_OK)
        err = bt_storage_prepare(&s->st);
    if (err != BT_OK) {
        char where[1024];

        snprintf(where, sizeof(where), "%s/%s", o->dir, s->t.files[s->st.failed_file].path);
        bt_tool_error(err, where);
        return BT_EXIT_FAIL;
    }
    s->start_have = s->dl.have_bytes;
    if (!o->quiet && s->dl.have_bytes > 0)
        bt_tool_warn("resuming: %zu of %zu pieces already verified", s->dl.picker.have_count,
                     s->t.piece_count);

    s->dl.log = log_event;
    s->dl.log_arg = s;
    if (o->trace) {
        s->dl.trace = bt_wire_trace;
        s->dl.trace_arg = NULL;
    }
    memset(&dopts, 0, sizeof(dopts));
    dopts.max_conns = o->max_peers;
    dopts.sequential = o->sequential;
    dopts.seed_after = o->seed;
    dopts.listen = &listen_addr;
    err = bt_download_start(&s->dl, &s->loop, &s->cfg, &dopts);
    if (err == BT_ERR_IO && errno == EADDRINUSE && o->listen == default_listen) {
        /* The customary port is taken (another client?): any port will do. */
        bt_wire_listen_addr("0.0.0.0:0", &listen_addr);
        err = bt_download_start(&s->dl, &s->loop, &s->cfg, &dopts);
    }
    if (err != BT_OK) {
        bt_tool_error(err, o->listen);
        return BT_EXIT_FAIL;
    }
    status = add_cli_peers(s);
    if (status != BT_EXIT_OK)
        return status;
    if (s->source.have_from)
        bt_download_add_peer(&s->dl, &s->source.from);

    bt_tracker_tiers_init(&tiers);
    if (!o->no_announce) {
        err = bt_tracker_tiers_for(&tiers, &s->t, o->trackers, o->tracker_count);
        if (err != BT_OK) {
            bt_tracker_tiers_release(&tiers);
            bt_tool_error(err, "trackers");
            return BT_EXIT_FAIL;
        }
    }
    err = bt_announcer_start(&s->ann, &s->loop, &tiers, &aopts, on_announced, s);
    bt_tracker_tiers_release(&tiers);
    if (err != BT_OK) {
        bt_tool_error(err, "announcer");
        return BT_EXIT_FAIL;
    }
    if (bt_announcer_has_trackers(&s->ann) && (!s->dl.complete || o->seed))
        announce(s, BT_EVENT_STARTED);

    s->start_ms = bt_loop_now_ms();
    if (!s->dl.complete || o->seed) {
        bt_loop_timer(&s->loop, 0, on_tool_tick, s, NULL);
        err = bt_loop_run(&s->loop, &interrupted);
        if (err != BT_OK) {
            bt_tool_error(err, "event loop");
            return BT_EXIT_FAIL;
        }
    }
    show_progress(s, 1);
    if (s->dl.fatal != BT_OK) {
        bt_tool_warn("%s: %s", bt_strerror(s->dl.fatal), s->dl.fatal_detail);
        return BT_EXIT_FAIL;
    }
    if (!s->dl.complete) {
        if (interrupted)
            bt_tool_warn("interrupted: %zu of %zu pieces verified; run again to resume",
                         s->dl.picker.have_count, s->t.piece_count);
        else if (s->gave_up)
            bt_tool_warn("%s: %zu of %zu pieces verified after %d s without progress",
                         bt_strerror(BT_ERR_NO_PEERS), s->dl.picker.have_count, s->t.piece_count,
                         (int)((bt_loop_now_ms() - s->dl.last_progress_ms) / 1000));
        return BT_EXIT_FAIL;
    }
    summary(s);
    if (s->t.multi_file)
        printf("%s/%s\n", o->dir, s->t.name);
    else
        printf("%s/%s\n", o->dir, s->t.files[0].path);
    return BT_EXIT_OK;
}

int main(int argc, char **argv)
{
    struct options o;
    struct session s;
    struct sigaction sa;
    int status;

    bt_tool_init(argv[0]);
    memset(&o, 0, sizeof(o));
    o.dir = ".";
    o.listen = default_listen;
    o.timeout_s = 30;
    o.give_up_s = DEFAULT_GIVE_UP_S;
    status = parse_options(argc, argv, &o);
    if (status != BT_EXIT_OK)
        return status;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal; /* no SA_RESTART: poll() must return EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    memset(&s, 0, sizeof(s));
    s.o = &o;
    s.tty = isatty(STDERR_FILENO);
    bt_torrent_init(&s.t);
    bt_storage_init(&s.st);
    bt_loop_init(&s.loop);
    bt_download_init(&s.dl);
    bt_announcer_init(&s.ann);

    status = run(&s);

    if (s.announced) {
        struct bt_announce_req req;
        struct bt_announce_result r;

        s.ann.opts.timeout_ms = STOP_TIMEOUT_MS;
        /* A download that finished before the next tick has not said so yet. */
        if (s.dl.complete && !s.said_completed) {
            fill_request(&s, &req, BT_EVENT_COMPLETED);
            bt_announcer_announce_now(&s.ann, &req, &r);
            bt_announce_resp_release(&r.resp);
        }
        fill_request(&s, &req, BT_EVENT_STOPPED);
        bt_announcer_announce_now(&s.ann, &req, &r);
        bt_announce_resp_release(&r.resp);
    }
    bt_announcer_release(&s.ann);
    bt_download_release(&s.dl);
    bt_loop_release(&s.loop);
    bt_storage_release(&s.st);
    bt_torrent_release(&s.t);
    return bt_tool_close_stdout(status);
}
