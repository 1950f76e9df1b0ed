/*
 * table.c - the DHT routing table (BEP 5, "Routing Table").  See table.h for
 * the rules; this file keeps their books.
 *
 * The buckets live in one array, indexed by how many leading bits their nodes
 * share with our id.  Only the last bucket holds more than one prefix length,
 * and only it splits:
 *
 *   self       0110 1...
 *   bucket 0   1... ....   half the id space, 8 nodes at most
 *   bucket 1   00.. ....   a quarter
 *   bucket 2   010. ....   an eighth
 *   bucket 3   011. ....   the last: every node that shares 3 bits or more.
 *                          Full, it splits into bucket 3 (0111 ...) and a new
 *                          last bucket 4 (0110 ...), where we are.
 *
 * So the table knows many nodes near us and few far away, and any lookup can
 * halve its distance to the target with each node it asks.
 */
#include "dht/table.h"

#include <stdlib.h>
#include <string.h>

/* Milliseconds from then to now; 0 if the clock went back. */
static uint64_t since(uint64_t now, uint64_t then)
{
    return now > then ? now - then : 0;
}

static int is_bad(const struct bt_dht_entry *e)
{
    return e->fails >= BT_DHT_MAX_FAILS;
}

static int is_good(const struct bt_dht_entry *e, uint64_t now)
{
    return !is_bad(e) && e->replied_ms != 0 && since(now, e->replied_ms) < BT_DHT_GOOD_MS;
}

static int is_questionable(const struct bt_dht_entry *e, uint64_t now)
{
    return !is_bad(e) && !is_good(e, now);
}

static int same_id(const unsigned char *a, const unsigned char *b)
{
    return memcmp(a, b, BT_DHT_ID_LEN) == 0;
}

void bt_dht_table_init(struct bt_dht_table *t, const unsigned char *self)
{
    memset(t, 0, sizeof(*t));
    memcpy(t->self, self, BT_DHT_ID_LEN);
    t->max_nodes = BT_DHT_TABLE_MAX;
}

void bt_dht_table_release(struct bt_dht_table *t)
{
    free(t->buckets);
    t->buckets = NULL;
    t->bucket_count = 0;
    t->bucket_cap = 0;
    t->node_count = 0;
}

/* The bucket for id: as many as the bits it shares with us, or the last one,
 * which holds everything closer than the others do.  Needs one bucket. */
static size_t bucket_index(const struct bt_dht_table *t, const unsigned char *id)
{
    size_t bits = bt_dht_id_common_bits(t->self, id);

    return bits < t->bucket_count ? bits : t->bucket_count - 1;
}

/* Append an empty bucket.  The array doubles as it grows, to one bucket a bit
 * at most; the caller checks that there is a bit left. */
static enum bt_err add_bucket(struct bt_dht_table *t, uint64_t now)
{
    struct bt_dht_bucket *b;

    if (t->bucket_count == t->bucket_cap) {
        size_t cap = t->bucket_cap == 0 ? 8 : 2 * t->bucket_cap;

        if (cap > BT_DHT_ID_BITS)
            cap = BT_DHT_ID_BITS;
        b = realloc(t->buckets, cap * sizeof(*b));
        if (b == NULL)
            return BT_ERR_NOMEM;
        t->buckets = b;
        t->bucket_cap = cap;
    }
    b = &t->buckets[t->bucket_count++];
    memset(b, 0, sizeof(*b));
    b->changed_ms = now;
    return BT_OK;
}

/*
 * Split the last bucket: its nodes that share one more bit with us move to a
 * new last bucket.  A last bucket that can split never has a pending node (it
 * splits instead of making one wait), so there is none to move.
 */
static enum bt_err split_last(struct bt_dht_table *t, uint64_t now)
{
    size_t depth = t->bucket_count; /* bits the new bucket's nodes share with us, at least */
    struct bt_dht_bucket *from, *to;
    size_t i, kept = 0;
    enum bt_err err = add_bucket(t, now);

    if (err != BT_OK)
        return err;
    from = &t->buckets[depth - 1];
    to = &t->buckets[depth];
    for (i = 0; i < from->count; i++) {
        if (bt_dht_id_common_bits(t->self, from->nodes[i].c.id) >= depth)
            to->nodes[to->count++] = from->nodes[i];
        else
            from->nodes[kept++] = from->nodes[i];
    }
    from->count = kept;
    from->changed_ms = now;
    return BT_OK;
}

/* The entry with this id, or NULL; *bi is the bucket where it is or would be. */
static struct bt_dht_entry *find(struct bt_dht_table *t, const unsigned char *id, size_t *bi)
{
    struct bt_dht_bucket *b;
    size_t i;

    if (t->bucket_count == 0)
        return NULL;
    *bi = bucket_index(t, id);
    b = &t->buckets[*bi];
    for (i = 0; i < b->count; i++) {
        if (same_id(b->nodes[i].c.id, id))
            return &b->nodes[i];
    }
    return NULL;
}

static void fill(struct bt_dht_entry *e, const struct bt_dht_contact *c, int answered, uint64_t now)
{
    memset(e, 0, sizeof(*e));
    e->c = *c;
    e->added_ms = now;
    if (answered)
        e->replied_ms = now;
}

enum bt_dht_heard bt_dht_table_heard(struct bt_dht_table *t, const struct bt_dht_contact *c,
                                     int answered, uint64_t now)
{
    struct bt_dht_contact newcomer = *c;
    struct bt_dht_bucket *b;
    struct bt_dht_entry *e, *slot = NULL;
    size_t bi = 0, i;
    int was_pending;

    if (same_id(c->id, t->self))
        return BT_DHT_DROPPED;
    if (t->bucket_count == 0 && add_bucket(t, now) != BT_OK)
        return BT_DHT_DROPPED;
    e = find(t, c->id, &bi);
    if (e != NULL) {
        /* Only an answer proves the address: a query's source could be forged. */
        if (answered) {
            e->c.addr = c->addr;
            e->replied_ms = now;
            e->fails = 0;
            t->buckets[bi].changed_ms = now;
        }
        return BT_DHT_UPDATED;
    }

    b = &t->buckets[bi];
    while (b->count == BT_DHT_K && bi == t->bucket_count - 1 && t->bucket_count < BT_DHT_ID_BITS) {
        /* All of a full last bucket's nodes may move: split until c's bucket has
         * room or is no longer the last. */
        if (split_last(t, now) != BT_OK)
            return BT_DHT_DROPPED;
        bi = bucket_index(t, c->id);
        b = &t->buckets[bi];
    }

    /* The pending node heard again competes like any newcomer (room may have
     * opened since), and keeps its address unless it answered. */
    was_pending = b->has_pending && same_id(b->pending.id, c->id);
    if (was_pending && !answered)
        newcomer.addr = b->pending.addr;

    /* A free place, or a bad node's. */
    if (b->count < BT_DHT_K) {
        if (t->node_count >= t->max_nodes)
            return BT_DHT_DROPPED;
        slot = &b->nodes[b->count++];
        t->node_count++;
    }
    for (i = 0; i < b->count && slot == NULL; i++) {
        if (is_bad(&b->nodes[i]))
            slot = &b->nodes[i];
    }
    if (slot != NULL) {
        fill(slot, &newcomer, answered, now);
        b->changed_ms = now;
        if (was_pending)
            b->has_pending = 0;
        return BT_DHT_ADDED;
    }

    /* One place to wait: the latest newcomer takes it, as the likeliest to be up. */
    for (i = 0; i < b->count; i++) {
        if (is_questionable(&b->nodes[i], now)) {
            b->pending = newcomer;
            b->has_pending = 1;
            return BT_DHT_PENDING;
        }
    }
    if (was_pending)
        b->has_pending = 0;
    return BT_DHT_DROPPED;
}

void bt_dht_table_failed(struct bt_dht_table *t, const unsigned char *id, uint64_t now)
{
    struct bt_dht_bucket *b;
    struct bt_dht_entry *e;
    size_t bi = 0;

    e = find(t, id, &bi);
    if (e == NULL)
        return;
    /* Counted up to bad and no further: bad is all the count is for. */
    if (e->fails < BT_DHT_MAX_FAILS)
        e->fails++;
    b = &t->buckets[bi];
    if (is_bad(e) && b->has_pending) {
        fill(e, &b->pending, 0, now);
        b->has_pending = 0;
        b->changed_ms = now;
    }
}

void bt_dht_table_remove(struct bt_dht_table *t, const unsigned char *id)
{
    struct bt_dht_bucket *b;
    struct bt_dht_entry *e;
    size_t bi = 0;

    if (t->bucket_count == 0)
        return;
    e = find(t, id, &bi);
    b = &t->buckets[bi];
    if (b->has_pending && same_id(b->pending.id, id))
        b->has_pending = 0;
    if (e == NULL)
        return;
    /*
     * The last entry fills the hole: order in a bucket means nothing.  The
     * bucket's changed_ms stays, as there is no time here; a bucket that lost
     * a node may well be refreshed early.  A pending node takes the free place
     * when it is heard from again.
     */
    *e = b->nodes[--b->count];
    t->node_count--;
}

size_t bt_dht_table_closest(const struct bt_dht_table *t, const unsigned char *target,
                            struct bt_dht_contact *out, size_t max)
{
    size_t n = 0, bi, i, j;

    if (max == 0)
        return 0;
    for (bi = 0; bi < t->bucket_count; bi++) {
        const struct bt_dht_bucket *b = &t->buckets[bi];

        for (i = 0; i < b->count; i++) {
            const struct bt_dht_entry *e = &b->nodes[i];

            if (is_bad(e))
                continue;
            if (n == max && bt_dht_id_closer(target, e->c.id, out[max - 1].id) >= 0)
                continue;
            /* Insert in distance order; when out is full its farthest falls off. */
            if (n < max)
                n++;
            for (j = n - 1; j > 0 && bt_dht_id_closer(target, e->c.id, out[j - 1].id) < 0; j--)
                out[j] = out[j - 1];
            out[j] = e->c;
        }
    }
    return n;
}

/* Append to out (n of max used) the questionable nodes of b that are due for a
 * ping.  Returns the new n. */
static size_t ping_bucket(struct bt_dht_bucket *b, uint64_t now, struct bt_dht_contact *out,
                          size_t n, size_t max)
{
    size_t i;

    for (i = 0; i < b->count && n < max; i++) {
        struct bt_dht_entry *e = &b->nodes[i];

        if (!is_questionable(e, now))
            continue;
        if (e->pinged_ms != 0 && since(now, e->pinged_ms) < BT_DHT_PING_AGAIN_MS)
            continue;
        e->pinged_ms = now;
        out[n++] = e->c;
    }
    return n;
}

size_t bt_dht_table_to_ping(struct bt_dht_table *t, uint64_t now, struct bt_dht_contact *out,
                            size_t max)
{
    size_t n = 0, bi;

    /* A newcomer waits on these answers: they come first. */
    for (bi = 0; bi < t->bucket_count; bi++) {
        if (t->buckets[bi].has_pending)
            n = ping_bucket(&t->buckets[bi], now, out, n, max);
    }
    for (bi = 0; bi < t->bucket_count; bi++) {
        if (!t->buckets[bi].has_pending)
            n = ping_bucket(&t->buckets[bi], now, out, n, max);
    }
    return n;
}

size_t bt_dht_table_to_refresh(struct bt_dht_table *t, uint64_t now,
                               unsigned char (*targets)[BT_DHT_ID_LEN], size_t max)
{
    size_t n = 0, bi;

    for (bi = 0; bi < t->bucket_count && n < max; bi++) {
        struct bt_dht_bucket *b = &t->buckets[bi];

        if (since(now, b->changed_ms) < BT_DHT_REFRESH_MS)
            continue;
        /* Sharing exactly bi bits with us puts the target in bucket bi, the last
         * bucket included (it holds bi bits or more). */
        if (bt_dht_id_random_near(t->self, (unsigned)bi, targets[n]) != BT_OK)
            break;
        b->changed_ms = now;
        n++;
    }
    return n;
}

size_t bt_dht_table_good(const struct bt_dht_table *t, uint64_t now)
{
    size_t n = 0, bi, i;

    for (bi = 0; bi < t->bucket_count; bi++) {
        for (i = 0; i < t->buckets[bi].count; i++) {
            if (is_good(&t->buckets[bi].nodes[i], now))
                n++;
        }
    }
    return n;
}

/* qsort: the entry that joined first sorts first. */
static int by_age(const void *a, const void *b)
{
    const struct bt_dht_entry *ea = *(const struct bt_dht_entry *const *)a;
    const struct bt_dht_entry *eb = *(const struct bt_dht_entry *const *)b;

    if (ea->added_ms != eb->added_ms)
        return ea->added_ms < eb->added_ms ? -1 : 1;
    return 0;
}

size_t bt_dht_table_good_nodes(const struct bt_dht_table *t, uint64_t now,
                               struct bt_dht_contact *out, size_t max)
{
    /* No table holds more: BT_DHT_K nodes in each of 160 buckets at most. */
    const struct bt_dht_entry *good[BT_DHT_K * BT_DHT_ID_BITS];
    size_t n = 0, bi, i;

    for (bi = 0; bi < t->bucket_count; bi++) {
        for (i = 0; i < t->buckets[bi].count; i++) {
            if (is_good(&t->buckets[bi].nodes[i], now))
                good[n++] = &t->buckets[bi].nodes[i];
        }
    }
    qsort(good, n, sizeof(good[0]), by_age);
    if (n > max)
        n = max;
    for (i = 0; i < n; i++)
        out[i] = good[i]->c;
    return n;
}
