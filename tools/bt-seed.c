/*
 * bt-seed - serve a complete torrent to any number of peers (stage 5).
 *
 *   bt-seed [--trust] [-l ADDR] [-c PEER]... [-m MAX] [--trace] [-q] TORRENT DATA
 *
 * DATA is the directory that contains the torrent's name (as transmission's
 * download directory and libtorrent's save_path), or, for a single-file
 * torrent, the file itself.  Prints the address it listens on, then serves
 * until SIGINT or SIGTERM, telling the trackers that it seeds
 * (lib/tracker/announcer.c).
 */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/loop.h"
#include "pieces/storage.h"
#include "session/seed.h"
#include "tool.h"
#include "tool_dht.h"
#include "tool_peer.h"
#include "wire/handshake.h"
#include "tool_source.h"

#define DEFAULT_LISTEN    "127.0.0.1:6881"
#define DEFAULT_TIMEOUT_S 120

struct options {
    const char *torrent, *data;
    const char *listen_text;
    struct bt_addr listen;
    struct tool_peers dial; /* -c */
    struct tool_trackers trackers;
    struct tool_dht_opts dht;
    size_t max_peers;
    int no_announce, trust, trace, quiet, timeout_s, lsd;
    int encryption; /* enum bt_mse_policy */
    int no_pex;
    int strict; /* --strict (issue 16) */
};

static void usage(FILE *f, int help)
{
    fprintf(
        f,
        "usage: %s [--trust] [--strict] [-l ADDR] [-c PEER]... [-m MAX] [--tracker URL]...\n"
        "       [--no-announce] [--dht-bootstrap NODE]... [--no-dht] [--lsd] [--no-pex] [--trace]\n"
        "       [--encryption MODE] [-q] TORRENT DATA\n"
        "\n"
        "Serve TORRENT's complete data to every peer that connects, until interrupted.\n"
        "DATA is the directory that contains the torrent's name (its top directory or\n"
        "its single file), or for a single-file torrent the file itself.  Every piece is\n"
        "checked against its SHA-1 first.  The address listened on is printed on\n"
        "standard output.  Unless --no-dht, a DHT node (BEP 5) runs on the same\n"
        "address's UDP port and announces the torrent there (tutorials/08-dht.md).\n"
        "\n"
        "  -l, --listen ADDR    listen on ADDR (ip:port, port 0 picks one; default %s)\n"
        "  -c, --connect PEER   also dial PEER and serve it (repeatable)\n"
        "      --tracker URL    announce to URL instead of the torrent's trackers\n"
        "                       (repeatable)\n"
        "      --no-announce    contact no tracker\n"
        "      --dht-bootstrap NODE  start our DHT node from NODE, HOST:PORT (repeatable)\n"
        "      --no-dht         do not use the DHT\n"
        "      --lsd            announce on the LAN, and dial the peers heard there (BEP "
        "14)\n" TOOL_NO_PEX_HELP TOOL_STRICT_HELP
        "  -m, --max-peers N    at most N connections (default %d)\n"
        "      --trust          do not check the data's hashes on start\n"
        "      --trace          show every message sent and received on "
        "stderr\n" TOOL_ENCRYPTION_HELP "  -q, --quiet          do not log connections on stderr\n"
        "  -t, --timeout SECS   handshake and idle timeout (default %d)\n"
        "  -h, --help           show this help\n"
        "  -V, --version        show the version\n"
        "\n"
        "Tutorial: tutorials/05-messages.md\n",
        tool_name(), DEFAULT_LISTEN, BT_SEED_MAX_PEERS, DEFAULT_TIMEOUT_S);
}

/* Validate every argument before any I/O. */
static int parse_options(int argc, char **argv, struct options *o)
{
    static const struct option longopts[] = {
        {"listen", required_argument, NULL, 'l'},
        {"connect", required_argument, NULL, 'c'},
        {"max-peers", required_argument, NULL, 'm'},
        {"trust", no_argument, NULL, 'U'},
        {"trace", no_argument, NULL, 'T'},
        {"quiet", no_argument, NULL, 'q'},
        {"timeout", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {"tracker", required_argument, NULL, 'A'},
        {"no-announce", no_argument, NULL, 'N'},
        {"dht-bootstrap", required_argument, NULL, TOOL_OPT_DHT_BOOTSTRAP},
        {"no-dht", no_argument, NULL, TOOL_OPT_NO_DHT},
        {"lsd", no_argument, NULL, 'L'},
        {"encryption", required_argument, NULL, TOOL_OPT_ENCRYPTION},
        {"no-pex", no_argument, NULL, TOOL_OPT_NO_PEX},
        {"strict", no_argument, NULL, TOOL_OPT_STRICT},
        {NULL, 0, NULL, 0},
    };
    int c, status = TOOL_CONTINUE;

    while (status == TOOL_CONTINUE &&
           (c = getopt_long(argc, argv, "l:c:m:qt:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'L':
            o->lsd = 1;
            break;
        case TOOL_OPT_NO_PEX:
            o->no_pex = 1;
            break;
        case TOOL_OPT_STRICT:
            o->strict = 1;
            break;
        case 'l':
            o->listen_text = optarg;
            break;
        case 'c':
            status = tool_peers_add(&o->dial, optarg, 0);
            break;
        case 'm': {
            char *end;
            long v = strtol(optarg, &end, 10);

            if (*optarg == '\0' || *end != '\0' || v < 1 || v > 4096) {
                tool_warn("invalid peer limit '%s' (1-4096)", optarg);
                return TOOL_EXIT_USAGE;
            }
            o->max_peers = (size_t)v;
            break;
        }
        case 'U':
            o->trust = 1;
            break;
        case 'T':
            o->trace = 1;
            break;
        case 'q':
            o->quiet = 1;
            break;
        case 't':
            o->timeout_s = tool_seconds("timeout", optarg);
            if (o->timeout_s < 0)
                return TOOL_EXIT_USAGE;
            break;
        case 'A':
            status = tool_trackers_add(&o->trackers, optarg);
            break;
        case 'N':
            o->no_announce = 1;
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
    if (tool_operands(argc, 2, usage) != TOOL_CONTINUE)
        return TOOL_EXIT_USAGE;
    o->torrent = argv[optind];
    o->data = argv[optind + 1];
    if (bt_addr_parse_listen(o->listen_text, &o->listen) != BT_OK) {
        tool_warn("%s: %s", o->listen_text, bt_strerror(BT_ERR_NET_ADDR));
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
    tool_warn("%s: %s", peer, text);
}

/* Check every piece against its hash, reading with one block-sized buffer; stop
 * at the first that does not match. */
static int verify(struct bt_storage *st, const struct bt_torrent *t, const char *data)
{
    unsigned char *buf = malloc(BT_BLOCK_SIZE);
    size_t i;

    if (buf == NULL) {
        tool_error(BT_ERR_NOMEM, data);
        return 1;
    }
    for (i = 0; i < t->piece_count && !tool_interrupted; i++) {
        enum bt_err err = bt_storage_verify_piece(st, i, buf);

        if (err == BT_ERR_PEER_HASH) {
            tool_warn("%s: piece %zu does not match its SHA-1: the data is not this torrent's "
                      "(or is incomplete)",
                      data, i);
            free(buf);
            return 1;
        }
        if (err != BT_OK) {
            char where[1024];

            snprintf(where, sizeof(where), "%s: %s", data, t->files[st->failed_file].path);
            tool_error(err, where);
            free(buf);
            return 1;
        }
    }
    free(buf);
    return tool_interrupted ? 1 : 0;
}

/* What each tracker answered, or why it did not (nothing with -q). */
static void on_announced(void *arg, const struct bt_announce_result *r)
{
    tool_announce_report("tracker ", r, 0);
}

/* A peer on the LAN (BEP 14): a seeder has nothing to ask of it, so it dials. */
static void on_lsd_peer(void *arg, const struct bt_addr *peer)
{
    struct bt_seed *seed = arg;
    char name[BT_ADDR_STRLEN];
    enum bt_err err = bt_seed_connect(seed, peer);

    bt_addr_format(peer, name);
    if (err != BT_OK)
        tool_error(err, name);
    else if (seed->log != NULL)
        tool_warn("%s: found by local service discovery; dialling", name);
}

/* Open DATA, check it, and serve on the loop; print where we listen. */
static int start_seeding(const struct options *o, struct bt_torrent *t, struct bt_storage *st,
                         struct bt_loop *loop, struct bt_seed *seed, struct tool_dht *dht,
                         struct bt_lsd *lsd)
{
    struct tool_source src = {0};
    struct bt_peer_config cfg;
    char name[BT_ADDR_STRLEN];
    enum bt_err err;
    size_t i;

    src.flags = o->strict ? TOOL_SOURCE_STRICT : 0;
    src.dht = dht;
    src.quiet = o->quiet;
    src.encryption = o->encryption;
    if (tool_load_torrent(o->torrent, &src, t, NULL) != 0)
        return 1;
    err = bt_storage_open(st, t, o->data, BT_STORAGE_READ);
    if (err == BT_ERR_STORAGE_PATH) {
        tool_warn("%s: not a directory, and the torrent has several files: give the "
                  "directory that contains '%s'",
                  o->data, t->name);
        return 1;
    }
    if (err != BT_OK) {
        tool_error(err, o->data);
        return 1;
    }
    if (!o->trust && verify(st, t, o->data) != 0)
        return 1;
    if (tool_peer_config(&cfg, t, o->timeout_s) != 0)
        return 1;
    cfg.reqq = BT_UPLOAD_MAX_REQUESTS;
    bt_handshake_set_bit(cfg.reserved, BT_RESERVED_FAST_BYTE, BT_RESERVED_FAST_BIT); /* BEP 6 */
    cfg.encryption = o->encryption;
    /* BEP 11; never for a private torrent (seed.c) */
    cfg.ut_pex_id = o->no_pex ? 0 : BT_EXT_UT_PEX_ID;
    tool_dht_peer_config(dht, &cfg);
    if (!o->quiet)
        seed->log = log_event;
    if (o->trace)
        seed->trace = tool_trace;
    err = bt_seed_start(seed, loop, t, st, &cfg, &o->listen, o->max_peers);
    if (err != BT_OK) {
        tool_error(err, o->listen_text);
        return 1;
    }
    bt_addr_format(&seed->pool.listen_addr, name);
    printf("%s\n", name);
    fflush(stdout);
    if (dht->started && (err = bt_seed_dht(seed, &dht->node.dht, tool_dht_port(dht))) != BT_OK) {
        tool_error(err, "DHT");
        return 1;
    }
    if (o->lsd && tool_lsd_start(lsd, loop, t, bt_addr_port(&seed->pool.listen_addr), on_lsd_peer,
                                 seed, o->quiet) != 0)
        return 1;
    for (i = 0; i < o->dial.count; i++) {
        err = bt_seed_connect(seed, &o->dial.addrs[i]);
        if (err != BT_OK) {
            bt_addr_format(&o->dial.addrs[i], name);
            tool_error(err, name);
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct options o;
    struct bt_torrent t;
    struct bt_storage st;
    struct bt_loop loop;
    struct bt_seed seed;
    struct tool_dht dht;
    struct bt_lsd lsd;
    int status = TOOL_EXIT_FAIL;
    enum bt_err err;

    tool_init(argv);
    memset(&o, 0, sizeof(o));
    o.listen_text = DEFAULT_LISTEN;
    o.encryption = BT_MSE_PREFER;
    o.max_peers = BT_SEED_MAX_PEERS;
    o.timeout_s = DEFAULT_TIMEOUT_S;
    status = parse_options(argc, argv, &o);
    if (status != TOOL_CONTINUE)
        return status;
    status = TOOL_EXIT_FAIL;

    tool_catch_signals();

    bt_torrent_init(&t);
    bt_storage_init(&st);
    bt_loop_init(&loop);
    bt_seed_init(&seed);
    tool_dht_init(&dht, &loop, &o.dht);
    bt_lsd_init(&lsd);
    if (tool_dht_start(&dht, TOOL_DHT_BOOTSTRAP, NULL, NULL) != 0 ||
        start_seeding(&o, &t, &st, &loop, &seed, &dht, &lsd) != 0)
        goto out;
    if (!o.no_announce) {
        err = bt_seed_announce(&seed, o.trackers.urls, o.trackers.count,
                               o.quiet ? NULL : on_announced, NULL);
        if (err != BT_OK) {
            tool_error(err, "trackers");
            goto out;
        }
    }
    err = bt_loop_run(&loop, &tool_interrupted);
    if (err != BT_OK) {
        tool_error(err, "event loop");
        goto out;
    }
    if (!o.quiet)
        tool_warn("stopped; served %" PRIu64 " bytes", bt_seed_bytes_served(&seed));
    status = TOOL_EXIT_OK;
out:
    bt_lsd_release(&lsd);
    bt_seed_release(&seed);
    tool_dht_stop(&dht);
    bt_loop_release(&loop);
    bt_storage_release(&st);
    bt_torrent_release(&t);
    return tool_close_stdout(status);
}
