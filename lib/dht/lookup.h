/*
 * lookup.h - an iterative lookup (BEP 5): walk towards a target id by asking,
 * each round, the closest nodes not yet asked, until the BT_DHT_K closest
 * nodes that can be reached have all answered.
 *
 *   candidates (closest first)   state        at most BT_DHT_ALPHA in flight
 *   3f2a..   asked                    ─> answers with 8 nodes closer still:
 *   3f29..   answered                     they join the list, in distance order
 *   3e01..   new                      ─> asked next
 *   ...
 *   done when the BT_DHT_K closest candidates that did not fail have answered
 *
 * A query that has had no answer for longer than the node expects (a few
 * times its usual round trip: dht.h) is late: it gives its slot to the next
 * candidate and no longer holds the lookup up, as a dead node would for the
 * whole timeout; if it answers after all, the answer is taken.  Late queries
 * are waited for only while fewer than BT_DHT_K candidates have answered.
 *
 * A get_peers lookup also gathers the peers ("values") that nodes return, and
 * keeps each answering node's token, for announce_peer to the closest.
 *
 * The lookup sends nothing itself: the node (dht.h) asks it which candidate to
 * query next, sends the query, and reports answers and timeouts back.  That
 * keeps it testable alone, and lets bench/dht run it over a simulated network.
 * Everything is bounded: the candidates (BT_DHT_LOOKUP_MAX, the farthest
 * dropped first) and the peers (BT_DHT_LOOKUP_PEERS).
 *
 * Rounds measure how deep the walk went.  Queries overlap (a new one leaves as
 * soon as any answer frees a place), so a round is a hop, not a moment: the
 * candidates offered at the start are round 1, the nodes a round-r candidate
 * names in its answer are round r + 1, and a lookup took as many rounds as the
 * highest round of a candidate that answered.
 */
#ifndef BT_DHT_LOOKUP_H
#define BT_DHT_LOOKUP_H

#include <stddef.h>
#include <stdint.h>

#include "core/net.h"
#include "dht/id.h"
#include "dht/krpc.h"

#define BT_DHT_ALPHA        3   /* queries in flight at once (BEP 5's alpha) */
#define BT_DHT_LOOKUP_MAX   64  /* candidates kept, closest first */
#define BT_DHT_LOOKUP_PEERS 256 /* peers gathered at most */

enum bt_dht_cand_state {
    BT_DHT_CAND_NEW,      /* not asked yet */
    BT_DHT_CAND_ASKED,    /* a query is in flight */
    BT_DHT_CAND_LATE,     /* in flight past the late time: out of the window */
    BT_DHT_CAND_ANSWERED, /* it answered */
    BT_DHT_CAND_FAILED,   /* it did not, or answered wrongly */
};

struct bt_dht_cand {
    struct bt_dht_contact c;
    enum bt_dht_cand_state state;
    uint64_t asked_ms;
    size_t round;                           /* 1: offered at the start; r + 1: named by round r */
    unsigned char token[BT_KRPC_TOKEN_MAX]; /* from its get_peers answer */
    size_t token_len;
};

struct bt_dht_lookup {
    unsigned char target[BT_DHT_ID_LEN];
    unsigned char self[BT_DHT_ID_LEN]; /* the asking node's id, if has_self */
    int has_self;
    struct bt_dht_cand cands[BT_DHT_LOOKUP_MAX]; /* closest to target first */
    size_t count;
    size_t in_flight;                             /* asked, not late */
    struct bt_netaddr peers[BT_DHT_LOOKUP_PEERS]; /* distinct peers from "values" */
    size_t peer_count;
    size_t queries;  /* queries handed out by bt_dht_lookup_next() */
    size_t answers;  /* answers taken */
    size_t failures; /* candidates that failed */
    size_t rounds;   /* the highest round of a candidate that answered */
};

/* An empty lookup of target.  Cannot fail. */
void bt_dht_lookup_init(struct bt_dht_lookup *l, const unsigned char *target);

/*
 * The asking node's own id: a contact with it is never a candidate.  Other
 * nodes list us among the nodes close to a target (we queried them, so they
 * know us), and a node that asks itself only wastes a query and a slot.
 */
void bt_dht_lookup_set_self(struct bt_dht_lookup *l, const unsigned char *self);

/*
 * Offer n candidates of round 1 (from the routing table at the start; answers'
 * nodes come in through bt_dht_lookup_answered): ones already known are
 * ignored, the rest go in distance order; past BT_DHT_LOOKUP_MAX the farthest
 * are dropped (never one in flight).
 */
void bt_dht_lookup_add(struct bt_dht_lookup *l, const struct bt_dht_contact *c, size_t n);

/*
 * The next candidate to query: the closest new one, if fewer than BT_DHT_ALPHA
 * queries are in flight and it is still among the BT_DHT_K closest candidates
 * that have not failed.  It is marked asked at now.  NULL when there is none
 * now (the caller asks again after an answer or a timeout).
 */
const struct bt_dht_contact *bt_dht_lookup_next(struct bt_dht_lookup *l, uint64_t now);

/*
 * The candidate with this id answered r (a response to our query): r's nodes
 * are offered as candidates, its values gathered as peers, its token kept.  An
 * answer from a node we did not ask (or asked no more) is ignored.
 */
void bt_dht_lookup_answered(struct bt_dht_lookup *l, const unsigned char *id,
                            const struct bt_krpc_msg *r);

/* The candidate with this id did not answer (or answered with an error). */
void bt_dht_lookup_failed(struct bt_dht_lookup *l, const unsigned char *id);

/* Queries in flight for longer than late_ms at now are late: out of the
 * window and of the BT_DHT_ALPHA in flight.  Returns how many became late. */
size_t bt_dht_lookup_late(struct bt_dht_lookup *l, uint64_t now, uint64_t late_ms);

/* Done: the BT_DHT_K closest candidates that did not fail and are not late
 * have all answered, or no candidate is left to ask and none is in flight
 * (late ones are still waited for while fewer than BT_DHT_K answered). */
int bt_dht_lookup_done(const struct bt_dht_lookup *l);

/* Up to max of the closest candidates that answered, closest first (with
 * their tokens, for announce_peer).  Returns how many. */
size_t bt_dht_lookup_answered_closest(const struct bt_dht_lookup *l, const struct bt_dht_cand **out,
                                      size_t max);

#endif /* BT_DHT_LOOKUP_H */
