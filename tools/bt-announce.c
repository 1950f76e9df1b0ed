/*
 * bt-announce - announce to a torrent's trackers and print the peers they give.
 *
 *   bt-announce [options] TORRENT
 *   bt-announce [options] --info-hash HEX --tracker URL...
 *
 * stdout: one peer per line, "ip:port" or "[v6]:port" (or one JSON document with
 * --json).  stderr: what each tracker said (interval, seeders, leechers, warnings)
 * and every error.  Stage 3 of the tutorials (tutorials/03-trackers.md).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bencode/json.h"
#include "core/buf.h"
#include "core/hex.h"
#include "core/net.h"
#include "core/random.h"
#include "metainfo/metainfo.h"
#include "tool.h"
#include "tool_source.h"
#include "tracker/client.h"
#include "wire/peerid.h"

#define DEFAULT_TIMEOUT_S 15
#define MAX_TIMEOUT_S     3600
#define DEFAULT_LEFT      1 /* without a torrent the size is unknown: say "still downloading" */
#define JSON_MAX          (4u << 20) /* bytes of the --json document at most */

struct options {
    const char *torrent;
    const char *info_hash_hex;
    const char *peer_id;
    struct tool_trackers trackers;
    int all, json;
    int left_given;
    struct bt_announce_req req;
    struct bt_announce_opts opts;
};

/* What the walk along the tiers gathers, tracker by tracker. */
struct gathered {
    const struct options *o;
    struct bt_peer_list peers; /* every tracker's, merged */
    struct bt_buf trackers;    /* --json: the trackers' objects, comma-separated */
    size_t answered;
    enum bt_err err; /* a local failure (out of memory) */
};

static void usage(FILE *out, int help)
{
    fprintf(out,
            "usage: %s [options] TORRENT | MAGNET\n"
            "       %s [options] --info-hash HEX --tracker URL [--tracker URL]...\n"
            "Announce to the torrent's trackers and print the peers, one per line.\n"
            "\n"
            "  -i, --info-hash HEX     the torrent's 40-digit info hash (no TORRENT)\n"
            "  -t, --tracker URL       an http, https or udp tracker (repeatable; overrides\n"
            "                          the torrent's trackers)\n"
            "  -a, --all               announce to every tracker and merge the peers\n"
            "  -p, --port N            the port we accept peers on (default %d)\n"
            "  -e, --event EVENT       started (default), stopped, completed or none\n"
            "  -n, --numwant N         how many peers to ask for\n"
            "      --left N, --uploaded N, --downloaded N\n"
            "                          byte counts to report (left defaults to the\n"
            "                          torrent's length, or %d without a torrent)\n"
            "      --peer-id ID        20 characters, or 40 hex digits (default: %s and\n"
            "                          12 random characters)\n"
            "  -T, --timeout SECONDS   per tracker, DNS to last byte (default %d)\n"
            "  -j, --json              print everything as one JSON document\n"
            "  -h, --help              show this help\n"
            "  -V, --version           show the version\n"
            "\n"
            "Tutorial: tutorials/03-trackers.md\n",
            tool_name(), tool_name(), BT_TRACKER_DEFAULT_PORT, DEFAULT_LEFT, bt_peerid_prefix(),
            DEFAULT_TIMEOUT_S);
}

static int parse_timeout(const char *s, int *ms)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (s[0] == '\0' || *end != '\0' || errno != 0 || !(v > 0) || v > MAX_TIMEOUT_S)
        return -1;
    *ms = (int)(v * 1000);
    if (*ms < 1)
        *ms = 1;
    return 0;
}

/* Parse the command line into o.  Returns TOOL_CONTINUE, or the status to exit with. */
static int parse_args(int argc, char **argv, struct options *o)
{
    enum { OPT_LEFT = 256, OPT_UPLOADED, OPT_DOWNLOADED, OPT_PEER_ID };
    static const struct option longopts[] = {
        {"info-hash", required_argument, NULL, 'i'},
        {"tracker", required_argument, NULL, 't'},
        {"all", no_argument, NULL, 'a'},
        {"port", required_argument, NULL, 'p'},
        {"event", required_argument, NULL, 'e'},
        {"numwant", required_argument, NULL, 'n'},
        {"left", required_argument, NULL, OPT_LEFT},
        {"uploaded", required_argument, NULL, OPT_UPLOADED},
        {"downloaded", required_argument, NULL, OPT_DOWNLOADED},
        {"peer-id", required_argument, NULL, OPT_PEER_ID},
        {"timeout", required_argument, NULL, 'T'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    int c, status = TOOL_CONTINUE;
    int64_t v;

    while (status == TOOL_CONTINUE &&
           (c = getopt_long(argc, argv, "i:t:ap:e:n:T:jhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'i':
            o->info_hash_hex = optarg;
            if (bt_hex_decode(optarg, o->req.info_hash, BT_TRACKER_HASH_LEN) != BT_OK ||
                strlen(optarg) != 2 * BT_TRACKER_HASH_LEN) {
                tool_warn("invalid info hash '%s' (want 40 hex digits)", optarg);
                return TOOL_EXIT_USAGE;
            }
            break;
        case 't':
            status = tool_trackers_add(&o->trackers, optarg);
            break;
        case 'a':
            o->all = 1;
            break;
        case 'p':
            if (tool_number("port", optarg, 1, 65535, &v) != 0)
                return TOOL_EXIT_USAGE;
            o->req.port = (uint16_t)v;
            break;
        case 'e':
            if (bt_tracker_event_parse(optarg, strlen(optarg), &o->req.event) != BT_OK) {
                tool_warn("invalid event '%s' (want started, stopped, completed or none)", optarg);
                return TOOL_EXIT_USAGE;
            }
            break;
        case 'n':
            if (tool_number("numwant", optarg, 0, INT32_MAX, &v) != 0)
                return TOOL_EXIT_USAGE;
            o->req.numwant = (int32_t)v;
            break;
        case OPT_LEFT:
        case OPT_UPLOADED:
        case OPT_DOWNLOADED:
            if (tool_number("byte count", optarg, 0, INT64_MAX, &v) != 0)
                return TOOL_EXIT_USAGE;
            if (c == OPT_LEFT) {
                o->req.left = v;
                o->left_given = 1;
            } else if (c == OPT_UPLOADED) {
                o->req.uploaded = v;
            } else {
                o->req.downloaded = v;
            }
            break;
        case OPT_PEER_ID:
            if (bt_peerid_parse(optarg, o->req.peer_id) != BT_OK) {
                tool_warn("invalid peer id '%s' (want 20 characters or 40 hex digits)", optarg);
                return TOOL_EXIT_USAGE;
            }
            o->peer_id = optarg;
            break;
        case 'T':
            if (parse_timeout(optarg, &o->opts.timeout_ms) != 0) {
                tool_warn("invalid timeout '%s' (want seconds, above 0, at most %d)", optarg,
                          MAX_TIMEOUT_S);
                return TOOL_EXIT_USAGE;
            }
            break;
        case 'j':
            o->json = 1;
            break;
        default:
            return tool_option(c, usage);
        }
    }
    if (status != TOOL_CONTINUE)
        return status;
    if (optind < argc)
        o->torrent = argv[optind++];
    if (optind < argc) {
        tool_warn("too many operands");
        usage(stderr, 0);
        return TOOL_EXIT_USAGE;
    }
    if (o->torrent == NULL && o->info_hash_hex == NULL) {
        tool_warn("no torrent: give TORRENT, or --info-hash and --tracker");
        usage(stderr, 0);
        return TOOL_EXIT_USAGE;
    }
    if (o->torrent != NULL && o->info_hash_hex != NULL) {
        tool_warn("give TORRENT or --info-hash, not both");
        return TOOL_EXIT_USAGE;
    }
    if (o->torrent == NULL && o->trackers.count == 0) {
        tool_warn("--info-hash needs at least one --tracker");
        return TOOL_EXIT_USAGE;
    }
    return TOOL_CONTINUE;
}

/* A peer's text form, "ip:port" or "[v6]:port", into text (BT_ADDR_STRLEN bytes). */
static void format_peer(const struct bt_netaddr *p, char *text)
{
    struct bt_addr addr;

    bt_addr_from_netaddr(p, &addr);
    bt_addr_format(&addr, text);
}

/* The walk along the tiers tells us of every tracker it asked. */
static void on_result(void *arg, const struct bt_announce_result *r)
{
    struct gathered *g = arg;
    enum bt_err err = BT_OK;

    tool_announce_report("", r, 1);
    if (r->err == BT_OK) {
        g->answered++;
        err = bt_peer_list_merge(&g->peers, &r->resp.peers);
    }
    if (err == BT_OK && g->o->json && g->trackers.len > 0)
        err = bt_buf_append_byte(&g->trackers, ',');
    if (err == BT_OK && g->o->json)
        err = bt_announce_result_json(&g->trackers, r);
    if (err != BT_OK && g->err == BT_OK)
        g->err = err;
}

/* Print the result: one peer a line, or the --json document. */
static enum bt_err print_result(const struct gathered *g)
{
    struct bt_buf doc;
    char text[BT_ADDR_STRLEN];
    enum bt_err err;
    size_t i;

    if (!g->o->json) {
        for (i = 0; i < g->peers.count; i++) {
            format_peer(&g->peers.peers[i], text);
            printf("%s\n", text);
        }
        return BT_OK;
    }
    /* The whole document is built before any of it is printed. */
    bt_buf_init(&doc, JSON_MAX);
    err = bt_buf_append_str(&doc, "{\"peers\":");
    if (err == BT_OK)
        err = bt_peer_list_json(&doc, &g->peers);
    if (err == BT_OK)
        err = bt_buf_append_str(&doc, ",\"trackers\":[");
    if (err == BT_OK)
        err = bt_buf_append(&doc, g->trackers.data, g->trackers.len);
    if (err == BT_OK)
        err = bt_buf_append_str(&doc, "]}\n");
    if (err == BT_OK)
        fwrite(doc.data, 1, doc.len, stdout);
    bt_buf_release(&doc);
    return err;
}

/* The torrent (a file, or a magnet link's hash and trackers), its hash and size
 * into the request. */
static int load(struct options *o, struct bt_torrent *t)
{
    struct tool_source src = {.flags = TOOL_SOURCE_HASH_ONLY};

    if (o->torrent == NULL)
        return 0;
    if (tool_load_torrent(o->torrent, &src, t, NULL) != 0)
        return 1;
    memcpy(o->req.info_hash, t->info_hash, BT_TRACKER_HASH_LEN);
    if (!o->left_given && t->info != NULL)
        o->req.left = t->content_length;
    return 0;
}

int main(int argc, char **argv)
{
    struct options o;
    struct bt_torrent torrent;
    struct bt_tracker_tiers tiers;
    struct bt_announce_result last;
    struct gathered g;
    enum bt_err err;
    int status;

    tool_init(argv);
    memset(&o, 0, sizeof(o));
    bt_announce_req_init(&o.req);
    o.req.event = BT_EVENT_STARTED;
    o.req.left = DEFAULT_LEFT;
    o.opts.timeout_ms = DEFAULT_TIMEOUT_S * 1000;
    status = parse_args(argc, argv, &o);
    if (status != TOOL_CONTINUE)
        return status;

    status = TOOL_EXIT_FAIL;
    bt_torrent_init(&torrent);
    bt_tracker_tiers_init(&tiers);
    bt_announce_resp_init(&last.resp);
    memset(&g, 0, sizeof(g));
    g.o = &o;
    bt_peer_list_init(&g.peers);
    bt_buf_init(&g.trackers, JSON_MAX);
    if (load(&o, &torrent) != 0)
        goto out;
    err = o.peer_id != NULL ? BT_OK : bt_peerid_generate(o.req.peer_id);
    if (err == BT_OK)
        err = bt_random_bytes(&o.req.key, sizeof(o.req.key));
    /* Each --tracker is a tier of its own, in the order given; else the
     * torrent's tiers (BEP 12), or a magnet link's tr values. */
    if (err == BT_OK)
        err = bt_tracker_tiers_for(&tiers, o.torrent != NULL ? &torrent : NULL, o.trackers.urls,
                                   o.trackers.count);
    if (err != BT_OK) {
        tool_error(err, o.torrent);
        goto out;
    }
    if (bt_tracker_tiers_urls(&tiers) == 0) {
        tool_warn("%s: the torrent names no tracker (use --tracker)",
                  tool_is_magnet(o.torrent) ? "magnet link" : o.torrent);
        goto out;
    }
    bt_tracker_announce_tiers(&tiers, &o.req, &o.opts, o.all ? BT_TIERS_ALL : 0, on_result, &g,
                              &last);
    if (g.err != BT_OK) {
        tool_error(g.err, NULL);
        goto out;
    }
    if (g.answered == 0) {
        if (bt_tracker_tiers_urls(&tiers) > 1)
            tool_warn("no tracker answered");
        goto out;
    }
    err = print_result(&g);
    if (err != BT_OK) {
        tool_error(err, "--json");
        goto out;
    }
    status = tool_close_stdout(TOOL_EXIT_OK);
out:
    bt_announce_resp_release(&last.resp);
    bt_buf_release(&g.trackers);
    bt_peer_list_release(&g.peers);
    bt_tracker_tiers_release(&tiers);
    bt_torrent_release(&torrent);
    return status;
}
