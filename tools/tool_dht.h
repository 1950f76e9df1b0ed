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
#include "wire/peer.h"

#define TOOL_DHT_MAX_BOOTSTRAP 16
#define TOOL_DHT_WAIT_S        30 /* a bootstrap and a lookup for a magnet link, at most */

/* getopt codes of the DHT options every peer tool takes. */
#define TOOL_OPT_DHT_BOOTSTRAP 0x1000 /* --dht-bootstrap NODE */
#define TOOL_OPT_NO_DHT        0x1001 /* --no-dht */
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
    int off;       /* --no-dht */
};

/* A running node, as a tool holds it. */
struct tool_dht {
    struct bt_dht_node node;
    struct bt_loop *loop;
    const struct tool_dht_opts *o;
    int started; /* the node runs */
    int barred;  /* a private torrent's: never to start (tool_dht_bar) */
    int booting; /* its bootstrap runs */
    bt_dht_done_fn *booted;
    void *booted_arg;
};

/* A node to be started on loop as o says (both borrowed: they must outlive t).
 * Cannot fail. */
void tool_dht_init(struct tool_dht *t, struct bt_loop *loop, const struct tool_dht_opts *o);

/* Take one --dht-bootstrap argument (checked for a HOST:PORT form now; the
 * name is resolved when the node starts).  TOOL_CONTINUE or TOOL_EXIT_USAGE. */
int tool_dht_add_bootstrap(struct tool_dht_opts *o, const char *arg);

/* Take the option getopt returned as c, TOOL_OPT_DHT_BOOTSTRAP (its argument
 * arg) or TOOL_OPT_NO_DHT.  TOOL_CONTINUE or TOOL_EXIT_USAGE. */
int tool_dht_option(struct tool_dht_opts *o, int c, const char *arg);

/* How tool_dht_start() joins the DHT (dht.h's bt_dht_bootstrap). */
enum tool_dht_bootstrap {
    TOOL_DHT_NO_BOOTSTRAP, /* not at all: the caller asks one node it names */
    TOOL_DHT_JOIN,         /* until one node answered: for one question */
    TOOL_DHT_BOOTSTRAP,    /* then a lookup of our own id: for a long-running node */
};

/*
 * Start the node as its options say (nothing with o->off): bind o->listen (a port
 * in use falls back to any port), take our id and nodes from o->state (if it
 * exists), and bootstrap from the first source above as bootstrap says;
 * booted(arg, r) (may be NULL) hears when the bootstrap ends.  Prints what
 * went wrong and returns non-zero on failure.
 */
int tool_dht_start(struct tool_dht *t, enum tool_dht_bootstrap bootstrap, bt_dht_done_fn *booted,
                   void *arg);

/*
 * Look up the peers of info_hash, running the loop until the bootstrap (if it
 * still runs) and the lookup end, at most timeout_s seconds; a node not
 * started yet is started (and bootstrapped) first, so that a tool that rarely
 * needs the DHT binds no socket until it does.  Returns how many went into out
 * (0 without a node, or with --no-dht).
 */
size_t tool_dht_peers(struct tool_dht *t, const unsigned char *info_hash, int timeout_s,
                      struct bt_addr *out, size_t max);

/* Set the DHT bit (BEP 5) in our handshake, if a node runs. */
void tool_dht_peer_config(const struct tool_dht *t, struct bt_peer_config *cfg);

/* The node's UDP port, 0 without a node. */
uint16_t tool_dht_port(const struct tool_dht *t);

/* BEP 27: a private torrent's peers come from its trackers alone.  Keep the
 * node from starting, and stop it if it runs, saying so unless quiet. */
void tool_dht_bar(struct tool_dht *t, int quiet);

/* Save the state file (if o->state), then release the node. */
void tool_dht_stop(struct tool_dht *t);

#endif /* BT_TOOL_DHT_H */
