/*
 * bt-fetch-piece - download one piece from a peer and check its SHA-1 (stage 5).
 *
 *   bt-fetch-piece [--trace] [-t SECONDS] [-w SECONDS] [-p PEER]... [-o FILE] TORRENT INDEX
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
#include "source.h"
#include "tool.h"
#include "wire.h"

#define MAX_PEER_ARGS 64

static void usage(FILE *f)
{
    fprintf(f,
            "usage: %s [--trace] [-t SECONDS] [-w SECONDS] [-p PEER]... [-o FILE] TORRENT|MAGNET "
            "INDEX\n"
            "\n"
            "Download piece INDEX (from 0) of TORRENT from a peer, check its SHA-1 and write\n"
            "exactly its bytes to standard output or FILE.  Each -p names a peer (ip:port\n"
            "or [v6]:port); -p - reads peers from standard input, one a line, as\n"
            "bt-announce prints them.  Without -p, the torrent's trackers are asked for\n"
            "peers.  Peers are tried in order until one delivers.  Given a magnet link,\n"
            "the torrent's metadata is fetched first (BEP 9), from the -p peers, the\n"
            "link's x.pe peers or its trackers'.\n"
            "\n"
            "  -p, --peer PEER      a peer to try (repeatable)\n"
            "  -o, --output FILE    write the piece to FILE instead of standard output\n"
            "      --trace          show every byte sent and received on stderr\n"
            "  -t, --timeout SECS   connect, handshake, unchoke and idle timeout (default %d)\n"
            "  -h, --help           show this help\n"
            "  -V, --version        show the version\n"
            "\n"
            "Tutorial: tutorials/05-messages.md\n",
            bt_tool_name(), BT_WIRE_TIMEOUT_S);
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
    bt_wire_peer_failed(addr, "dropped: ", err, bt_fetch_detail(f));
    return 1;
}

/* Write the verified piece; a file is only created once the piece is good. */
static int write_piece(const struct bt_fetch *f, const char *output)
{
    FILE *out = stdout;

    if (output != NULL) {
        out = fopen(output, "wb");
        if (out == NULL) {
            bt_tool_error(BT_ERR_IO, output);
            return BT_EXIT_FAIL;
        }
    }
    if (fwrite(f->data, 1, f->piece_size, out) != f->piece_size) {
        bt_tool_error(BT_ERR_IO, output != NULL ? output : "standard output");
        if (output != NULL)
            fclose(out);
        return BT_EXIT_FAIL;
    }
    if (output != NULL && fclose(out) != 0) {
        bt_tool_error(BT_ERR_IO, output);
        return BT_EXIT_FAIL;
    }
    return BT_EXIT_OK;
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
        {NULL, 0, NULL, 0},
    };
    struct bt_addr peers[MAX_PEER_ARGS], addr;
    size_t npeers = 0, i, index;
    int c, trace = 0, from_stdin = 0, timeout_s = BT_WIRE_TIMEOUT_S, wait_s = 30;
    int status = BT_EXIT_FAIL;
    const char *output = NULL;
    struct bt_torrent t;
    struct bt_peer_config cfg;
    struct bt_loop loop;
    struct bt_fetch f;
    struct bt_source_opts so = {0};
    enum bt_err err;

    bt_tool_init(argv[0]);
    while ((c = getopt_long(argc, argv, "p:o:t:w:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'p':
            if (strcmp(optarg, "-") == 0) {
                from_stdin = 1;
                break;
            }
            if (npeers == MAX_PEER_ARGS) {
                bt_tool_warn("at most %d -p options (use -p - for more)", MAX_PEER_ARGS);
                return BT_EXIT_USAGE;
            }
            if (bt_addr_parse(optarg, &peers[npeers]) != BT_OK) {
                bt_tool_warn("%s: %s", optarg, bt_strerror(BT_ERR_NET_ADDR));
                return BT_EXIT_USAGE;
            }
            npeers++;
            break;
        case 'w':
            wait_s = bt_wire_seconds("wait", optarg);
            if (wait_s < 0)
                return BT_EXIT_USAGE;
            break;
        case 'o':
            output = optarg;
            break;
        case 'T':
            trace = 1;
            break;
        case 't':
            timeout_s = bt_wire_seconds("timeout", optarg);
            if (timeout_s < 0)
                return BT_EXIT_USAGE;
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
    if (parse_index(argv[optind + 1], &index) != 0) {
        bt_tool_warn("invalid piece index '%s'", argv[optind + 1]);
        return BT_EXIT_USAGE;
    }
    if (from_stdin && strcmp(argv[optind], "-") == 0) {
        bt_tool_warn("TORRENT and the peers cannot both be standard input");
        return BT_EXIT_USAGE;
    }

    bt_torrent_init(&t);
    so.peers = peers;
    so.peer_count = npeers;
    so.timeout_s = timeout_s;
    so.trace = trace;
    if (bt_source_load(argv[optind], &so, &t, NULL) != 0) {
        bt_torrent_release(&t);
        return BT_EXIT_FAIL;
    }
    bt_loop_init(&loop);
    bt_fetch_init(&f);
    if (trace)
        f.trace = bt_wire_trace;
    err = bt_fetch_piece_init(&f, &t, index);
    if (err == BT_ERR_INVALID) {
        bt_tool_warn("%s: no piece %zu (the torrent has %zu)", argv[optind], index, t.piece_count);
    } else if (err != BT_OK) {
        bt_tool_error(err, argv[optind]);
    } else if (bt_wire_config(&cfg, &t, timeout_s) == 0) {
        f.block_timeout_ms = timeout_s * 1000;
        f.wait_ms = wait_s * 1000;
        /* Choked peers are quiet: only the unchoke wait may end that silence. */
        cfg.idle_timeout_ms = (wait_s + timeout_s) * 1000;
        if (npeers == 0 && so.have_from)
            peers[npeers++] = so.from; /* the peer that gave a magnet link's metadata */
        if (npeers == 0 && !from_stdin)
            npeers = bt_source_tracker_peers(&t, NULL, 0, t.info_hash, cfg.peer_id, t.total_length,
                                             timeout_s, peers, MAX_PEER_ARGS);
        for (i = 0; i < npeers && status != BT_EXIT_OK; i++)
            if (try_peer(&f, &loop, &cfg, &peers[i]) == 0)
                status = BT_EXIT_OK;
        while (from_stdin && status != BT_EXIT_OK && bt_wire_next_peer(stdin, &addr))
            if (try_peer(&f, &loop, &cfg, &addr) == 0)
                status = BT_EXIT_OK;
        if (status == BT_EXIT_OK)
            status = write_piece(&f, output);
        else
            bt_tool_warn("piece %zu: %s", index, bt_strerror(BT_ERR_NO_PEERS));
    }
    bt_fetch_release(&f);
    bt_loop_release(&loop);
    bt_torrent_release(&t);
    return bt_tool_close_stdout(status);
}
