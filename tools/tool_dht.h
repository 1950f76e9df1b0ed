/*
 * tool_dht.h - what the tools share to run a DHT node (lib/dht): the options
 * (--dht-bootstrap, --state, --no-dht), bootstrap addresses that may be host
 * names, the default bootstrap nodes, and the trace.
 *
 * Where a node starts from, first found first:
 *   --dht-bootstrap HOST:PORT   (repeatable)
 *   the nodes of --state FILE   (a restart needs no bootstrap node)
 *   BT_DHT_ROUTERS              a space-separated list of HOST:PORT; set and empty: none
 *   the well-known routers of the real DHT (TOOL_DHT_ROUTERS)
 * The test suites set BT_DHT_ROUTERS empty, so that no test ever reaches them.
 */
#ifndef BT_TOOL_DHT_H
#define BT_TOOL_DHT_H

#include <stddef.h>

#include "core/loop.h"
#include "dht/node.h"

#define TOOL_DHT_MAX_BOOTSTRAP 16
#define TOOL_DHT_ROUTERS                                                                           \
    "router.bittorrent.com:6881 dht.transmissionbt.com:6881 router.utorrent.com:6881"

struct tool_dht_opts {
    const char *bootstrap[TOOL_DHT_MAX_BOOTSTRAP];
    size_t bootstrap_count;
    const char *state;  /* --state FILE, or NULL */
    const char *listen; /* the node's UDP address */
    int trace;          /* every KRPC message on stderr */
    int quiet;
    int read_only; /* BEP 43: a node that only asks (a one-shot command) */
};

/* Take one --dht-bootstrap argument (checked for a HOST:PORT form now; the
 * name is resolved when the node starts).  TOOL_CONTINUE or TOOL_EXIT_USAGE. */
int tool_dht_add_bootstrap(struct tool_dht_opts *o, const char *arg);

/*
 * Start a node on loop as o says: bind o->listen, take our id and nodes from
 * o->state (if it exists), and bootstrap from the first source above;
 * booted(arg, r) hears when the bootstrap ends (booted NULL: no bootstrap,
 * the caller asks a node it names).  Prints what went wrong and returns
 * non-zero on failure.
 */
int tool_dht_start(struct bt_dht_node *n, struct bt_loop *loop, const struct tool_dht_opts *o,
                   bt_dht_done_fn *booted, void *arg);

/* Save the state file (if o->state), then release the node. */
void tool_dht_stop(struct bt_dht_node *n, const struct tool_dht_opts *o);

#endif /* BT_TOOL_DHT_H */
