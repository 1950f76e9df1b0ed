/*
 * swarm.h - a tracker's memory: which peers are in which torrent.
 *
 *   swarms[]  info hash A  ->  peers[]  peer id, address, seeder?, last heard
 *             info hash B  ->  peers[]  ...
 *
 * An announce (BEP 3) adds or refreshes the peer, "stopped" removes it, and a
 * peer that has not announced for two intervals is forgotten (bt_swarms_expire).
 * Everything is bounded: at most max_torrents swarms and max_peers peers in each,
 * so a flood of made-up info hashes or peer ids costs a fixed amount of memory.
 * An announce is never refused for it: a newcomer to a full swarm takes the
 * place of the peer heard from least recently, and an announce for a new torrent
 * when the table is full is answered (with no peers) but not stored.  A swarm
 * whose last peer leaves is freed.
 *
 * Lookups are linear: a local tracker holds a handful of torrents, and the caps
 * keep the worst case to a few thousand comparisons.
 */
#ifndef BT_TRACKER_SWARM_H
#define BT_TRACKER_SWARM_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "tracker/announce.h"

#define BT_SWARM_DEFAULT_MAX_TORRENTS 1000
#define BT_SWARM_DEFAULT_MAX_PEERS    1000
#define BT_SWARM_DEFAULT_NUMWANT      50  /* BEP 3 suggests 50 when the client says nothing */
#define BT_SWARM_MAX_NUMWANT          200 /* what common trackers give at most */

struct bt_swarm_peer {
    unsigned char peer_id[BT_TRACKER_HASH_LEN];
    struct bt_netaddr addr;
    int seeder;       /* left == 0 */
    uint64_t seen_ms; /* last announce, on bt_loop_now_ms()'s clock */
};

struct bt_swarm {
    unsigned char info_hash[BT_TRACKER_HASH_LEN];
    struct bt_swarm_peer *peers;
    size_t count, cap;
    uint64_t completed; /* "completed" events seen: scrape's "downloaded" */
};

struct bt_swarms {
    struct bt_swarm *swarms;
    size_t count, cap;
    size_t max_torrents, max_peers;
    uint64_t ttl_ms;   /* forget a peer not heard from for this long */
    uint64_t evicted;  /* peers that gave their place in a full swarm to a newcomer */
    uint64_t unstored; /* announces answered but not kept: the table was full */
};

/* One announce, as either front end (HTTP or UDP) decoded it. */
struct bt_swarm_announce {
    unsigned char info_hash[BT_TRACKER_HASH_LEN];
    unsigned char peer_id[BT_TRACKER_HASH_LEN];
    struct bt_netaddr addr; /* the sender's address, with the port it announced */
    int64_t left;
    enum bt_tracker_event event;
    size_t numwant;
};

/* Counts for a reply or a scrape. */
struct bt_swarm_stats {
    size_t seeders, leechers;
    uint64_t completed;
};

/* Empty state with the default caps and a peer lifetime of ttl_ms.  Cannot fail. */
void bt_swarms_init(struct bt_swarms *s, uint64_t ttl_ms);
void bt_swarms_release(struct bt_swarms *s);

/*
 * Record an announce at time now and pick up to a->numwant other peers of the
 * swarm into out (peers of family iplen only when iplen is 4 or 16; 0 takes both).
 * A full swarm or table never refuses (see above).  Errors: BT_ERR_NOMEM.  When
 * out_ids is not NULL it receives the peer ids of the chosen peers,
 * BT_TRACKER_HASH_LEN bytes each, in the order of out.
 */
enum bt_err bt_swarms_announce(struct bt_swarms *s, const struct bt_swarm_announce *a, uint64_t now,
                               size_t iplen, struct bt_peer_list *out, struct bt_buf *out_ids,
                               struct bt_swarm_stats *stats);

/* Counts for one torrent (zeros when unknown). */
void bt_swarms_stats(const struct bt_swarms *s, const unsigned char *info_hash,
                     struct bt_swarm_stats *stats);

/* Forget peers not heard from since now - ttl_ms, and swarms left empty.
 * Returns how many peers were dropped. */
size_t bt_swarms_expire(struct bt_swarms *s, uint64_t now);

#endif /* BT_TRACKER_SWARM_H */
