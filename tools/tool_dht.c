/*
 * tool_dht.c - running a DHT node from a tool.  See tool_dht.h.
 */
#include "config.h"

#include "tool_dht.h"

#include <errno.h>
#include <netinet/in.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "dht/state.h"
#include "wire/handshake.h"
#include "tool.h"

#define HOST_MAX 256

/* Split "host:port" or "[v6]:port" into host and port text. */
static int split_host_port(const char *arg, char *host, char *port)
{
    const char *colon, *h = arg, *end;
    size_t hlen;

    if (*h == '[') {
        end = strchr(h, ']');
        if (end == NULL || end[1] != ':')
            return -1;
        h++;
        colon = end + 1;
    } else {
        colon = strrchr(h, ':');
        if (colon == NULL)
            return -1;
        end = colon;
    }
    hlen = (size_t)(end - h);
    if (hlen == 0 || hlen >= HOST_MAX || strlen(colon + 1) == 0 || strlen(colon + 1) > 5 ||
        strspn(colon + 1, "0123456789") != strlen(colon + 1) || atoi(colon + 1) < 1 ||
        atoi(colon + 1) > 65535)
        return -1;
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    snprintf(port, 6, "%s", colon + 1);
    return 0;
}

int tool_dht_add_bootstrap(struct tool_dht_opts *o, const char *arg)
{
    char host[HOST_MAX], port[6];

    if (o->bootstrap_count == TOOL_DHT_MAX_BOOTSTRAP) {
        tool_warn("at most %d --dht-bootstrap nodes", TOOL_DHT_MAX_BOOTSTRAP);
        return TOOL_EXIT_USAGE;
    }
    if (split_host_port(arg, host, port) != 0) {
        tool_warn("invalid DHT node '%s' (expected HOST:PORT)", arg);
        return TOOL_EXIT_USAGE;
    }
    o->bootstrap[o->bootstrap_count++] = arg;
    return TOOL_CONTINUE;
}

int tool_dht_option(struct tool_dht_opts *o, int c, const char *arg)
{
    if (c == TOOL_OPT_NO_DHT) {
        o->off = 1;
        return TOOL_CONTINUE;
    }
    return tool_dht_add_bootstrap(o, arg);
}

/* Resolve "host:port" into addresses of the family of our socket (DNS may be
 * asked: bootstrap routers have names).  Returns how many went into out. */
static size_t resolve(const char *arg, int family, struct bt_netaddr *out, size_t max)
{
    char host[HOST_MAX], port[6];
    struct addrinfo hints, *res = NULL, *ai;
    size_t n = 0;
    int rc;

    if (split_host_port(arg, host, port) != 0)
        return 0;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = family;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_NUMERICSERV;
    rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        tool_warn("DHT node %s: %s", arg, gai_strerror(rc));
        return 0;
    }
    for (ai = res; ai != NULL && n < max; ai = ai->ai_next) {
        struct bt_addr addr;

        memset(&addr, 0, sizeof(addr));
        memcpy(&addr.ss, ai->ai_addr, ai->ai_addrlen);
        addr.len = ai->ai_addrlen;
        bt_netaddr_from_addr(&addr, &out[n++]);
    }
    freeaddrinfo(res);
    return n;
}

/* The default bootstrap list: BT_DHT_ROUTERS if set (even empty), else ours. */
static size_t default_routers(int family, struct bt_netaddr *out, size_t max)
{
    const char *env = getenv("BT_DHT_ROUTERS");
    char list[1024], *word, *save = NULL;
    size_t n = 0;

    snprintf(list, sizeof(list), "%s", env != NULL ? env : TOOL_DHT_ROUTERS);
    for (word = strtok_r(list, " \t", &save); word != NULL && n < max;
         word = strtok_r(NULL, " \t", &save))
        n += resolve(word, family, out + n, max - n);
    return n;
}

static void trace_line(void *arg, int outgoing, const struct bt_netaddr *peer, const char *line)
{
    struct bt_addr addr;
    char name[BT_ADDR_STRLEN] = "?";
    char shown[TOOL_MESSAGE_MAX];

    if (bt_addr_from_netaddr(peer, &addr) == BT_OK)
        bt_addr_format(&addr, name);
    /* An error message in the line is a stranger's text. */
    bt_text_printable(shown, sizeof(shown), line, strlen(line));
    tool_bar_erase();
    fprintf(stderr, "%s %s %s\n", outgoing ? "->" : "<-", name, shown);
}

void tool_dht_init(struct tool_dht *t, struct bt_loop *loop, const struct tool_dht_opts *o)
{
    memset(t, 0, sizeof(*t));
    bt_dht_node_init(&t->node);
    t->loop = loop;
    t->o = o;
}

static void on_booted(void *arg, const struct bt_dht_result *r)
{
    struct tool_dht *t = arg;

    t->booting = 0;
    if (t->booted != NULL)
        t->booted(t->booted_arg, r);
}

/* Bind the node: at o->listen, or when that port is taken, at any port. */
static int bind_node(struct tool_dht *t, struct bt_loop *loop, struct bt_dht_config *cfg)
{
    struct bt_addr listen;
    enum bt_err err;

    if (bt_addr_parse_listen(t->o->listen, &listen) != BT_OK) {
        tool_warn("invalid listen address '%s'", t->o->listen);
        return 1;
    }
    err = bt_dht_node_start(&t->node, loop, &listen, cfg);
    if (err == BT_ERR_IO && errno == EADDRINUSE && bt_addr_port(&listen) != 0) {
        bt_dht_node_release(&t->node);
        bt_dht_node_init(&t->node);
        if (listen.ss.ss_family == AF_INET)
            ((struct sockaddr_in *)&listen.ss)->sin_port = 0;
        else
            ((struct sockaddr_in6 *)&listen.ss)->sin6_port = 0;
        err = bt_dht_node_start(&t->node, loop, &listen, cfg);
    }
    if (err != BT_OK) {
        tool_error(err, t->o->listen);
        return 1;
    }
    return 0;
}

int tool_dht_start(struct tool_dht *t, enum tool_dht_bootstrap bootstrap, bt_dht_done_fn *booted,
                   void *arg)
{
    const struct tool_dht_opts *o = t->o;
    struct bt_loop *loop = t->loop;
    struct bt_dht_contact saved[BT_DHT_STATE_NODES];
    struct bt_netaddr boot[BT_DHT_STATE_NODES];
    struct bt_dht_config cfg;
    size_t nsaved = 0, nboot = 0, i;
    int family;
    enum bt_err err;

    if (o->off || t->barred || t->started)
        return 0;
    memset(&cfg, 0, sizeof(cfg));
    if (o->state != NULL) {
        err = bt_dht_state_load(o->state, cfg.id, saved, BT_DHT_STATE_NODES, &nsaved);
        if (err == BT_OK)
            cfg.has_id = 1;
        else if (!(err == BT_ERR_IO && errno == ENOENT)) {
            tool_error(err, o->state);
            return 1;
        }
    }
    cfg.read_only = o->read_only;
    if (o->trace)
        cfg.trace = trace_line;
    if (bind_node(t, loop, &cfg) != 0)
        return 1;
    t->started = 1;
    if (bootstrap == TOOL_DHT_NO_BOOTSTRAP)
        return 0; /* the caller asks one node it names */
    family = t->node.bound.ss.ss_family;
    for (i = 0; i < o->bootstrap_count && nboot < BT_DHT_STATE_NODES; i++)
        nboot += resolve(o->bootstrap[i], family, boot + nboot, BT_DHT_STATE_NODES - nboot);
    for (i = 0; i < nsaved && nboot < BT_DHT_STATE_NODES; i++)
        boot[nboot++] = saved[i].addr;
    if (o->bootstrap_count == 0 && nsaved == 0)
        nboot = default_routers(family, boot, BT_DHT_STATE_NODES);
    t->booted = booted;
    t->booted_arg = arg;
    t->booting = 1;
    err = bt_dht_bootstrap(&t->node.dht, boot, nboot, bootstrap == TOOL_DHT_JOIN, bt_loop_now_ms(),
                           on_booted, t);
    if (err != BT_OK) {
        t->booting = 0;
        tool_error(err, "DHT bootstrap");
        return 1;
    }
    return 0;
}

/* What a lookup run by tool_dht_peers() gathers. */
struct found {
    struct bt_loop *loop;
    int done;
    struct bt_addr *out;
    size_t max, n;
};

static void on_peers(void *arg, const struct bt_dht_result *r)
{
    struct found *f = arg;
    size_t i;

    for (i = 0; i < r->peer_count && f->n < f->max; i++)
        if (bt_addr_from_netaddr(&r->peers[i], &f->out[f->n]) == BT_OK)
            f->n++;
    f->done = 1;
    bt_loop_stop(f->loop);
}

static void stop_loop(void *arg)
{
    bt_loop_stop(arg);
}

/* Run the loop for at most ms milliseconds: a slice, after which the caller
 * looks at what it waits for. */
static void run_slice(struct bt_loop *loop, uint64_t ms)
{
    uint64_t timer = 0;

    bt_loop_timer(loop, ms, stop_loop, loop, &timer);
    bt_loop_run(loop, &tool_interrupted);
    bt_loop_cancel(loop, timer);
}

size_t tool_dht_peers(struct tool_dht *t, const unsigned char *info_hash, int timeout_s,
                      struct bt_addr *out, size_t max)
{
    struct found f = {.loop = t->loop, .out = out, .max = max};
    uint64_t deadline = bt_loop_now_ms() + (uint64_t)timeout_s * 1000;

    if (!t->started &&
        (t->o->off || tool_dht_start(t, TOOL_DHT_JOIN, NULL, NULL) != 0 || !t->started))
        return 0;
    while (t->booting && !tool_interrupted && bt_loop_now_ms() < deadline)
        run_slice(t->loop, 100);
    if (bt_dht_get_peers(&t->node.dht, info_hash, bt_loop_now_ms(), on_peers, &f) != BT_OK)
        return 0;
    bt_dht_node_wake(&t->node);
    while (!f.done && !tool_interrupted && bt_loop_now_ms() < deadline)
        run_slice(t->loop, 100);
    if (!f.done)
        bt_dht_forget(&t->node.dht, &f);
    return f.n;
}

void tool_dht_peer_config(const struct tool_dht *t, struct bt_peer_config *cfg)
{
    if (t->started)
        bt_handshake_set_bit(cfg->reserved, BT_RESERVED_DHT_BYTE, BT_RESERVED_DHT_BIT);
}

uint16_t tool_dht_port(const struct tool_dht *t)
{
    return t->started ? bt_addr_port(&t->node.bound) : 0;
}

void tool_dht_bar(struct tool_dht *t, int quiet)
{
    t->barred = 1;
    if (!t->started)
        return;
    if (!quiet)
        tool_warn("a private torrent (BEP 27): its trackers only, no DHT");
    tool_dht_stop(t);
}

void tool_dht_stop(struct tool_dht *t)
{
    if (t->started && t->o != NULL && t->o->state != NULL &&
        bt_dht_state_save(&t->node.dht, t->o->state, bt_loop_now_ms()) != BT_OK)
        tool_error(BT_ERR_IO, t->o->state);
    bt_dht_node_release(&t->node);
    t->started = 0;
}
