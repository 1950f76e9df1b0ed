/*
 * dht.h - one DHT node (BEP 5): it answers other nodes' queries from its
 * routing table (table.h) and its store (store.h), and runs lookups
 * (lookup.h) for its owner, without a socket of its own.
 *
 *   datagram in   ─> bt_dht_receive(d, bytes, from, now)
 *                      a query     ─> checked, rate-limited, answered through send
 *                      an answer   ─> its transaction: the table, its operation
 *   time passing  ─> bt_dht_tick(d, now): timeouts, pings, bucket refreshes,
 *                      token secrets, expiry; returns when to call it again
 *   datagram out  <─ cfg.send(arg, bytes, to)
 *
 * node.h puts a node on a UDP socket and the event loop; bench/dht puts
 * thousands of them on a simulated network.  Both run this same code.
 *
 * The owner starts operations, and hears of each once, when it ends:
 *
 *   bt_dht_ping(addr)           one ping: the node's id
 *   bt_dht_find_node(target)    a lookup: the closest nodes that answered
 *   bt_dht_get_peers(hash)      a lookup: the peers found, and the closest nodes
 *   bt_dht_announce(hash, port) get_peers, then announce_peer to the closest
 *                               nodes that gave a token
 *   bt_dht_bootstrap(addrs)     ping each, then find_node of our own id
 *
 * A lookup does not wait the whole timeout for a node that is gone: a query
 * is late (lookup.h) once it has gone unanswered for the round trip the node
 * measures (smoothed, plus four times its spread, as TCP does; at least
 * BT_DHT_LATE_MIN_MS, at most half the timeout), and another node is asked.
 *
 * Safety, for a node that faces the internet:
 *   - every datagram is parsed with bounds (krpc.h) and dropped when malformed;
 *   - queries are rate-limited per source address (BT_DHT_RATE_PER_S);
 *   - an answer to an address that has not proven it receives there (it never
 *     answered a query of ours) is at most BT_DHT_AMPLIFY times the size of the
 *     query, so a forged source cannot turn us into an amplifier;
 *   - answers are taken only from the address a query went to, with the
 *     transaction id we chose at random;
 *   - the table, the store, the transactions and the operations are capped;
 *   - node ids that do not follow BEP 42 for their address are counted
 *     (insecure_ids) and shown in the trace; they are used all the same, as
 *     most clients still do.
 *
 * Ownership: the caller owns struct bt_dht and must not move it once started.
 */
#ifndef BT_DHT_H
#define BT_DHT_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/net.h"
#include "dht/id.h"
#include "dht/krpc.h"
#include "dht/lookup.h"
#include "dht/store.h"
#include "dht/table.h"

#define BT_DHT_QUERY_MS           2000   /* an unanswered query times out after this */
#define BT_DHT_LATE_MIN_MS        50     /* a lookup's query is late after this at least */
#define BT_DHT_MAX_PENDING        512    /* our queries in flight at most */
#define BT_DHT_MAX_OPS            32     /* operations (lookups, pings) at once */
#define BT_DHT_RATE_PER_S         64     /* queries answered per second from one address */
#define BT_DHT_RATE_BURST         128    /* ...with this many at once */
#define BT_DHT_RATE_SOURCES       256    /* addresses the rate limiter remembers */
#define BT_DHT_AMPLIFY            4      /* answer/query size ratio for an unproven address */
#define BT_DHT_TICK_MS            1000   /* maintenance every second at least */
#define BT_DHT_PINGS_PER_TICK     4      /* questionable nodes pinged per tick */
#define BT_DHT_REFRESHES_PER_TICK 1      /* bucket refreshes started per tick */
#define BT_DHT_REJOIN_NODES       16     /* bootstrap addresses kept to join again */
#define BT_DHT_REJOIN_MS          5000   /* an empty table pings them after this... */
#define BT_DHT_REJOIN_MAX_MS      300000 /* ...twice as long each time, up to this */

/* Send len bytes to to.  A lost datagram is the network's business: no result. */
typedef void bt_dht_send_fn(void *arg, const void *pkt, size_t len, const struct bt_netaddr *to);

/* One line of trace: a message in (outgoing 0) or out (1), described (krpc.h). */
typedef void bt_dht_trace_fn(void *arg, int outgoing, const struct bt_netaddr *peer,
                             const char *line);

struct bt_dht_config {
    unsigned char id[BT_DHT_ID_LEN]; /* our node id... */
    int has_id;                      /* ...if set; else a random one */
    size_t max_nodes;                /* routing table cap; 0: BT_DHT_TABLE_MAX */
    size_t max_hashes, max_peers;    /* store caps; 0: store.h's defaults */
    uint64_t query_ms;               /* query timeout; 0: BT_DHT_QUERY_MS */
    int read_only;                   /* BEP 43: answer no queries, say "ro" in ours */
    bt_dht_send_fn *send;            /* must be set */
    void *send_arg;
    bt_dht_trace_fn *trace; /* may be NULL */
    void *trace_arg;
};

enum bt_dht_op_kind {
    BT_DHT_OP_PING = 1,
    BT_DHT_OP_FIND_NODE,
    BT_DHT_OP_GET_PEERS,
    BT_DHT_OP_ANNOUNCE,
    BT_DHT_OP_BOOTSTRAP,
};

#define BT_DHT_RESULT_NODES BT_DHT_K

/* How an operation ended.  Valid during the done callback only. */
struct bt_dht_result {
    enum bt_dht_op_kind kind;
    enum bt_err err; /* BT_OK, BT_ERR_DHT_TIMEOUT, BT_ERR_DHT_NO_NODES, BT_ERR_KRPC_ERROR... */
    unsigned char target[BT_DHT_ID_LEN]; /* lookups */
    const struct bt_netaddr *peers;      /* get_peers, announce: peers found */
    size_t peer_count;
    struct bt_dht_contact
        nodes[BT_DHT_RESULT_NODES]; /* the closest that answered; ping: the node */
    size_t node_count;
    size_t announced; /* announce: nodes that took our announce_peer */
    size_t queries;   /* queries sent for this operation */
    size_t answers;   /* answers received for it */
    size_t rounds;    /* lookups: how deep the walk went (lookup.h's rounds) */
    uint64_t ms;      /* how long it took */
};

typedef void bt_dht_done_fn(void *arg, const struct bt_dht_result *r);

struct bt_dht_op;
struct bt_dht_pending;
struct bt_dht_rate;

/* Counters, for the trace, the tools and bench/dht. */
struct bt_dht_stats {
    uint64_t received, sent;         /* datagrams */
    uint64_t queries_in, answers_in; /* well-formed messages received */
    uint64_t malformed;              /* datagrams that were not KRPC */
    uint64_t rate_limited;           /* queries dropped by the limiter */
    uint64_t trimmed;                /* answers cut down for an unproven address */
    uint64_t timeouts;               /* our queries left unanswered */
    uint64_t insecure_ids;           /* BEP 42 checks failed */
    uint64_t bytes_in, bytes_out;
};

struct bt_dht {
    struct bt_dht_config cfg;
    unsigned char id[BT_DHT_ID_LEN];
    struct bt_dht_table table;
    struct bt_dht_store store;
    struct bt_dht_pending *pending; /* grows as needed, up to BT_DHT_MAX_PENDING slots */
    size_t pending_count, pending_cap;
    struct bt_dht_op *ops[BT_DHT_MAX_OPS];
    struct bt_dht_rate *sources; /* the rate limiter's buckets, up to BT_DHT_RATE_SOURCES */
    size_t source_count, source_cap;
    uint64_t rng;                /* xorshift state for transaction ids */
    int refreshing;              /* an internal refresh lookup runs */
    uint64_t expired_ms;         /* the store's last expiry */
    uint64_t rtt_ms, rtt_var_ms; /* smoothed round trip of answers, and its spread */
    struct bt_netaddr rejoin[BT_DHT_REJOIN_NODES]; /* the first bootstrap addresses */
    size_t rejoin_count;
    uint64_t rejoin_ms, rejoin_wait_ms; /* when an empty table pings them next */
    int has_rtt;
    struct bt_dht_stats stats;
    int started;
};

/* Cannot fail. */
void bt_dht_init(struct bt_dht *d);

/* Ready the node with a copy of cfg at time now (a random id and secrets come
 * from the kernel: BT_ERR_IO without them; BT_ERR_NOMEM). */
enum bt_err bt_dht_start(struct bt_dht *d, const struct bt_dht_config *cfg, uint64_t now);

/* Free everything; operations still running end without their callbacks. */
void bt_dht_release(struct bt_dht *d);

/* One datagram of len bytes from from, at now. */
void bt_dht_receive(struct bt_dht *d, const void *pkt, size_t len, const struct bt_netaddr *from,
                    uint64_t now);

/* Timeouts and maintenance at now; returns how many milliseconds from now the
 * node wants the next tick (at most BT_DHT_TICK_MS). */
uint64_t bt_dht_tick(struct bt_dht *d, uint64_t now);

/* How many milliseconds from now the node's queries in flight next need a
 * tick: a lookup's query becoming late, or any timing out (at most
 * BT_DHT_TICK_MS).  An owner that ticks on a timer checks it after
 * bt_dht_receive() and after starting an operation. */
uint64_t bt_dht_next_tick(const struct bt_dht *d, uint64_t now);

/* Operations.  done (may be NULL) is called once when it ends, from inside
 * bt_dht_receive() or bt_dht_tick().  BT_ERR_TOO_LARGE when BT_DHT_MAX_OPS run,
 * BT_ERR_NOMEM. */
enum bt_err bt_dht_ping(struct bt_dht *d, const struct bt_netaddr *to, uint64_t now,
                        bt_dht_done_fn *done, void *arg);
enum bt_err bt_dht_find_node(struct bt_dht *d, const unsigned char *target, uint64_t now,
                             bt_dht_done_fn *done, void *arg);
enum bt_err bt_dht_get_peers(struct bt_dht *d, const unsigned char *info_hash, uint64_t now,
                             bt_dht_done_fn *done, void *arg);
/* port 0: implied_port (the port our datagrams come from). */
enum bt_err bt_dht_announce(struct bt_dht *d, const unsigned char *info_hash, uint16_t port,
                            uint64_t now, bt_dht_done_fn *done, void *arg);
/* Ping each of the n addresses (nodes whose ids we do not know yet, or the ones
 * of a state file), then look up our own id: the table fills with our
 * neighbourhood.  Ends with the find_node's result.  The first
 * BT_DHT_REJOIN_NODES addresses are kept: should the table ever be empty
 * (every ping lost, or every node gone), the node pings them again, after
 * BT_DHT_REJOIN_MS and then twice as long each time.  The pings are waited for
 * until all are over, or one answered and the others are late (a state file's
 * nodes may be long gone).  With join set, it ends there, with no lookup: the
 * table has nodes to start from, enough for a one-off question. */
enum bt_err bt_dht_bootstrap(struct bt_dht *d, const struct bt_netaddr *addrs, size_t n, int join,
                             uint64_t now, bt_dht_done_fn *done, void *arg);

/* Operations still running. */
size_t bt_dht_ops(const struct bt_dht *d);

/* End, without their callbacks, the operations started with arg: for an owner
 * that goes away first (a download released while its lookup runs). */
void bt_dht_forget(struct bt_dht *d, void *arg);

#endif /* BT_DHT_H */
