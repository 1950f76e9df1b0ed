/*
 * test_dht_table.c - the DHT's routing table, lookups and store (BEP 5).
 *
 * Table: bucket placement and splits, who keeps a full bucket's places (good
 * nodes, a pending newcomer, bad nodes), closest-first order against brute
 * force, the cap, refresh targets, the state file's good nodes.  Lookups:
 * convergence on a simulated network of 5,000 nodes, the alpha bound, the
 * window and the done rule, peers, tokens, expiry, the candidate cap.  Store:
 * tokens, peer TTL, caps and eviction, the random start.
 *
 * Ids come from a fixed generator, so a failure replays.  Times start well
 * above 0, which the table reads as "never".
 */
#include <stdlib.h>
#include <string.h>

#include "dht/lookup.h"
#include "dht/store.h"
#include "dht/table.h"
#include "tap.h"

#define T0 1000 /* ms: the tests' first moment */

/* xorshift64: the same ids every run. */
static uint64_t rng_state = 88172645463325252ull;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void random_id(unsigned char *id)
{
    size_t i;

    for (i = 0; i < BT_DHT_ID_LEN; i++)
        id[i] = (unsigned char)(rng() >> 32);
}

static int get_bit(const unsigned char *id, unsigned i)
{
    return (id[i / 8] >> (7 - i % 8)) & 1;
}

static void set_bit(unsigned char *id, unsigned i, int v)
{
    unsigned char mask = (unsigned char)(0x80u >> (i % 8));

    if (v)
        id[i / 8] |= mask;
    else
        id[i / 8] &= (unsigned char)~mask;
}

/* A random id that shares exactly bits leading bits with base. */
static void id_sharing(const unsigned char *base, unsigned bits, unsigned char *id)
{
    unsigned i;

    random_id(id);
    for (i = 0; i < bits; i++)
        set_bit(id, i, get_bit(base, i));
    set_bit(id, bits, get_bit(base, bits) == 0);
}

/* Contact number n (below 65536): the id given, the address
 * 10.0.n/256.n%256:6881. */
static void contact(struct bt_dht_contact *c, const unsigned char *id, unsigned n)
{
    memset(c, 0, sizeof(*c));
    memcpy(c->id, id, BT_DHT_ID_LEN);
    c->addr.iplen = 4;
    c->addr.ip[0] = 10;
    c->addr.ip[2] = (unsigned char)(n >> 8);
    c->addr.ip[3] = (unsigned char)n;
    c->addr.port = 6881;
}

/* Add a node sharing bits leading bits with the table's id; returns what the
 * table did, and its id in id. */
static enum bt_dht_heard hear_sharing(struct bt_dht_table *t, unsigned bits, int answered,
                                      uint64_t now, unsigned char *id)
{
    static unsigned next_number;
    struct bt_dht_contact c;

    id_sharing(t->self, bits, id);
    contact(&c, id, next_number++);
    return bt_dht_table_heard(t, &c, answered, now);
}

static int in_table(const struct bt_dht_table *t, const unsigned char *id)
{
    size_t bi, i;

    for (bi = 0; bi < t->bucket_count; bi++) {
        for (i = 0; i < t->buckets[bi].count; i++) {
            if (memcmp(t->buckets[bi].nodes[i].c.id, id, BT_DHT_ID_LEN) == 0)
                return 1;
        }
    }
    return 0;
}

static const struct bt_dht_entry *entry_of(const struct bt_dht_table *t, const unsigned char *id)
{
    size_t bi, i;

    for (bi = 0; bi < t->bucket_count; bi++) {
        for (i = 0; i < t->buckets[bi].count; i++) {
            if (memcmp(t->buckets[bi].nodes[i].c.id, id, BT_DHT_ID_LEN) == 0)
                return &t->buckets[bi].nodes[i];
        }
    }
    return NULL;
}

/* Every node in the bucket of its common prefix, no bucket over K, the count
 * right. */
static int table_consistent(const struct bt_dht_table *t)
{
    size_t bi, i, total = 0;

    for (bi = 0; bi < t->bucket_count; bi++) {
        const struct bt_dht_bucket *b = &t->buckets[bi];

        if (b->count > BT_DHT_K)
            return 0;
        for (i = 0; i < b->count; i++) {
            unsigned bits = bt_dht_id_common_bits(t->self, b->nodes[i].c.id);

            if (bi + 1 < t->bucket_count && bits != bi)
                return 0;
            if (bi + 1 == t->bucket_count && bits < bi)
                return 0;
        }
        total += b->count;
    }
    return total == t->node_count;
}

/* The bucket an id belongs in (table.c's rule, written again). */
static size_t bucket_of(const struct bt_dht_table *t, const unsigned char *id)
{
    size_t bits = bt_dht_id_common_bits(t->self, id);

    return bits < t->bucket_count ? bits : t->bucket_count - 1;
}

static void test_placement(void)
{
    struct bt_dht_table t;
    struct bt_dht_contact c, moved;
    unsigned char self[BT_DHT_ID_LEN], id[BT_DHT_ID_LEN];
    int all_added = 1;
    size_t i;

    random_id(self);
    bt_dht_table_init(&t, self);
    ok(t.bucket_count == 0 && t.node_count == 0 && t.max_nodes == BT_DHT_TABLE_MAX,
       "a new table has no bucket and the default cap");
    contact(&c, self, 0);
    ok(bt_dht_table_heard(&t, &c, 1, T0) == BT_DHT_DROPPED, "our own id is never kept");

    for (i = 0; i < 4; i++)
        all_added &= hear_sharing(&t, 0, 1, T0, id) == BT_DHT_ADDED;
    for (i = 0; i < 4; i++)
        all_added &= hear_sharing(&t, 1, 1, T0, id) == BT_DHT_ADDED;
    ok(all_added && t.bucket_count == 1 && t.buckets[0].count == 8,
       "one bucket holds the first eight nodes, far and near");
    ok(hear_sharing(&t, 5, 1, T0, id) == BT_DHT_ADDED && t.bucket_count == 2 &&
           t.buckets[0].count == 4 && t.buckets[1].count == 5,
       "a ninth splits our bucket: the nodes sharing a bit or more move to the new last one");
    ok(table_consistent(&t), "after the split, every node is in its prefix's bucket");

    for (i = 0; i < 300; i++)
        hear_sharing(&t, (unsigned)(rng() % 40), 1, T0, id);
    ok(table_consistent(&t) && t.bucket_count > 8,
       "300 nodes more: %zu buckets, each node in its prefix's bucket", t.bucket_count);

    /* The address rule: only an answer moves a node. */
    memcpy(&c, &t.buckets[0].nodes[0].c, sizeof(c));
    moved = c;
    moved.addr.port = 7000;
    ok(bt_dht_table_heard(&t, &moved, 0, T0 + 1) == BT_DHT_UPDATED &&
           entry_of(&t, c.id)->c.addr.port == 6881,
       "a query from another address leaves the node's address as it was");
    ok(bt_dht_table_heard(&t, &moved, 1, T0 + 2) == BT_DHT_UPDATED &&
           entry_of(&t, c.id)->c.addr.port == 7000 && entry_of(&t, c.id)->replied_ms == T0 + 2,
       "an answer from another address moves it");
    bt_dht_table_remove(&t, c.id);
    ok(!in_table(&t, c.id) && table_consistent(&t), "a removed node is gone");
    bt_dht_table_release(&t);
}

/* Fill bucket 0 of t with eight nodes sharing no bit with us, into ids; the
 * first `queried` of them only queried us, the others answered. */
static void fill_far_bucket(struct bt_dht_table *t, size_t queried, uint64_t now,
                            unsigned char (*ids)[BT_DHT_ID_LEN])
{
    size_t i;

    for (i = 0; i < BT_DHT_K; i++)
        hear_sharing(t, 0, i >= queried, now, ids[i]);
}

static void test_full_bucket(void)
{
    struct bt_dht_table t;
    unsigned char self[BT_DHT_ID_LEN], ids[BT_DHT_K][BT_DHT_ID_LEN], id[BT_DHT_ID_LEN];
    unsigned char newcomer[BT_DHT_ID_LEN], late[BT_DHT_ID_LEN];
    struct bt_dht_contact out[BT_DHT_K * 2];
    int kept = 1;
    size_t i, n;

    random_id(self);
    bt_dht_table_init(&t, self);
    fill_far_bucket(&t, 0, T0, ids);
    ok(hear_sharing(&t, 0, 1, T0, id) == BT_DHT_DROPPED,
       "a far bucket of good nodes drops a newcomer");
    for (i = 0; i < BT_DHT_K; i++)
        kept &= in_table(&t, ids[i]);
    ok(kept && !in_table(&t, id) && t.buckets[0].count == BT_DHT_K && !t.buckets[0].has_pending,
       "and keeps its eight good nodes, with no pending node");
    ok(bt_dht_table_good(&t, T0 + BT_DHT_GOOD_MS - 1) == BT_DHT_K &&
           bt_dht_table_good(&t, T0 + BT_DHT_GOOD_MS) == 0,
       "nodes are good for BT_DHT_GOOD_MS after their answer");
    bt_dht_table_release(&t);

    /* One node only queried us: questionable, the newcomer waits for it. */
    bt_dht_table_init(&t, self);
    fill_far_bucket(&t, 1, T0, ids);
    ok(hear_sharing(&t, 0, 1, T0, newcomer) == BT_DHT_PENDING && t.buckets[0].has_pending &&
           !in_table(&t, newcomer),
       "with a questionable node in it, a full far bucket makes the newcomer wait");
    n = bt_dht_table_to_ping(&t, T0, out, 16);
    ok(n == 1 && memcmp(out[0].id, ids[0], BT_DHT_ID_LEN) == 0,
       "the questionable node is the one to ping");
    ok(bt_dht_table_to_ping(&t, T0 + BT_DHT_PING_AGAIN_MS - 1, out, 16) == 0,
       "and not again within a minute");
    bt_dht_table_failed(&t, ids[0], T0 + 10);
    ok(in_table(&t, ids[0]) && t.buckets[0].has_pending, "one unanswered ping: it stays");
    ok(bt_dht_table_to_ping(&t, T0 + BT_DHT_PING_AGAIN_MS, out, 16) == 1,
       "a minute later it is pinged again");
    bt_dht_table_failed(&t, ids[0], T0 + BT_DHT_PING_AGAIN_MS + 10);
    ok(!in_table(&t, ids[0]) && in_table(&t, newcomer) && !t.buckets[0].has_pending &&
           t.buckets[0].count == BT_DHT_K,
       "a second: the pending newcomer takes its place");
    ok(entry_of(&t, newcomer)->replied_ms == 0 &&
           bt_dht_table_good(&t, T0 + BT_DHT_PING_AGAIN_MS + 10) == BT_DHT_K - 1,
       "the newcomer starts questionable");
    bt_dht_table_release(&t);

    /* The questionable node answers: the bucket is good again, and keeps its nodes. */
    bt_dht_table_init(&t, self);
    fill_far_bucket(&t, 1, T0, ids);
    hear_sharing(&t, 0, 1, T0, newcomer);
    {
        struct bt_dht_contact c = t.buckets[0].nodes[0].c;

        ok(bt_dht_table_heard(&t, &c, 1, T0 + 5) == BT_DHT_UPDATED &&
               bt_dht_table_good(&t, T0 + 5) == BT_DHT_K,
           "a pinged node that answers is good");
    }
    ok(hear_sharing(&t, 0, 1, T0 + 6, late) == BT_DHT_DROPPED && !in_table(&t, late),
       "then a newcomer is dropped again");
    bt_dht_table_release(&t);

    /* A place opens: the pending node takes it when heard from again. */
    bt_dht_table_init(&t, self);
    fill_far_bucket(&t, 1, T0, ids);
    hear_sharing(&t, 0, 1, T0, newcomer);
    {
        struct bt_dht_contact c = t.buckets[0].pending;

        bt_dht_table_remove(&t, ids[5]);
        ok(bt_dht_table_heard(&t, &c, 0, T0 + 7) == BT_DHT_ADDED && in_table(&t, newcomer) &&
               !t.buckets[0].has_pending && t.buckets[0].count == BT_DHT_K,
           "after a removal the pending node, heard again, takes the free place");
    }
    bt_dht_table_release(&t);

    /* Bad nodes: two unanswered queries, with nobody waiting. */
    bt_dht_table_init(&t, self);
    fill_far_bucket(&t, 0, T0, ids);
    bt_dht_table_failed(&t, ids[3], T0 + 1);
    bt_dht_table_failed(&t, ids[3], T0 + 2);
    n = bt_dht_table_closest(&t, ids[3], out, 16);
    kept = 1;
    for (i = 0; i < n; i++)
        kept &= memcmp(out[i].id, ids[3], BT_DHT_ID_LEN) != 0;
    ok(in_table(&t, ids[3]) && kept && n == BT_DHT_K - 1,
       "a bad node stays until replaced, but lookups no longer get it");
    ok(hear_sharing(&t, 0, 0, T0 + 3, newcomer) == BT_DHT_ADDED && in_table(&t, newcomer) &&
           !in_table(&t, ids[3]) && t.buckets[0].count == BT_DHT_K && t.node_count == BT_DHT_K,
       "a newcomer replaces the bad node at once");
    bt_dht_table_release(&t);
}

/* qsort by distance to sort_target. */
static const unsigned char *sort_target;

static int by_distance(const void *a, const void *b)
{
    return bt_dht_id_closer(sort_target, a, b);
}

/* A table of 1,000 nodes: node i shares i / 8 bits with self, so that every
 * one has a place. */
static void fill_thousand(struct bt_dht_table *t, unsigned char (*ids)[BT_DHT_ID_LEN])
{
    struct bt_dht_contact c;
    unsigned i;

    for (i = 0; i < 1000; i++) {
        id_sharing(t->self, i / 8, ids[i]);
        contact(&c, ids[i], i);
        bt_dht_table_heard(t, &c, 1, T0);
    }
}

static void test_closest(void)
{
    static unsigned char ids[1000][BT_DHT_ID_LEN], alive[1000][BT_DHT_ID_LEN];
    static struct bt_dht_contact out[1000];
    struct bt_dht_table t;
    unsigned char self[BT_DHT_ID_LEN], target[BT_DHT_ID_LEN];
    size_t i, n, alive_count = 0, round, matched = 0, matched8 = 0;

    random_id(self);
    bt_dht_table_init(&t, self);
    fill_thousand(&t, ids);
    ok(t.node_count == 1000 && table_consistent(&t), "1,000 nodes over %zu buckets",
       t.bucket_count);
    /* Ten bad nodes, which closest() leaves out. */
    for (i = 0; i < 1000; i++) {
        if (i % 100 == 7) {
            bt_dht_table_failed(&t, ids[i], T0);
            bt_dht_table_failed(&t, ids[i], T0);
        } else {
            memcpy(alive[alive_count++], ids[i], BT_DHT_ID_LEN);
        }
    }
    for (round = 0; round < 20; round++) {
        /* Half the targets anywhere, half near us, where the buckets are fine. */
        if (round % 2 == 0)
            random_id(target);
        else
            id_sharing(self, (unsigned)(rng() % 120), target);
        sort_target = target;
        qsort(alive, alive_count, sizeof(alive[0]), by_distance);
        n = bt_dht_table_closest(&t, target, out, 1000);
        for (i = 0; i < n && i < alive_count; i++) {
            if (memcmp(out[i].id, alive[i], BT_DHT_ID_LEN) != 0)
                break;
        }
        matched += n == alive_count && i == n;
        n = bt_dht_table_closest(&t, target, out, BT_DHT_K);
        for (i = 0; i < n; i++) {
            if (memcmp(out[i].id, alive[i], BT_DHT_ID_LEN) != 0)
                break;
        }
        matched8 += n == BT_DHT_K && i == n;
    }
    ok(matched == 20, "closest() orders all 990 live nodes as brute force does, for 20 targets");
    ok(matched8 == 20, "and its first K are the brute-force K closest");
    ok(bt_dht_table_closest(&t, target, out, 0) == 0, "max 0 gives nothing");
    bt_dht_table_release(&t);
}

static void test_cap(void)
{
    static unsigned char ids[1000][BT_DHT_ID_LEN];
    struct bt_dht_table t;
    unsigned char self[BT_DHT_ID_LEN], id[BT_DHT_ID_LEN];

    random_id(self);
    bt_dht_table_init(&t, self);
    t.max_nodes = 20;
    fill_thousand(&t, ids);
    ok(t.node_count == 20 && table_consistent(&t), "a table capped at 20 holds 20 of 1,000");
    ok(hear_sharing(&t, 150, 1, T0, id) == BT_DHT_DROPPED && !in_table(&t, id),
       "a newcomer past the cap is dropped, even with room in its bucket");
    ok(bt_dht_table_heard(&t, &t.buckets[0].nodes[0].c, 1, T0 + 1) == BT_DHT_UPDATED,
       "a node already in a full table is still updated");
    bt_dht_table_release(&t);

    bt_dht_table_init(&t, self);
    fill_thousand(&t, ids);
    fill_thousand(&t, ids);
    ok(t.node_count <= BT_DHT_TABLE_MAX && t.bucket_count <= BT_DHT_ID_BITS,
       "2,000 offers: %zu nodes, %zu buckets, within the default cap", t.node_count,
       t.bucket_count);
    bt_dht_table_release(&t);
}

static void test_refresh(void)
{
    static unsigned char ids[1000][BT_DHT_ID_LEN];
    unsigned char targets[BT_DHT_ID_BITS][BT_DHT_ID_LEN];
    struct bt_dht_table t;
    unsigned char self[BT_DHT_ID_LEN];
    uint64_t later = T0 + BT_DHT_REFRESH_MS;
    size_t i, n, expect, landed = 0;

    random_id(self);
    bt_dht_table_init(&t, self);
    ok(bt_dht_table_to_refresh(&t, later, targets, BT_DHT_ID_BITS) == 0,
       "an empty table has nothing to refresh");
    fill_thousand(&t, ids);
    ok(bt_dht_table_to_refresh(&t, later - 1, targets, BT_DHT_ID_BITS) == 0,
       "no bucket is due before BT_DHT_REFRESH_MS");
    /* Bucket 2 hears an answer halfway: it is not due with the others. */
    bt_dht_table_heard(&t, &t.buckets[2].nodes[0].c, 1, T0 + BT_DHT_REFRESH_MS / 2);
    n = bt_dht_table_to_refresh(&t, later, targets, BT_DHT_ID_BITS);
    ok(n == t.bucket_count - 1, "every bucket but the one that changed is due (%zu)", n);
    for (i = 0; i < n; i++) {
        expect = i < 2 ? i : i + 1;
        landed += bucket_of(&t, targets[i]) == expect;
    }
    ok(landed == n, "each target lands in the bucket it refreshes");
    ok(bt_dht_table_to_refresh(&t, later, targets, BT_DHT_ID_BITS) == 0,
       "a refreshed bucket is not due again at once");
    ok(bt_dht_table_to_refresh(&t, later + BT_DHT_REFRESH_MS, targets, 3) == 3,
       "at most max targets");
    bt_dht_table_release(&t);
}

static void test_good_nodes(void)
{
    struct bt_dht_table t;
    struct bt_dht_contact out[8];
    unsigned char self[BT_DHT_ID_LEN], young[BT_DHT_ID_LEN], old[BT_DHT_ID_LEN];
    unsigned char middle[BT_DHT_ID_LEN], quiet[BT_DHT_ID_LEN], stale[BT_DHT_ID_LEN];
    uint64_t now = T0 + BT_DHT_GOOD_MS + 100;

    random_id(self);
    bt_dht_table_init(&t, self);
    hear_sharing(&t, 0, 1, T0, stale);
    hear_sharing(&t, 3, 1, now - 10, young);
    hear_sharing(&t, 1, 1, now - 30, old);
    hear_sharing(&t, 2, 1, now - 20, middle);
    hear_sharing(&t, 4, 0, now - 40, quiet);
    ok(bt_dht_table_good(&t, now) == 3, "three good nodes: one never answered, one long ago");
    ok(bt_dht_table_good_nodes(&t, now, out, 8) == 3 &&
           memcmp(out[0].id, old, BT_DHT_ID_LEN) == 0 &&
           memcmp(out[1].id, middle, BT_DHT_ID_LEN) == 0 &&
           memcmp(out[2].id, young, BT_DHT_ID_LEN) == 0,
       "the state file gets the good nodes, the longest-lived first");
    ok(bt_dht_table_good_nodes(&t, now, out, 2) == 2 &&
           memcmp(out[1].id, middle, BT_DHT_ID_LEN) == 0,
       "and with less room, the longest-lived of them");
    bt_dht_table_release(&t);
}

/*
 * The simulated network: NET_SIZE nodes with random ids, each with its own
 * routing table of the others (built when first asked), answering find_node
 * with the BT_DHT_K closest nodes it knows, unless it is down.
 */
#define NET_SIZE 5000

static unsigned char net_ids[NET_SIZE][BT_DHT_ID_LEN];
static struct bt_dht_table *net_tables[NET_SIZE];
static int net_down[NET_SIZE];

/* The n of contact(): how the network finds a node from its address. */
static unsigned contact_number(const struct bt_dht_contact *c)
{
    return (unsigned)c->addr.ip[2] << 8 | c->addr.ip[3];
}

static struct bt_dht_table *net_table(unsigned n)
{
    struct bt_dht_contact c;
    unsigned i, start;

    if (net_tables[n] != NULL)
        return net_tables[n];
    net_tables[n] = malloc(sizeof(*net_tables[n]));
    if (net_tables[n] == NULL)
        abort();
    bt_dht_table_init(net_tables[n], net_ids[n]);
    /* From a different place for each node, so that far buckets differ. */
    start = (unsigned)(rng() % NET_SIZE);
    for (i = 0; i < NET_SIZE; i++) {
        unsigned m = (start + i) % NET_SIZE;

        contact(&c, net_ids[m], m);
        bt_dht_table_heard(net_tables[n], &c, 1, T0);
    }
    return net_tables[n];
}

/* Run l to its end over the network: queries answered oldest first. */
static void simulate(struct bt_dht_lookup *l, size_t *most_in_flight, int *alpha_kept)
{
    static struct bt_krpc_msg answer;
    struct bt_dht_contact flight[BT_DHT_ALPHA];
    const struct bt_dht_contact *c;
    uint64_t now = T0;
    size_t nf = 0, steps;

    for (steps = 0; steps < 100000; steps++) {
        while ((c = bt_dht_lookup_next(l, now)) != NULL) {
            if (nf == BT_DHT_ALPHA) {
                *alpha_kept = 0;
                return;
            }
            flight[nf++] = *c;
        }
        if (l->in_flight > *most_in_flight)
            *most_in_flight = l->in_flight;
        if (nf == 0)
            break;
        c = &flight[0];
        if (net_down[contact_number(c)]) {
            bt_dht_lookup_failed(l, c->id);
        } else {
            memset(&answer, 0, sizeof(answer));
            answer.kind = BT_KRPC_RESPONSE;
            answer.has_id = 1;
            memcpy(answer.id, c->id, BT_DHT_ID_LEN);
            answer.node_count = bt_dht_table_closest(net_table(contact_number(c)), l->target,
                                                     answer.nodes, BT_DHT_K);
            bt_dht_lookup_answered(l, c->id, &answer);
        }
        nf--;
        memmove(&flight[0], &flight[1], nf * sizeof(flight[0]));
        now += 10;
    }
}

/* How many of the K closest live nodes are among the lookup's K closest that
 * answered; *first says whether the closest of all is its first. */
static size_t found_closest(const struct bt_dht_lookup *l, int *first)
{
    static unsigned char sorted[NET_SIZE][BT_DHT_ID_LEN];
    const struct bt_dht_cand *got[BT_DHT_K];
    size_t i, j, up = 0, found = 0, n;

    for (i = 0; i < NET_SIZE; i++) {
        if (!net_down[i])
            memcpy(sorted[up++], net_ids[i], BT_DHT_ID_LEN);
    }
    sort_target = l->target;
    qsort(sorted, up, sizeof(sorted[0]), by_distance);
    n = bt_dht_lookup_answered_closest(l, got, BT_DHT_K);
    for (i = 0; i < BT_DHT_K; i++) {
        for (j = 0; j < n; j++)
            found += memcmp(got[j]->c.id, sorted[i], BT_DHT_ID_LEN) == 0;
    }
    *first = n > 0 && memcmp(got[0]->c.id, sorted[0], BT_DHT_ID_LEN) == 0;
    return found;
}

/* What 20 lookups of random targets, started from our table, came to. */
struct lookup_run {
    size_t exact;       /* lookups that found the K closest live nodes */
    size_t least_found; /* the fewest of those K that one lookup found */
    size_t first;       /* lookups whose closest answer is the closest live node */
    size_t queries, worst;
    size_t most_in_flight;
    int alpha_kept, all_done;
};

static void run_lookups(const struct bt_dht_table *ours, struct lookup_run *run)
{
    struct bt_dht_lookup l;
    struct bt_dht_contact start[BT_DHT_K];
    unsigned char target[BT_DHT_ID_LEN];
    size_t round, found;
    int first;

    memset(run, 0, sizeof(*run));
    run->least_found = BT_DHT_K;
    run->alpha_kept = 1;
    run->all_done = 1;
    for (round = 0; round < 20; round++) {
        random_id(target);
        bt_dht_lookup_init(&l, target);
        bt_dht_lookup_add(&l, start, bt_dht_table_closest(ours, target, start, BT_DHT_K));
        simulate(&l, &run->most_in_flight, &run->alpha_kept);
        run->all_done &= bt_dht_lookup_done(&l) && l.in_flight == 0;
        found = found_closest(&l, &first);
        run->exact += found == BT_DHT_K;
        run->first += (size_t)first;
        if (found < run->least_found)
            run->least_found = found;
        run->queries += l.queries;
        if (l.queries > run->worst)
            run->worst = l.queries;
    }
}

static void test_convergence(void)
{
    struct bt_dht_table ours;
    struct bt_dht_lookup l;
    struct bt_dht_contact c;
    struct lookup_run run;
    unsigned char self[BT_DHT_ID_LEN], target[BT_DHT_ID_LEN];
    size_t i;
    int first;

    for (i = 0; i < NET_SIZE; i++)
        random_id(net_ids[i]);
    /* Our own table knows the whole network. */
    random_id(self);
    bt_dht_table_init(&ours, self);
    for (i = 0; i < NET_SIZE; i++) {
        contact(&c, net_ids[i], (unsigned)i);
        bt_dht_table_heard(&ours, &c, 1, T0);
    }

    run_lookups(&ours, &run);
    ok(run.alpha_kept && run.most_in_flight == BT_DHT_ALPHA,
       "never more than BT_DHT_ALPHA queries in flight");
    ok(run.all_done, "every lookup ends done");
    ok(run.exact == 20, "20 lookups over 5,000 nodes find the 8 closest (%zu did)", run.exact);
    ok(run.worst < 40, "in %zu queries on average, %zu at most", run.queries / 20, run.worst);

    random_id(target);
    bt_dht_lookup_init(&l, target);
    contact(&c, net_ids[0], 0);
    bt_dht_lookup_add(&l, &c, 1);
    simulate(&l, &run.most_in_flight, &run.alpha_kept);
    ok(bt_dht_lookup_done(&l) && found_closest(&l, &first) == BT_DHT_K,
       "a lookup that starts from one node finds them too (%zu queries)", l.queries);

    /*
     * One node in ten down, still in everyone's tables: answers spend places
     * on them, so the 8th closest is sometimes missed (as in the real DHT),
     * but never the closest, and never more than one of the 8.
     */
    for (i = 0; i < NET_SIZE; i++)
        net_down[i] = rng() % 10 == 0;
    run_lookups(&ours, &run);
    ok(run.all_done && run.alpha_kept, "with 10%% of the nodes down, every lookup ends done");
    ok(run.first == 20 && run.least_found >= BT_DHT_K - 1,
       "and finds the closest live node, and %zu of the 8 closest at least (%zu found all)",
       run.least_found, run.exact);

    bt_dht_table_release(&ours);
    for (i = 0; i < NET_SIZE; i++) {
        if (net_tables[i] != NULL) {
            bt_dht_table_release(net_tables[i]);
            free(net_tables[i]);
        }
    }
}

/* Ten candidates at growing distances from target: cands[k] shares 100 - k bits. */
static void ten_candidates(const unsigned char *target, struct bt_dht_contact *cands)
{
    unsigned char id[BT_DHT_ID_LEN];
    unsigned k;

    for (k = 0; k < 10; k++) {
        id_sharing(target, 100 - k, id);
        contact(&cands[k], id, k);
    }
}

/* A lookup of a random target, n of ten_candidates() offered, the three
 * closest asked at T0. */
static void three_asked(struct bt_dht_lookup *l, struct bt_dht_contact *cands, size_t n)
{
    unsigned char target[BT_DHT_ID_LEN];
    size_t i;

    random_id(target);
    ten_candidates(target, cands);
    bt_dht_lookup_init(l, target);
    bt_dht_lookup_add(l, cands, n);
    for (i = 0; i < BT_DHT_ALPHA; i++)
        bt_dht_lookup_next(l, T0);
}

static int same(const struct bt_dht_contact *a, const struct bt_dht_contact *b)
{
    return a != NULL && memcmp(a->id, b->id, BT_DHT_ID_LEN) == 0;
}

static void answer_empty(struct bt_dht_lookup *l, const struct bt_dht_contact *c)
{
    static struct bt_krpc_msg r;

    memset(&r, 0, sizeof(r));
    r.kind = BT_KRPC_RESPONSE;
    bt_dht_lookup_answered(l, c->id, &r);
}

static void test_lookup_rules(void)
{
    struct bt_dht_lookup l;
    struct bt_dht_contact cands[10], shuffled[10], asked[10], closer;
    const struct bt_dht_contact *c;
    unsigned char target[BT_DHT_ID_LEN], id[BT_DHT_ID_LEN];
    size_t i, sorted = 1;

    random_id(target);
    ten_candidates(target, cands);
    for (i = 0; i < 10; i++)
        shuffled[i] = cands[(i * 7) % 10];
    bt_dht_lookup_init(&l, target);
    ok(bt_dht_lookup_done(&l) && bt_dht_lookup_next(&l, T0) == NULL,
       "a lookup with no candidates is done");
    bt_dht_lookup_add(&l, shuffled, 10);
    bt_dht_lookup_add(&l, cands, 10);
    for (i = 0; i < 10; i++)
        sorted &= same(&l.cands[i].c, &cands[i]);
    ok(l.count == 10 && sorted, "candidates are kept once each, closest first");
    ok(!bt_dht_lookup_done(&l), "not done with candidates to ask");

    /* The alpha bound, closest first. */
    for (i = 0; i < 3; i++) {
        c = bt_dht_lookup_next(&l, T0);
        asked[i] = c != NULL ? *c : cands[9];
    }
    ok(same(&asked[0], &cands[0]) && same(&asked[1], &cands[1]) && same(&asked[2], &cands[2]),
       "the three closest are asked first");
    ok(bt_dht_lookup_next(&l, T0) == NULL && l.in_flight == BT_DHT_ALPHA && l.queries == 3,
       "and no fourth while three are in flight");
    ok(!bt_dht_lookup_done(&l), "not done with queries in flight");
    answer_empty(&l, &cands[1]);
    ok(same(bt_dht_lookup_next(&l, T0), &cands[3]), "an answer frees a place for the next");
    bt_dht_lookup_failed(&l, cands[0].id);
    ok(l.failures == 1 && l.in_flight == 2, "a failure frees a place too");
    answer_empty(&l, &cands[2]);
    answer_empty(&l, &cands[3]);

    /* The window: the K closest that did not fail are 1..8 now. */
    for (i = 4; i < 9; i++) {
        c = bt_dht_lookup_next(&l, T0);
        ok(same(c, &cands[i]), "candidate %zu is asked", i);
        answer_empty(&l, &cands[i]);
    }
    ok(bt_dht_lookup_next(&l, T0) == NULL && l.cands[9].state == BT_DHT_CAND_NEW,
       "the tenth is outside the window: it is never asked");
    ok(bt_dht_lookup_done(&l), "done: the K closest that did not fail have answered");

    /* A closer node appears: the lookup goes on. */
    id_sharing(target, 150, id);
    contact(&closer, id, 20);
    bt_dht_lookup_add(&l, &closer, 1);
    ok(!bt_dht_lookup_done(&l) && same(bt_dht_lookup_next(&l, T0), &closer),
       "a closer newcomer reopens the lookup and is asked next");
    answer_empty(&l, &closer);
    ok(bt_dht_lookup_done(&l), "and done again once it answered");
    answer_empty(&l, &cands[9]);
    ok(l.answers == 9, "an answer from a node not asked is ignored");

    /* Others list us among the nodes they know: we never ask ourselves. */
    bt_dht_lookup_init(&l, target);
    bt_dht_lookup_set_self(&l, cands[0].id);
    bt_dht_lookup_add(&l, cands, 3);
    ok(l.count == 2 && same(bt_dht_lookup_next(&l, T0), &cands[1]),
       "the asking node's own id is never a candidate");
}

/* An answer from cand naming nodes (n of them). */
static void answer_nodes(struct bt_dht_lookup *l, const struct bt_dht_contact *cand,
                         const struct bt_dht_contact *nodes, size_t n)
{
    static struct bt_krpc_msg r;

    memset(&r, 0, sizeof(r));
    r.kind = BT_KRPC_RESPONSE;
    memcpy(r.nodes, nodes, n * sizeof(nodes[0]));
    r.node_count = n;
    bt_dht_lookup_answered(l, cand->id, &r);
}

static void test_lookup_rounds(void)
{
    struct bt_dht_lookup l;
    struct bt_dht_contact cands[10];
    unsigned char target[BT_DHT_ID_LEN];
    size_t i;

    /* Round 1: the five farthest, from our table. */
    random_id(target);
    ten_candidates(target, cands);
    bt_dht_lookup_init(&l, target);
    bt_dht_lookup_add(&l, &cands[5], 5);
    ok(l.rounds == 0, "no rounds before an answer");
    for (i = 0; i < BT_DHT_ALPHA; i++)
        bt_dht_lookup_next(&l, T0);
    answer_nodes(&l, &cands[5], &cands[2], 3);
    ok(l.rounds == 1, "an answer from a node of our table: one round");
    ok(same(bt_dht_lookup_next(&l, T0), &cands[2]), "a node it named is asked next");
    answer_nodes(&l, &cands[2], &cands[0], 2);
    ok(l.rounds == 2, "its answer: two rounds");
    ok(same(bt_dht_lookup_next(&l, T0), &cands[0]), "and a node named there is asked");
    answer_nodes(&l, &cands[0], &cands[5], 1);
    ok(l.rounds == 3, "its answer: three rounds (%zu)", l.rounds);
    answer_empty(&l, &cands[6]);
    ok(l.rounds == 3 && l.answers == 4, "a late answer from round 1 leaves the depth at three");
}

static void test_lookup_answers(void)
{
    static struct bt_krpc_msg r;
    struct bt_dht_lookup l;
    struct bt_dht_contact cands[10];
    const struct bt_dht_cand *best[4];
    unsigned char target[BT_DHT_ID_LEN];
    size_t i, k, n;

    three_asked(&l, cands, 4);
    memcpy(target, l.target, BT_DHT_ID_LEN);

    /* Ten values, three of them twice over. */
    memset(&r, 0, sizeof(r));
    r.kind = BT_KRPC_RESPONSE;
    r.has_token = 1;
    memcpy(r.token, "tok1", 4);
    r.token_len = 4;
    for (i = 0; i < 10; i++) {
        r.values[i].iplen = 4;
        r.values[i].ip[0] = 192;
        r.values[i].ip[3] = (unsigned char)(i % 7);
        r.values[i].port = 6881;
    }
    r.value_count = 10;
    bt_dht_lookup_answered(&l, cands[0].id, &r);
    ok(l.peer_count == 7, "peers are gathered once each (%zu of 10 values)", l.peer_count);

    /* Four seen already, two new, and a seen IP on another port: a new peer. */
    for (i = 0; i < 6; i++)
        r.values[i].ip[3] = (unsigned char)(i + 3);
    r.values[6].ip[3] = 3;
    r.values[6].port = 6882;
    r.value_count = 7;
    r.token_len = BT_KRPC_TOKEN_MAX + 1;
    bt_dht_lookup_answered(&l, cands[1].id, &r);
    ok(l.peer_count == 10, "an overlapping answer adds only its new peers (%zu)", l.peer_count);

    n = bt_dht_lookup_answered_closest(&l, best, 4);
    ok(n == 2 && best[0]->token_len == 4 && memcmp(best[0]->token, "tok1", 4) == 0,
       "the answering node's token is kept for announce_peer");
    ok(best[1]->token_len == 0, "a token longer than BT_KRPC_TOKEN_MAX is not kept");

    /* Two answers of 128 new peers each: the list stops at its cap. */
    for (k = 2; k < 4; k++) {
        for (i = 0; i < BT_KRPC_MAX_VALUES; i++) {
            r.values[i].iplen = 4;
            r.values[i].ip[0] = 192;
            r.values[i].ip[1] = (unsigned char)k;
            r.values[i].ip[3] = (unsigned char)i;
            r.values[i].port = 6881;
        }
        r.value_count = BT_KRPC_MAX_VALUES;
        if (k == 3)
            bt_dht_lookup_next(&l, T0);
        bt_dht_lookup_answered(&l, cands[k].id, &r);
    }
    ok(l.peer_count == BT_DHT_LOOKUP_PEERS, "peers stop at BT_DHT_LOOKUP_PEERS");
    r.values[0].iplen = 5;
    r.values[0].ip[1] = 9;
    bt_dht_lookup_init(&l, target);
    bt_dht_lookup_add(&l, cands, 1);
    bt_dht_lookup_next(&l, T0);
    bt_dht_lookup_answered(&l, cands[0].id, &r);
    ok(l.peer_count == BT_KRPC_MAX_VALUES - 1, "a value that is neither IPv4 nor IPv6 is left out");
    r.value_count = BT_KRPC_MAX_VALUES + 1000;
    r.node_count = 100000;
    bt_dht_lookup_init(&l, target);
    bt_dht_lookup_add(&l, cands, 1);
    bt_dht_lookup_next(&l, T0);
    bt_dht_lookup_answered(&l, cands[0].id, &r);
    ok(l.answers == 1 && l.count <= BT_DHT_LOOKUP_MAX,
       "counts past the answer's arrays are cut to the arrays");
}

static void test_lookup_late(void)
{
    struct bt_dht_lookup l;
    struct bt_dht_contact cands[10];

    three_asked(&l, cands, 10);
    ok(bt_dht_lookup_late(&l, T0 + 300, 300) == 0 && l.in_flight == 3,
       "a query exactly at its late time is still in flight");
    ok(bt_dht_lookup_late(&l, T0 + 301, 300) == 3 && l.in_flight == 0 && l.failures == 0,
       "past it, the three queries are late: out of the slots, not failed");
    ok(same(bt_dht_lookup_next(&l, T0 + 301), &cands[3]), "their slots go to the next candidates");
    answer_empty(&l, &cands[0]);
    ok(l.answers == 1 && l.cands[0].state == BT_DHT_CAND_ANSWERED && l.in_flight == 1,
       "a late answer is still taken, and frees no slot twice");
    bt_dht_lookup_failed(&l, cands[1].id);
    ok(l.failures == 1 && l.in_flight == 1, "a late query that times out fails");
    ok(bt_dht_lookup_late(&l, T0 + 302, 300) == 0, "a fresh query is not late");
}

static void test_lookup_late_done(void)
{
    struct bt_dht_lookup l;
    struct bt_dht_contact cands[10];
    size_t i;

    /* Three candidates only, all late: a small DHT waits for them. */
    three_asked(&l, cands, 3);
    (void)bt_dht_lookup_late(&l, T0 + 500, 100);
    ok(!bt_dht_lookup_done(&l), "late queries are waited for while fewer than K answered");
    answer_empty(&l, &cands[2]);
    ok(!bt_dht_lookup_done(&l), "...still, with one answer");
    bt_dht_lookup_failed(&l, cands[0].id);
    bt_dht_lookup_failed(&l, cands[1].id);
    ok(bt_dht_lookup_done(&l), "done when they answered or failed");

    /* Ten: the closest is late, the K after it answer. */
    three_asked(&l, cands, 10);
    answer_empty(&l, &cands[1]);
    answer_empty(&l, &cands[2]);
    ok(bt_dht_lookup_late(&l, T0 + 500, 100) == 1, "the closest is late");
    for (i = 0; i < 10; i++) {
        const struct bt_dht_contact *c = bt_dht_lookup_next(&l, T0 + 500);

        if (c != NULL)
            answer_empty(&l, c);
    }
    ok(l.answers >= BT_DHT_K && l.cands[0].state == BT_DHT_CAND_LATE && bt_dht_lookup_done(&l),
       "a late closest node does not hold up a lookup that K others answered");
}

static void test_lookup_cap(void)
{
    static struct bt_dht_contact many[200], brute[200];
    struct bt_dht_lookup l;
    unsigned char target[BT_DHT_ID_LEN], id[BT_DHT_ID_LEN];
    size_t i, matched = 0, asked = 0;

    random_id(target);
    for (i = 0; i < 100; i++) {
        random_id(id);
        contact(&many[i], id, (unsigned)i);
        memcpy(brute[i].id, id, BT_DHT_ID_LEN);
    }
    bt_dht_lookup_init(&l, target);
    bt_dht_lookup_add(&l, many, 100);
    sort_target = target;
    qsort(brute, 100, sizeof(brute[0]), by_distance);
    for (i = 0; i < l.count; i++)
        matched += memcmp(l.cands[i].c.id, brute[i].id, BT_DHT_ID_LEN) == 0;
    ok(l.count == BT_DHT_LOOKUP_MAX && matched == BT_DHT_LOOKUP_MAX,
       "of 100 candidates the 64 closest are kept, in order");

    /* Three far candidates in flight, then 100 closer ones. */
    bt_dht_lookup_init(&l, target);
    for (i = 0; i < 3; i++) {
        id_sharing(target, 1, id);
        contact(&many[i], id, (unsigned)i);
    }
    bt_dht_lookup_add(&l, many, 3);
    for (i = 0; i < 3; i++)
        bt_dht_lookup_next(&l, T0);
    for (i = 0; i < 100; i++) {
        id_sharing(target, 10 + (unsigned)i, id);
        contact(&many[i], id, (unsigned)i + 3);
    }
    bt_dht_lookup_add(&l, many, 100);
    for (i = 0; i < l.count; i++)
        asked += l.cands[i].state == BT_DHT_CAND_ASKED;
    ok(l.count == BT_DHT_LOOKUP_MAX && asked == 3 &&
           l.cands[BT_DHT_LOOKUP_MAX - 1].state == BT_DHT_CAND_ASKED,
       "a full list never drops a candidate in flight");
}

static int has_peer(const struct bt_netaddr *list, size_t n, const struct bt_netaddr *a)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (bt_netaddr_equal(&list[i], a))
            return 1;
    }
    return 0;
}

static void v4(struct bt_netaddr *a, unsigned char last, uint16_t port)
{
    memset(a, 0, sizeof(*a));
    a->iplen = 4;
    a->ip[0] = 192;
    a->ip[2] = 2;
    a->ip[3] = last;
    a->port = port;
}

static void test_tokens(void)
{
    struct bt_dht_store s;
    struct bt_netaddr a, a_port, b, six;
    unsigned char tok[BT_DHT_TOKEN_LEN], again[BT_DHT_TOKEN_LEN], third[BT_DHT_TOKEN_LEN];
    unsigned char tok6[BT_DHT_TOKEN_LEN];

    bt_dht_store_init(&s);
    v4(&a, 7, 6881);
    v4(&a_port, 7, 7000);
    v4(&b, 8, 6881);
    memset(&six, 0, sizeof(six));
    six.iplen = 16;
    six.ip[0] = 0x20;
    six.ip[1] = 0x01;
    six.ip[15] = 7;
    six.port = 6881;

    bt_dht_store_token(&s, &a, tok);
    ok(!bt_dht_store_token_ok(&s, &a, tok, sizeof(tok)),
       "no token is good before the first secret");
    ok(bt_dht_store_rotate(&s, T0) == BT_OK && s.secret_ms == T0,
       "the first rotation makes the secrets");
    bt_dht_store_token(&s, &a, tok);
    bt_dht_store_token(&s, &six, tok6);
    ok(bt_dht_store_token_ok(&s, &a, tok, sizeof(tok)), "a token is good for its address");
    ok(bt_dht_store_token_ok(&s, &a_port, tok, sizeof(tok)),
       "from another port of the same IP too");
    ok(!bt_dht_store_token_ok(&s, &b, tok, sizeof(tok)), "not for another IP");
    ok(bt_dht_store_token_ok(&s, &six, tok6, sizeof(tok6)) &&
           !bt_dht_store_token_ok(&s, &six, tok, sizeof(tok)),
       "IPv6 addresses get their own tokens");
    ok(!bt_dht_store_token_ok(&s, &a, tok, sizeof(tok) - 1), "a token cut short is refused");
    tok[3] ^= 1;
    ok(!bt_dht_store_token_ok(&s, &a, tok, sizeof(tok)), "a token with one bit changed is refused");
    tok[3] ^= 1;

    ok(bt_dht_store_rotate(&s, T0 + BT_DHT_SECRET_MS - 1) == BT_OK && s.secret_ms == T0,
       "no new secret before five minutes");
    bt_dht_store_rotate(&s, T0 + BT_DHT_SECRET_MS);
    bt_dht_store_token(&s, &a, again);
    ok(memcmp(again, tok, sizeof(tok)) != 0 && bt_dht_store_token_ok(&s, &a, tok, sizeof(tok)),
       "after one rotation the token changes, and the old one is still good");
    bt_dht_store_rotate(&s, T0 + 2 * BT_DHT_SECRET_MS);
    ok(!bt_dht_store_token_ok(&s, &a, tok, sizeof(tok)) &&
           bt_dht_store_token_ok(&s, &a, again, sizeof(again)),
       "after two the old one is refused, the one before is good");
    bt_dht_store_token(&s, &a, third);
    bt_dht_store_rotate(&s, T0 + 4 * BT_DHT_SECRET_MS);
    ok(!bt_dht_store_token_ok(&s, &a, third, sizeof(third)),
       "a rotation ten minutes late refuses a token ten minutes old");
    bt_dht_store_release(&s);
}

static void test_store(void)
{
    struct bt_dht_store s;
    struct bt_netaddr a, b, six, out[16], p[6];
    unsigned char h[4][BT_DHT_ID_LEN];
    size_t i, n, firsts = 0;
    int seen[10] = {0};

    for (i = 0; i < 4; i++)
        random_id(h[i]);
    v4(&a, 7, 6881);
    v4(&b, 8, 6881);
    memset(&six, 0, sizeof(six));
    six.iplen = 16;
    six.ip[0] = 0x20;
    six.port = 6881;

    bt_dht_store_init(&s);
    ok(bt_dht_store_get(&s, h[0], T0, 0, out, 16) == 0, "an unknown hash has no peers");
    ok(bt_dht_store_add(&s, h[0], &a, T0) == BT_OK &&
           bt_dht_store_add(&s, h[0], &a, T0 + 5) == BT_OK && s.count == 1 &&
           s.hashes[0].count == 1 && s.hashes[0].peers[0].seen_ms == T0 + 5,
       "a peer announced twice is kept once, with its last time");
    ok(bt_dht_store_get(&s, h[0], T0 + 5 + BT_DHT_PEER_TTL_MS - 1, 0, out, 16) == 1,
       "a peer is handed out until its TTL");
    ok(bt_dht_store_get(&s, h[0], T0 + 5 + BT_DHT_PEER_TTL_MS, 0, out, 16) == 0, "and not after");
    ok(bt_dht_store_expire(&s, T0 + 5 + BT_DHT_PEER_TTL_MS - 1) == 0 && s.count == 1,
       "expire keeps a peer within its TTL");
    ok(bt_dht_store_expire(&s, T0 + 5 + BT_DHT_PEER_TTL_MS) == 1 && s.count == 0,
       "and forgets it after, with its empty hash");

    bt_dht_store_add(&s, h[0], &a, T0);
    bt_dht_store_add(&s, h[0], &six, T0);
    n = bt_dht_store_get(&s, h[0], T0, 4, out, 16);
    ok(n == 1 && bt_netaddr_equal(&out[0], &a), "get by family: IPv4");
    n = bt_dht_store_get(&s, h[0], T0, 16, out, 16);
    ok(n == 1 && bt_netaddr_equal(&out[0], &six), "get by family: IPv6");
    ok(bt_dht_store_get(&s, h[0], T0, 0, out, 16) == 2, "both with family 0");
    six.iplen = 5;
    ok(bt_dht_store_add(&s, h[0], &six, T0) == BT_ERR_INVALID, "an address of 5 bytes is refused");
    bt_dht_store_release(&s);

    /* Five peers at most: the stalest gives its place. */
    bt_dht_store_init(&s);
    s.max_peers = 5;
    for (i = 0; i < 6; i++)
        v4(&p[i], (unsigned char)(10 + i), 6881);
    for (i = 0; i < 5; i++)
        bt_dht_store_add(&s, h[0], &p[i], T0 + i);
    bt_dht_store_add(&s, h[0], &p[0], T0 + 20);
    bt_dht_store_add(&s, h[0], &p[5], T0 + 21);
    n = bt_dht_store_get(&s, h[0], T0 + 21, 0, out, 16);
    ok(n == 5 && !has_peer(out, n, &p[1]) && has_peer(out, n, &p[0]) && has_peer(out, n, &p[5]),
       "a full hash gives its stalest peer's place to a newcomer");
    bt_dht_store_release(&s);

    /* Three hashes at most: the one whose freshest peer is stalest goes. */
    bt_dht_store_init(&s);
    s.max_hashes = 3;
    bt_dht_store_add(&s, h[0], &a, T0 + 10);
    bt_dht_store_add(&s, h[0], &b, T0 + 300);
    bt_dht_store_add(&s, h[1], &a, T0 + 200);
    bt_dht_store_add(&s, h[2], &a, T0 + 250);
    ok(bt_dht_store_add(&s, h[3], &b, T0 + 400) == BT_OK && s.count == 3,
       "a new hash in a full store takes another's place");
    ok(bt_dht_store_get(&s, h[1], T0 + 400, 0, out, 16) == 0 &&
           bt_dht_store_get(&s, h[0], T0 + 400, 0, out, 16) == 2 &&
           bt_dht_store_get(&s, h[3], T0 + 400, 0, out, 16) == 1,
       "the hash whose freshest peer is stalest, not the one with the oldest peer");
    bt_dht_store_release(&s);

    /* The slice starts at a random place. */
    bt_dht_store_init(&s);
    for (i = 0; i < 10; i++) {
        v4(&p[0], (unsigned char)(100 + i), 6881);
        bt_dht_store_add(&s, h[0], &p[0], T0);
    }
    for (i = 0; i < 50; i++) {
        if (bt_dht_store_get(&s, h[0], T0, 0, out, 1) == 1)
            seen[out[0].ip[3] - 100] = 1;
    }
    for (i = 0; i < 10; i++)
        firsts += (size_t)seen[i];
    ok(firsts > 1, "50 gets of one peer from 10 do not all start at one place (%zu places)",
       firsts);
    ok(bt_dht_store_get(&s, h[0], T0, 0, out, 16) == 10, "and a large get has them all");
    bt_dht_store_release(&s);
}

int main(void)
{
    test_placement();
    test_full_bucket();
    test_closest();
    test_cap();
    test_refresh();
    test_good_nodes();
    test_convergence();
    test_lookup_rules();
    test_lookup_rounds();
    test_lookup_answers();
    test_lookup_late();
    test_lookup_late_done();
    test_lookup_cap();
    test_tokens();
    test_store();
    return tap_done();
}
