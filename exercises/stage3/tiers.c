/*
 * tiers.c - exercise for stage 3: which tracker to ask (BEP 12).
 *
 *   announce-list  l  l 22:udp://a.example:6969 22:udp://b.example:6969 e   tier 1
 *                     l 27:http://c.example/announce e                      tier 2
 *                  e
 *
 * You write the tier list; the walk along it (first tracker that answers wins,
 * and moves to the front of its tier) is given, and uses your functions.  The
 * contract is lib/tracker/tiers.h.
 *
 * Build the tools with your files: make exercise STAGE=3
 * Grade them:                        make grade STAGE=3
 *
 * A function whose body only returns a placeholder is yours to write: it
 * compiles and fails until you replace it.  A function with a whole body is
 * given: read it, it calls yours.  You may add static helpers (they must be
 * used, or -Werror stops the build).
 */
#include "tracker/tiers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/random.h"
#include "tracker/http.h"
#include "tracker/udp.h"

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

enum bt_err bt_tracker_tiers_for(struct bt_tracker_tiers *tiers, const struct bt_torrent *t,
                                 char *const *urls, size_t n)
{
    enum bt_err err = BT_OK;
    size_t i, j;

    for (i = 0; i < n && err == BT_OK; i++) {
        err = bt_tracker_tiers_new_tier(tiers);
        if (err == BT_OK)
            err = bt_tracker_tiers_add(tiers, urls[i]);
    }
    if (n == 0 && t != NULL) {
        for (i = 0; i < t->tier_count && i < BT_TRACKER_MAX_TIERS && err == BT_OK; i++) {
            err = bt_tracker_tiers_new_tier(tiers);
            for (j = 0; j < t->tiers[i].count && j < BT_TRACKER_MAX_URLS && err == BT_OK; j++)
                err = bt_tracker_tiers_add(tiers, t->tiers[i].urls[j]);
        }
        if (t->tier_count == 0 && t->announce != NULL && err == BT_OK) {
            err = bt_tracker_tiers_new_tier(tiers);
            if (err == BT_OK)
                err = bt_tracker_tiers_add(tiers, t->announce);
        }
    }
    if (err == BT_OK)
        err = bt_tracker_tiers_shuffle(tiers);
    return err;
}

enum bt_err bt_tracker_announce(const char *url, const struct bt_announce_req *req,
                                const struct bt_announce_opts *opts, struct bt_announce_resp *resp)
{
    enum bt_tracker_scheme scheme;

    if (bt_tracker_url_scheme(url, &scheme) != BT_OK)
        return BT_ERR_TRACKER_URL;
    if (scheme == BT_TRACKER_UDP)
        return bt_tracker_udp_announce(url, req, opts, resp);
    return bt_tracker_http_announce(url, req, opts, resp);
}

size_t bt_tracker_tiers_urls(const struct bt_tracker_tiers *tiers)
{
    size_t t, n = 0;

    for (t = 0; t < tiers->count; t++)
        n += tiers->counts[t];
    return n;
}

enum bt_err bt_tracker_announce_tiers(struct bt_tracker_tiers *tiers,
                                      const struct bt_announce_req *req,
                                      const struct bt_announce_opts *opts, unsigned flags,
                                      bt_tracker_result_fn *each, void *arg,
                                      struct bt_announce_result *r)
{
    enum bt_err answered = BT_ERR_NO_PEERS;
    size_t t, i;

    r->err = BT_ERR_NO_PEERS;
    r->url[0] = '\0';
    for (t = 0; t < tiers->count; t++) {
        for (i = 0; i < tiers->counts[t]; i++) {
            const char *url = tiers->urls[t][i];

            bt_announce_resp_release(&r->resp);
            bt_announce_resp_init(&r->resp);
            snprintf(r->url, sizeof(r->url), "%s", url);
            r->err = bt_tracker_announce(url, req, opts, &r->resp);
            if (each != NULL)
                each(arg, r);
            if (r->err != BT_OK)
                continue;
            answered = BT_OK;
            if ((flags & BT_TIERS_ALL) == 0) {
                bt_tracker_tiers_promote(tiers, t, i);
                return BT_OK;
            }
        }
    }
    return answered == BT_OK ? BT_OK : r->err;
}
