/*
 * bt-dht - a node of the BitTorrent DHT (BEP 5), stage 8: ask it one question,
 * or run one for others.
 *
 *   bt-dht [options] ping ADDR              the node's id
 *   bt-dht [options] find-node ID           the closest nodes to ID, "ID ip:port" a line
 *   bt-dht [options] get-peers HASH|MAGNET  the peers of a torrent, "ip:port" a line
 *   bt-dht [options] announce HASH|MAGNET PORT
 *                                           tell the closest nodes we have it at PORT
 *   bt-dht [options] serve                  a long-running node, as bt-tracker is for trackers
 *
 * Each question starts a node (lib/dht/node.c), bootstraps it (tools/tool_dht.c),
 * asks, prints, and saves the node's state for next time with --state.
 */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bencode/json.h"
#include "core/hex.h"
#include "core/loop.h"
#include "metainfo/magnet.h"
#include "tool.h"
#include "tool_dht.h"

#define DEFAULT_LISTEN        "0.0.0.0:0"
#define DEFAULT_SERVE_LISTEN  "0.0.0.0:6881"
#define DEFAULT_LISTEN6       "[::]:0"
#define DEFAULT_SERVE_LISTEN6 "[::]:6881"
#define DEFAULT_TIMEOUT_S     30
#define JSON_MAX              (1u << 20)

enum command {
    CMD_PING,
    CMD_FIND_NODE,
    CMD_GET_PEERS,
    CMD_ANNOUNCE,
    CMD_SERVE,
};

struct options {
    enum command cmd;
    struct tool_dht_opts dht;
    struct bt_netaddr ping_to;           /* ping */
    unsigned char target[BT_DHT_ID_LEN]; /* find-node, get-peers, announce */
    uint16_t port;                       /* announce */
    int json;
    int timeout_s;
};

/* What the loop's callbacks share. */
struct session {
    struct options *o;
    struct bt_loop loop;
    struct tool_dht dht;
    int status;
    int finished; /* the answer came (maybe before the loop ever ran) */
};

static void usage(FILE *f, int help)
{
    fprintf(f,
            "usage: %s [options] ping ADDR\n"
            "       %s [options] find-node ID\n"
            "       %s [options] get-peers HASH|MAGNET\n"
            "       %s [options] announce HASH|MAGNET PORT\n"
            "       %s [options] serve\n",
            tool_name(), tool_name(), tool_name(), tool_name(), tool_name());
    if (!help)
        return;
    fprintf(f,
            "\n"
            "Run a node of the BitTorrent DHT (BEP 5): bootstrap it, ask it one question\n"
            "and print the answer, or (serve) answer other nodes until interrupted.\n"
            "\n"
            "  ping ADDR            print the id of the node at ADDR (ip:port)\n"
            "  find-node ID         print the closest nodes to ID (40 hex digits), \"ID ip:port\"\n"
            "  get-peers HASH       print the peers of a torrent (info hash or magnet link)\n"
            "  announce HASH PORT   tell the closest nodes that we have HASH at PORT\n"
            "  serve                print our address, then answer queries until interrupted\n"
            "\n"
            "  -l, --listen ADDR          our UDP address (default %s; serve: %s)\n"
            "  -b, --dht-bootstrap NODE   start from NODE, HOST:PORT (repeatable)\n"
            "  -s, --state FILE           our id and nodes: read at start, saved at exit\n"
            "  -j, --json                 get-peers: print one JSON document\n"
            "  -t, --timeout SECS         give up after SECS (default %d)\n"
            "      --trace                print every DHT message on stderr\n"
            "  -q, --quiet                no messages but errors\n"
            "  -h, --help                 show this help\n"
            "  -V, --version              show the version\n"
            "\n"
            "Without -l, the node is IPv6 ([::]) when the first -b node (or ping's ADDR)\n"
            "is an IPv6 address in brackets.\n"
            "Without -b or a state file with nodes, the node starts from BT_DHT_ROUTERS\n"
            "(HOST:PORT ...; set and empty: none), else from the real DHT's routers.\n"
            "\n"
            "Tutorial: tutorials/08-dht.md\n",
            DEFAULT_LISTEN, DEFAULT_SERVE_LISTEN, DEFAULT_TIMEOUT_S);
}

/* HASH: 40 hex digits, or a magnet link's info hash. */
static int parse_hash(const char *arg, unsigned char *out)
{
    struct bt_magnet m;
    enum bt_err err;

    if (!bt_magnet_is_link(arg)) {
        if (strlen(arg) == 2 * BT_DHT_ID_LEN && bt_hex_decode(arg, out, BT_DHT_ID_LEN) == BT_OK)
            return 0;
        tool_warn("invalid info hash '%s' (want 40 hex digits or a magnet link)", arg);
        return -1;
    }
    bt_magnet_init(&m);
    err = bt_magnet_parse(&m, arg);
    if (err == BT_OK)
        memcpy(out, m.info_hash, BT_DHT_ID_LEN);
    else
        tool_warn("'%s': %s", arg, bt_strerror(err));
    bt_magnet_release(&m);
    return err == BT_OK ? 0 : -1;
}

/* The command and its operands, checked before any I/O. */
static int parse_command(int argc, char **argv, struct options *o)
{
    static const struct {
        const char *name;
        enum command cmd;
        int operands;
    } commands[] = {
        {"ping", CMD_PING, 1},           {"find-node", CMD_FIND_NODE, 1},
        {"get-peers", CMD_GET_PEERS, 1}, {"announce", CMD_ANNOUNCE, 2},
        {"serve", CMD_SERVE, 0},
    };
    const char *name = optind < argc ? argv[optind] : "";
    struct bt_addr addr;
    int64_t port;
    size_t i;

    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(name, commands[i].name) == 0)
            break;
    if (i == sizeof(commands) / sizeof(commands[0]) || argc - optind - 1 != commands[i].operands) {
        if (name[0] != '\0' && i == sizeof(commands) / sizeof(commands[0]))
            tool_warn("unknown command '%s'", name);
        usage(stderr, 0);
        return TOOL_EXIT_USAGE;
    }
    o->cmd = commands[i].cmd;
    switch (o->cmd) {
    case CMD_PING:
        if (bt_addr_parse(argv[optind + 1], &addr) != BT_OK) {
            tool_warn("%s: %s", argv[optind + 1], bt_strerror(BT_ERR_NET_ADDR));
            return TOOL_EXIT_USAGE;
        }
        bt_netaddr_from_addr(&addr, &o->ping_to);
        break;
    case CMD_FIND_NODE:
        if (strlen(argv[optind + 1]) != 2 * BT_DHT_ID_LEN ||
            bt_hex_decode(argv[optind + 1], o->target, BT_DHT_ID_LEN) != BT_OK) {
            tool_warn("invalid node id '%s' (want 40 hex digits)", argv[optind + 1]);
            return TOOL_EXIT_USAGE;
        }
        break;
    case CMD_ANNOUNCE:
        if (tool_number("port", argv[optind + 2], 1, 65535, &port) != 0 ||
            parse_hash(argv[optind + 1], o->target) != 0)
            return TOOL_EXIT_USAGE;
        o->port = (uint16_t)port;
        break;
    case CMD_GET_PEERS:
        if (parse_hash(argv[optind + 1], o->target) != 0)
            return TOOL_EXIT_USAGE;
        break;
    case CMD_SERVE:
        break;
    }
    if (o->dht.listen == NULL) {
        /* Without -l, the node speaks the family of the first node it will
         * talk to: one socket is IPv4 or IPv6 (BEP 32 runs two DHTs). */
        const char *first = o->cmd == CMD_PING ? argv[optind + 1] : o->dht.bootstrap[0];
        int v6 = first != NULL && first[0] == '[';

        if (o->cmd == CMD_SERVE)
            o->dht.listen = v6 ? DEFAULT_SERVE_LISTEN6 : DEFAULT_SERVE_LISTEN;
        else
            o->dht.listen = v6 ? DEFAULT_LISTEN6 : DEFAULT_LISTEN;
    }
    /* A one-shot question leaves no trace in the others' tables (BEP 43): it
     * will not be there to answer them. */
    o->dht.read_only = o->cmd != CMD_SERVE;
    return TOOL_CONTINUE;
}

static int parse_options(int argc, char **argv, struct options *o)
{
    enum { OPT_TRACE = 256 };
    static const struct option longopts[] = {
        {"listen", required_argument, NULL, 'l'},  {"dht-bootstrap", required_argument, NULL, 'b'},
        {"state", required_argument, NULL, 's'},   {"json", no_argument, NULL, 'j'},
        {"timeout", required_argument, NULL, 't'}, {"trace", no_argument, NULL, OPT_TRACE},
        {"quiet", no_argument, NULL, 'q'},         {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},       {NULL, 0, NULL, 0},
    };
    int c, status = TOOL_CONTINUE;

    while (status == TOOL_CONTINUE &&
           (c = getopt_long(argc, argv, "l:b:s:jt:qhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'l':
            o->dht.listen = optarg;
            break;
        case 'b':
            status = tool_dht_add_bootstrap(&o->dht, optarg);
            break;
        case 's':
            o->dht.state = optarg;
            break;
        case 'j':
            o->json = 1;
            break;
        case 't':
            o->timeout_s = tool_seconds("timeout", optarg);
            if (o->timeout_s < 0)
                return TOOL_EXIT_USAGE;
            break;
        case OPT_TRACE:
            o->dht.trace = 1;
            break;
        case 'q':
            o->dht.quiet = 1;
            break;
        default:
            return tool_option(c, usage);
        }
    }
    if (status != TOOL_CONTINUE)
        return status;
    status = parse_command(argc, argv, o);
    if (status == TOOL_CONTINUE && o->dht.listen != NULL) {
        struct bt_addr check;

        if (bt_addr_parse_listen(o->dht.listen, &check) != BT_OK) {
            tool_warn("invalid listen address '%s'", o->dht.listen);
            return TOOL_EXIT_USAGE;
        }
    }
    return status;
}

/* "3f2a...91c0 192.0.2.7:6881" */
static void print_node(const struct bt_dht_contact *c)
{
    char hex[2 * BT_DHT_ID_LEN + 1], addr_text[BT_ADDR_STRLEN];
    struct bt_addr addr;

    bt_hex_encode(c->id, BT_DHT_ID_LEN, hex);
    if (bt_addr_from_netaddr(&c->addr, &addr) == BT_OK)
        bt_addr_format(&addr, addr_text);
    else
        snprintf(addr_text, sizeof(addr_text), "?");
    printf("%s %s\n", hex, addr_text);
}

static void print_peers_text(const struct bt_dht_result *r)
{
    char text[BT_ADDR_STRLEN];
    size_t i;

    for (i = 0; i < r->peer_count; i++) {
        struct bt_addr addr;

        if (bt_addr_from_netaddr(&r->peers[i], &addr) != BT_OK)
            continue;
        bt_addr_format(&addr, text);
        printf("%s\n", text);
    }
}

/* get-peers --json: {"info_hash", "peers", "nodes", "queries", "answers", "ms"} */
static enum bt_err print_peers_json(const struct bt_dht_result *r)
{
    char hex[2 * BT_DHT_ID_LEN + 1], text[BT_ADDR_STRLEN];
    struct bt_buf doc;
    enum bt_err err;
    size_t i;

    bt_buf_init(&doc, JSON_MAX);
    bt_hex_encode(r->target, BT_DHT_ID_LEN, hex);
    err = bt_buf_append_byte(&doc, '{');
    if (err == BT_OK)
        err = bt_json_put_key(&doc, "info_hash");
    if (err == BT_OK)
        err = bt_json_put_cstring(&doc, hex);
    if (err == BT_OK)
        err = bt_json_put_key(&doc, "peers");
    if (err == BT_OK)
        err = bt_buf_append_byte(&doc, '[');
    for (i = 0; i < r->peer_count && err == BT_OK; i++) {
        struct bt_addr addr;

        if (bt_addr_from_netaddr(&r->peers[i], &addr) != BT_OK)
            continue;
        bt_addr_format(&addr, text);
        if (doc.data[doc.len - 1] != '[')
            err = bt_buf_append_byte(&doc, ',');
        if (err == BT_OK)
            err = bt_json_put_cstring(&doc, text);
    }
    if (err == BT_OK)
        err = bt_buf_append_str(&doc, "]");
    if (err == BT_OK)
        err = bt_json_put_key(&doc, "nodes");
    if (err == BT_OK)
        err = bt_buf_append_byte(&doc, '[');
    for (i = 0; i < r->node_count && err == BT_OK; i++) {
        struct bt_addr addr;

        bt_hex_encode(r->nodes[i].id, BT_DHT_ID_LEN, hex);
        if (bt_addr_from_netaddr(&r->nodes[i].addr, &addr) == BT_OK)
            bt_addr_format(&addr, text);
        if (i > 0)
            err = bt_buf_append_byte(&doc, ',');
        if (err == BT_OK)
            err = bt_buf_append_byte(&doc, '{');
        if (err == BT_OK)
            err = bt_json_put_key(&doc, "id");
        if (err == BT_OK)
            err = bt_json_put_cstring(&doc, hex);
        if (err == BT_OK)
            err = bt_json_put_key(&doc, "addr");
        if (err == BT_OK)
            err = bt_json_put_cstring(&doc, text);
        if (err == BT_OK)
            err = bt_buf_append_byte(&doc, '}');
    }
    if (err == BT_OK)
        err = bt_buf_append_byte(&doc, ']');
    if (err == BT_OK)
        err = bt_json_put_key(&doc, "queries");
    if (err == BT_OK)
        err = bt_json_put_int(&doc, (int64_t)r->queries);
    if (err == BT_OK)
        err = bt_json_put_key(&doc, "answers");
    if (err == BT_OK)
        err = bt_json_put_int(&doc, (int64_t)r->answers);
    if (err == BT_OK)
        err = bt_json_put_key(&doc, "ms");
    if (err == BT_OK)
        err = bt_json_put_int(&doc, (int64_t)r->ms);
    if (err == BT_OK)
        err = bt_buf_append_str(&doc, "}\n");
    if (err == BT_OK)
        fwrite(doc.data, 1, doc.len, stdout);
    bt_buf_release(&doc);
    return err;
}

/* The question was answered (or not): print, and stop the loop. */
static void on_answer(void *arg, const struct bt_dht_result *r)
{
    struct session *s = arg;
    size_t i;

    s->finished = 1;
    bt_loop_stop(&s->loop);
    if (r->err != BT_OK && !(r->kind == BT_DHT_OP_GET_PEERS && r->answers > 0)) {
        tool_warn("%s", bt_strerror(r->err));
        return;
    }
    s->status = TOOL_EXIT_OK;
    switch (s->o->cmd) {
    case CMD_PING:
    case CMD_FIND_NODE:
    case CMD_ANNOUNCE:
        for (i = 0; i < r->node_count; i++)
            print_node(&r->nodes[i]);
        if (s->o->cmd == CMD_ANNOUNCE && !s->o->dht.quiet)
            tool_warn("announced to %zu of %zu nodes", r->announced, r->node_count);
        break;
    case CMD_GET_PEERS:
        if (s->o->json && print_peers_json(r) != BT_OK)
            s->status = TOOL_EXIT_FAIL;
        if (!s->o->json)
            print_peers_text(r);
        if (!s->o->dht.quiet)
            tool_warn("%zu peers, %zu queries, %zu answers, %" PRIu64 " ms", r->peer_count,
                      r->queries, r->answers, r->ms);
        break;
    case CMD_SERVE:
        break;
    }
}

/* Ask the question once the node knows its neighbourhood. */
static void on_booted(void *arg, const struct bt_dht_result *r)
{
    struct session *s = arg;
    uint64_t now = bt_loop_now_ms();
    enum bt_err err = BT_OK;

    if (!s->o->dht.quiet && s->o->cmd == CMD_SERVE)
        tool_warn("bootstrap: %zu nodes in the table", s->dht.node.dht.table.node_count);
    if (s->o->cmd == CMD_SERVE)
        return;
    switch (s->o->cmd) {
    case CMD_PING:
        err = bt_dht_ping(&s->dht.node.dht, &s->o->ping_to, now, on_answer, s);
        break;
    case CMD_FIND_NODE:
        err = bt_dht_find_node(&s->dht.node.dht, s->o->target, now, on_answer, s);
        break;
    case CMD_GET_PEERS:
        err = bt_dht_get_peers(&s->dht.node.dht, s->o->target, now, on_answer, s);
        break;
    case CMD_ANNOUNCE:
        err = bt_dht_announce(&s->dht.node.dht, s->o->target, s->o->port, now, on_answer, s);
        break;
    case CMD_SERVE:
        break;
    }
    if (err != BT_OK) {
        tool_error(err, "DHT");
        s->finished = 1;
        bt_loop_stop(&s->loop);
        return;
    }
    bt_dht_node_wake(&s->dht.node);
}

static void on_timeout(void *arg)
{
    struct session *s = arg;

    tool_warn("no answer within %d s", s->o->timeout_s);
    s->finished = 1;
    bt_loop_stop(&s->loop);
}

static int run(struct session *s)
{
    struct options *o = s->o;
    enum bt_err err;

    /* A ping needs no bootstrap: the node asked is the one named.  A question
     * needs one node that answers; serve fills its table with its neighbourhood. */
    if (tool_dht_start(&s->dht,
                       o->cmd == CMD_PING    ? TOOL_DHT_NO_BOOTSTRAP
                       : o->cmd == CMD_SERVE ? TOOL_DHT_BOOTSTRAP
                                             : TOOL_DHT_JOIN,
                       on_booted, s) != 0)
        return TOOL_EXIT_FAIL;
    if (o->cmd == CMD_PING)
        on_booted(s, NULL);
    if (o->cmd == CMD_SERVE) {
        char name[BT_ADDR_STRLEN];

        bt_addr_format(&s->dht.node.bound, name);
        printf("%s\n", name);
        fflush(stdout);
    } else {
        bt_loop_timer(&s->loop, (uint64_t)o->timeout_s * 1000, on_timeout, s, NULL);
    }
    err = s->finished ? BT_OK : bt_loop_run(&s->loop, &tool_interrupted);
    if (err != BT_OK) {
        tool_error(err, "event loop");
        return TOOL_EXIT_FAIL;
    }
    if (o->cmd == CMD_SERVE) {
        if (!o->dht.quiet)
            tool_warn("stopped: %zu nodes in the table, %" PRIu64 " queries answered",
                      s->dht.node.dht.table.node_count, s->dht.node.dht.stats.queries_in);
        return TOOL_EXIT_OK;
    }
    return s->status;
}

int main(int argc, char **argv)
{
    struct options o;
    struct session s;
    int status;

    tool_init(argv);
    memset(&o, 0, sizeof(o));
    o.timeout_s = DEFAULT_TIMEOUT_S;
    status = parse_options(argc, argv, &o);
    if (status != TOOL_CONTINUE)
        return status;
    tool_catch_signals();
    memset(&s, 0, sizeof(s));
    s.o = &o;
    s.status = TOOL_EXIT_FAIL;
    bt_loop_init(&s.loop);
    tool_dht_init(&s.dht, &s.loop, &o.dht);
    status = run(&s);
    tool_dht_stop(&s.dht);
    bt_loop_release(&s.loop);
    return tool_close_stdout(status);
}
