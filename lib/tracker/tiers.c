/*
 * tiers.c - BEP 12's tiers of trackers.  See tiers.h.
 */
#include "tracker/tiers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/random.h"

void bt_tracker_tiers_init(struct bt_tracker_tiers *tiers)
{
    memset(tiers, 0, sizeof(*tiers));
}

void bt_tracker_tiers_release(struct bt_tracker_tiers *tiers)
{
    size_t t, i;

    for (t = 0; t < tiers->count; t++) {
        for (i = 0; i < tiers->counts[t]; i++)
            free(tiers->urls[t][i]);
        free(tiers->urls[t]);
    }
    free(tiers->urls);
    free(tiers->counts);
    bt_tracker_tiers_init(tiers);
}

enum bt_err bt_tracker_tiers_new_tier(struct bt_tracker_tiers *tiers)
{
    char ***urls;
    size_t *counts;

    if (tiers->count >= BT_TRACKER_MAX_TIERS)
        return BT_ERR_TOO_LARGE;
    urls = realloc(tiers->urls, (tiers->count + 1) * sizeof(*urls));
    if (urls == NULL)
        return BT_ERR_NOMEM;
    tiers->urls = urls;
    counts = realloc(tiers->counts, (tiers->count + 1) * sizeof(*counts));
    if (counts == NULL)
        return BT_ERR_NOMEM;
    tiers->counts = counts;
    /* A tier's array is allocated at its full size once: tiers are small. */
    tiers->urls[tiers->count] = calloc(BT_TRACKER_MAX_URLS, sizeof(char *));
    if (tiers->urls[tiers->count] == NULL)
        return BT_ERR_NOMEM;
    tiers->counts[tiers->count] = 0;
    tiers->count++;
    return BT_OK;
}

enum bt_err bt_tracker_tiers_add(struct bt_tracker_tiers *tiers, const char *url)
{
    size_t t, i, last;
    char *copy;

    if (tiers->count == 0)
        return BT_ERR_INVALID;
    for (t = 0; t < tiers->count; t++) {
        for (i = 0; i < tiers->counts[t]; i++) {
            if (strcmp(tiers->urls[t][i], url) == 0)
                return BT_OK;
        }
    }
    last = tiers->count - 1;
    if (tiers->counts[last] >= BT_TRACKER_MAX_URLS)
        return BT_ERR_TOO_LARGE;
    copy = strdup(url);
    if (copy == NULL)
        return BT_ERR_NOMEM;
    tiers->urls[last][tiers->counts[last]++] = copy;
    return BT_OK;
}

enum bt_err bt_tracker_tiers_shuffle(struct bt_tracker_tiers *tiers)
{
    size_t t, i;

    for (t = 0; t < tiers->count; t++) {
        for (i = tiers->counts[t]; i > 1; i--) {
            uint32_t r;
            size_t j;
            char *tmp;
            enum bt_err err = bt_random_bytes(&r, sizeof(r));

            if (err != BT_OK)
                return err;
            j = r % i; /* the bias of % is below 1e-8 for a tier of 64 */
            tmp = tiers->urls[t][i - 1];
            tiers->urls[t][i - 1] = tiers->urls[t][j];
            tiers->urls[t][j] = tmp;
        }
    }
    return BT_OK;
}

void bt_tracker_tiers_promote(struct bt_tracker_tiers *tiers, size_t tier, size_t idx)
{
    char **urls;
    char *winner;

    if (tier >= tiers->count || idx >= tiers->counts[tier])
        return;
    urls = tiers->urls[tier];
    winner = urls[idx];
    memmove(urls + 1, urls, idx * sizeof(*urls));
    urls[0] = winner;
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

size_t bt_tracker_tiers_urls(const struct bt_tracker_tiers *tiers)
{
    size_t t, n = 0;

    for (t = 0; t < tiers->count; t++)
        n += tiers->counts[t];
    return n;
}
