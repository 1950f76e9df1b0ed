/*
 * bt-fetch-piece - download one piece from a peer and check its SHA-1 (stage 5).
 *
 *   bt-fetch-piece [--trace] [--encryption MODE] [-t SECONDS] [-w SECONDS] [-p PEER]...
 *                  [-o FILE] TORRENT INDEX
 *
 * Writes exactly the piece's bytes to FILE or stdout.  Peers that fail (no
 * piece, choke, wrong data, unrequested blocks, silence) are dropped with a
 * message and the next is tried.  "-p -" reads peers from stdin.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "session/fetch.h"
#include "core/loop.h"
#include "tool.h"
#include "tool_dht.h"
#include "tool_peer.h"
#include "tool_source.h"

#define DEFAULT_WAIT_S 30

static void usage(FILE *f, int help)
{
    fprintf(
        f,
        "usage: %s [--trace] [--encryption MODE] [-t SECONDS] [-w SECONDS] [-p PEER]... [-o FILE] "
        "TORRENT|MAGNET "
        "INDEX\n"
        "\n"
        "Download piece INDEX (from 0) of TORRENT from a peer, check its SHA-1 and write\n"
        "exactly its bytes to standard output or FILE.  Each -p names a peer (ip:port\n"
        "or [v6]:port); -p - reads peers from standard input, one a line, as\n"
        "bt-announce prints them.  Without -p, the torrent's trackers, then the DHT\n"
        "(BEP 5), are asked for peers.  Peers are tried in order until one delivers.\n"
        "Given a magnet link, the torrent's metadata is fetched first (BEP 9), from\n"
        "the -p peers, the link's x.pe peers, its trackers' or the DHT's.\n"
        "\n"
        "  -p, --peer PEER      a peer to try (repeatable)\n"
        "  -o, --output FILE    write the piece to FILE instead of standard output\n"
        "      --dht-bootstrap NODE  start a DHT node from NODE, HOST:PORT, when no -p peer\n"
        "                       and no tracker gives a peer (repeatable)\n"
        "      --no-dht         do not use the DHT (BEP 5)\n"
        "      --trace          show every byte sent and received on stderr\n" TOOL_ENCRYPTION_HELP
        "  -t, --timeout SECS   connect, handshake, unchoke and idle timeout (default %d)\n"
        "  -h, --help           show this help\n"
        "  -V, --version        show the version\n"
        "\n"
        "Tutorial: tutorials/05-messages.md\n",
        tool_name(), TOOL_PEER_TIMEOUT_S);
}

static int parse_index(const char *s, size_t *out)
{
    char *end;
    unsigned long long v;

    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (*end != '\0' || errno != 0 || v > SIZE_MAX)
        return -1;
    *out = (size_t)v;
    return 0;
}

/* Try one peer; on failure say why. */
static int try_peer(struct bt_fetch *f, struct bt_loop *loop, const struct bt_peer_config *cfg,
                    const struct bt_addr *addr)
{
    enum bt_err err = bt_fetch_piece_from(f, loop, cfg, addr);

    if (err == BT_OK)
        return 0;
    tool_peer_failed(addr, "dropped: ", err, bt_fetch_detail(f));
    return 1;
}

/* Write the verified piece: to a file (whole or not at all), or to stdout. */
static int write_piece(const struct bt_fetch *f, const char *output)
{
    if (output != NULL)
        return tool_write_file(output, f->data, f->piece_size) == BT_OK ? TOOL_EXIT_OK
                                                                        : TOOL_EXIT_FAIL;
    if (fwrite(f->data, 1, f->piece_size, stdout) != f->piece_size) {
        tool_error(BT_ERR_IO, "standard output");
        return TOOL_EXIT_FAIL;
    }
    return TOOL_EXIT_OK;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"peer", required_argument, NULL, 'p'},
        {"output", required_argument, NULL, 'o'},
        {"trace", no_argument, NULL, 'T'},
        {"timeout", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {"dht-bootstrap", required_argument, NULL, TOOL_OPT_DHT_BOOTSTRAP},
        {"no-dht", no_argument, NULL, TOOL_OPT_NO_DHT},
        {"encryption", required_argument, NULL, TOOL_OPT_ENCRYPTION},
        {NULL, 0, NULL, 0},
    };
    /* A one-shot question: a node that only asks (BEP 43), on any port. */
    struct tool_dht_opts dhto = {.listen = "0.0.0.0:0", .read_only = 1};
    struct tool_dht dht;
    struct tool_peers peers = {.count = 0};
    struct tool_source src = {0};
    struct bt_addr addr;
    size_t i, index;
    int c, trace = 0, timeout_s = TOOL_PEER_TIMEOUT_S, wait_s = DEFAULT_WAIT_S;
    int encryption = BT_MSE_PREFER;
    int status = TOOL_CONTINUE;
    const char *output = NULL;
    struct bt_torrent t;
    struct bt_peer_config cfg;
    struct bt_loop loop;
    struct bt_fetch f;
    enum bt_err err;

    tool_init(argv);
    while (status == TOOL_CONTINUE &&
           (c = getopt_long(argc, argv, "p:o:t:w:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'p':
            status = tool_peers_add(&peers, optarg, 1);
            break;
        case 'w':
            wait_s = tool_seconds("wait", optarg);
            if (wait_s < 0)
                return TOOL_EXIT_USAGE;
            break;
        case 'o':
            output = optarg;
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
    if (tool_operands(argc, 2, usage) != TOOL_CONTINUE)
        return TOOL_EXIT_USAGE;
    if (parse_index(argv[optind + 1], &index) != 0) {
        tool_warn("invalid piece index '%s'", argv[optind + 1]);
        return TOOL_EXIT_USAGE;
    }
    if (peers.from_stdin && strcmp(argv[optind], "-") == 0) {
        tool_warn("TORRENT and the peers cannot both be standard input");
        return TOOL_EXIT_USAGE;
    }

    status = TOOL_EXIT_FAIL;
    dhto.trace = trace;
    bt_torrent_init(&t);
    bt_loop_init(&loop);
    tool_dht_init(&dht, &loop, &dhto);
    src.dht = &dht;
    src.peers = peers.addrs;
    src.peer_count = peers.count;
    src.timeout_s = timeout_s;
    src.encryption = encryption;
    src.trace = trace;
    bt_fetch_init(&f);
    if (tool_load_torrent(argv[optind], &src, &t, NULL) != 0)
        goto out;
    if (trace)
        f.trace = tool_trace;
    err = bt_fetch_piece_init(&f, &t, index);
    if (err == BT_ERR_INVALID) {
        tool_warn("%s: no piece %zu (the torrent has %zu)", argv[optind], index, t.piece_count);
    } else if (err != BT_OK) {
        tool_error(err, argv[optind]);
    } else if (tool_peer_config(&cfg, &t, timeout_s) == 0) {
        f.block_timeout_ms = timeout_s * 1000;
        f.wait_ms = wait_s * 1000;
        /* Choked peers are quiet: only the unchoke wait may end that silence. */
        cfg.idle_timeout_ms = (wait_s + timeout_s) * 1000;
        cfg.encryption = encryption;
        if (peers.count == 0 && src.have_from)
            peers.addrs[peers.count++] = src.from; /* the peer that gave the metadata */
        if (peers.count == 0 && !peers.from_stdin)
            peers.count = tool_tracker_peers(&t, cfg.peer_id, t.content_length, timeout_s,
                                             peers.addrs, TOOL_MAX_PEER_ARGS);
        if (peers.count == 0 && !peers.from_stdin)
            peers.count =
                tool_dht_peers(&dht, t.info_hash, TOOL_DHT_WAIT_S, peers.addrs, TOOL_MAX_PEER_ARGS);
        for (i = 0; i < peers.count && status != TOOL_EXIT_OK; i++)
            if (try_peer(&f, &loop, &cfg, &peers.addrs[i]) == 0)
                status = TOOL_EXIT_OK;
        while (peers.from_stdin && status != TOOL_EXIT_OK && tool_next_peer(stdin, &addr))
            if (try_peer(&f, &loop, &cfg, &addr) == 0)
                status = TOOL_EXIT_OK;
        if (status == TOOL_EXIT_OK)
            status = write_piece(&f, output);
        else
            tool_warn("piece %zu: %s", index, bt_strerror(BT_ERR_NO_PEERS));
    }
out:
    bt_fetch_release(&f);
    tool_dht_stop(&dht);
    bt_loop_release(&loop);
    bt_torrent_release(&t);
    return tool_close_stdout(status);
}
