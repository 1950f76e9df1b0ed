/*
 * http.c - the HTTP tracker of BEP 3, as bytes: the announce URL we send and the
 * bencoded answer we read.  http_client.c moves them with libcurl.
 *
 *   client                                   tracker
 *     GET /announce?info_hash=%124%AB~-...&peer_id=-BK0100-...&port=6881
 *         &uploaded=0&downloaded=0&left=1048576&compact=1&event=started  ->
 *                                           <-  HTTP/1.1 200 OK
 *                                               d 8:interval i1800e 8:complete i3e
 *                                                 10:incomplete i5e 5:peers 12:<2 peers>
 *                                                 6:peers6 18:<1 IPv6 peer> e
 *
 * The query carries the 20 raw bytes of info_hash and peer_id percent-encoded
 * (core/url.h).  The answer's peers come compact (BEP 23, BEP 7: see
 * announce.h) or as the older list of dicts, d 2:ip 9:192.0.2.7 4:port i6881e e,
 * whose "ip" may be a host name: those are counted and skipped, so that reading
 * an answer never waits on a resolver.
 */
#include "tracker/http.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "bencode/bencode.h"
#include "core/url.h"

/* A response of at most BT_TRACKER_MAX_BODY bytes has at most half as many values;
 * a non-compact list of BT_TRACKER_MAX_PEERS peers needs about 7 per peer. */
#define TRACKER_MAX_TOKENS (BT_TRACKER_MAX_PEERS * 8u)
#define TRACKER_MAX_DEPTH  8 /* dict > list > dict > value is all a tracker needs */
#define IP_TEXT_MAX        64

enum bt_err bt_tracker_http_url(struct bt_buf *out, const char *tracker_url,
                                const struct bt_announce_req *req)
{
    const char *event = bt_tracker_event_name(req->event);
    enum bt_err err;

    err = bt_buf_append_str(out, tracker_url);
    if (err == BT_OK)
        err = bt_buf_append_str(out,
                                strchr(tracker_url, '?') != NULL ? "&info_hash=" : "?info_hash=");
    if (err == BT_OK)
        err = bt_url_encode(out, req->info_hash, sizeof(req->info_hash));
    if (err == BT_OK)
        err = bt_buf_append_str(out, "&peer_id=");
    if (err == BT_OK)
        err = bt_url_encode(out, req->peer_id, sizeof(req->peer_id));
    if (err == BT_OK)
        err = bt_buf_printf(out, "&port=%u&uploaded=%lld&downloaded=%lld&left=%lld&compact=1",
                            (unsigned)req->port, (long long)req->uploaded,
                            (long long)req->downloaded, (long long)req->left);
    if (err == BT_OK)
        err = bt_buf_printf(out, "&key=%08x", (unsigned)req->key);
    if (err == BT_OK && event != NULL)
        err = bt_buf_printf(out, "&event=%s", event);
    if (err == BT_OK && req->numwant >= 0)
        err = bt_buf_printf(out, "&numwant=%d", (int)req->numwant);
    return err;
}

/* An optional integer key: absent leaves *out alone; present must be a non-negative
 * integer. */
static enum bt_err get_count(struct bt_announce_resp *resp, const struct bt_bnode *dict,
                             const char *key, int64_t *out)
{
    const struct bt_bnode *v = bt_bnode_dict_get(dict, key);

    if (v == NULL)
        return BT_OK;
    if (v->type != BT_BENCODE_INT || v->i < 0) {
        snprintf(resp->detail, sizeof(resp->detail), "'%s' is not a non-negative integer", key);
        return BT_ERR_TRACKER_RESPONSE;
    }
    *out = v->i;
    return BT_OK;
}

/* One peer of a non-compact list: d 2:ip <text> 7:peer id <20 bytes> 4:port <int> e. */
static enum bt_err parse_peer_dict(struct bt_announce_resp *resp, const struct bt_bnode *d)
{
    const struct bt_bnode *ip = bt_bnode_dict_get(d, "ip");
    const struct bt_bnode *port = bt_bnode_dict_get(d, "port");
    struct bt_netaddr peer;
    char text[IP_TEXT_MAX];

    if (d->type != BT_BENCODE_DICT || ip == NULL || ip->type != BT_BENCODE_STR) {
        snprintf(resp->detail, sizeof(resp->detail), "a peer has no 'ip' string");
        return BT_ERR_TRACKER_RESPONSE;
    }
    if (port == NULL || port->type != BT_BENCODE_INT || port->i < 1 || port->i > 65535) {
        snprintf(resp->detail, sizeof(resp->detail), "a peer's 'port' is not 1-65535");
        return BT_ERR_TRACKER_RESPONSE;
    }
    memset(&peer, 0, sizeof(peer));
    peer.port = (uint16_t)port->i;
    /* BEP 3 allows a DNS name here; we only take numeric addresses, so that reading
     * a tracker's answer never blocks on a resolver. */
    if (ip->slen == 0 || ip->slen >= sizeof(text)) {
        resp->skipped++;
        return BT_OK;
    }
    memcpy(text, ip->s, ip->slen);
    text[ip->slen] = '\0';
    if (inet_pton(AF_INET, text, peer.ip) == 1) {
        peer.iplen = 4;
    } else if (inet_pton(AF_INET6, text, peer.ip) == 1) {
        peer.iplen = 16;
    } else {
        resp->skipped++;
        return BT_OK;
    }
    return bt_peer_list_add(&resp->peers, &peer);
}

static enum bt_err parse_peers(struct bt_announce_resp *resp, const struct bt_bnode *root)
{
    const struct bt_bnode *peers = bt_bnode_dict_get(root, "peers");
    const struct bt_bnode *peers6 = bt_bnode_dict_get(root, "peers6");
    enum bt_err err = BT_OK;

    if (peers != NULL && peers->type == BT_BENCODE_STR) {
        snprintf(resp->detail, sizeof(resp->detail), "'peers' is %zu bytes, not a multiple of %d",
                 peers->slen, BT_NETADDR_COMPACT4);
        err = bt_peer_list_add_compact(&resp->peers, peers->s, peers->slen, 4);
    } else if (peers != NULL && peers->type == BT_BENCODE_LIST) {
        const struct bt_bnode *item = bt_bnode_child(peers);
        uint32_t i;

        for (i = 0; i < peers->count && err == BT_OK; i++) {
            err = parse_peer_dict(resp, item);
            item = bt_bnode_sibling(item);
        }
    } else if (peers != NULL) {
        snprintf(resp->detail, sizeof(resp->detail), "'peers' is not a string or a list");
        return BT_ERR_TRACKER_RESPONSE;
    }
    if (err != BT_OK)
        return err;
    if (peers6 != NULL && peers6->type != BT_BENCODE_STR) {
        snprintf(resp->detail, sizeof(resp->detail), "'peers6' is not a string");
        return BT_ERR_TRACKER_RESPONSE;
    }
    if (peers6 != NULL) {
        snprintf(resp->detail, sizeof(resp->detail), "'peers6' is %zu bytes, not a multiple of %d",
                 peers6->slen, BT_NETADDR_COMPACT6);
        err = bt_peer_list_add_compact(&resp->peers, peers6->s, peers6->slen, 16);
    }
    if (err == BT_OK)
        resp->detail[0] = '\0';
    return err;
}

enum bt_err bt_tracker_http_parse(struct bt_announce_resp *resp, const void *body, size_t len)
{
    struct bt_bencode b;
    const struct bt_bnode *root, *v;
    enum bt_err err;

    bt_bencode_init(&b);
    b.max_tokens = TRACKER_MAX_TOKENS;
    b.max_depth = TRACKER_MAX_DEPTH;
    /* Lenient: some trackers write unsorted keys; what matters is what they say. */
    err = bt_bencode_parse(&b, body, len, BT_BENCODE_LENIENT);
    if (err != BT_OK) {
        resp->bencode_err = err;
        resp->err_offset = b.err_offset;
        bt_bencode_release(&b);
        return BT_ERR_TRACKER_NOT_BENCODED;
    }
    root = bt_bencode_root(&b);
    if (root->type != BT_BENCODE_DICT) {
        snprintf(resp->detail, sizeof(resp->detail), "the body is not a dictionary");
        err = BT_ERR_TRACKER_RESPONSE;
        goto out;
    }
    v = bt_bnode_dict_get(root, "failure reason");
    if (v != NULL) {
        if (v->type != BT_BENCODE_STR) {
            snprintf(resp->detail, sizeof(resp->detail), "'failure reason' is not a string");
            err = BT_ERR_TRACKER_RESPONSE;
            goto out;
        }
        err = bt_announce_message(v->s, v->slen, &resp->failure);
        if (err == BT_OK)
            err = BT_ERR_TRACKER_FAILURE;
        goto out;
    }
    v = bt_bnode_dict_get(root, "warning message");
    if (v != NULL && v->type != BT_BENCODE_STR) {
        snprintf(resp->detail, sizeof(resp->detail), "'warning message' is not a string");
        err = BT_ERR_TRACKER_RESPONSE;
        goto out;
    }
    if (v != NULL)
        err = bt_announce_message(v->s, v->slen, &resp->warning);
    if (err == BT_OK)
        err = get_count(resp, root, "interval", &resp->interval);
    if (err == BT_OK)
        err = get_count(resp, root, "min interval", &resp->min_interval);
    if (err == BT_OK)
        err = get_count(resp, root, "complete", &resp->complete);
    if (err == BT_OK)
        err = get_count(resp, root, "incomplete", &resp->incomplete);
    if (err == BT_OK)
        err = parse_peers(resp, root);
out:
    bt_bencode_release(&b);
    return err;
}
