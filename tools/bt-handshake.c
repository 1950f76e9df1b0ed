/*
 * bt-handshake - connect to a peer and exchange BitTorrent handshakes (stage 4).
 *
 *   bt-handshake [-v] [--trace] [--encryption MODE] [-t SECONDS] TORRENT|MAGNET PEER
 *
 * A magnet link serves as well as a torrent: the handshake needs only the info
 * hash.  With -v, "extension m: ut_metadata N" says the peer can send the
 * metadata (BEP 9).
 * Prints the peer's id as 40 hex digits.  PEER "-" reads peers from stdin, one a
 * line (as bt-announce prints them), and tries each until one answers.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/extension.h"
#include "session/fetch.h"
#include "wire/handshake.h"
#include "core/loop.h"
#include "wire/peerid.h"
#include "tool.h"
#include "tool_peer.h"
#include "tool_source.h"

static void usage(FILE *f, int help)
{
    fprintf(
        f,
        "usage: %s [-v] [--trace] [--encryption MODE] [-t SECONDS] TORRENT|MAGNET PEER\n"
        "\n"
        "Connect to PEER (ip:port or [v6]:port; - reads peers from stdin, one a line,\n"
        "and tries each until one answers), exchange handshakes for TORRENT (a file or\n"
        "a magnet link), and print the peer's id as 40 hex digits.\n"
        "\n"
        "  -v, --verbose        also print the peer's client, reserved bits and\n"
        "                       extension handshake (BEP 10), one \"key: value\" a line\n"
        "      --trace          show every byte sent and received on stderr\n" TOOL_ENCRYPTION_HELP
        "  -t, --timeout SECS   connect and handshake timeout (default %d)\n"
        "  -h, --help           show this help\n"
        "  -V, --version        show the version\n"
        "\n"
        "Tutorial: tutorials/04-handshake.md\n",
        tool_name(), TOOL_PEER_TIMEOUT_S);
}

static void print_reserved(const unsigned char *r)
{
    char hex[2 * BT_RESERVED_LEN + 1];
    const char *sep = " (";

    bt_hex_encode(r, BT_RESERVED_LEN, hex);
    printf("reserved: %s", hex);
    if (bt_handshake_has_bit(r, BT_RESERVED_EXTENSION_BYTE, BT_RESERVED_EXTENSION_BIT)) {
        printf("%sextension protocol", sep);
        sep = ", ";
    }
    if (bt_handshake_has_bit(r, BT_RESERVED_FAST_BYTE, BT_RESERVED_FAST_BIT)) {
        printf("%sfast", sep);
        sep = ", ";
    }
    if (bt_handshake_has_bit(r, BT_RESERVED_DHT_BYTE, BT_RESERVED_DHT_BIT)) {
        printf("%sDHT", sep);
        sep = ", ";
    }
    printf("%s\n", sep[0] == ',' ? ")" : "");
}

static void print_peer(const struct bt_peer *p, int verbose)
{
    char hex[2 * BT_PEER_ID_LEN + 1], client[BT_PEERID_NAME_MAX];
    size_t i;

    bt_hex_encode(p->remote.peer_id, BT_PEER_ID_LEN, hex);
    printf("%s\n", hex);
    if (!verbose)
        return;
    bt_peerid_client(p->remote.peer_id, client);
    printf("peer: %s\n", p->name);
    printf("client: %s\n", client);
    print_reserved(p->remote.reserved);
    if (!p->has_ext)
        return;
    printf("extension v: %s\n", p->ext.client);
    if (p->ext.port != 0)
        printf("extension p: %lld\n", (long long)p->ext.port);
    if (p->ext.reqq != 0)
        printf("extension reqq: %lld\n", (long long)p->ext.reqq);
    if (p->ext.metadata_size != 0)
        printf("extension metadata_size: %lld\n", (long long)p->ext.metadata_size);
    for (i = 0; i < p->ext.m_count; i++)
        printf("extension m: %s %lld\n", p->ext.m[i].name, (long long)p->ext.m[i].id);
}

/* Shake hands with one peer; print the result or the reason it failed. */
static int try_peer(struct bt_fetch *f, struct bt_loop *loop, const struct bt_peer_config *cfg,
                    const struct bt_addr *addr, int verbose)
{
    enum bt_err err = bt_fetch_handshake(f, loop, cfg, addr);

    if (err == BT_OK) {
        print_peer(&f->peer, verbose);
        return 0;
    }
    tool_peer_failed(addr, "", err, bt_fetch_detail(f));
    return 1;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"verbose", no_argument, NULL, 'v'},
        {"trace", no_argument, NULL, 'T'},
        {"timeout", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {"encryption", required_argument, NULL, TOOL_OPT_ENCRYPTION},
        {NULL, 0, NULL, 0},
    };
    /* The handshake needs only the info hash: a magnet link's is enough. */
    struct tool_source src = {.flags = TOOL_SOURCE_HASH_ONLY};
    struct bt_torrent t;
    struct bt_peer_config cfg;
    struct bt_loop loop;
    struct bt_fetch f;
    struct bt_addr addr;
    int c, verbose = 0, trace = 0, timeout_s = TOOL_PEER_TIMEOUT_S, status = TOOL_EXIT_FAIL;
    int encryption = BT_MSE_PREFER;

    tool_init(argv);
    while ((c = getopt_long(argc, argv, "vt:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'v':
            verbose = 1;
            break;
        case 'T':
            trace = 1;
            break;
        case 't':
            timeout_s = tool_seconds("timeout", optarg);
            if (timeout_s < 0)
                return TOOL_EXIT_USAGE;
            break;
        case TOOL_OPT_ENCRYPTION:
            if (tool_encryption(optarg, &encryption) != TOOL_CONTINUE)
                return TOOL_EXIT_USAGE;
            break;
        default:
            return tool_option(c, usage);
        }
    }
    if (tool_operands(argc, 2, usage) != TOOL_CONTINUE)
        return TOOL_EXIT_USAGE;
    if (strcmp(argv[optind + 1], "-") != 0 && bt_addr_parse(argv[optind + 1], &addr) != BT_OK) {
        tool_warn("%s: %s", argv[optind + 1], bt_strerror(BT_ERR_NET_ADDR));
        return TOOL_EXIT_USAGE;
    }
    if (strcmp(argv[optind], "-") == 0 && strcmp(argv[optind + 1], "-") == 0) {
        tool_warn("TORRENT and PEER cannot both be standard input");
        return TOOL_EXIT_USAGE;
    }

    bt_torrent_init(&t);
    if (tool_load_torrent(argv[optind], &src, &t, NULL) != 0) {
        bt_torrent_release(&t);
        return TOOL_EXIT_FAIL;
    }
    bt_loop_init(&loop);
    bt_fetch_init(&f);
    if (trace)
        f.trace = tool_trace;
    if (tool_peer_config(&cfg, &t, timeout_s) == 0) {
        cfg.encryption = encryption;
        if (strcmp(argv[optind + 1], "-") != 0) {
            status = try_peer(&f, &loop, &cfg, &addr, verbose) == 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
        } else {
            while (status != TOOL_EXIT_OK && tool_next_peer(stdin, &addr))
                if (try_peer(&f, &loop, &cfg, &addr, verbose) == 0)
                    status = TOOL_EXIT_OK;
            if (status != TOOL_EXIT_OK)
                tool_warn("no peer answered");
        }
    }
    bt_fetch_release(&f);
    bt_loop_release(&loop);
    bt_torrent_release(&t);
    return tool_close_stdout(status);
}
