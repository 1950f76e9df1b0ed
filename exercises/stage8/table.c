/*
 * table.c - exercise for stage 8: the DHT routing table (BEP 5, "Routing
 * Table"), the nodes a node remembers, in k-buckets.
 *
 * You write the functions lib/dht/table.h declares; the header is the contract
 * and states the rules (read it first: who gets a place in a full bucket, when
 * a node is good, questionable or bad).  lib/dht/dht.c, which you do not write,
 * calls yours: bt_dht_table_heard() for every node that queries or answers us,
 * bt_dht_table_closest() to start each lookup and to answer find_node and
 * get_peers, the rest once a second to keep the table fresh.
 *
 * The buckets are one array, indexed by how many leading bits their nodes
 * share with our id (bt_dht_id_common_bits() of your id.c).  Only the last
 * bucket holds more than one prefix length, and only it splits:
 *
 *   self       0110 1...
 *   bucket 0   1... ....   half the id space, BT_DHT_K (8) nodes at most
 *   bucket 1   00.. ....   a quarter
 *   bucket 2   010. ....   an eighth
 *   bucket 3   011. ....   the last: every node that shares 3 bits or more.
 *                          Full, it splits into bucket 3 (0111 ...) and a new
 *                          last bucket 4 (0110 ...), where we are.
 *
 * So the table knows many nodes near us and few far away, and any lookup can
 * halve its distance to the target with each node it asks.
 *
 * dht.c reads some fields itself, so keep them true: node_count (the nodes in
 * all buckets), bucket_count and buckets[i].nodes[0..count) with each entry's
 * replied_ms (which addresses answered us), and it sets max_nodes after
 * bt_dht_table_init().  Times are milliseconds from an arbitrary start; 0 in
 * replied_ms or pinged_ms means "never".
 *
 * Build the tools with your files: make exercise STAGE=8
 * Grade them:                        make grade STAGE=8
 *
 * Every body below is a placeholder that compiles and fails: replace each one.
 * You may add static helpers (they must be used, or -Werror stops the build).
 * A few make the rest short: is_good / is_questionable / is_bad (an entry's
 * state at now, from table.h's definitions), bucket_index (the bucket an id
 * belongs in), find (an id's entry and bucket), split_last.
 */
#include "dht/table.h"

#include <stdlib.h>
#include <string.h>

/*
 * An empty table around our id: zero everything, copy self, max_nodes =
 * BT_DHT_TABLE_MAX.  No bucket yet: allocate the first when the first node
 * arrives, so that init cannot fail.
 */
void bt_dht_table_init(struct bt_dht_table *t, const unsigned char *self)
{
    (void)t;
    (void)self;
}

/* Free the buckets; leave an empty table (release twice is safe). */
void bt_dht_table_release(struct bt_dht_table *t)
{
    (void)t;
}

/*
 * The heart of the table.  In order:
 *
 * 1. Our own id: BT_DHT_DROPPED.  No bucket yet: make the first (realloc the
 *    array, doubling its capacity, never past BT_DHT_ID_BITS buckets).
 * 2. A node we have (same id, in its bucket): BT_DHT_UPDATED.  If it answered,
 *    it is good again: replied_ms = now, fails = 0, its address is the one it
 *    answered from, and its bucket's changed_ms = now.  A mere query changes
 *    nothing: its source address could be forged.
 * 3. Its bucket is full and is the last one (and there are fewer than
 *    BT_DHT_ID_BITS buckets): split.  Append a bucket; the nodes of the old
 *    last bucket that share at least as many bits with us as the new bucket's
 *    index move into it.  Repeat while the node's bucket is still full and
 *    still the last (all eight may have moved, or none).
 * 4. A free place in its bucket (and node_count below max_nodes, else
 *    DROPPED), or else a bad node's place: the node takes it, added_ms = now,
 *    replied_ms = now if it answered, else 0 (questionable until it does);
 *    BT_DHT_ADDED.  If it was the bucket's pending node, the bucket has none now.
 * 5. Full of nodes that are not bad: if one is questionable, the newcomer
 *    waits as the bucket's pending node, in place of any earlier one (the
 *    latest newcomer is the likeliest to be up): BT_DHT_PENDING.  Only good
 *    nodes: BT_DHT_DROPPED.
 *
 * The pending node heard from again competes in 4 and 5 like any newcomer (a
 * place may have opened), under the address it had unless it answered.
 *
 * Every bucket change (a node added, moved or answering) sets changed_ms = now.
 * Memory running out: BT_DHT_DROPPED, with the table as it was.
 */
enum bt_dht_heard bt_dht_table_heard(struct bt_dht_table *t, const struct bt_dht_contact *c,
                                     int answered, uint64_t now)
{
    (void)t;
    (void)c;
    (void)answered;
    (void)now;
    return BT_DHT_DROPPED;
}

/*
 * Our query to node id timed out.  Count it in fails, up to BT_DHT_MAX_FAILS
 * (then it is bad).  A bad node's bucket with a pending node: the pending node
 * takes the bad one's place at once (as questionable, added now; the bucket
 * changed now) and the bucket has no pending node any more.  An unknown id:
 * nothing to do.
 */
void bt_dht_table_failed(struct bt_dht_table *t, const unsigned char *id, uint64_t now)
{
    (void)t;
    (void)id;
    (void)now;
}

/*
 * Forget the node with this id (dht.c: its address answered with another id).
 * Order inside a bucket means nothing: move the bucket's last entry into the
 * hole.  If it was the pending node of its bucket, that goes too.
 */
void bt_dht_table_remove(struct bt_dht_table *t, const unsigned char *id)
{
    (void)t;
    (void)id;
}

/*
 * Up to max contacts of the table that are not bad, closest to target first
 * (bt_dht_id_closer()).  This seeds every lookup and answers every find_node
 * and get_peers we receive, so the order matters: a lookup trusts it.  One
 * pass with an insertion sort into out (the farthest falls off when out is
 * full) is plenty for a table of a few hundred nodes.  Returns how many.
 */
size_t bt_dht_table_closest(const struct bt_dht_table *t, const unsigned char *target,
                            struct bt_dht_contact *out, size_t max)
{
    (void)t;
    (void)target;
    (void)out;
    (void)max;
    return 0;
}

/*
 * Questionable nodes to ping now, at most max, into out: first those of
 * buckets that have a pending node (someone waits on the answer), then the
 * rest.  Skip a node pinged less than BT_DHT_PING_AGAIN_MS ago; set pinged_ms
 * = now on each you return.  dht.c pings them; their answers come back through
 * bt_dht_table_heard(), their silence through bt_dht_table_failed().
 */
size_t bt_dht_table_to_ping(struct bt_dht_table *t, uint64_t now, struct bt_dht_contact *out,
                            size_t max)
{
    (void)t;
    (void)now;
    (void)out;
    (void)max;
    return 0;
}

/*
 * BEP 5: "Buckets that have not been changed in 15 minutes should be
 * refreshed."  For each bucket unchanged for BT_DHT_REFRESH_MS, at most max: a
 * target id in it (bt_dht_id_random_near(self, i, ...) for bucket i: that is
 * in bucket i, the last one included), and changed_ms = now so that it is not
 * picked again at once.  dht.c runs a find_node of each.  Returns how many.
 */
size_t bt_dht_table_to_refresh(struct bt_dht_table *t, uint64_t now,
                               unsigned char (*targets)[BT_DHT_ID_LEN], size_t max)
{
    (void)t;
    (void)now;
    (void)targets;
    (void)max;
    return 0;
}

/* How many nodes are good at now (bt-dht prints it). */
size_t bt_dht_table_good(const struct bt_dht_table *t, uint64_t now)
{
    (void)t;
    (void)now;
    return 0;
}

/*
 * Up to max good nodes for the state file (lib/dht/state.c), the ones that
 * joined first first: a node that has been up long is the likeliest to be up
 * after our restart.  Gather pointers to the good entries (the table never
 * holds more than BT_DHT_K * BT_DHT_ID_BITS), qsort() them by added_ms, copy
 * out the first max contacts.
 */
size_t bt_dht_table_good_nodes(const struct bt_dht_table *t, uint64_t now,
                               struct bt_dht_contact *out, size_t max)
{
    (void)t;
    (void)now;
    (void)out;
    (void)max;
    return 0;
}
