/*
 * tiers.h - which tracker to ask (BEP 12), and asking them in that order.
 *
 * A torrent's "announce-list" is a list of tiers, each a list of URLs:
 *
 *   announce-list  l  l 22:udp://a.example:6969 22:udp://b.example:6969 e   tier 1
 *                     l 27:http://c.example/announce e                      tier 2
 *                  e
 *
 * A client tries the tiers in order and the URLs of a tier in an order shuffled
 * once; the URL that answers moves to the front of its tier, so the next
 * announce starts with it.  A torrent with no announce-list has one tier of one
 * URL, its "announce".
 */
#ifndef BT_TRACKER_TIERS_H
#define BT_TRACKER_TIERS_H

#include <stddef.h>

#include "core/error.h"
#include "metainfo/metainfo.h"
#include "tracker/announce.h"

#define BT_TRACKER_MAX_TIERS 64 /* tiers, and URLs per tier, we try at most */
#define BT_TRACKER_MAX_URLS  64
#define BT_TRACKER_URL_MAX   512 /* a result keeps this much of its URL */

struct bt_tracker_tiers {
    char ***urls;   /* urls[t][i], each a NUL-terminated copy */
    size_t *counts; /* counts[t] URLs in tier t */
    size_t count;   /* tiers */
};

void bt_tracker_tiers_init(struct bt_tracker_tiers *tiers);
void bt_tracker_tiers_release(struct bt_tracker_tiers *tiers);
/* Start a new, empty tier at the end (BT_ERR_TOO_LARGE past BT_TRACKER_MAX_TIERS). */
enum bt_err bt_tracker_tiers_new_tier(struct bt_tracker_tiers *tiers);
/* Add a copy of url to the last tier, skipping a URL already present anywhere. */
enum bt_err bt_tracker_tiers_add(struct bt_tracker_tiers *tiers, const char *url);
/* Shuffle the URLs inside each tier (Fisher-Yates over random bytes). */
enum bt_err bt_tracker_tiers_shuffle(struct bt_tracker_tiers *tiers);
/* The URL at tiers->urls[tier][idx] answered: move it to the front of its tier. */
void bt_tracker_tiers_promote(struct bt_tracker_tiers *tiers, size_t tier, size_t idx);
/* How many URLs in all. */
size_t bt_tracker_tiers_urls(const struct bt_tracker_tiers *tiers);

/*
 * Fill tiers for a torrent: each of the n urls is a tier of its own, in order;
 * with none, the torrent's announce-list (BEP 12), else its announce URL.  The
 * URLs inside each tier are shuffled once.  t may be NULL when n > 0.
 */
enum bt_err bt_tracker_tiers_for(struct bt_tracker_tiers *tiers, const struct bt_torrent *t,
                                 char *const *urls, size_t n);

/* Announce to one tracker URL, over UDP or HTTP(S) by its scheme. */
enum bt_err bt_tracker_announce(const char *url, const struct bt_announce_req *req,
                                const struct bt_announce_opts *opts, struct bt_announce_resp *resp);

/* What one tracker answered, or why it did not. */
struct bt_announce_result {
    enum bt_err err;              /* BT_OK if it answered */
    char url[BT_TRACKER_URL_MAX]; /* the tracker */
    struct bt_announce_resp resp; /* its answer; the caller releases it */
};

/* Called after each tracker the walk asks, with its result (which the walk
 * releases afterwards: copy what must be kept). */
typedef void bt_tracker_result_fn(void *arg, const struct bt_announce_result *r);

#define BT_TIERS_ALL 1u /* ask every tracker, not only until one answers */

/*
 * Announce along the tiers, in the calling thread: the first tracker that
 * answers wins and moves to the front of its tier (BEP 12); with BT_TIERS_ALL
 * every tracker is asked (and none promoted).  each (may be NULL) hears every
 * tracker's result as it comes.  r->resp must be initialised; on return r holds
 * the winner's result (without BT_TIERS_ALL) or the last tracker's.  Returns
 * BT_OK if some tracker answered, BT_ERR_NO_PEERS when there is no tracker at
 * all, else the last tracker's error.
 */
enum bt_err bt_tracker_announce_tiers(struct bt_tracker_tiers *tiers,
                                      const struct bt_announce_req *req,
                                      const struct bt_announce_opts *opts, unsigned flags,
                                      bt_tracker_result_fn *each, void *arg,
                                      struct bt_announce_result *r);

#endif /* BT_TRACKER_TIERS_H */
