/*
 * lookup.c - exercise for stage 8: the iterative lookup (BEP 5: "the search is
 * iterative"), how a node finds the nodes closest to an id it does not know.
 *
 * You write the functions lib/dht/lookup.h declares; the header is the contract
 * (read it first).  The lookup is bookkeeping only: it sends nothing.
 * lib/dht/dht.c, which you do not write, seeds it from your routing table,
 * asks bt_dht_lookup_next() whom to query, sends find_node or get_peers, and
 * reports back each answer (bt_dht_lookup_answered), error or timeout
 * (_failed), and queries gone unanswered for a while (_late), until
 * bt_dht_lookup_done().  Then it takes the answered
 * nodes (bt-dht find-node prints them; an announce sends announce_peer, with
 * each one's token, to the closest) and the peers gathered (bt-dht get-peers).
 *
 * The candidates are one array, l->cands[0..count), sorted by distance to the
 * target, closest first (bt_dht_id_closer()).  A query goes to the closest
 * candidate not asked yet, at most BT_DHT_ALPHA (3) at a time, and only inside
 * the window of the BT_DHT_K (8) closest that did not fail: asking farther ones
 * could not change the answer.
 *
 *   target 3f00..
 *   [0] 3f01..  answered   ┐
 *   [1] 3f0c..  failed     │  (not counted)
 *   [2] 3f12..  asked      │  the window: the K closest
 *   [3] 3e77..  new        │  that did not fail
 *   ...                    ┘  <─ next() asks [3]
 *   [9] 20aa..  new           outside: asked only if one above fails
 *
 * Answers bring closer nodes, which push the window towards the target; the
 * lookup is done when everything in the window has answered.
 *
 * A node that has gone never answers, and its query fails only at the
 * timeout (2 s).  So that one such node does not hold the whole lookup up,
 * dht.c calls a query LATE once it has waited a few round trips: a late query
 * leaves the window and its slot (another candidate is asked in its place),
 * but its answer is still taken if it comes.  Late and failed are both "not
 * counted" in the picture above.
 *
 * dht.c reads some fields itself, so keep them true: count, answers (a lookup
 * that ends with none failed), peers[0..peer_count) and target.  Keep
 * in_flight (ASKED only, not LATE), queries and failures true as well.
 * rounds and each candidate's round (how deep the walk went: nodes offered by
 * bt_dht_lookup_add() are round 1, nodes named in a round-r answer round r+1)
 * feed only bench/dht's figures; keep them if you like.
 *
 * Build the tools with your files: make exercise STAGE=8
 * Grade them:                        make grade STAGE=8
 *
 * Every body below is a placeholder that compiles and fails: replace each one.
 * You may add static helpers (they must be used, or -Werror stops the build).
 * One that finds a candidate's index by id serves several functions here.
 */
#include "dht/lookup.h"

#include <string.h>

#include "dht/table.h" /* BT_DHT_K */

/* Zero everything, then copy the target.  Cannot fail. */
void bt_dht_lookup_init(struct bt_dht_lookup *l, const unsigned char *target)
{
    (void)l;
    (void)target;
}

/* Remember our own id (and has_self): bt_dht_lookup_add() refuses it. */
void bt_dht_lookup_set_self(struct bt_dht_lookup *l, const unsigned char *self)
{
    (void)l;
    (void)self;
}

/*
 * Offer n contacts as candidates.  For each one: skip it if a candidate has its
 * id already (a node is known by its id, whatever address it came with), or if
 * it is us.  Otherwise insert it, state BT_DHT_CAND_NEW and the rest zero, at
 * its place in distance order (memmove the farther ones down).
 *
 * The array holds BT_DHT_LOOKUP_MAX.  When it is full, the farthest candidate
 * that is not in flight (ASKED or LATE: its answer may be on the way) and is farther
 * than the newcomer leaves to make room; when there is none, the newcomer is
 * the one dropped.  A hostile node can answer with endless made-up nodes: this
 * cap, and the window, are what make the lookup end anyway.
 */
void bt_dht_lookup_add(struct bt_dht_lookup *l, const struct bt_dht_contact *c, size_t n)
{
    (void)l;
    (void)c;
    (void)n;
}

/*
 * The next node to query, or NULL.  None while BT_DHT_ALPHA queries are in
 * flight.  Otherwise walk the candidates closest first, skipping FAILED and
 * LATE ones and counting the others: the first NEW one among the first BT_DHT_K counted
 * is the one.  Mark it ASKED at now (asked_ms), count it in in_flight and
 * queries, and return its contact.  dht.c calls this in a loop until NULL.
 */
const struct bt_dht_contact *bt_dht_lookup_next(struct bt_dht_lookup *l, uint64_t now)
{
    (void)l;
    (void)now;
    return NULL;
}

/*
 * The candidate with this id answered r.  Ignore it unless that candidate is
 * ASKED or LATE (an answer we never asked for, or to a query that failed,
 * proves nothing).  Mark it ANSWERED (answers up; in_flight down if it was
 * ASKED: a LATE one left in_flight already); keep r's token if it has one that fits
 * BT_KRPC_TOKEN_MAX (a token cut short would be refused, so keep none); gather
 * r's values as peers: IPv4 or IPv6 only, each distinct one once
 * (bt_netaddr_equal()), at most BT_DHT_LOOKUP_PEERS; then offer r's nodes as
 * candidates.  Trust no count in r beyond its array's size.
 * Common mistake: holding a pointer to the candidate across bt_dht_lookup_add():
 * adding moves the candidates, so add last.
 */
void bt_dht_lookup_answered(struct bt_dht_lookup *l, const unsigned char *id,
                            const struct bt_krpc_msg *r)
{
    (void)l;
    (void)id;
    (void)r;
}

/* The candidate with this id, if ASKED or LATE, failed: FAILED, failures up,
 * in_flight down if it was ASKED.  Otherwise nothing happens. */
void bt_dht_lookup_failed(struct bt_dht_lookup *l, const unsigned char *id)
{
    (void)l;
    (void)id;
}

/*
 * Every ASKED candidate asked more than late_ms before now becomes LATE
 * (in_flight down; it has not failed).  Returns how many did.  A clock that
 * went back (now before asked_ms) makes nothing late.
 */
size_t bt_dht_lookup_late(struct bt_dht_lookup *l, uint64_t now, uint64_t late_ms)
{
    (void)l;
    (void)now;
    (void)late_ms;
    return 0;
}

/*
 * Done when the window has fully answered: walking the candidates closest
 * first, skipping FAILED and LATE ones, the first BT_DHT_K others are all
 * ANSWERED (fewer than BT_DHT_K left: all of them).  That also covers a lookup
 * with nothing to ask and nothing in flight, an empty one included: an empty
 * lookup is done.  One more rule: if any candidate is LATE, the lookup waits
 * for it (it may be all a small DHT has) unless BT_DHT_K candidates have
 * answered.
 *
 * The placeholder says "done" so that, until you write this file, every lookup
 * ends at once (with no node to ask) instead of waiting for a timeout.
 */
int bt_dht_lookup_done(const struct bt_dht_lookup *l)
{
    (void)l;
    return 1;
}

/* Up to max pointers to ANSWERED candidates, closest first.  Returns how many. */
size_t bt_dht_lookup_answered_closest(const struct bt_dht_lookup *l, const struct bt_dht_cand **out,
                                      size_t max)
{
    (void)l;
    (void)out;
    (void)max;
    return 0;
}
