/*
 * bt-seed - serve a complete torrent to any number of peers (stage 5).
 *
 *   bt-seed [--trust] [-l ADDR] [-c PEER]... [-m MAX] [--trace] [-q] TORRENT DATA
 *
 * DATA is the directory that contains the torrent's name (as transmission's
 * download directory and libtorrent's save_path), or, for a single-file
 * torrent, the file itself.  Prints the address it listens on, then serves
 * until SIGINT or SIGTERM.
 */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracker/announcer.h"
#include "core/loop.h"
#include "session/seed.h"
#include "pieces/storage.h"
#include "tool.h"
#include "wire.h"

#define DEFAULT_LISTEN "127.0.0.1:6881"
#define MAX_DIAL       64

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    interrupted = sig;
}

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: %s [--trust] [-l ADDR] [-c PEER]... [-m MAX] [--tracker URL]... [--no-announce]\n"
        "       [--trace] [-q] TORRENT DATA\n"
        "\n"
        "Serve TORRENT's complete data to every peer that connects, until interrupted.\n"
        "DATA is the directory that contains the torrent's name (its top directory or\n"
        "its single file), or for a single-file torrent the file itself.  Every piece is\n"
        "checked against its SHA-1 first.  The address listened on is printed on\n"
        "standard output.\n"
        "\n"
        "  -l, --listen ADDR    listen on ADDR (ip:port, port 0 picks one; default %s)\n"
        "  -c, --connect PEER   also dial PEER and serve it (repeatable)\n"
        "      --tracker URL    announce to URL instead of the torrent's trackers\n"
        "                       (repeatable)\n"
        "      --no-announce    contact no tracker\n"
        "  -m, --max-peers N    at most N connections (default %d)\n"
        "      --trust          do not check the data's hashes on start\n"
        "      --trace          show every message sent and received on stderr\n"
        "  -q, --quiet          do not log connections on stderr\n"
        "  -t, --timeout SECS   handshake and idle timeout (default 120)\n"
        "  -h, --help           show this help\n"
        "  -V, --version        show the version\n"
        "\n"
        "Tutorial: tutorials/05-messages.md\n",
        bt_tool_name(), DEFAULT_LISTEN, BT_SEED_MAX_PEERS);
}

static void log_event(void *arg, const char *peer, const char *text)
{
    bt_tool_warn("%s: %s", peer, text);
}

/* Check every piece against its hash, reading with one block-sized buffer. */
static int verify(struct bt_storage *st, const struct bt_torrent *t, const char *data)
{
    unsigned char *buf = malloc(BT_BLOCK_SIZE);
    size_t i;

    if (buf == NULL) {
        bt_tool_error(BT_ERR_NOMEM, data);
        return 1;
    }
    for (i = 0; i < t->piece_count && !interrupted; i++) {
        enum bt_err err = bt_storage_verify_piece(st, i, buf);

        if (err == BT_ERR_PEER_HASH) {
            bt_tool_warn("%s: piece %zu does not match its SHA-1: the data is not this torrent's "
                         "(or is incomplete)",
                         data, i);
            free(buf);
            return 1;
        }
        if (err != BT_OK) {
            char where[1024];

            snprintf(where, sizeof(where), "%s: %s", data, t->files[st->failed_file].path);
            bt_tool_error(err, where);
            free(buf);
            return 1;
        }
    }
    free(buf);
    return interrupted ? 1 : 0;
}

#define MAX_TRACKERS        64
#define ANNOUNCE_TIMEOUT_MS 15000
#define STOP_TIMEOUT_MS     3000 /* the "stopped" announce on the way out */

/* Telling the trackers that we seed, now and at the interval they ask for. */
struct announcing {
    struct bt_announcer ann;
    struct bt_loop *loop;
    const struct bt_torrent *t;
    const struct bt_peer_config *cfg;
    struct bt_seed *seed;
    uint64_t timer;
    int started; /* a tracker heard our "started": "stopped" must follow */
    int quiet;
};

static void fill_request(struct announcing *a, struct bt_announce_req *req,
                         enum bt_tracker_event event)
{
    bt_announce_req_init(req);
    memcpy(req->info_hash, a->t->info_hash, BT_INFOHASH_LEN);
    memcpy(req->peer_id, a->cfg->peer_id, BT_PEER_ID_LEN);
    req->port = bt_addr_port(&a->seed->pool.listen_addr);
    req->uploaded = (int64_t)bt_seed_bytes_served(a->seed);
    req->left = 0; /* a seed: this is what makes the tracker count us as one */
    req->event = event;
}

static void announce_again(void *arg)
{
    struct announcing *a = arg;
    struct bt_announce_req req;

    a->timer = 0;
    fill_request(a, &req, a->started ? BT_EVENT_NONE : BT_EVENT_STARTED);
    (void)bt_announcer_announce(&a->ann, &req);
}

static void on_announced(void *arg, const struct bt_announce_result *r)
{
    struct announcing *a = arg;

    if (r->err == BT_OK)
        a->started = 1;
    else if (!a->quiet)
        bt_tool_warn("tracker %s: %s%s%s", r->url, bt_strerror(r->err),
                     r->resp.failure != NULL ? ": " : "",
                     r->resp.failure != NULL ? r->resp.failure : "");
    if (r->err == BT_OK && r->resp.warning != NULL && !a->quiet)
        bt_tool_warn("tracker %s: warning: %s", r->url, r->resp.warning);
    (void)bt_loop_timer(a->loop, bt_announcer_next_ms(&a->ann, r, 0), announce_again, a, &a->timer);
}

/* Start announcing to urls (or the torrent's trackers when there are none). */
static int start_announcing(struct announcing *a, char *const *urls, size_t n)
{
    struct bt_tracker_tiers tiers;
    struct bt_announce_opts opts = {.timeout_ms = ANNOUNCE_TIMEOUT_MS};
    enum bt_err err;

    bt_tracker_tiers_init(&tiers);
    err = bt_tracker_tiers_for(&tiers, a->t, urls, n);
    if (err == BT_OK)
        err = bt_announcer_start(&a->ann, a->loop, &tiers, &opts, on_announced, a);
    bt_tracker_tiers_release(&tiers);
    if (err != BT_OK) {
        bt_tool_error(err, "trackers");
        return 1;
    }
    if (bt_announcer_has_trackers(&a->ann))
        announce_again(a);
    return 0;
}

static void stop_announcing(struct announcing *a)
{
    if (a->timer != 0)
        bt_loop_cancel(a->loop, a->timer);
    if (a->started) {
        struct bt_announce_req req;
        struct bt_announce_result r;

        fill_request(a, &req, BT_EVENT_STOPPED);
        a->ann.opts.timeout_ms = STOP_TIMEOUT_MS;
        bt_announcer_announce_now(&a->ann, &req, &r);
        bt_announce_resp_release(&r.resp);
    }
    bt_announcer_release(&a->ann);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"listen", required_argument, NULL, 'l'},    {"connect", required_argument, NULL, 'c'},
        {"max-peers", required_argument, NULL, 'm'}, {"trust", no_argument, NULL, 'U'},
        {"trace", no_argument, NULL, 'T'},           {"quiet", no_argument, NULL, 'q'},
        {"timeout", required_argument, NULL, 't'},   {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},         {"tracker", required_argument, NULL, 'A'},
        {"no-announce", no_argument, NULL, 'N'},     {NULL, 0, NULL, 0},
    };
    const char *listen_text = DEFAULT_LISTEN;
    char *trackers[MAX_TRACKERS];
    size_t ntrackers = 0;
    int no_announce = 0;
    struct announcing ann;
    struct bt_addr listen_addr, dial[MAX_DIAL];
    size_t ndial = 0, i, max_peers = BT_SEED_MAX_PEERS;
    int c, trust = 0, trace = 0, quiet = 0, timeout_s = 120, status = BT_EXIT_FAIL;
    struct bt_torrent t;
    struct bt_storage st;
    struct bt_peer_config cfg;
    struct bt_loop loop;
    struct bt_seed seed;
    struct sigaction sa;
    char name[BT_ADDR_STRLEN];
    enum bt_err err;

    bt_tool_init(argv[0]);
    while ((c = getopt_long(argc, argv, "l:c:m:qt:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'l':
            listen_text = optarg;
            break;
        case 'c':
            if (ndial == MAX_DIAL || bt_addr_parse(optarg, &dial[ndial]) != BT_OK) {
                bt_tool_warn("%s: %s", optarg,
                             ndial == MAX_DIAL ? "too many -c options"
                                               : bt_strerror(BT_ERR_NET_ADDR));
                return BT_EXIT_USAGE;
            }
            ndial++;
            break;
        case 'm': {
            char *end;
            long v = strtol(optarg, &end, 10);

            if (*optarg == '\0' || *end != '\0' || v < 1 || v > 4096) {
                bt_tool_warn("invalid peer limit '%s' (1-4096)", optarg);
                return BT_EXIT_USAGE;
            }
            max_peers = (size_t)v;
            break;
        }
        case 'U':
            trust = 1;
            break;
        case 'T':
            trace = 1;
            break;
        case 'q':
            quiet = 1;
            break;
        case 't':
            timeout_s = bt_wire_seconds("timeout", optarg);
            if (timeout_s < 0)
                return BT_EXIT_USAGE;
            break;
        case 'A':
            if (ntrackers == MAX_TRACKERS) {
                bt_tool_warn("at most %d trackers", MAX_TRACKERS);
                return BT_EXIT_USAGE;
            }
            trackers[ntrackers++] = optarg;
            break;
        case 'N':
            no_announce = 1;
            break;
        case 'h':
            usage(stdout);
            return bt_tool_close_stdout(BT_EXIT_OK);
        case 'V':
            bt_tool_version();
            return bt_tool_close_stdout(BT_EXIT_OK);
        default:
            usage(stderr);
            return BT_EXIT_USAGE;
        }
    }
    if (argc - optind != 2) {
        usage(stderr);
        return BT_EXIT_USAGE;
    }
    if (bt_wire_listen_addr(listen_text, &listen_addr) != BT_OK) {
        bt_tool_warn("%s: %s", listen_text, bt_strerror(BT_ERR_NET_ADDR));
        return BT_EXIT_USAGE;
    }

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal; /* no SA_RESTART: poll() must see EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    bt_torrent_init(&t);
    bt_storage_init(&st);
    bt_loop_init(&loop);
    bt_seed_init(&seed);
    memset(&ann, 0, sizeof(ann));
    bt_announcer_init(&ann.ann);
    if (bt_wire_load_torrent(argv[optind], &t) != 0)
        goto out;
    err = bt_storage_open(&st, &t, argv[optind + 1], BT_STORAGE_READ);
    if (err == BT_ERR_STORAGE_PATH) {
        bt_tool_warn("%s: not a directory, and the torrent has several files: give the "
                     "directory that contains '%s'",
                     argv[optind + 1], t.name);
        goto out;
    }
    if (err != BT_OK) {
        bt_tool_error(err, argv[optind + 1]);
        goto out;
    }
    if (!trust && verify(&st, &t, argv[optind + 1]) != 0)
        goto out;
    if (bt_wire_config(&cfg, &t, timeout_s) != 0)
        goto out;
    cfg.reqq = BT_UPLOAD_MAX_REQUESTS;
    if (!quiet) {
        seed.log = log_event;
    }
    if (trace)
        seed.trace = bt_wire_trace;
    err = bt_seed_start(&seed, &loop, &t, &st, &cfg, &listen_addr, max_peers);
    if (err != BT_OK) {
        bt_tool_error(err, listen_text);
        goto out;
    }
    bt_addr_format(&seed.pool.listen_addr, name);
    printf("%s\n", name);
    fflush(stdout);
    for (i = 0; i < ndial; i++) {
        char dname[BT_ADDR_STRLEN];

        bt_addr_format(&dial[i], dname);
        err = bt_seed_connect(&seed, &dial[i]);
        if (err != BT_OK)
            bt_tool_error(err, dname);
    }
    ann.loop = &loop;
    ann.t = &t;
    ann.cfg = &seed.cfg;
    ann.seed = &seed;
    ann.quiet = quiet;
    if (!no_announce && start_announcing(&ann, trackers, ntrackers) != 0)
        goto out;
    err = bt_loop_run(&loop, &interrupted);
    if (err != BT_OK) {
        bt_tool_error(err, "event loop");
        goto out;
    }
    if (!quiet)
        bt_tool_warn("stopped; served %" PRIu64 " bytes", bt_seed_bytes_served(&seed));
    status = BT_EXIT_OK;
out:
    stop_announcing(&ann);
    bt_seed_release(&seed);
    bt_loop_release(&loop);
    bt_storage_release(&st);
    bt_torrent_release(&t);
    return bt_tool_close_stdout(status);
}
