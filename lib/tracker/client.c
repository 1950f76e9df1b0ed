/*
 * client.c - asking trackers: one announce to one URL by its scheme, and the
 * walk along the tiers (BEP 12) that the tools and the announcer use.  See
 * client.h.
 */
#include "tracker/client.h"

#include <stdio.h>

#include "tracker/udp.h"

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
