/*
 * table.h - the DHT routing table (BEP 5): the nodes we know, in k-buckets
 * that are fine-grained near our own id and coarse far from it.
 *
 * Bucket i holds nodes that share exactly i leading bits with our id; the last
 * bucket holds every node that shares more.  Each bucket holds at most
 * BT_DHT_K nodes.  When a node arrives for a full bucket:
 *
 *   the last bucket (our own)  ─> split it: its nodes that share one more bit
 *                                 with us move to a new last bucket
 *   any other bucket:
 *     a bad node in it         ─> replaced by the newcomer
 *     a questionable node      ─> the newcomer waits as the bucket's pending
 *                                 node while the questionable one is pinged
 *                                 (bt_dht_table_to_ping): no answer, and the
 *                                 pending node takes its place
 *     only good nodes          ─> the newcomer is dropped: long-lived nodes
 *                                 are the likeliest to stay, so they keep
 *                                 their places
 *
 * A node is good when it answered one of our queries within the last
 * BT_DHT_GOOD_MS, questionable after that, and bad after BT_DHT_MAX_FAILS
 * queries in a row went unanswered.  A node that only queried us is kept as
 * questionable until it answers one of ours.  A bucket whose nodes have not
 * changed for BT_DHT_REFRESH_MS is refreshed by a lookup of a random id in it
 * (bt_dht_table_to_refresh).
 *
 * The whole table is capped at max_nodes; a newcomer beyond the cap is
 * dropped.  Lookups are linear in the table's size, which the cap bounds.
 */
#ifndef BT_DHT_TABLE_H
#define BT_DHT_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "dht/id.h"
#include "dht/krpc.h"

#define BT_DHT_GOOD_MS       (15u * 60 * 1000) /* BEP 5: good if it answered this recently */
#define BT_DHT_REFRESH_MS    (15u * 60 * 1000) /* BEP 5: refresh a bucket quiet this long */
#define BT_DHT_MAX_FAILS     2                 /* unanswered queries in a row: bad */
#define BT_DHT_PING_AGAIN_MS (60u * 1000)      /* a questionable node is pinged once a minute */
#define BT_DHT_TABLE_MAX     (BT_DHT_K * BT_DHT_ID_BITS) /* default cap on the whole table */

struct bt_dht_entry {
    struct bt_dht_contact c;
    uint64_t added_ms;   /* when it entered the table */
    uint64_t replied_ms; /* its last answer to a query of ours; 0: never */
    uint64_t pinged_ms;  /* our last ping to it as a questionable node; 0: never */
    unsigned fails;      /* our queries it left unanswered, in a row */
};

struct bt_dht_bucket {
    struct bt_dht_entry nodes[BT_DHT_K];
    size_t count;
    int has_pending; /* a newcomer waits for a questionable node's answer */
    struct bt_dht_contact pending;
    uint64_t changed_ms; /* a node joined, left or answered */
};

struct bt_dht_table {
    unsigned char self[BT_DHT_ID_LEN];
    struct bt_dht_bucket *buckets; /* buckets[i]: nodes sharing i leading bits with self */
    size_t bucket_count, bucket_cap;
    size_t node_count;
    size_t max_nodes; /* BT_DHT_TABLE_MAX unless set after init */
};

/* What bt_dht_table_heard() did with a node. */
enum bt_dht_heard {
    BT_DHT_ADDED,   /* a new node, in the table now */
    BT_DHT_UPDATED, /* a node we had: its times refreshed (and its address, if it answered) */
    BT_DHT_PENDING, /* its bucket is full: it waits while a questionable node is pinged */
    BT_DHT_DROPPED, /* no room (a bucket of good nodes, or the cap), or it is us */
};

/* An empty table around our id (one bucket, allocated on first use).  Cannot fail. */
void bt_dht_table_init(struct bt_dht_table *t, const unsigned char *self);
void bt_dht_table_release(struct bt_dht_table *t);

/*
 * Contact c was heard from at now: it answered one of our queries (answered 1),
 * or sent us a query (answered 0).  A node we have under another address keeps
 * its old one unless it answers from the new one.  BT_DHT_DROPPED on
 * BT_ERR_NOMEM too: the table stays as it was.
 */
enum bt_dht_heard bt_dht_table_heard(struct bt_dht_table *t, const struct bt_dht_contact *c,
                                     int answered, uint64_t now);

/*
 * A query to the node with this id went unanswered.  A node that reaches
 * BT_DHT_MAX_FAILS is bad: its bucket's pending node, if any, takes its place
 * at once.
 */
void bt_dht_table_failed(struct bt_dht_table *t, const unsigned char *id, uint64_t now);

/* Remove the node with this id (an address that answered with another id). */
void bt_dht_table_remove(struct bt_dht_table *t, const unsigned char *id);

/*
 * Up to max nodes that are not bad, closest to target first (good and
 * questionable alike: a lookup finds out).  Returns how many.
 */
size_t bt_dht_table_closest(const struct bt_dht_table *t, const unsigned char *target,
                            struct bt_dht_contact *out, size_t max);

/*
 * Nodes to ping now, at most max: questionable nodes of buckets that have a
 * pending newcomer, then any questionable node, each at most once every
 * BT_DHT_PING_AGAIN_MS (its pinged_ms is set to now).
 */
size_t bt_dht_table_to_ping(struct bt_dht_table *t, uint64_t now, struct bt_dht_contact *out,
                            size_t max);

/*
 * Targets for refreshing buckets that have not changed for BT_DHT_REFRESH_MS,
 * at most max: a random id in each such bucket, whose changed_ms is set to now
 * so that it is not refreshed again at once.  Returns how many.
 */
size_t bt_dht_table_to_refresh(struct bt_dht_table *t, uint64_t now,
                               unsigned char (*targets)[BT_DHT_ID_LEN], size_t max);

/* Nodes that answered within BT_DHT_GOOD_MS of now. */
size_t bt_dht_table_good(const struct bt_dht_table *t, uint64_t now);

/* Up to max good nodes, for the state file: the longest-lived first. */
size_t bt_dht_table_good_nodes(const struct bt_dht_table *t, uint64_t now,
                               struct bt_dht_contact *out, size_t max);

#endif /* BT_DHT_TABLE_H */
