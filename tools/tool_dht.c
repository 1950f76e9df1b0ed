/*
 * tool_dht.c - running a DHT node from a tool.  See tool_dht.h.
 */
#include "config.h"

#include "tool_dht.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "dht/state.h"
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

int tool_dht_start(struct bt_dht_node *n, struct bt_loop *loop, const struct tool_dht_opts *o,
                   bt_dht_done_fn *booted, void *arg)
{
    struct bt_dht_contact saved[BT_DHT_STATE_NODES];
    struct bt_netaddr boot[BT_DHT_STATE_NODES];
    struct bt_dht_config cfg;
    struct bt_addr listen;
    size_t nsaved = 0, nboot = 0, i;
    int family;
    enum bt_err err;

    if (bt_addr_parse_listen(o->listen, &listen) != BT_OK) {
        tool_warn("invalid listen address '%s'", o->listen);
        return 1;
    }
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
    if (o->trace) {
        cfg.trace = trace_line;
        cfg.trace_arg = NULL;
    }
    err = bt_dht_node_start(n, loop, &listen, &cfg);
    if (err != BT_OK) {
        tool_error(err, o->listen);
        return 1;
    }
    if (booted == NULL)
        return 0; /* the caller asks one node it names: no bootstrap */
    family = n->bound.ss.ss_family;
    for (i = 0; i < o->bootstrap_count && nboot < BT_DHT_STATE_NODES; i++)
        nboot += resolve(o->bootstrap[i], family, boot + nboot, BT_DHT_STATE_NODES - nboot);
    for (i = 0; i < nsaved && nboot < BT_DHT_STATE_NODES; i++)
        boot[nboot++] = saved[i].addr;
    if (o->bootstrap_count == 0 && nsaved == 0)
        nboot = default_routers(family, boot, BT_DHT_STATE_NODES);
    err = bt_dht_bootstrap(&n->dht, boot, nboot, bt_loop_now_ms(), booted, arg);
    if (err != BT_OK) {
        tool_error(err, "DHT bootstrap");
        return 1;
    }
    return 0;
}

void tool_dht_stop(struct bt_dht_node *n, const struct tool_dht_opts *o)
{
    if (o->state != NULL && n->dht.started &&
        bt_dht_state_save(&n->dht, o->state, bt_loop_now_ms()) != BT_OK)
        tool_error(BT_ERR_IO, o->state);
    bt_dht_node_release(n);
}
