/*
 * test_dht_table.c - the DHT's routing table (BEP 5).
 *
 * Bucket placement and splits, who keeps a full bucket's places (good nodes, a
 * pending newcomer, bad nodes), closest-first order against brute force, the
 * cap, refresh targets, the state file's good nodes.
 *
 * Ids come from a fixed generator, so a failure replays.  Times start well
 * above 0, which the table reads as "never".
 */
#include <stdlib.h>
#include <string.h>

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

int main(void)
{
    test_placement();
    test_full_bucket();
    test_closest();
    test_cap();
    test_refresh();
    test_good_nodes();
    return tap_done();
}
