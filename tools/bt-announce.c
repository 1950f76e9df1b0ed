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

#include "core/buf.h"
#include "metainfo/magnet.h"
#include "metainfo/metainfo.h"
#include "core/net.h"
#include "core/sha1.h"
#include "tracker/announcer.h"
#include "tool.h"
#include "tracker/tracker.h"

#define DEFAULT_TIMEOUT_S 15
#define MAX_TIMEOUT_S     3600
#define DEFAULT_LEFT      1 /* without a torrent the size is unknown: say "still downloading" */
#define URL_SHOWN_MAX     512

struct options {
    const char *torrent;
    const char *info_hash_hex;
    const char *peer_id;
    const char *trackers[BT_TRACKER_MAX_TIERS];
    size_t tracker_count;
    int all, json;
    int left_given;
    struct bt_announce_req req;
    struct bt_announce_opts opts;
};

/* What one tracker answered, kept for the JSON document. */
struct result {
    const char *url;
    enum bt_err err;
    struct bt_announce_resp resp;
};

static void usage(FILE *out)
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
            bt_tool_name(), bt_tool_name(), BT_TRACKER_DEFAULT_PORT, DEFAULT_LEFT,
            BT_PEER_ID_PREFIX, DEFAULT_TIMEOUT_S);
}

static int parse_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (s[0] == '\0' || *end != '\0' || errno != 0 || v < min || v > max)
        return -1;
    *out = v;
    return 0;
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

static int parse_event(const char *s, enum bt_tracker_event *event)
{
    if (strcmp(s, "started") == 0)
        *event = BT_EVENT_STARTED;
    else if (strcmp(s, "stopped") == 0)
        *event = BT_EVENT_STOPPED;
    else if (strcmp(s, "completed") == 0)
        *event = BT_EVENT_COMPLETED;
    else if (strcmp(s, "none") == 0)
        *event = BT_EVENT_NONE;
    else
        return -1;
    return 0;
}

static int parse_peer_id(const char *s, unsigned char out[BT_TRACKER_HASH_LEN])
{
    size_t n = strlen(s);

    if (n == 2 * BT_TRACKER_HASH_LEN)
        return bt_hex_decode(s, out, BT_TRACKER_HASH_LEN) == BT_OK ? 0 : -1;
    if (n != BT_TRACKER_HASH_LEN)
        return -1;
    memcpy(out, s, n);
    return 0;
}

/* Parse the command line into o.  Returns -1 after printing a usage error. */
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
    int c;
    int64_t v;

    while ((c = getopt_long(argc, argv, "i:t:ap:e:n:T:jhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'i':
            o->info_hash_hex = optarg;
            if (bt_hex_decode(optarg, o->req.info_hash, BT_TRACKER_HASH_LEN) != BT_OK ||
                strlen(optarg) != 2 * BT_TRACKER_HASH_LEN) {
                bt_tool_warn("invalid info hash '%s' (want 40 hex digits)", optarg);
                return -1;
            }
            break;
        case 't':
            if (o->tracker_count == BT_TRACKER_MAX_TIERS) {
                bt_tool_warn("too many trackers (at most %d)", BT_TRACKER_MAX_TIERS);
                return -1;
            }
            o->trackers[o->tracker_count++] = optarg;
            break;
        case 'a':
            o->all = 1;
            break;
        case 'p':
            if (parse_int64(optarg, 1, 65535, &v) != 0) {
                bt_tool_warn("invalid port '%s' (want 1-65535)", optarg);
                return -1;
            }
            o->req.port = (uint16_t)v;
            break;
        case 'e':
            if (parse_event(optarg, &o->req.event) != 0) {
                bt_tool_warn("invalid event '%s' (want started, stopped, completed or none)",
                             optarg);
                return -1;
            }
            break;
        case 'n':
            if (parse_int64(optarg, 0, INT32_MAX, &v) != 0) {
                bt_tool_warn("invalid numwant '%s'", optarg);
                return -1;
            }
            o->req.numwant = (int32_t)v;
            break;
        case OPT_LEFT:
        case OPT_UPLOADED:
        case OPT_DOWNLOADED:
            if (parse_int64(optarg, 0, INT64_MAX, &v) != 0) {
                bt_tool_warn("invalid byte count '%s'", optarg);
                return -1;
            }
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
            if (parse_peer_id(optarg, o->req.peer_id) != 0) {
                bt_tool_warn("invalid peer id '%s' (want 20 characters or 40 hex digits)", optarg);
                return -1;
            }
            o->peer_id = optarg;
            break;
        case 'T':
            if (parse_timeout(optarg, &o->opts.timeout_ms) != 0) {
                bt_tool_warn("invalid timeout '%s' (want seconds, above 0, at most %d)", optarg,
                             MAX_TIMEOUT_S);
                return -1;
            }
            break;
        case 'j':
            o->json = 1;
            break;
        case 'h':
            usage(stdout);
            exit(bt_tool_close_stdout(BT_EXIT_OK));
        case 'V':
            bt_tool_version();
            exit(bt_tool_close_stdout(BT_EXIT_OK));
        default:
            usage(stderr);
            return -1;
        }
    }
    if (optind < argc)
        o->torrent = argv[optind++];
    if (optind < argc) {
        bt_tool_warn("too many operands");
        usage(stderr);
        return -1;
    }
    if (o->torrent == NULL && o->info_hash_hex == NULL) {
        bt_tool_warn("no torrent: give TORRENT, or --info-hash and --tracker");
        usage(stderr);
        return -1;
    }
    if (o->torrent != NULL && o->info_hash_hex != NULL) {
        bt_tool_warn("give TORRENT or --info-hash, not both");
        return -1;
    }
    if (o->torrent == NULL && o->tracker_count == 0) {
        bt_tool_warn("--info-hash needs at least one --tracker");
        return -1;
    }
    return 0;
}

/* The tiers to try: each --tracker is a tier of its own, in the order given; else
 * a magnet link's tr values, the same way; else the torrent's announce-list (BEP 12),
 * or its single announce URL. */
static enum bt_err build_tiers(const struct options *o, const struct bt_torrent *t,
                               const struct bt_magnet *magnet, struct bt_tracker_tiers *tiers)
{
    if (o->tracker_count > 0)
        return bt_tracker_tiers_for(tiers, NULL, (char *const *)o->trackers, o->tracker_count);
    if (magnet != NULL)
        return bt_tracker_tiers_for(tiers, NULL, magnet->trackers, magnet->tracker_count);
    return bt_tracker_tiers_for(tiers, t, NULL, 0);
}

/* Read and parse the torrent ("-" is standard input); say what is wrong if it fails. */
static enum bt_err load_torrent(const char *path, struct bt_torrent *t)
{
    struct bt_buf data;
    struct bt_meta_error e;
    enum bt_err err;

    bt_buf_init(&data, BT_META_MAX_INPUT);
    err = bt_buf_read_file(&data, path);
    if (err != BT_OK) {
        bt_tool_error(err, path);
        bt_buf_release(&data);
        return err;
    }
    memset(&e, 0, sizeof(e));
    err = bt_torrent_parse_detailed(t, data.data, data.len, BT_META_LENIENT, &e);
    bt_buf_release(&data);
    if (err == BT_ERR_NOMEM)
        bt_tool_error(err, path);
    else if (err != BT_OK && e.field[0] != '\0')
        bt_tool_warn("%s: byte %zu: %s: %s", path, e.offset, e.field, bt_strerror(err));
    else if (err != BT_OK)
        bt_tool_warn("%s: byte %zu: %s", path, e.offset, bt_strerror(err));
    return err;
}

/* Tell, on stderr, what one tracker answered or why it failed. */
static void report(const struct result *r)
{
    const struct bt_announce_resp *resp = &r->resp;
    char url[URL_SHOWN_MAX], text[BT_TRACKER_MAX_MESSAGE + 1];
    const char *name = bt_tool_name();

    bt_tool_printable(r->url, strlen(r->url), url, sizeof(url));
    switch (r->err) {
    case BT_OK:
        fprintf(stderr,
                "%s: %s: interval %" PRId64 " s, %" PRId64 " seeders, %" PRId64
                " leechers, %zu peers\n",
                name, url, resp->interval, resp->complete, resp->incomplete, resp->peers.count);
        if (resp->warning != NULL) {
            bt_tool_printable(resp->warning, strlen(resp->warning), text, sizeof(text));
            fprintf(stderr, "%s: %s: warning: %s\n", name, url, text);
        }
        if (resp->skipped > 0)
            fprintf(stderr, "%s: %s: skipped %zu peers given by host name\n", name, url,
                    resp->skipped);
        if (resp->peers.dropped > 0)
            fprintf(stderr, "%s: %s: kept %d peers, dropped %zu\n", name, url, BT_TRACKER_MAX_PEERS,
                    resp->peers.dropped);
        break;
    case BT_ERR_TRACKER_FAILURE:
        bt_tool_printable(resp->failure, strlen(resp->failure), text, sizeof(text));
        fprintf(stderr, "%s: %s: %s: %s\n", name, url, bt_strerror(r->err), text);
        break;
    case BT_ERR_TRACKER_HTTP:
        if (resp->http_status != 0)
            fprintf(stderr, "%s: %s: %s: status %ld\n", name, url, bt_strerror(r->err),
                    resp->http_status);
        else
            bt_tool_error(r->err, url);
        break;
    case BT_ERR_TRACKER_NOT_BENCODED:
        fprintf(stderr, "%s: %s: %s: byte %zu: %s\n", name, url, bt_strerror(r->err),
                resp->err_offset, bt_strerror(resp->bencode_err));
        break;
    case BT_ERR_TRACKER_RESPONSE:
    case BT_ERR_TRACKER_PEERS:
        if (resp->detail[0] != '\0')
            fprintf(stderr, "%s: %s: %s: %s\n", name, url, bt_strerror(r->err), resp->detail);
        else
            bt_tool_error(r->err, url);
        break;
    default:
        bt_tool_error(r->err, url);
        break;
    }
}

static void json_string(const char *s)
{
    const unsigned char *p;

    if (s == NULL) {
        fputs("null", stdout);
        return;
    }
    putchar('"');
    for (p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7f)
            printf("\\u%04x", *p); /* bytes, not text: keep the JSON valid ASCII */
        else
            putchar(*p);
    }
    putchar('"');
}

static void json_count(const char *key, int64_t v)
{
    printf(",\"%s\":", key);
    if (v < 0)
        fputs("null", stdout);
    else
        printf("%" PRId64, v);
}

/* A peer's text form, "ip:port" or "[v6]:port", into text (BT_ADDR_STRLEN bytes). */
static void format_peer(const struct bt_tracker_peer *p, char *text)
{
    struct bt_addr addr;

    bt_addr_from_raw(p->ip, p->iplen, p->port, &addr);
    bt_addr_format(&addr, text);
}

static void print_peers_json(const struct bt_peer_list *peers)
{
    char text[BT_ADDR_STRLEN];
    size_t i;

    putchar('[');
    for (i = 0; i < peers->count; i++) {
        format_peer(&peers->peers[i], text);
        printf("%s\"%s\"", i > 0 ? "," : "", text);
    }
    putchar(']');
}

static void print_json(const struct result *results, size_t n, const struct bt_peer_list *peers)
{
    size_t i;

    fputs("{\"peers\":", stdout);
    print_peers_json(peers);
    fputs(",\"trackers\":[", stdout);
    for (i = 0; i < n; i++) {
        const struct bt_announce_resp *resp = &results[i].resp;

        fputs(i > 0 ? ",{\"url\":" : "{\"url\":", stdout);
        json_string(results[i].url);
        fputs(",\"error\":", stdout);
        json_string(results[i].err == BT_OK ? NULL : bt_strerror(results[i].err));
        fputs(",\"failure_reason\":", stdout);
        json_string(resp->failure);
        fputs(",\"warning\":", stdout);
        json_string(resp->warning);
        json_count("interval", results[i].err == BT_OK ? resp->interval : -1);
        json_count("min_interval", results[i].err == BT_OK ? resp->min_interval : -1);
        json_count("seeders", results[i].err == BT_OK ? resp->complete : -1);
        json_count("leechers", results[i].err == BT_OK ? resp->incomplete : -1);
        fputs(",\"peers\":", stdout);
        if (results[i].err == BT_OK)
            print_peers_json(&resp->peers);
        else
            fputs("[]", stdout);
        putchar('}');
    }
    fputs("]}\n", stdout);
}

static void print_peers(const struct bt_peer_list *peers)
{
    char text[BT_ADDR_STRLEN];
    size_t i;

    for (i = 0; i < peers->count; i++) {
        format_peer(&peers->peers[i], text);
        printf("%s\n", text);
    }
}

/*
 * Announce along the tiers: without --all, stop at the first tracker that
 * answers (and promote it in its tier, BEP 12); with --all, ask every one.
 * Fills results (one per tracker tried) and the merged peers; returns how many
 * trackers answered.
 */
static size_t run(const struct options *o, struct bt_tracker_tiers *tiers, struct result *results,
                  size_t *result_count, struct bt_peer_list *peers)
{
    size_t t, i, answered = 0;

    for (t = 0; t < tiers->count; t++) {
        for (i = 0; i < tiers->counts[t]; i++) {
            struct result *r = &results[(*result_count)++];

            r->url = tiers->urls[t][i];
            bt_announce_resp_init(&r->resp);
            r->err = bt_tracker_announce(r->url, &o->req, &o->opts, &r->resp);
            if (r->err == BT_OK)
                r->err = bt_peer_list_merge(peers, &r->resp.peers);
            report(r);
            if (r->err != BT_OK)
                continue;
            answered++;
            if (!o->all) {
                bt_tracker_tiers_promote(tiers, t, i);
                return answered;
            }
        }
    }
    return answered;
}

int main(int argc, char **argv)
{
    struct options o;
    struct bt_torrent torrent;
    struct bt_magnet magnet;
    struct bt_tracker_tiers tiers;
    struct bt_peer_list peers;
    struct result *results = NULL;
    size_t result_count = 0, total = 0, t, answered;
    enum bt_err err;
    int status = BT_EXIT_FAIL, is_magnet = 0;

    bt_tool_init(argv[0]);
    memset(&o, 0, sizeof(o));
    bt_announce_req_init(&o.req);
    o.req.event = BT_EVENT_STARTED;
    o.req.left = DEFAULT_LEFT;
    o.opts.timeout_ms = DEFAULT_TIMEOUT_S * 1000;
    if (parse_args(argc, argv, &o) != 0)
        return BT_EXIT_USAGE;
    for (t = 0; t < o.tracker_count; t++) {
        enum bt_tracker_scheme scheme;

        if (bt_tracker_url_scheme(o.trackers[t], &scheme) != BT_OK) {
            bt_tool_warn("unsupported tracker URL '%s' (want http://, https:// or udp://)",
                         o.trackers[t]);
            return BT_EXIT_USAGE;
        }
    }

    bt_torrent_init(&torrent);
    bt_magnet_init(&magnet);
    bt_tracker_tiers_init(&tiers);
    bt_peer_list_init(&peers);
    if (o.torrent != NULL && strncmp(o.torrent, "magnet:", 7) == 0) {
        err = bt_magnet_parse(&magnet, o.torrent);
        if (err != BT_OK) {
            bt_tool_error(err, NULL);
            goto out;
        }
        is_magnet = 1;
        memcpy(o.req.info_hash, magnet.info_hash, BT_TRACKER_HASH_LEN);
    } else if (o.torrent != NULL) {
        if (load_torrent(o.torrent, &torrent) != BT_OK)
            goto out;
        memcpy(o.req.info_hash, torrent.info_hash, BT_TRACKER_HASH_LEN);
        if (!o.left_given)
            o.req.left = torrent.total_length;
    }
    err = o.peer_id != NULL ? BT_OK : bt_peer_id_generate(o.req.peer_id);
    if (err == BT_OK)
        err = bt_random_bytes(&o.req.key, sizeof(o.req.key));
    if (err == BT_OK)
        err = build_tiers(&o, o.torrent != NULL && !is_magnet ? &torrent : NULL,
                          is_magnet ? &magnet : NULL, &tiers);
    if (err != BT_OK) {
        bt_tool_error(err, o.torrent);
        goto out;
    }
    for (t = 0; t < tiers.count; t++)
        total += tiers.counts[t];
    if (total == 0) {
        bt_tool_warn("%s: the torrent names no tracker (use --tracker)",
                     is_magnet ? "magnet link" : o.torrent);
        goto out;
    }
    results = calloc(total, sizeof(*results));
    if (results == NULL) {
        bt_tool_error(BT_ERR_NOMEM, NULL);
        goto out;
    }
    answered = run(&o, &tiers, results, &result_count, &peers);
    if (answered == 0) {
        if (result_count > 1)
            bt_tool_warn("no tracker answered");
        goto out;
    }
    if (o.json)
        print_json(results, result_count, &peers);
    else
        print_peers(&peers);
    status = bt_tool_close_stdout(BT_EXIT_OK);
out:
    for (t = 0; t < result_count; t++)
        bt_announce_resp_release(&results[t].resp);
    free(results);
    bt_peer_list_release(&peers);
    bt_tracker_tiers_release(&tiers);
    bt_torrent_release(&torrent);
    bt_magnet_release(&magnet);
    return status;
}
