/*
 * tiers.c - exercise for stage 3: which tracker to ask (BEP 12).
 *
 *   announce-list  l  l 22:udp://a.example:6969 22:udp://b.example:6969 e   tier 1
 *                     l 27:http://c.example/announce e                      tier 2
 *                  e
 *
 * You write the tier list; lib/tracker/client.c walks along it (the first
 * tracker that answers wins, and moves to the front of its tier) with your
 * functions.  The contract is lib/tracker/tiers.h.
 *
 * Build the tools with your files: make exercise STAGE=3
 * Grade them:                        make grade STAGE=3
 *
 * Every body below is a placeholder that compiles and fails: replace each one.
 * You may add static helpers (they must be used, or -Werror stops the build).
 */
#include "tracker/tiers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/random.h"

/* No tiers: every pointer NULL, count 0. */
void bt_tracker_tiers_init(struct bt_tracker_tiers *tiers)
{
    (void)tiers;
}

/* Free each URL, each tier's array, the two arrays, then initialise again. */
void bt_tracker_tiers_release(struct bt_tracker_tiers *tiers)
{
    (void)tiers;
}

/*
 * Grow urls and counts by one tier (BT_ERR_TOO_LARGE when there are
 * BT_TRACKER_MAX_TIERS already).  The new tier's URL array may be allocated at
 * its full size, BT_TRACKER_MAX_URLS pointers, once.
 * Common mistake: p = realloc(p, ...) loses the old array when realloc fails.
 */
enum bt_err bt_tracker_tiers_new_tier(struct bt_tracker_tiers *tiers)
{
    (void)tiers;
    return BT_ERR_NOMEM;
}

/*
 * Add a copy (strdup) of url to the LAST tier.  A URL that is already in any
 * tier is skipped with BT_OK: torrents list the same tracker twice.  No tier
 * yet: BT_ERR_INVALID; a full tier (BT_TRACKER_MAX_URLS): BT_ERR_TOO_LARGE.
 */
enum bt_err bt_tracker_tiers_add(struct bt_tracker_tiers *tiers, const char *url)
{
    (void)tiers;
    (void)url;
    return BT_ERR_NOMEM;
}

/*
 * BEP 12: shuffle the URLs of each tier once, so that clients spread over a
 * tier's trackers.  Fisher-Yates: for i from the tier's count down to 2, swap
 * entry i - 1 with a random entry j < i.  Take the randomness from
 * bt_random_bytes(); rand() gives every client the same order.
 */
enum bt_err bt_tracker_tiers_shuffle(struct bt_tracker_tiers *tiers)
{
    (void)tiers;
    return BT_ERR_IO;
}

/*
 * The URL at urls[tier][idx] answered: move it to the front of its tier, and
 * shift the ones before it down by one (memmove), keeping their order.  Out of
 * range tier or idx: do nothing.
 */
void bt_tracker_tiers_promote(struct bt_tracker_tiers *tiers, size_t tier, size_t idx)
{
    (void)tiers;
    (void)tier;
    (void)idx;
}

/*
 * The tiers of a torrent, in the order a client asks them: the n urls given on
 * the command line (--tracker), each a tier of its own, in order; with none,
 * the torrent's announce-list (t->tiers, BEP 12), tier by tier, at most
 * BT_TRACKER_MAX_TIERS tiers of BT_TRACKER_MAX_URLS URLs; with no announce-list
 * either, its announce URL alone (t->announce, may be NULL).  Then shuffle each
 * tier once.  t may be NULL when n > 0.  Stop at the first error.
 */
enum bt_err bt_tracker_tiers_for(struct bt_tracker_tiers *tiers, const struct bt_torrent *t,
                                 char *const *urls, size_t n)
{
    (void)tiers;
    (void)t;
    (void)urls;
    (void)n;
    return BT_ERR_NOMEM;
}

/* The number of URLs in all the tiers: zero means there is no tracker to ask. */
size_t bt_tracker_tiers_urls(const struct bt_tracker_tiers *tiers)
{
    (void)tiers;
    return 0;
}
