/*
 * http.c - the HTTP tracker of BEP 3: the announce URL, the bencoded answer, and
 * the request itself through libcurl.
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
 *
 * What we ask of libcurl, and why:
 *   - only http and https, also after a redirect (a tracker URL from a torrent
 *     must not make us read file:// or talk to other protocols);
 *   - TLS certificates and host names verified (libcurl's default, set anyway);
 *   - one timeout for the whole transfer, DNS included, and no signals (so that
 *     libcurl's resolver timeout does not use SIGALRM behind the tool's back);
 *   - the body capped at BT_TRACKER_MAX_BODY: CURLOPT_MAXFILESIZE stops early when
 *     the server declares a length, and the write callback stops a body that
 *     does not declare one;
 *   - Accept-Encoding for every decoder libcurl has (gzip), decoded before the cap.
 */
#include "config.h"

#include "tracker/http.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "bencode/bencode.h"
#include "core/url.h"

#define HTTP_MAX_REDIRECTS 3
#define HTTP_USER_AGENT    PACKAGE_NAME "/" PACKAGE_VERSION /* "btkit/0.1.0" */
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
    struct bt_tracker_peer peer;
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
                 peers->slen, BT_TRACKER_COMPACT4);
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
                 peers6->slen, BT_TRACKER_COMPACT6);
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

struct body {
    struct bt_buf buf;
    int too_large;
};

static size_t on_body(char *p, size_t size, size_t nmemb, void *arg)
{
    struct body *body = arg;
    size_t n = size * nmemb;

    if (bt_buf_append(&body->buf, p, n) != BT_OK) {
        body->too_large = 1;
        return 0; /* a short count makes libcurl stop with CURLE_WRITE_ERROR */
    }
    return n;
}

static enum bt_err map_curl_error(CURLcode code, const struct body *body)
{
    switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return BT_ERR_TRACKER_DNS;
    case CURLE_COULDNT_CONNECT:
        return BT_ERR_TRACKER_CONNECT;
    case CURLE_OPERATION_TIMEDOUT:
        return BT_ERR_TRACKER_TIMEOUT;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
        return BT_ERR_TRACKER_TLS;
    case CURLE_FILESIZE_EXCEEDED:
        return BT_ERR_TRACKER_TOO_LARGE;
    case CURLE_WRITE_ERROR:
        return body->too_large ? BT_ERR_TRACKER_TOO_LARGE : BT_ERR_IO;
    case CURLE_OUT_OF_MEMORY:
        return BT_ERR_NOMEM;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
        return BT_ERR_TRACKER_URL;
    default:
        return BT_ERR_TRACKER_HTTP;
    }
}

static enum bt_err limit_protocols(CURL *curl)
{
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85.0 replaced the bit masks with strings */
    if (curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") != CURLE_OK)
        return BT_ERR_TRACKER_URL;
#else
    if (curl_easy_setopt(curl, CURLOPT_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS) != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS) !=
            CURLE_OK)
        return BT_ERR_TRACKER_URL;
#endif
    return BT_OK;
}

enum bt_err bt_tracker_http_announce(const char *url, const struct bt_announce_req *req,
                                     const struct bt_announce_opts *opts,
                                     struct bt_announce_resp *resp)
{
    struct bt_buf full;
    struct body body;
    enum bt_tracker_scheme scheme;
    CURL *curl;
    CURLcode code;
    enum bt_err err;

    err = bt_tracker_url_scheme(url, &scheme);
    if (err != BT_OK || scheme == BT_TRACKER_UDP)
        return BT_ERR_TRACKER_URL;
    bt_buf_init(&full, 16384);
    err = bt_tracker_http_url(&full, url, req);
    if (err != BT_OK) {
        bt_buf_release(&full);
        return err;
    }
    curl = curl_easy_init();
    if (curl == NULL) {
        bt_buf_release(&full);
        return BT_ERR_NOMEM;
    }
    bt_buf_init(&body.buf, BT_TRACKER_MAX_BODY);
    body.too_large = 0;

    err = limit_protocols(curl);
    if (err == BT_OK &&
        (curl_easy_setopt(curl, CURLOPT_URL, (const char *)full.data) != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)opts->timeout_ms) != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)opts->timeout_ms) != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L) != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_MAXREDIRS, (long)HTTP_MAX_REDIRECTS) != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_MAXFILESIZE, (long)BT_TRACKER_MAX_BODY) != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "") != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_USERAGENT, HTTP_USER_AGENT) != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body) != CURLE_OK))
        err = BT_ERR_NOMEM;
    if (err == BT_OK) {
        code = curl_easy_perform(curl);
        if (code != CURLE_OK)
            err = map_curl_error(code, &body);
    }
    if (err == BT_OK) {
        long status = 0;

        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        resp->http_status = status;
        /* Some trackers put a bencoded failure reason in a 4xx body: prefer it,
         * since it says more than the status line does. */
        err = bt_tracker_http_parse(resp, body.buf.data, body.buf.len);
        if (status != 200 && err != BT_ERR_TRACKER_FAILURE) {
            bt_announce_resp_release(resp);
            resp->http_status = status;
            err = BT_ERR_TRACKER_HTTP;
        }
    }
    curl_easy_cleanup(curl);
    bt_buf_release(&body.buf);
    bt_buf_release(&full);
    return err;
}
