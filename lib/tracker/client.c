/*
 * client.c - asking trackers: one announce to one URL by its scheme, and the
 * walk along the tiers (BEP 12) that the tools and the announcer use.  See
 * client.h.
 */
#include "tracker/client.h"

#include <stdio.h>

#include "bencode/json.h"
#include "core/net.h"
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

enum bt_err bt_peer_list_json(struct bt_buf *out, const struct bt_peer_list *peers)
{
    enum bt_err err = bt_buf_append_byte(out, '[');
    size_t i;

    for (i = 0; i < peers->count && err == BT_OK; i++) {
        const struct bt_netaddr *p = &peers->peers[i];
        char text[BT_ADDR_STRLEN];
        struct bt_addr addr;

        bt_addr_from_netaddr(p, &addr);
        bt_addr_format(&addr, text);
        if (i > 0)
            err = bt_buf_append_byte(out, ',');
        if (err == BT_OK)
            err = bt_json_put_cstring(out, text);
    }
    return err == BT_OK ? bt_buf_append_byte(out, ']') : err;
}

/* A count from the tracker, or null when it did not say (or did not answer). */
static enum bt_err json_count(struct bt_buf *out, const char *key, int answered, int64_t v)
{
    enum bt_err err = bt_json_put_key(out, key);

    if (err != BT_OK)
        return err;
    return answered && v >= 0 ? bt_json_put_int(out, v) : bt_json_put_null(out);
}

enum bt_err bt_announce_result_json(struct bt_buf *out, const struct bt_announce_result *r)
{
    const struct bt_announce_resp *resp = &r->resp;
    int ok = r->err == BT_OK;
    enum bt_err err = bt_buf_append_byte(out, '{');

    if (err == BT_OK)
        err = bt_json_put_key(out, "url");
    if (err == BT_OK)
        err = bt_json_put_cstring(out, r->url);
    if (err == BT_OK)
        err = bt_json_put_key(out, "error");
    if (err == BT_OK)
        err = bt_json_put_cstring(out, ok ? NULL : bt_strerror(r->err));
    if (err == BT_OK)
        err = bt_json_put_key(out, "failure_reason");
    if (err == BT_OK)
        err = bt_json_put_cstring(out, resp->failure);
    if (err == BT_OK)
        err = bt_json_put_key(out, "warning");
    if (err == BT_OK)
        err = bt_json_put_cstring(out, resp->warning);
    if (err == BT_OK)
        err = json_count(out, "interval", ok, resp->interval);
    if (err == BT_OK)
        err = json_count(out, "min_interval", ok, resp->min_interval);
    if (err == BT_OK)
        err = json_count(out, "seeders", ok, resp->complete);
    if (err == BT_OK)
        err = json_count(out, "leechers", ok, resp->incomplete);
    if (err == BT_OK)
        err = bt_json_put_key(out, "peers");
    if (err == BT_OK && ok)
        err = bt_peer_list_json(out, &resp->peers);
    else if (err == BT_OK)
        err = bt_buf_append_str(out, "[]");
    return err == BT_OK ? bt_buf_append_byte(out, '}') : err;
}
