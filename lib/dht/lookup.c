/*
 * lookup.c - an iterative lookup (BEP 5: "the search is iterative").  See
 * lookup.h.
 *
 * The candidates are one array sorted by their distance to the target.  A
 * query goes to the closest one not asked yet, at most BT_DHT_ALPHA at a time,
 * and only inside the window of the BT_DHT_K closest that did not fail:
 * asking farther ones could not change the answer.
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
 * lookup is done when everything in the window has answered.  A late query
 * (failed or late alike are "not counted") lets the window reach one further.
 */
#include "dht/lookup.h"

#include <string.h>

#include "dht/table.h" /* BT_DHT_K */

void bt_dht_lookup_init(struct bt_dht_lookup *l, const unsigned char *target)
{
    memset(l, 0, sizeof(*l));
    memcpy(l->target, target, BT_DHT_ID_LEN);
}

void bt_dht_lookup_set_self(struct bt_dht_lookup *l, const unsigned char *self)
{
    memcpy(l->self, self, BT_DHT_ID_LEN);
    l->has_self = 1;
}

/* The index of the candidate with this id, or l->count. */
static size_t find(const struct bt_dht_lookup *l, const unsigned char *id)
{
    size_t i;

    for (i = 0; i < l->count; i++) {
        if (memcmp(l->cands[i].c.id, id, BT_DHT_ID_LEN) == 0)
            return i;
    }
    return l->count;
}

/* Asked, and neither answered nor failed yet. */
static int in_flight(const struct bt_dht_cand *cand)
{
    return cand->state == BT_DHT_CAND_ASKED || cand->state == BT_DHT_CAND_LATE;
}

static void add_one(struct bt_dht_lookup *l, const struct bt_dht_contact *c, size_t round)
{
    size_t pos = 0, drop;

    if (find(l, c->id) < l->count)
        return;
    if (l->has_self && memcmp(c->id, l->self, BT_DHT_ID_LEN) == 0)
        return;
    while (pos < l->count && bt_dht_id_closer(l->target, l->cands[pos].c.id, c->id) < 0)
        pos++;
    if (l->count == BT_DHT_LOOKUP_MAX) {
        /* The farthest candidate not in flight makes room, if it is farther
         * than c; otherwise c is the one that goes. */
        drop = l->count;
        while (drop > pos && in_flight(&l->cands[drop - 1]))
            drop--;
        if (drop == pos)
            return;
        drop--;
        memmove(&l->cands[drop], &l->cands[drop + 1], (l->count - drop - 1) * sizeof(l->cands[0]));
        l->count--;
    }
    memmove(&l->cands[pos + 1], &l->cands[pos], (l->count - pos) * sizeof(l->cands[0]));
    memset(&l->cands[pos], 0, sizeof(l->cands[0]));
    l->cands[pos].c = *c;
    l->cands[pos].state = BT_DHT_CAND_NEW;
    l->cands[pos].round = round;
    l->count++;
}

static void add_round(struct bt_dht_lookup *l, const struct bt_dht_contact *c, size_t n,
                      size_t round)
{
    size_t i;

    for (i = 0; i < n; i++)
        add_one(l, &c[i], round);
}

void bt_dht_lookup_add(struct bt_dht_lookup *l, const struct bt_dht_contact *c, size_t n)
{
    add_round(l, c, n, 1);
}

const struct bt_dht_contact *bt_dht_lookup_next(struct bt_dht_lookup *l, uint64_t now)
{
    size_t i, rank = 0;

    if (l->in_flight >= BT_DHT_ALPHA)
        return NULL;
    for (i = 0; i < l->count && rank < BT_DHT_K; i++) {
        struct bt_dht_cand *cand = &l->cands[i];

        if (cand->state == BT_DHT_CAND_FAILED || cand->state == BT_DHT_CAND_LATE)
            continue;
        if (cand->state == BT_DHT_CAND_NEW) {
            cand->state = BT_DHT_CAND_ASKED;
            cand->asked_ms = now;
            l->in_flight++;
            l->queries++;
            return &cand->c;
        }
        rank++;
    }
    return NULL;
}

static void add_peer(struct bt_dht_lookup *l, const struct bt_netaddr *peer)
{
    size_t i;

    if (l->peer_count == BT_DHT_LOOKUP_PEERS || (peer->iplen != 4 && peer->iplen != 16))
        return;
    for (i = 0; i < l->peer_count; i++) {
        if (bt_netaddr_equal(&l->peers[i], peer))
            return;
    }
    l->peers[l->peer_count++] = *peer;
}

void bt_dht_lookup_answered(struct bt_dht_lookup *l, const unsigned char *id,
                            const struct bt_krpc_msg *r)
{
    size_t i = find(l, id), n, round;
    struct bt_dht_cand *cand;

    if (i == l->count || !in_flight(&l->cands[i]))
        return;
    cand = &l->cands[i];
    if (cand->state == BT_DHT_CAND_ASKED)
        l->in_flight--;
    cand->state = BT_DHT_CAND_ANSWERED;
    l->answers++;
    round = cand->round;
    if (round > l->rounds)
        l->rounds = round;
    /* A token that does not fit is not kept cut short: it would be refused. */
    if (r->has_token && r->token_len <= BT_KRPC_TOKEN_MAX) {
        memcpy(cand->token, r->token, r->token_len);
        cand->token_len = r->token_len;
    }

    /* The counts are checked against the arrays, whoever filled r. */
    n = r->value_count;
    if (n > BT_KRPC_MAX_VALUES)
        n = BT_KRPC_MAX_VALUES;
    for (i = 0; i < n; i++)
        add_peer(l, &r->values[i]);
    n = r->node_count;
    if (n > sizeof(r->nodes) / sizeof(r->nodes[0]))
        n = sizeof(r->nodes) / sizeof(r->nodes[0]);
    /* Last, as new candidates move the others (cand with them). */
    add_round(l, r->nodes, n, round + 1);
}

void bt_dht_lookup_failed(struct bt_dht_lookup *l, const unsigned char *id)
{
    size_t i = find(l, id);

    if (i == l->count || !in_flight(&l->cands[i]))
        return;
    if (l->cands[i].state == BT_DHT_CAND_ASKED)
        l->in_flight--;
    l->cands[i].state = BT_DHT_CAND_FAILED;
    l->failures++;
}

size_t bt_dht_lookup_late(struct bt_dht_lookup *l, uint64_t now, uint64_t late_ms)
{
    size_t i, n = 0;

    for (i = 0; i < l->count; i++) {
        struct bt_dht_cand *cand = &l->cands[i];

        if (cand->state != BT_DHT_CAND_ASKED)
            continue;
        if (now <= cand->asked_ms || now - cand->asked_ms <= late_ms)
            continue;
        cand->state = BT_DHT_CAND_LATE;
        l->in_flight--;
        n++;
    }
    return n;
}

/*
 * The walk is lookup.h's first rule.  Its second needs no code of its own:
 * with none in flight and none left to ask in the window, everything in the
 * window has answered (and with fewer than BT_DHT_K left, the window is all of
 * them).  Late queries end it only once BT_DHT_K others answered: in a small
 * DHT, or a slow one, they may be all there is.
 */
int bt_dht_lookup_done(const struct bt_dht_lookup *l)
{
    size_t i, rank = 0, late = 0;

    for (i = 0; i < l->count && rank < BT_DHT_K; i++) {
        if (l->cands[i].state == BT_DHT_CAND_FAILED)
            continue;
        if (l->cands[i].state == BT_DHT_CAND_LATE) {
            late++;
            continue;
        }
        if (l->cands[i].state != BT_DHT_CAND_ANSWERED)
            return 0;
        rank++;
    }
    return late == 0 || rank == BT_DHT_K;
}

size_t bt_dht_lookup_answered_closest(const struct bt_dht_lookup *l, const struct bt_dht_cand **out,
                                      size_t max)
{
    size_t i, n = 0;

    for (i = 0; i < l->count && n < max; i++) {
        if (l->cands[i].state == BT_DHT_CAND_ANSWERED)
            out[n++] = &l->cands[i];
    }
    return n;
}
