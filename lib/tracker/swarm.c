/*
 * swarm.c - the swarm table behind bt-tracker.  See swarm.h.
 *
 * BEP 3 "Trackers": a tracker answers an announce with a selection of the other
 * peers of the torrent.  It does not have to return everyone, and should not
 * always return the same ones, or newcomers would all crowd the oldest peers.
 * We return up to numwant peers starting from a random place in the swarm:
 *
 *   peers  [ a  b  c  d  e  f ]     numwant 3, random start 4, asker is f
 *                       ^ start    ->  e, a, b   (f skipped: nobody needs itself)
 */
#include "tracker/swarm.h"

#include <stdlib.h>
#include <string.h>

#include "core/random.h"

void bt_swarms_init(struct bt_swarms *s, uint64_t ttl_ms)
{
    memset(s, 0, sizeof(*s));
    s->max_torrents = BT_SWARM_DEFAULT_MAX_TORRENTS;
    s->max_peers = BT_SWARM_DEFAULT_MAX_PEERS;
    s->ttl_ms = ttl_ms;
}

void bt_swarms_release(struct bt_swarms *s)
{
    size_t i;

    for (i = 0; i < s->count; i++)
        free(s->swarms[i].peers);
    free(s->swarms);
    bt_swarms_init(s, s->ttl_ms);
}

static struct bt_swarm *find_swarm(const struct bt_swarms *s, const unsigned char *info_hash)
{
    size_t i;

    for (i = 0; i < s->count; i++) {
        if (memcmp(s->swarms[i].info_hash, info_hash, BT_TRACKER_HASH_LEN) == 0)
            return &s->swarms[i];
    }
    return NULL;
}

static enum bt_err add_swarm(struct bt_swarms *s, const unsigned char *info_hash,
                             struct bt_swarm **out)
{
    struct bt_swarm *w;

    if (s->count >= s->max_torrents)
        return BT_ERR_TOO_LARGE;
    if (s->count == s->cap) {
        size_t cap = s->cap == 0 ? 8 : s->cap * 2;

        w = realloc(s->swarms, cap * sizeof(*w));
        if (w == NULL)
            return BT_ERR_NOMEM;
        s->swarms = w;
        s->cap = cap;
    }
    w = &s->swarms[s->count++];
    memset(w, 0, sizeof(*w));
    memcpy(w->info_hash, info_hash, BT_TRACKER_HASH_LEN);
    *out = w;
    return BT_OK;
}

/* Remove swarm i by moving the last one into its place (order does not matter). */
static void remove_swarm(struct bt_swarms *s, size_t i)
{
    free(s->swarms[i].peers);
    s->swarms[i] = s->swarms[--s->count];
}

static void remove_peer(struct bt_swarm *w, size_t i)
{
    w->peers[i] = w->peers[--w->count];
}

/* The peer heard from least recently: the one a full swarm gives up. */
static size_t stalest(const struct bt_swarm *w)
{
    size_t i, oldest = 0;

    for (i = 1; i < w->count; i++)
        if (w->peers[i].seen_ms < w->peers[oldest].seen_ms)
            oldest = i;
    return oldest;
}

/*
 * Find the peer with this id, or make room for it.  *idx is its slot.  A full
 * swarm gives the stalest peer's slot to the newcomer: refusing newcomers
 * instead would let a flood of made-up peers lock every real one out, while a
 * real peer that is evicted comes back at its next announce.
 */
static enum bt_err upsert_peer(struct bt_swarms *s, struct bt_swarm *w,
                               const unsigned char *peer_id, size_t *idx)
{
    size_t i;

    for (i = 0; i < w->count; i++) {
        if (memcmp(w->peers[i].peer_id, peer_id, BT_TRACKER_HASH_LEN) == 0) {
            *idx = i;
            return BT_OK;
        }
    }
    if (w->count > 0 && w->count >= s->max_peers) {
        *idx = stalest(w);
        memset(&w->peers[*idx], 0, sizeof(w->peers[0]));
        memcpy(w->peers[*idx].peer_id, peer_id, BT_TRACKER_HASH_LEN);
        s->evicted++;
        return BT_OK;
    }
    if (w->count == w->cap) {
        size_t cap = w->cap == 0 ? 8 : w->cap * 2;
        struct bt_swarm_peer *p = realloc(w->peers, cap * sizeof(*p));

        if (p == NULL)
            return BT_ERR_NOMEM;
        w->peers = p;
        w->cap = cap;
    }
    memset(&w->peers[w->count], 0, sizeof(w->peers[0]));
    memcpy(w->peers[w->count].peer_id, peer_id, BT_TRACKER_HASH_LEN);
    *idx = w->count++;
    return BT_OK;
}

static void count(const struct bt_swarm *w, struct bt_swarm_stats *stats)
{
    size_t i;

    memset(stats, 0, sizeof(*stats));
    if (w == NULL)
        return;
    for (i = 0; i < w->count; i++) {
        if (w->peers[i].seeder)
            stats->seeders++;
        else
            stats->leechers++;
    }
    stats->completed = w->completed;
}

static enum bt_err pick_peers(const struct bt_swarm *w, const struct bt_swarm_announce *a,
                              size_t iplen, struct bt_peer_list *out, struct bt_buf *out_ids)
{
    size_t start = 0, k, given = 0;
    uint32_t r;

    if (w->count == 0 || a->numwant == 0)
        return BT_OK;
    if (bt_random_bytes(&r, sizeof(r)) == BT_OK)
        start = r % w->count;
    for (k = 0; k < w->count && given < a->numwant; k++) {
        const struct bt_swarm_peer *p = &w->peers[(start + k) % w->count];
        enum bt_err err;

        if (memcmp(p->peer_id, a->peer_id, BT_TRACKER_HASH_LEN) == 0)
            continue;
        if (iplen != 0 && p->addr.iplen != iplen)
            continue;
        /* A seeder has no use for other seeders. */
        if (a->left == 0 && p->seeder)
            continue;
        err = bt_peer_list_add(out, &p->addr);
        if (err == BT_OK && out_ids != NULL)
            err = bt_buf_append(out_ids, p->peer_id, BT_TRACKER_HASH_LEN);
        if (err != BT_OK)
            return err;
        given++;
    }
    return BT_OK;
}

enum bt_err bt_swarms_announce(struct bt_swarms *s, const struct bt_swarm_announce *a, uint64_t now,
                               size_t iplen, struct bt_peer_list *out, struct bt_buf *out_ids,
                               struct bt_swarm_stats *stats)
{
    struct bt_swarm *w = find_swarm(s, a->info_hash);
    enum bt_err err;
    size_t idx;

    if (a->event == BT_EVENT_STOPPED) {
        if (w != NULL) {
            for (idx = 0; idx < w->count; idx++) {
                if (memcmp(w->peers[idx].peer_id, a->peer_id, BT_TRACKER_HASH_LEN) == 0) {
                    remove_peer(w, idx);
                    break;
                }
            }
        }
        count(w, stats);
        if (w != NULL && w->count == 0)
            remove_swarm(s, (size_t)(w - s->swarms));
        return BT_OK;
    }
    if (w == NULL) {
        err = add_swarm(s, a->info_hash, &w);
        if (err == BT_ERR_TOO_LARGE) {
            /* The table is full: answer, but keep nothing (and give nobody). */
            count(NULL, stats);
            s->unstored++;
            return BT_OK;
        }
        if (err != BT_OK)
            return err;
    }
    err = upsert_peer(s, w, a->peer_id, &idx);
    if (err != BT_OK) {
        if (w->count == 0)
            remove_swarm(s, (size_t)(w - s->swarms));
        return err;
    }
    w->peers[idx].addr = a->addr;
    w->peers[idx].seeder = a->left == 0;
    w->peers[idx].seen_ms = now;
    if (a->event == BT_EVENT_COMPLETED)
        w->completed++;
    count(w, stats);
    return pick_peers(w, a, iplen, out, out_ids);
}

void bt_swarms_stats(const struct bt_swarms *s, const unsigned char *info_hash,
                     struct bt_swarm_stats *stats)
{
    count(find_swarm(s, info_hash), stats);
}

size_t bt_swarms_expire(struct bt_swarms *s, uint64_t now)
{
    size_t i = 0, dropped = 0;

    while (i < s->count) {
        struct bt_swarm *w = &s->swarms[i];
        size_t j = 0;

        while (j < w->count) {
            if (now - w->peers[j].seen_ms >= s->ttl_ms) {
                remove_peer(w, j);
                dropped++;
            } else {
                j++;
            }
        }
        if (w->count == 0)
            remove_swarm(s, i);
        else
            i++;
    }
    return dropped;
}
