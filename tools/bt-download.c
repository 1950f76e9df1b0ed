/*
 * bt-download - download a whole torrent from a swarm (stage 6).
 *
 *   bt-download [-o DIR] [-p PEER]... [-t URL]... [--seed] [-s] [-q] TORRENT
 *
 * Checks what DIR already holds (so a killed download resumes), asks the
 * trackers for peers in the background (lib/tracker/announcer.c), downloads
 * every missing piece from many peers at once (lib/session/download.c), and
 * prints the path of the finished download on stdout.  Progress goes to stderr:
 * a bar on a terminal, plain lines if not.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/loop.h"
#include "pieces/storage.h"
#include "session/download.h"
#include "tool.h"
#include "tool_dht.h"
#include "tool_peer.h"
#include "wire/handshake.h"
#include "pieces/resume.h"
#include "pieces/selection.h"
#include "tool_jsonl.h"
#include "tool_progress.h"
#include "tool_source.h"

#define DEFAULT_LISTEN    "0.0.0.0:6881"
#define DEFAULT_GIVE_UP_S 60
#define DEFAULT_TIMEOUT_S 30

/* Long options with no short form, past the shared TOOL_OPT_ values. */
#define OPT_SEED_RATIO 0x1200
#define OPT_SEED_TIME  0x1201
#define OPT_JSON       0x1202
#define OPT_MAX_DOWN   0x1203
#define OPT_MAX_UP     0x1204
#define OPT_STATE      0x1205
#define OPT_RECHECK    0x1206
#define OPT_SELECT     0x1207
#define OPT_EXCLUDE    0x1208
#define OPT_FIRST_LAST 0x1209

#define MAX_EXCLUDES 64 /* --exclude patterns, at most */

#define STATE_SAVE_MS 30000 /* the state file is written this often while pieces come */

#define JSON_PROGRESS_MS 1000 /* --json: a progress event this often */

struct options {
    const char *torrent;
    const char *dir;
    const char *listen_text;
    struct bt_addr listen;
    struct tool_trackers trackers;
    struct tool_peers peers; /* -p, checked; "-" is read once the download runs */
    struct tool_dht_opts dht;
    int no_announce;
    int strict;                     /* --strict (issue 16) */
    char *webseeds[BT_WEBSEED_MAX]; /* -w */
    size_t webseed_count;
    int no_webseeds;
    int lsd;
    int sequential;
    int seed;
    double seed_ratio;        /* with --seed: stop once uploaded >= this * the payload; 0: never */
    int64_t seed_time_s;      /* with --seed: stop after seeding this long; 0: never */
    int64_t max_down, max_up; /* bytes a second; 0: no limit */
    const char *state;        /* --state FILE; NULL: DIR/.NAME.bt-state */
    int recheck;              /* --recheck: hash everything, whatever the state says */
    const char *select;       /* --select LIST: file numbers; NULL: every file */
    const char *excludes[MAX_EXCLUDES]; /* --exclude GLOB */
    size_t exclude_count;
    int first_last; /* --first-last: each file's first and last piece first */
    int quiet;
    int verbose;
    int trace;
    int json;
    int timeout_s;
    int encryption; /* enum bt_mse_policy */
    int no_pex;
    int give_up_s;
    size_t max_peers;
};

/* Everything the loop's callbacks need. */
struct session {
    struct options *o;
    struct bt_torrent t;
    unsigned char *chosen; /* per file, with --select, --exclude or --first-last; else NULL */
    struct bt_storage st;
    struct bt_loop loop;
    struct bt_download dl;
    struct tool_dht dht;
    struct bt_lsd lsd;
    struct bt_peer_config cfg;
    struct tool_source source; /* for a magnet link: who gave the metadata */
    struct tool_progress progress;
    uint64_t start_ms;
    int64_t start_have;
    uint64_t seeding_since_ms; /* when the download was first seen complete; 0: not yet */
    const char *goal;          /* the seeding goal that ended the run, or NULL */
    struct tool_jsonl json;    /* --json: events on standard output */
    char state_path[4096];     /* the state file (pieces/resume.h) */
    uint64_t state_saved_ms;   /* when it was last written */
    size_t state_saved_have;   /* with this many pieces */
    int state_failed;          /* it could not be written: said once, not again */
    uint64_t json_last_ms;     /* the last progress event */
};

static void usage(FILE *f, int help)
{
    fprintf(
        f,
        "usage: %s [options] TORRENT|MAGNET\n"
        "\n"
        "Download TORRENT's files into DIR from the swarm, verifying every piece, and\n"
        "print the path of the result.  What DIR already holds is checked first, so a\n"
        "download that was stopped or killed resumes where it was.  Given a magnet\n"
        "link, first fetch the metadata (BEP 9) from the -p peers, the link's x.pe\n"
        "peers, its trackers or the DHT (tutorials/07-magnets.md).  Unless --no-dht,\n"
        "a DHT node (BEP 5) runs on the listen address's UDP port, finds peers with\n"
        "the trackers' and tells the swarm we are in it (tutorials/08-dht.md).\n"
        "\n"
        "  -o, --output DIR     download into DIR (default: the current directory)\n"
        "  -p, --peer PEER      also use PEER (ip:port or [v6]:port; repeatable);\n"
        "                       '-' reads peers from standard input, one per line\n"
        "  -t, --tracker URL    announce to URL instead of the torrent's trackers\n"
        "      --no-announce    contact no tracker (use -p peers only)\n"
        "      --dht-bootstrap NODE  start our DHT node from NODE, HOST:PORT (repeatable)\n"
        "      --no-dht         do not use the DHT (BEP 5)\n"
        "  -w, --web-seed URL   also fetch pieces from web seed URL (BEP 19; repeatable)\n"
        "      --no-web-seeds   do not use web seeds, the torrent's url-list or -w\n"
        "      --lsd            find peers on the LAN by local service discovery (BEP "
        "14)\n" TOOL_NO_PEX_HELP TOOL_STRICT_HELP
        "  -l, --listen ADDR    accept peers on ADDR (default %s; port 0 picks one)\n"
        "  -m, --max-peers N    at most N connections (default %d)\n"
        "      --max-download-rate RATE  at most RATE bytes a second in: 500K, 10M\n"
        "      --max-upload-rate RATE    at most RATE bytes a second out, to all peers\n"
        "  -s, --sequential     fetch pieces in order (for streaming) instead of rarest first\n"
        "      --select LIST    download only these files, numbered as bt-infohash -s\n"
        "                       lists them: 1,3-5\n"
        "      --exclude GLOB   do not download files whose path matches GLOB (repeatable)\n"
        "      --first-last     fetch each file's first and last piece before the rest\n"
        "      --state FILE     where verified pieces are recorded (default DIR/.NAME.bt-state)\n"
        "      --recheck        hash every piece on disk, whatever the state file says\n"
        "      --seed           keep serving peers after the download completes\n"
        "      --seed-ratio R   seed until we uploaded R times the payload (implies --seed)\n"
        "      --seed-time DURATION  seed this long: 90, 90s, 30m, 2h, 7d (implies --seed)\n"
        "      --give-up SECS   fail after SECS with no peer and no progress (default %d)\n"
        "      --timeout SECS   peer connect, handshake and idle timeout (default %d)\n"
        "  -q, --quiet          print only errors\n"
        "  -v, --verbose        also log every peer connecting and leaving\n"
        "      --json           events as JSON lines on stdout (bt-download(1) has them)\n"
        "      --trace          show every message sent and received on "
        "stderr\n" TOOL_ENCRYPTION_HELP "  -h, --help           show this help\n"
        "  -V, --version        show the version\n"
        "\n"
        "Tutorial: tutorials/06-download.md\n",
        tool_name(), DEFAULT_LISTEN, BT_DL_MAX_PEERS, DEFAULT_GIVE_UP_S, DEFAULT_TIMEOUT_S);
}

/* Validate every argument before any I/O: a wrong one costs nothing. */
static int parse_options(int argc, char **argv, struct options *o)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"peer", required_argument, NULL, 'p'},
        {"tracker", required_argument, NULL, 't'},
        {"no-announce", no_argument, NULL, 'N'},
        {"listen", required_argument, NULL, 'l'},
        {"max-peers", required_argument, NULL, 'm'},
        {"sequential", no_argument, NULL, 's'},
        {"seed", no_argument, NULL, 'S'},
        {"give-up", required_argument, NULL, 'G'},
        {"timeout", required_argument, NULL, 'T'},
        {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},
        {"trace", no_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {"dht-bootstrap", required_argument, NULL, TOOL_OPT_DHT_BOOTSTRAP},
        {"no-dht", no_argument, NULL, TOOL_OPT_NO_DHT},
        {"web-seed", required_argument, NULL, 'w'},
        {"no-web-seeds", no_argument, NULL, 'W'},
        {"lsd", no_argument, NULL, 'L'},
        {"encryption", required_argument, NULL, TOOL_OPT_ENCRYPTION},
        {"no-pex", no_argument, NULL, TOOL_OPT_NO_PEX},
        {"strict", no_argument, NULL, TOOL_OPT_STRICT},
        {"seed-ratio", required_argument, NULL, OPT_SEED_RATIO},
        {"seed-time", required_argument, NULL, OPT_SEED_TIME},
        {"json", no_argument, NULL, OPT_JSON},
        {"max-download-rate", required_argument, NULL, OPT_MAX_DOWN},
        {"max-upload-rate", required_argument, NULL, OPT_MAX_UP},
        {"state", required_argument, NULL, OPT_STATE},
        {"recheck", no_argument, NULL, OPT_RECHECK},
        {"select", required_argument, NULL, OPT_SELECT},
        {"exclude", required_argument, NULL, OPT_EXCLUDE},
        {"first-last", no_argument, NULL, OPT_FIRST_LAST},
        {NULL, 0, NULL, 0},
    };
    int c, status = TOOL_CONTINUE;

    while (status == TOOL_CONTINUE &&
           (c = getopt_long(argc, argv, "o:p:t:l:m:w:sqvhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            o->dir = optarg;
            break;
        case 'p':
            status = tool_peers_add(&o->peers, optarg, 1);
            break;
        case 't':
            status = tool_trackers_add(&o->trackers, optarg);
            break;
        case 'N':
            o->no_announce = 1;
            break;
        case 'w': {
            enum bt_tracker_scheme scheme;

            if (bt_tracker_url_scheme(optarg, &scheme) != BT_OK || scheme == BT_TRACKER_UDP) {
                tool_warn("unsupported web seed URL '%s' (want http:// or https://)", optarg);
                return TOOL_EXIT_USAGE;
            }
            if (o->webseed_count == BT_WEBSEED_MAX) {
                tool_warn("too many web seeds (at most %d)", BT_WEBSEED_MAX);
                return TOOL_EXIT_USAGE;
            }
            o->webseeds[o->webseed_count++] = optarg;
            break;
        }
        case 'W':
            o->no_webseeds = 1;
            break;
        case TOOL_OPT_NO_PEX:
            o->no_pex = 1;
            break;
        case TOOL_OPT_STRICT:
            o->strict = 1;
            break;
        case 'L':
            o->lsd = 1;
            break;
        case 'l':
            o->listen_text = optarg;
            break;
        case 'm': {
            char *end;
            unsigned long v = strtoul(optarg, &end, 10);

            if (*end != '\0' || v == 0 || v > 10000) {
                tool_warn("invalid peer count '%s'", optarg);
                return TOOL_EXIT_USAGE;
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
        case OPT_SEED_RATIO: {
            const char *end = tool_decimal(optarg, &o->seed_ratio);

            if (end == NULL || *end != '\0' || !(o->seed_ratio > 0) || o->seed_ratio > 1000) {
                tool_warn("invalid seed ratio '%s' (a number above 0, at most 1000)", optarg);
                return TOOL_EXIT_USAGE;
            }
            o->seed = 1;
            break;
        }
        case OPT_SEED_TIME:
            o->seed_time_s = tool_duration("seed time", optarg);
            if (o->seed_time_s < 0)
                return TOOL_EXIT_USAGE;
            o->seed = 1;
            break;
        case 'G':
            o->give_up_s = tool_seconds("give-up time", optarg);
            if (o->give_up_s < 0)
                return TOOL_EXIT_USAGE;
            break;
        case 'T':
            o->timeout_s = tool_seconds("timeout", optarg);
            if (o->timeout_s < 0)
                return TOOL_EXIT_USAGE;
            break;
        case 'q':
            o->quiet = 1;
            break;
        case 'v':
            o->verbose = 1;
            break;
        case OPT_JSON:
            o->json = 1;
            break;
        case OPT_MAX_DOWN:
            o->max_down = tool_rate("download rate", optarg);
            if (o->max_down < 0)
                return TOOL_EXIT_USAGE;
            break;
        case OPT_STATE:
            o->state = optarg;
            break;
        case OPT_RECHECK:
            o->recheck = 1;
            break;
        case OPT_SELECT:
            o->select = optarg;
            break;
        case OPT_EXCLUDE:
            if (o->exclude_count == MAX_EXCLUDES) {
                tool_warn("too many --exclude patterns (at most %d)", MAX_EXCLUDES);
                return TOOL_EXIT_USAGE;
            }
            o->excludes[o->exclude_count++] = optarg;
            break;
        case OPT_FIRST_LAST:
            o->first_last = 1;
            break;
        case OPT_MAX_UP:
            o->max_up = tool_rate("upload rate", optarg);
            if (o->max_up < 0)
                return TOOL_EXIT_USAGE;
            break;
        case 'R':
            o->trace = 1;
            break;
        case TOOL_OPT_ENCRYPTION:
            status = tool_encryption(optarg, &o->encryption);
            break;
        case TOOL_OPT_DHT_BOOTSTRAP:
        case TOOL_OPT_NO_DHT:
            status = tool_dht_option(&o->dht, c, optarg);
            break;
        default:
            return tool_option(c, usage);
        }
    }
    if (status != TOOL_CONTINUE)
        return status;
    if (tool_operands(argc, 1, usage) != TOOL_CONTINUE)
        return TOOL_EXIT_USAGE;
    o->torrent = argv[optind];
    if (bt_addr_parse_listen(o->listen_text, &o->listen) != BT_OK) {
        tool_warn("invalid listen address '%s'", o->listen_text);
        return TOOL_EXIT_USAGE;
    }
    if (o->peers.from_stdin && strcmp(o->torrent, "-") == 0) {
        tool_warn("TORRENT and the peers cannot both be standard input");
        return TOOL_EXIT_USAGE;
    }
    /* Our DHT node listens on UDP where we listen on TCP (the customary pairing). */
    o->dht.listen = o->listen_text;
    o->dht.trace = o->trace;
    o->dht.quiet = o->quiet;
    return TOOL_CONTINUE;
}

static void log_event(void *arg, const char *peer, const char *text)
{
    struct session *s = arg;

    if (s->o->quiet)
        return;
    /* Per-peer comings and goings are noise unless asked for. */
    if (!s->o->verbose && peer != NULL &&
        (strncmp(text, "connected", 9) == 0 || strncmp(text, "disconnected", 12) == 0 ||
         strncmp(text, "failed", 6) == 0 || strncmp(text, "cannot connect", 14) == 0 ||
         strncmp(text, "pex:", 4) == 0))
        return;
    if (peer != NULL)
        tool_warn("%s: %s", peer, text);
    else
        tool_warn("%s", text);
}

/* --json: where the download stands. */
static void json_progress(struct session *s)
{
    int64_t left = s->dl.wanted_bytes - s->dl.have_bytes;
    uint64_t rate = bt_download_rate(&s->dl);

    if (!tool_jsonl_begin(&s->json, "progress"))
        return;
    tool_jsonl_int(&s->json, "ms", (int64_t)(bt_loop_now_ms() - s->start_ms));
    tool_jsonl_int(&s->json, "have", s->dl.have_bytes);
    tool_jsonl_int(&s->json, "size", s->t.content_length);
    tool_jsonl_int(&s->json, "wanted", s->dl.wanted_bytes);
    tool_jsonl_int(&s->json, "pieces", (int64_t)s->dl.picker.have_count);
    tool_jsonl_int(&s->json, "rate", (int64_t)rate);
    tool_jsonl_int(&s->json, "peers", (int64_t)bt_download_open_peers(&s->dl));
    tool_jsonl_int(&s->json, "uploaded", (int64_t)bt_download_uploaded(&s->dl));
    if (left <= 0)
        tool_jsonl_int(&s->json, "eta", 0);
    else if (rate > 0)
        tool_jsonl_int(&s->json, "eta", (left + (int64_t)rate - 1) / (int64_t)rate);
    else
        tool_jsonl_null(&s->json, "eta");
    tool_jsonl_end(&s->json);
}

/* --json: a piece that failed, a peer banned (the library's events). */
static void on_dl_event(void *arg, const struct bt_download_event *e)
{
    struct session *s = arg;

    switch (e->kind) {
    case BT_DL_EVENT_PIECE_FAILED:
        if (tool_jsonl_begin(&s->json, "piece-failed")) {
            tool_jsonl_int(&s->json, "piece", e->piece);
            tool_jsonl_end(&s->json);
        }
        break;
    case BT_DL_EVENT_PEER_BANNED:
        if (tool_jsonl_begin(&s->json, "peer-banned")) {
            tool_jsonl_str(&s->json, "peer", e->peer);
            tool_jsonl_str(&s->json, "why", e->why);
            tool_jsonl_end(&s->json);
        }
        break;
    }
}

static void show_progress(struct session *s)
{
    char peers[32];

    snprintf(peers, sizeof(peers), "%zu peers", bt_download_open_peers(&s->dl));
    tool_progress_show(&s->progress, s->dl.have_bytes, s->dl.wanted_bytes, bt_download_rate(&s->dl),
                       peers);
}

/* What each tracker answered, or why it did not. */
static void on_announced(void *arg, const struct bt_announce_result *r)
{
    struct session *s = arg;

    if (!s->o->quiet)
        tool_announce_report("tracker ", r, s->o->verbose);
}

/* Write the state file (pieces/resume.h), unless it already says as much.
 * A failure is said once: the download goes on without it. */
static void save_state(struct session *s)
{
    enum bt_err err;

    if (s->state_failed || s->state_path[0] == '\0')
        return;
    err = bt_download_save_state(&s->dl, s->state_path);
    s->state_saved_ms = bt_loop_now_ms();
    s->state_saved_have = s->dl.picker.have_count;
    if (err != BT_OK) {
        tool_warn("%s: cannot write the state file: %s%s%s", s->state_path, bt_strerror(err),
                  err == BT_ERR_IO ? ": " : "", err == BT_ERR_IO ? strerror(errno) : "");
        s->state_failed = 1;
    }
}

/* With --seed-ratio or --seed-time: has the seeding that began at
 * s->seeding_since_ms met its goal?  Says which, or NULL. */
static const char *seeding_goal(const struct session *s, uint64_t now_ms)
{
    const struct options *o = s->o;

    if (o->seed_ratio > 0 &&
        (double)bt_download_uploaded(&s->dl) >= o->seed_ratio * (double)s->t.content_length)
        return "ratio";
    if (o->seed_time_s > 0 && now_ms - s->seeding_since_ms >= (uint64_t)o->seed_time_s * 1000)
        return "time";
    return NULL;
}

static void on_tool_tick(void *arg)
{
    struct session *s = arg;
    uint64_t now = bt_loop_now_ms();

    if (s->dl.picker.have_count != s->state_saved_have &&
        (s->dl.complete || now - s->state_saved_ms >= STATE_SAVE_MS))
        save_state(s);
    if (s->dl.complete && s->o->seed) {
        if (s->seeding_since_ms == 0)
            s->seeding_since_ms = now;
        s->goal = seeding_goal(s, now);
        if (s->goal != NULL) {
            bt_loop_stop(&s->loop); /* the announcer says "stopped" on the way out */
            return;
        }
    }
    if (!s->dl.complete || s->o->seed) {
        show_progress(s);
        if (now - s->json_last_ms >= JSON_PROGRESS_MS) {
            json_progress(s);
            s->json_last_ms = now;
        }
    }
    bt_loop_timer(&s->loop, tool_progress_every_ms(&s->progress), on_tool_tick, s, NULL);
}

/* Add the -p peers; "-p -" reads more from standard input, as bt-announce prints them. */
static void add_cli_peers(struct session *s)
{
    struct bt_addr addr;
    size_t i;

    for (i = 0; i < s->o->peers.count; i++)
        bt_download_add_peer(&s->dl, &s->o->peers.addrs[i]);
    while (s->o->peers.from_stdin && tool_next_peer(stdin, &addr))
        bt_download_add_peer(&s->dl, &addr);
    if (s->source.have_from)
        bt_download_add_peer(&s->dl, &s->source.from);
}

static void on_check(void *arg, size_t done, size_t total)
{
    struct session *s = arg;

    if (s->progress.tty && !s->o->quiet && (done % 64 == 0 || done == total)) {
        fprintf(stderr, "\rchecking existing data: %zu/%zu pieces", done, total);
        if (done == total)
            fputc('\n', stderr);
    }
}

/* --json: what is to be downloaded, and what was already there. */
static void json_start(struct session *s)
{
    char hex[2 * BT_INFOHASH_V2_LEN + 1];

    if (!tool_jsonl_begin(&s->json, "start"))
        return;
    tool_jsonl_str(&s->json, "name", s->t.name);
    /* The v1 hash, or a v2-only torrent's cut to 20 bytes: the swarm's name. */
    bt_hex_encode(s->t.info_hash, BT_INFOHASH_LEN, hex);
    tool_jsonl_str(&s->json, "info_hash", hex);
    bt_hex_encode(s->t.info_hash_v2, BT_INFOHASH_V2_LEN, hex);
    tool_jsonl_str(&s->json, "info_hash_v2", (s->t.versions & BT_META_V2) != 0 ? hex : NULL);
    tool_jsonl_int(&s->json, "size", s->t.content_length);
    tool_jsonl_int(&s->json, "wanted", s->dl.wanted_bytes);
    tool_jsonl_int(&s->json, "piece_count", (int64_t)s->t.piece_count);
    tool_jsonl_int(&s->json, "piece_length", s->t.piece_length);
    tool_jsonl_int(&s->json, "have", s->dl.have_bytes);
    tool_jsonl_int(&s->json, "checked", (int64_t)s->dl.checked);
    tool_jsonl_end(&s->json);
}

/* The download's own time: a --seed that followed is not part of it. */
static uint64_t download_ms(const struct session *s)
{
    uint64_t end_ms = s->dl.complete_ms != 0 ? s->dl.complete_ms : bt_loop_now_ms();

    return end_ms > s->start_ms ? end_ms - s->start_ms : 0;
}

/* --json: the last event, with the summary; path on success, error otherwise. */
static void json_done(struct session *s, const char *path, const char *error)
{
    uint64_t ms = download_ms(s);
    int64_t got = s->dl.have_bytes - s->start_have;

    if (!tool_jsonl_begin(&s->json, "done"))
        return;
    tool_jsonl_bool(&s->json, "complete", s->dl.complete);
    tool_jsonl_str(&s->json, "path", path);
    tool_jsonl_str(&s->json, "error", error);
    tool_jsonl_int(&s->json, "have", s->dl.have_bytes);
    tool_jsonl_int(&s->json, "size", s->t.content_length);
    tool_jsonl_int(&s->json, "wanted", s->dl.wanted_bytes);
    tool_jsonl_int(&s->json, "downloaded", got);
    tool_jsonl_int(&s->json, "ms", (int64_t)ms);
    tool_jsonl_int(&s->json, "rate", ms > 0 ? got * 1000 / (int64_t)ms : 0);
    tool_jsonl_int(&s->json, "peers", (int64_t)s->dl.peers_ever);
    tool_jsonl_int(&s->json, "uploaded", (int64_t)bt_download_uploaded(&s->dl));
    tool_jsonl_int(&s->json, "hash_failures", (int64_t)s->dl.hash_fails);
    tool_jsonl_str(&s->json, "seeding_goal", s->goal);
    tool_jsonl_end(&s->json);
}

static void summary(struct session *s)
{
    double secs = (double)download_ms(s) / 1000.0;
    int64_t got = s->dl.have_bytes - s->start_have;
    char total[32], rate[32], up[32];

    if (s->o->quiet)
        return;
    tool_human_bytes((double)got, total, sizeof(total));
    tool_human_bytes(secs > 0 ? (double)got / secs : 0, rate, sizeof(rate));
    tool_human_bytes((double)bt_download_uploaded(&s->dl), up, sizeof(up));
    tool_warn("done: %s in %.1f s (%s/s) from %zu peers; uploaded %s; %zu hash failures", total,
              secs, rate, s->dl.peers_ever, up, s->dl.hash_fails);
    if (s->dl.webseed_count > 0) {
        uint64_t web = 0;
        size_t i;

        for (i = 0; i < s->dl.webseed_count; i++)
            web += s->dl.webseeds[i].bytes;
        tool_human_bytes((double)web, total, sizeof(total));
        tool_warn("web seeds: %s of piece data from %zu", total, s->dl.webseed_count);
    }
    if (s->dl.pex_learned > 0)
        tool_warn("peers learned by peer exchange (BEP 11): %zu", s->dl.pex_learned);
    if (s->goal != NULL)
        tool_warn("seeding goal reached (%s): uploaded %.2f times the payload in %.0f s of seeding",
                  s->goal,
                  s->t.content_length > 0
                      ? (double)bt_download_uploaded(&s->dl) / (double)s->t.content_length
                      : 0.0,
                  (double)(bt_loop_now_ms() - s->seeding_since_ms) / 1000.0);
    if (s->dl.blocks_checked > 0 || s->dl.blocks_bad > 0)
        tool_warn("blocks checked by their leaf hash as they arrived: %" PRIu64 ", %" PRIu64 " bad",
                  s->dl.blocks_checked + s->dl.blocks_bad, s->dl.blocks_bad);
}

/* Make DIR if it does not exist (one level, as aria2c -d and wget -P do). */
static int ensure_dir(const char *dir)
{
    struct stat sb;

    if (stat(dir, &sb) == 0) {
        if (!S_ISDIR(sb.st_mode)) {
            tool_warn("%s: not a directory", dir);
            return 1;
        }
        return 0;
    }
    if (mkdir(dir, 0777) < 0) {
        tool_warn("%s: cannot create directory: %s", dir, strerror(errno));
        return 1;
    }
    return 0;
}

/*
 * --select, --exclude and --first-last: which files to download
 * (pieces/selection.h), told to the storage.  Says what was chosen.
 */
static int choose_files(struct session *s)
{
    const struct options *o = s->o;
    const char *bad = NULL;
    int64_t bytes;
    size_t i, n, total;
    enum bt_err err;

    if (o->select == NULL && o->exclude_count == 0 && !o->first_last)
        return 0;
    total = bt_selection_count(&s->t, NULL, &bytes);
    s->chosen = calloc(s->t.file_count, 1);
    if (s->chosen == NULL) {
        tool_error(BT_ERR_NOMEM, "--select");
        return 1;
    }
    if (o->select == NULL)
        bt_selection_all(&s->t, s->chosen);
    else if (bt_selection_parse(&s->t, o->select, s->chosen, &bad) != BT_OK) {
        tool_warn("--select: '%.*s' is not a file number or range of 1 to %zu (bt-infohash -s "
                  "numbers the files)",
                  (int)strcspn(bad, ","), bad, total);
        return 1;
    }
    for (i = 0; i < o->exclude_count; i++)
        if (bt_selection_exclude(&s->t, o->excludes[i], s->chosen) == 0 && !o->quiet)
            tool_warn("--exclude '%s' matches no file", o->excludes[i]);
    n = bt_selection_count(&s->t, s->chosen, &bytes);
    if (n == 0) {
        tool_warn("no file is left to download (--select, --exclude)");
        return 1;
    }
    err = bt_storage_choose(&s->st, s->chosen);
    if (err != BT_OK) {
        tool_error(err, o->dir);
        return 1;
    }
    if (!o->quiet) {
        char size[32];

        tool_human_bytes((double)bytes, size, sizeof(size));
        tool_warn("chosen: %zu of %zu files, %s", n, total, size);
    }
    return 0;
}

/*
 * What is on disk already: from the state file where it can be trusted
 * (pieces/resume.h), else by hashing every piece.  With --recheck, always by
 * hashing.
 */
static enum bt_err check_existing(struct session *s)
{
    struct bt_resume_file *now = NULL;
    struct bt_bitfield trusted, recheck;
    size_t changed = 0;
    enum bt_err err = BT_ERR_STATE_BAD;
    int saved;

    if (s->o->recheck)
        return bt_download_check(&s->dl, on_check, s);
    bt_bitfield_init(&trusted);
    bt_bitfield_init(&recheck);
    now = calloc(s->t.file_count, sizeof(*now));
    if (now == NULL || bt_bitfield_resize(&trusted, s->t.piece_count) != BT_OK ||
        bt_bitfield_resize(&recheck, s->t.piece_count) != BT_OK) {
        err = BT_ERR_NOMEM;
        goto out;
    }
    err = bt_resume_stat(&s->st, now);
    if (err != BT_OK)
        goto out;
    err = bt_resume_load(s->state_path, &s->t, now, &trusted, &recheck, &changed);
    saved = errno;
    if (err == BT_OK) {
        err = bt_download_resume(&s->dl, &trusted, &recheck, on_check, s);
        if (err == BT_OK && !s->o->quiet)
            tool_warn("state file %s: %zu pieces verified before, %zu checked again (%zu files "
                      "changed)",
                      s->state_path, bt_bitfield_popcount(&trusted), s->dl.checked, changed);
    } else if (err == BT_ERR_NOMEM) {
        goto out;
    } else {
        /* No state yet (the first run) says nothing; a bad one says why. */
        if (!(err == BT_ERR_IO && saved == ENOENT) && !s->o->quiet)
            tool_warn("state file %s: %s%s%s; checking every piece", s->state_path,
                      bt_strerror(err), err == BT_ERR_IO ? ": " : "",
                      err == BT_ERR_IO ? strerror(saved) : "");
        err = bt_download_check(&s->dl, on_check, s);
    }
out:
    free(now);
    bt_bitfield_release(&trusted);
    bt_bitfield_release(&recheck);
    return err;
}

static int prepare_storage(struct session *s)
{
    const char *dir = s->o->dir;
    enum bt_err err;

    if (ensure_dir(dir) != 0)
        return 1;
    err = bt_storage_open(&s->st, &s->t, dir, BT_STORAGE_WRITE);
    if (err != BT_OK) {
        tool_error(err, dir);
        return 1;
    }
    if (access(dir, W_OK) != 0) {
        tool_warn("%s: not writable: %s", dir, strerror(errno));
        return 1;
    }
    if (s->o->state != NULL)
        snprintf(s->state_path, sizeof(s->state_path), "%s", s->o->state);
    else
        snprintf(s->state_path, sizeof(s->state_path), "%s/.%s.bt-state", dir, s->t.name);
    if (choose_files(s) != 0)
        return 1;
    err = bt_download_setup(&s->dl, &s->t, &s->st);
    if (err == BT_OK && s->chosen != NULL)
        err = bt_download_choose(&s->dl, s->chosen, s->o->first_last);
    if (err == BT_OK)
        err = check_existing(s);
    if (err == BT_OK)
        err = bt_storage_prepare(&s->st);
    if (err != BT_OK) {
        char where[1024];

        snprintf(where, sizeof(where), "%s/%s", dir, s->t.files[s->st.failed_file].path);
        tool_error(err, where);
        return 1;
    }
    if (!s->o->quiet && s->dl.have_bytes > 0)
        tool_warn("resuming: %zu of %zu pieces already verified", s->dl.picker.have_count,
                  s->t.piece_count);
    save_state(s); /* the files as prepared: their sizes may have changed */
    return 0;
}

/* A peer of ours on the LAN (BEP 14): a candidate like any other. */
static void on_lsd_peer(void *arg, const struct bt_addr *peer)
{
    struct session *s = arg;
    char name[BT_ADDR_STRLEN];

    bt_addr_format(peer, name);
    if (!s->o->quiet)
        tool_warn("%s: found by local service discovery", name);
    (void)bt_download_add_peer(&s->dl, peer);
}

static int start_download(struct session *s)
{
    struct options *o = s->o;
    struct bt_download_opts dopts;
    enum bt_err err;

    s->dl.log = log_event;
    s->dl.log_arg = s;
    s->dl.event = on_dl_event;
    s->dl.event_arg = s;
    if (o->trace)
        s->dl.trace = tool_trace;
    memset(&dopts, 0, sizeof(dopts));
    dopts.max_conns = o->max_peers;
    dopts.sequential = o->sequential;
    dopts.max_download_rate = (uint64_t)o->max_down;
    dopts.max_upload_rate = (uint64_t)o->max_up;
    dopts.seed_after = o->seed;
    dopts.listen = &o->listen;
    dopts.give_up_ms = (uint64_t)o->give_up_s * 1000;
    err = bt_download_start(&s->dl, &s->loop, &s->cfg, &dopts);
    if (err == BT_ERR_IO && errno == EADDRINUSE && strcmp(o->listen_text, DEFAULT_LISTEN) == 0) {
        /* The customary port is taken (another client?): any port will do. */
        bt_addr_parse_listen("0.0.0.0:0", &o->listen);
        err = bt_download_start(&s->dl, &s->loop, &s->cfg, &dopts);
    }
    if (err != BT_OK) {
        tool_error(err, o->listen_text);
        return 1;
    }
    add_cli_peers(s);
    if (!o->no_webseeds) {
        err = bt_download_webseeds(&s->dl, o->webseeds, o->webseed_count);
        if (err == BT_OK)
            err = bt_download_webseeds(&s->dl, s->t.url_list, s->t.url_list_count);
        if (err != BT_OK) {
            tool_error(err, "web seeds");
            return 1;
        }
    }
    if (s->dht.started)
        bt_download_dht(&s->dl, &s->dht.node.dht, tool_dht_port(&s->dht));
    if (o->lsd && tool_lsd_start(&s->lsd, &s->loop, &s->t, bt_addr_port(&s->dl.pool.listen_addr),
                                 on_lsd_peer, s, o->quiet) != 0)
        return 1;
    return 0;
}

/* Announce to the trackers (the -t ones, else the torrent's) in the background. */
static int start_announcing(struct session *s)
{
    enum bt_err err;

    /* No tracker asked, or a download already complete that will not seed. */
    if (s->o->no_announce || (s->dl.complete && !s->o->seed))
        return 0;
    err = bt_download_announce(&s->dl, s->o->trackers.urls, s->o->trackers.count, on_announced, s);
    if (err != BT_OK) {
        tool_error(err, "trackers");
        return 1;
    }
    return 0;
}

static int run(struct session *s)
{
    struct options *o = s->o;
    char path[4096];
    enum bt_err err;

    s->source.flags = o->strict ? TOOL_SOURCE_STRICT : 0;
    s->source.peers = o->peers.addrs;
    s->source.peer_count = o->peers.count;
    s->source.timeout_s = o->timeout_s;
    s->source.encryption = o->encryption;
    s->source.trace = o->trace;
    s->source.quiet = o->quiet;
    s->source.no_trackers = o->no_announce;
    s->source.dht = &s->dht;
    if (tool_dht_start(&s->dht, TOOL_DHT_BOOTSTRAP, NULL, NULL) != 0)
        return TOOL_EXIT_FAIL;
    if (tool_load_torrent(o->torrent, &s->source, &s->t, NULL) != 0)
        return TOOL_EXIT_FAIL;
    if (tool_peer_config(&s->cfg, &s->t, o->timeout_s) != 0)
        return TOOL_EXIT_FAIL;
    tool_dht_peer_config(&s->dht, &s->cfg);
    s->cfg.reqq = BT_UPLOAD_MAX_REQUESTS;
    bt_handshake_set_bit(s->cfg.reserved, BT_RESERVED_FAST_BYTE, BT_RESERVED_FAST_BIT); /* BEP 6 */
    s->cfg.encryption = o->encryption;
    /* BEP 11; never for a private torrent (download.c) */
    s->cfg.ut_pex_id = o->no_pex ? 0 : BT_EXT_UT_PEX_ID;
    if (prepare_storage(s) != 0 || start_download(s) != 0 || start_announcing(s) != 0)
        return TOOL_EXIT_FAIL;
    s->start_have = s->dl.have_bytes;
    s->start_ms = bt_loop_now_ms();
    json_start(s);
    if (!s->dl.complete || o->seed) {
        bt_loop_timer(&s->loop, 0, on_tool_tick, s, NULL);
        err = bt_loop_run(&s->loop, &tool_interrupted);
        if (err != BT_OK) {
            tool_error(err, "event loop");
            return TOOL_EXIT_FAIL;
        }
    }
    tool_progress_end(&s->progress);
    if (s->dl.picker.have_count != s->state_saved_have)
        save_state(s); /* what the run verified, interrupted or not */
    if (s->dl.fatal != BT_OK) {
        tool_warn("%s: %s", bt_strerror(s->dl.fatal), s->dl.fatal_detail);
        json_done(s, NULL, bt_strerror(s->dl.fatal));
        return TOOL_EXIT_FAIL;
    }
    if (!s->dl.complete) {
        if (tool_interrupted)
            tool_warn("interrupted: %zu of %zu pieces verified; run again to resume",
                      s->dl.picker.have_count, s->t.piece_count);
        else if (s->dl.gave_up)
            tool_warn("%s: %zu of %zu pieces verified after %d s without progress",
                      bt_strerror(BT_ERR_NO_PEERS), s->dl.picker.have_count, s->t.piece_count,
                      (int)((bt_loop_now_ms() - s->dl.last_progress_ms) / 1000));
        json_done(s, NULL, tool_interrupted ? "interrupted" : bt_strerror(BT_ERR_NO_PEERS));
        return TOOL_EXIT_FAIL;
    }
    summary(s);
    /* Every file chosen and complete: pieces once shared with a file not
     * chosen are whole in the files now. */
    if (bt_storage_parts_remove(&s->st) != BT_OK)
        tool_warn("%s/%s: cannot remove: %s", o->dir, s->st.parts_name, strerror(errno));
    tool_apply_attrs(&s->t, o->dir,
                     s->chosen); /* BEP 47: a link or mode missed is told, not fatal */
    snprintf(path, sizeof(path), "%s/%s", o->dir, s->t.multi_file ? s->t.name : s->t.files[0].path);
    if (o->json)
        json_done(s, path, NULL);
    else
        printf("%s\n", path);
    return TOOL_EXIT_OK;
}

int main(int argc, char **argv)
{
    struct options o;
    struct session s;
    int status;

    tool_init(argv);
    memset(&o, 0, sizeof(o));
    o.dir = ".";
    o.listen_text = DEFAULT_LISTEN;
    o.timeout_s = DEFAULT_TIMEOUT_S;
    o.give_up_s = DEFAULT_GIVE_UP_S;
    o.encryption = BT_MSE_PREFER;
    status = parse_options(argc, argv, &o);
    if (status != TOOL_CONTINUE)
        return status;

    tool_catch_signals();

    memset(&s, 0, sizeof(s));
    s.o = &o;
    tool_progress_init(&s.progress, o.quiet);
    tool_jsonl_init(&s.json, o.json);
    bt_torrent_init(&s.t);
    bt_storage_init(&s.st);
    bt_loop_init(&s.loop);
    bt_download_init(&s.dl);
    tool_dht_init(&s.dht, &s.loop, &o.dht);
    bt_lsd_init(&s.lsd);

    status = run(&s);

    bt_lsd_release(&s.lsd);
    bt_download_release(&s.dl);
    tool_dht_stop(&s.dht);
    bt_loop_release(&s.loop);
    bt_storage_release(&s.st);
    free(s.chosen);
    bt_torrent_release(&s.t);
    tool_jsonl_release(&s.json);
    return tool_close_stdout(status);
}
