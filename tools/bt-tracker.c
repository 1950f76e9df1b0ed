/*
 * bt-tracker - a small tracker for local swarms, tests and the tutorials.
 *
 *   bt-tracker [-b ADDR]... [-p PORT] [--interval SECONDS] ...
 *
 * HTTP (announce and scrape) and UDP (BEP 15) on the same port number.  Once
 * listening it prints its announce URLs on stdout, one per line, so that a script
 * can start it with --port 0 and read where it is.  Each announce is logged on
 * stderr.  Runs until SIGINT or SIGTERM.  Stage 3 of the tutorials.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/loop.h"
#include "core/net.h"
#include "tool.h"
#include "tracker/server.h"

#define DEFAULT_PORT   6969 /* the customary tracker port */
#define DEFAULT_BIND   "127.0.0.1"
#define MAX_INTERVAL_S 86400
#define MAX_CONFIGURED 1000000 /* a ceiling on --max-torrents and --max-peers */
#define BIND_TEXT_MAX  80

static void usage(FILE *out, int help)
{
    fprintf(out,
            "usage: %s [-q] [-b ADDR]... [-p PORT] [--interval SECONDS] [--numwant N]\n"
            "       [--max-torrents N] [--max-peers N]\n"
            "Serve HTTP and UDP announces for local swarms until interrupted.\n"
            "\n"
            "  -b, --bind ADDR         an IPv4 or IPv6 address to listen on (repeatable;\n"
            "                          default %s)\n"
            "  -p, --port PORT         TCP and UDP port (default %d; 0 picks a free one)\n"
            "  -i, --interval SECONDS  re-announce interval told to clients (default %d);\n"
            "                          peers silent for twice as long are forgotten\n"
            "  -n, --numwant N         peers returned when a client does not ask (default %d)\n"
            "      --max-torrents N    torrents tracked at most (default %d)\n"
            "      --max-peers N       peers per torrent at most (default %d)\n"
            "  -q, --quiet             do not log announces\n"
            "  -h, --help              show this help\n"
            "  -V, --version           show the version\n"
            "\n"
            "Tutorial: tutorials/03-trackers.md\n",
            tool_name(), DEFAULT_BIND, DEFAULT_PORT, BT_TRACKER_DEFAULT_INTERVAL,
            BT_SWARM_DEFAULT_NUMWANT, BT_SWARM_DEFAULT_MAX_TORRENTS, BT_SWARM_DEFAULT_MAX_PEERS);
}

static void log_to_stderr(void *arg, const char *line)
{
    tool_warn("%s", line);
}

/* "127.0.0.1" or "::1" (or "[::1]") plus the port (0: any), through net.h's parser. */
static int parse_bind(const char *ip, long port, struct bt_addr *addr)
{
    char text[BIND_TEXT_MAX];
    int v6 = strchr(ip, ':') != NULL && ip[0] != '[';

    snprintf(text, sizeof(text), "%s%s%s:%ld", v6 ? "[" : "", ip, v6 ? "]" : "", port);
    return bt_addr_parse_listen(text, addr) == BT_OK ? 0 : -1;
}

int main(int argc, char **argv)
{
    enum { OPT_MAX_TORRENTS = 256, OPT_MAX_PEERS };
    static const struct option longopts[] = {
        {"bind", required_argument, NULL, 'b'},
        {"port", required_argument, NULL, 'p'},
        {"interval", required_argument, NULL, 'i'},
        {"numwant", required_argument, NULL, 'n'},
        {"max-torrents", required_argument, NULL, OPT_MAX_TORRENTS},
        {"max-peers", required_argument, NULL, OPT_MAX_PEERS},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    const char *binds[BT_TRACKER_SERVER_MAX_BINDS];
    size_t bind_count = 0, i;
    struct bt_tracker_server_config cfg;
    struct bt_tracker_server srv;
    struct bt_loop loop;
    int64_t port = DEFAULT_PORT, v;
    int c, quiet = 0, status = TOOL_EXIT_FAIL;
    enum bt_err err;

    tool_init(argv);
    bt_tracker_server_config_init(&cfg);
    while ((c = getopt_long(argc, argv, "b:p:i:n:qhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'b':
            if (bind_count == BT_TRACKER_SERVER_MAX_BINDS) {
                tool_warn("too many --bind addresses (at most %d)", BT_TRACKER_SERVER_MAX_BINDS);
                return TOOL_EXIT_USAGE;
            }
            binds[bind_count++] = optarg;
            break;
        case 'p':
            if (tool_number("port", optarg, 0, 65535, &port) != 0)
                return TOOL_EXIT_USAGE;
            break;
        case 'i':
            if (tool_number("interval", optarg, 1, MAX_INTERVAL_S, &v) != 0)
                return TOOL_EXIT_USAGE;
            cfg.interval_s = (uint32_t)v;
            break;
        case 'n':
            if (tool_number("numwant", optarg, 0, BT_SWARM_MAX_NUMWANT, &v) != 0)
                return TOOL_EXIT_USAGE;
            cfg.default_numwant = (size_t)v;
            break;
        case OPT_MAX_TORRENTS:
        case OPT_MAX_PEERS:
            if (tool_number("limit", optarg, 1, MAX_CONFIGURED, &v) != 0)
                return TOOL_EXIT_USAGE;
            if (c == OPT_MAX_TORRENTS)
                cfg.max_torrents = (size_t)v;
            else
                cfg.max_peers = (size_t)v;
            break;
        case 'q':
            quiet = 1;
            break;
        default:
            return tool_option(c, usage);
        }
    }
    if (optind < argc) {
        tool_warn("unexpected operand '%s'", argv[optind]);
        usage(stderr, 0);
        return TOOL_EXIT_USAGE;
    }
    if (bind_count == 0)
        binds[bind_count++] = DEFAULT_BIND;
    for (i = 0; i < bind_count; i++) {
        if (parse_bind(binds[i], port, &cfg.binds[i]) != 0) {
            tool_warn("invalid bind address '%s' (want a numeric IPv4 or IPv6 address)", binds[i]);
            return TOOL_EXIT_USAGE;
        }
    }
    cfg.bind_count = bind_count;
    if (!quiet)
        cfg.log = log_to_stderr;

    tool_catch_signals();

    bt_loop_init(&loop);
    err = bt_tracker_server_init(&srv, &cfg, &loop);
    if (err == BT_OK)
        err = bt_tracker_server_start(&srv);
    if (err != BT_OK) {
        char where[BT_ADDR_STRLEN];

        bt_addr_format(&cfg.binds[srv.bound_count], where);
        tool_error(err, where);
        goto out;
    }
    for (i = 0; i < srv.bound_count; i++) {
        char where[BT_ADDR_STRLEN];

        bt_addr_format(&srv.bound[i], where);
        printf("http://%s/announce\nudp://%s\n", where, where);
    }
    /* A script reads the URLs while we run: they must not wait in a buffer. */
    if (fflush(stdout) != 0) {
        tool_warn("error writing to standard output: %s", strerror(errno));
        goto out;
    }
    err = bt_loop_run(&loop, &tool_interrupted);
    if (err != BT_OK) {
        tool_error(err, NULL);
        goto out;
    }
    if (!quiet)
        tool_warn("stopping on %s", tool_interrupted == SIGINT ? "SIGINT" : "SIGTERM");
    status = TOOL_EXIT_OK;
out:
    bt_tracker_server_release(&srv);
    bt_loop_release(&loop);
    return tool_close_stdout(status);
}
