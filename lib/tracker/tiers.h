/*
 * tiers.h - which tracker to ask (BEP 12).  client.h asks them in this order.
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

#endif /* BT_TRACKER_TIERS_H */
