/*
 * bt-infohash - print the info hash of a .torrent file, or its summary, its piece
 * hashes or its magnet link.  Stage 2 of btkit: tutorials/02-metainfo.md.
 *
 *   $ bt-infohash single.torrent
 *   <40 hex digits>
 *
 * The work is lib/metainfo/metainfo.c (parse and validate, hash the info dict's original
 * bytes) and lib/metainfo/magnet.c; this file parses arguments and prints.  Given a
 * magnet link instead of a file, it first fetches the info dict from the swarm
 * (tools/tool_source.c, lib/session/metadata_fetch.c; stage 7: tutorials/07-magnets.md).
 */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/hex.h"
#include "metainfo/magnet.h"
#include "metainfo/metainfo.h"
#include "tool.h"
#include "tool_dht.h"
#include "tool_peer.h"
#include "tool_source.h"

enum mode {
    MODE_HASH,
    MODE_SUMMARY,
    MODE_PIECES,
    MODE_MAGNET,
};

enum { OPT_LENIENT = 256, OPT_STRICT, OPT_PEER, OPT_SAVE, OPT_TRACE, OPT_V1, OPT_V2 };

static void usage(FILE *out, int help)
{
    fprintf(out,
            "usage: %s [-s | -p | -m] [--v1 | --v2] [-q] [--strict] [--save OUT] [FILE | -]\n"
            "       %s [-s | -p | -m] [--v1 | --v2] [-q] [--save OUT] [--peer PEER]... "
            "[-t SECONDS] [--trace] MAGNET\n",
            tool_name(), tool_name());
    if (!help)
        return;
    fprintf(out,
            "\n"
            "Print the info hash of a .torrent file: the SHA-1 of its info dictionary's\n"
            "bytes as they appear in the file (BEP 3), as 40 hex digits.  A v2 torrent\n"
            "(BEP 52) has a SHA-256 info hash, 64 hex digits; a hybrid has both, and\n"
            "both are printed, v1 first, one per line.  Without FILE,\n"
            "or with -, read standard input.  Given a magnet link, first fetch the info\n"
            "dictionary from peers (BEP 9): the --peer peers, the link's x.pe peers, then\n"
            "its trackers', then the DHT's (BEP 5).\n"
            "\n"
            "  -s, --summary   print a summary for people: name, trackers, sizes, files\n"
            "  -p, --pieces    print the hash of every piece, one per line: SHA-1 (v1),\n"
            "                  or the piece layer's SHA-256 (v2 only, or with --v2)\n"
            "      --v1        only the v1 info hash, piece hashes or magnet topic\n"
            "      --v2        only the v2 ones (BEP 52)\n"
            "  -m, --magnet    print the magnet link (BEP 9)\n"
            "      --strict    refuse non-canonical bencode, malformed optional fields and\n"
            "                  unusable path elements, which by default are read past,\n"
            "                  ignored or made safe with a warning (--lenient: the default)\n"
            "  -q, --quiet     do not warn about unusual piece lengths\n"
            "      --save OUT  also write the .torrent to OUT (for a magnet link: its\n"
            "                  trackers around the fetched info dict, byte for byte)\n"
            "      --peer PEER a peer to ask for a magnet link's metadata (repeatable)\n"
            "  -t, --timeout SECS  per-peer timeout when fetching metadata (default %d)\n"
            "      --dht-bootstrap NODE  find a magnet link's peers in the DHT from NODE,\n"
            "                  HOST:PORT (repeatable)\n"
            "      --no-dht    do not use the DHT (BEP 5)\n"
            "      --trace     show the bytes of the metadata exchange on stderr\n"
            "  -h, --help      print this help\n"
            "  -V, --version   print the version\n"
            "\n"
            "Exit status: 0 on success, 1 for an invalid torrent or a read error, 2 for\n"
            "a usage error.  See bt-infohash(1), tutorials/02-metainfo.md and\n"
            "tutorials/07-magnets.md.\n",
            TOOL_PEER_TIMEOUT_S);
}

static void warn_pieces(const char *file, const struct bt_torrent *t)
{
    if ((t->warnings & BT_META_WARN_PIECE_NOT_POW2) != 0)
        tool_warn("%s: warning: piece length %" PRId64 " is not a power of two", file,
                  t->piece_length);
    if ((t->warnings & BT_META_WARN_PIECE_SMALL) != 0)
        tool_warn("%s: warning: piece length %" PRId64 " is under %d KiB", file, t->piece_length,
                  BT_META_SMALL_PIECE / 1024);
}

/* "label:" padded to one column, then s, cleaned. */
static void print_text(const char *label, const char *s)
{
    printf("%-15s", label);
    tool_print_clean(stdout, s);
    putchar('\n');
}

static const char *plural(int64_t n)
{
    return n == 1 ? "" : "s";
}

/* n bytes for people: "32768 bytes (32 KiB)", or "100 bytes" below 1 KiB. */
static void print_size(const char *label, int64_t n)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = (double)n / 1024;
    size_t u = 0;

    if (n < 1024) {
        printf("%-15s%" PRId64 " byte%s\n", label, n, plural(n));
        return;
    }
    while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
        v /= 1024;
        u++;
    }
    if (v == (double)(int64_t)v)
        printf("%-15s%" PRId64 " bytes (%.0f %s)\n", label, n, v, units[u]);
    else
        printf("%-15s%" PRId64 " bytes (%.1f %s)\n", label, n, v, units[u]);
}

static void print_date(int64_t when)
{
    time_t tt = (time_t)when;
    struct tm tm;
    char text[64];

    if (when >= 0 && gmtime_r(&tt, &tm) != NULL &&
        strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S UTC", &tm) > 0)
        printf("%-15s%s\n", "creation date:", text);
    else
        printf("%-15s%" PRId64 "\n", "creation date:", when);
}

static void print_summary(const struct bt_torrent *t)
{
    char hex[2 * BT_INFOHASH_V2_LEN + 1];
    char label[32];
    size_t files = 0;
    int width = 1, nwidth = 1;
    int64_t longest = 0, last;
    size_t i, j, n;

    print_text("name:", t->name);
    if ((t->versions & BT_META_V1) != 0) {
        bt_hex_encode(t->info_hash, BT_INFOHASH_LEN, hex);
        printf("%-15s%s\n", "info hash:", hex);
    }
    if ((t->versions & BT_META_V2) != 0) {
        bt_hex_encode(t->info_hash_v2, BT_INFOHASH_V2_LEN, hex);
        printf("%-15s%s\n", "info hash v2:", hex);
        printf("%-15s%s\n",
               "version:", (t->versions & BT_META_V1) != 0 ? "hybrid (v1 and v2)" : "v2 (BEP 52)");
    }
    printf("%-15s%s\n", "private:", t->is_private ? "yes" : "no");
    if (t->announce != NULL)
        print_text("tracker:", t->announce);
    for (i = 0; i < t->tier_count; i++) {
        snprintf(label, sizeof(label), "tier %zu:", i + 1);
        for (j = 0; j < t->tiers[i].count; j++)
            print_text(label, t->tiers[i].urls[j]);
    }
    for (i = 0; i < t->url_list_count; i++)
        print_text("web seed:", t->url_list[i]);
    if (t->created_by != NULL)
        print_text("created by:", t->created_by);
    if (t->creation_date != -1)
        print_date(t->creation_date);
    if (t->comment != NULL)
        print_text("comment:", t->comment);
    print_size("piece length:", t->piece_length);
    last = bt_torrent_piece_size(t, t->piece_count - 1);
    printf("%-15s%zu (last piece %" PRId64 " byte%s)\n", "pieces:", t->piece_count, last,
           plural(last));
    print_size("total length:", t->content_length);
    /* Pad files (BEP 47) are the torrent's business, not the user's. */
    for (i = 0; i < t->file_count; i++) {
        files += !t->files[i].pad;
        if (!t->files[i].pad && t->files[i].length > longest)
            longest = t->files[i].length;
    }
    printf("%-15s%zu\n", "files:", files);
    for (; longest >= 10; longest /= 10)
        width++;
    /* Numbered from 1, as bt-download --select takes them. */
    for (n = files; n >= 10; n /= 10)
        nwidth++;
    for (i = 0, n = 0; i < t->file_count; i++) {
        /* A BEP 47 link holds no bytes and has no number: where it points
         * instead of a size. */
        if (t->files[i].symlink != NULL) {
            printf("  %*s  %*s  ", nwidth, "", width, "");
            tool_print_clean(stdout, t->files[i].path);
            fputs(" -> ", stdout);
            tool_print_clean(stdout, t->files[i].symlink);
            putchar('\n');
        }
        if (t->files[i].pad)
            continue;
        printf("  %*zu  %*" PRId64 "  ", nwidth, ++n, width, t->files[i].length);
        tool_print_clean(stdout, t->files[i].path);
        putchar('\n');
    }
}

/* v2: each piece's hash in its file's layer, or the root of a file of one piece. */
static enum bt_err print_pieces_v2(const struct bt_torrent *t)
{
    char hex[2 * BT_PIECES_ROOT_LEN + 2];
    size_t i, file;
    int64_t bytes;

    for (i = 0; i < t->piece_count; i++) {
        const unsigned char *h;

        if (bt_torrent_piece_file(t, i, &file, &bytes) != BT_OK)
            return BT_ERR_INVALID;
        h = bt_torrent_piece_root(t, &t->files[file], i);
        if (h == NULL)
            return BT_ERR_META_LAYER;
        bt_hex_encode(h, BT_PIECES_ROOT_LEN, hex);
        hex[2 * BT_PIECES_ROOT_LEN] = '\n';
        fwrite(hex, 1, 2 * BT_PIECES_ROOT_LEN + 1, stdout);
    }
    return BT_OK;
}

static void print_pieces(const struct bt_torrent *t)
{
    char hex[2 * BT_PIECE_HASH_LEN + 2];
    size_t i;

    for (i = 0; i < t->piece_count; i++) {
        bt_hex_encode(t->piece_hashes + i * BT_PIECE_HASH_LEN, BT_PIECE_HASH_LEN, hex);
        hex[2 * BT_PIECE_HASH_LEN] = '\n';
        fwrite(hex, 1, 2 * BT_PIECE_HASH_LEN + 1, stdout);
    }
}

static enum bt_err print_magnet(const struct bt_torrent *t)
{
    struct bt_buf link;
    enum bt_err err;

    /* Percent-encoding at most triples the names and URLs copied from the file. */
    bt_buf_init(&link, 4 * (size_t)BT_META_MAX_INPUT);
    err = bt_magnet_format(t, &link);
    if (err == BT_OK)
        printf("%s\n", (const char *)link.data);
    bt_buf_release(&link);
    return err;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"summary", no_argument, NULL, 's'},
        {"pieces", no_argument, NULL, 'p'},
        {"magnet", no_argument, NULL, 'm'},
        {"lenient", no_argument, NULL, OPT_LENIENT},
        {"strict", no_argument, NULL, OPT_STRICT},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {"peer", required_argument, NULL, OPT_PEER},
        {"save", required_argument, NULL, OPT_SAVE},
        {"timeout", required_argument, NULL, 't'},
        {"trace", no_argument, NULL, OPT_TRACE},
        {"v1", no_argument, NULL, OPT_V1},
        {"v2", no_argument, NULL, OPT_V2},
        {"dht-bootstrap", required_argument, NULL, TOOL_OPT_DHT_BOOTSTRAP},
        {"no-dht", no_argument, NULL, TOOL_OPT_NO_DHT},
        {NULL, 0, NULL, 0},
    };
    /* A one-shot question: a node that only asks (BEP 43), on any port. */
    struct tool_dht_opts dhto = {.listen = "0.0.0.0:0", .read_only = 1};
    struct tool_dht dht;
    struct bt_loop loop;
    struct tool_peers peers = {.count = 0};
    struct tool_source src = {.flags = TOOL_SOURCE_INFO_ONLY,
                              .timeout_s = TOOL_PEER_TIMEOUT_S,
                              .encryption = BT_MSE_PREFER};
    const char *save = NULL;
    enum mode mode = MODE_HASH;
    int quiet = 0, modes = 0, c, status = TOOL_CONTINUE;
    unsigned want = 0; /* BT_META_V1 or BT_META_V2 with --v1, --v2; 0: what it has */
    const char *file = "-";
    struct bt_buf raw;
    struct bt_torrent t;
    enum bt_err err;

    tool_init(argv);
    while (status == TOOL_CONTINUE &&
           (c = getopt_long(argc, argv, "spmqt:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            mode = MODE_SUMMARY;
            modes++;
            break;
        case 'p':
            mode = MODE_PIECES;
            modes++;
            break;
        case 'm':
            mode = MODE_MAGNET;
            modes++;
            break;
        case OPT_LENIENT: /* the default since issue 16; kept for old scripts */
            src.flags &= ~TOOL_SOURCE_STRICT;
            break;
        case OPT_STRICT:
            src.flags |= TOOL_SOURCE_STRICT;
            break;
        case 'q':
            quiet = 1;
            break;
        case OPT_PEER:
            status = tool_peers_add(&peers, optarg, 0);
            break;
        case OPT_SAVE:
            save = optarg;
            break;
        case 't':
            src.timeout_s = tool_seconds("timeout", optarg);
            if (src.timeout_s < 0)
                return TOOL_EXIT_USAGE;
            break;
        case OPT_V1:
            want = BT_META_V1;
            break;
        case OPT_V2:
            want = BT_META_V2;
            break;
        case OPT_TRACE:
            src.trace = 1;
            dhto.trace = 1;
            break;
        case TOOL_OPT_DHT_BOOTSTRAP:
        case TOOL_OPT_NO_DHT:
            status = tool_dht_option(&dhto, c, optarg);
            break;
        default:
            return tool_option(c, usage);
        }
    }
    if (status != TOOL_CONTINUE)
        return status;
    if (modes > 1) {
        tool_warn("-s, -p and -m exclude each other");
        usage(stderr, 0);
        return TOOL_EXIT_USAGE;
    }
    if (argc - optind > 1) {
        tool_warn("one torrent at a time: unexpected '%s'", argv[optind + 1]);
        usage(stderr, 0);
        return TOOL_EXIT_USAGE;
    }
    if (optind < argc)
        file = argv[optind];

    src.peers = peers.addrs;
    src.peer_count = peers.count;
    src.quiet = quiet;
    bt_buf_init(&raw, BT_META_MAX_INPUT);
    bt_torrent_init(&t);
    bt_loop_init(&loop);
    tool_dht_init(&dht, &loop, &dhto);
    src.dht = &dht;
    status = tool_load_torrent(file, &src, &t, &raw);
    tool_dht_stop(&dht);
    bt_loop_release(&loop);
    if (status != 0) {
        bt_buf_release(&raw);
        return TOOL_EXIT_FAIL;
    }
    if (tool_is_magnet(file))
        file = t.name; /* for warnings: the link is long, the name says which */
    err = save != NULL ? tool_write_file(save, raw.data, raw.len) : BT_OK;
    bt_buf_release(&raw);
    if (err != BT_OK) {
        bt_torrent_release(&t);
        return TOOL_EXIT_FAIL;
    }
    if (!quiet)
        warn_pieces(file, &t);
    if (want != 0 && (t.versions & want) == 0) {
        tool_warn("%s: a %s torrent has no %s info hash", file,
                  want == BT_META_V1 ? "v2-only" : "v1", want == BT_META_V1 ? "v1" : "v2");
        bt_torrent_release(&t);
        return TOOL_EXIT_FAIL;
    }
    if (want != 0)
        t.versions = want; /* print as if it had only that half */

    status = TOOL_EXIT_OK;
    switch (mode) {
    case MODE_HASH: {
        char hex[2 * BT_INFOHASH_V2_LEN + 1];

        if ((t.versions & BT_META_V1) != 0) {
            bt_hex_encode(t.info_hash, BT_INFOHASH_LEN, hex);
            printf("%s\n", hex);
        }
        if ((t.versions & BT_META_V2) != 0) {
            bt_hex_encode(t.info_hash_v2, BT_INFOHASH_V2_LEN, hex);
            printf("%s\n", hex);
        }
        break;
    }
    case MODE_SUMMARY:
        print_summary(&t);
        break;
    case MODE_PIECES:
        if ((t.versions & BT_META_V1) != 0) {
            print_pieces(&t);
            break;
        }
        err = print_pieces_v2(&t);
        if (err != BT_OK) {
            tool_error(err, file);
            status = TOOL_EXIT_FAIL;
        }
        break;
    case MODE_MAGNET:
        err = print_magnet(&t);
        if (err != BT_OK) {
            tool_error(err, file);
            status = TOOL_EXIT_FAIL;
        }
        break;
    }
    bt_torrent_release(&t);
    return tool_close_stdout(status);
}
