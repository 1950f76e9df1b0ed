/*
 * tracker.c - the network-free half of the tracker client: announce URLs, HTTP
 * response bodies, BEP 15 packets, tiers and peer ids.  See tracker.h.
 *
 * BEP 3 "Trackers": the announce is an HTTP GET whose query carries the 20 raw
 * bytes of info_hash and peer_id, percent-encoded.  An info hash starting
 * 12 34 ab 7e 2d ... becomes
 *
 *   info_hash=%124%AB~-...      0x12 -> %12, 0x34 is '4', 0xab -> %AB,
 *                               0x7e is '~', 0x2d is '-'
 *
 * BEP 23 "compact": each peer is 6 bytes, BEP 7 "peers6": 18 bytes,
 *
 *   +----+----+----+----+----+----+      +-- 16 bytes --+----+----+
 *   | 192| 0  | 2  | 7  |0x1a|0xe1|      | 2001:db8::7  |0x1a|0xe1|
 *   +----+----+----+----+----+----+      +--------------+----+----+
 *     address, network order   port        address        port 6881
 *
 * and the non-compact form is a list of dicts: d 2:ip 9:192.0.2.7 4:port i6881e e.
 */
#include "tracker/tracker.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include "bencode/bencode.h"
#include "core/sha1.h"

/* A response of at most BT_TRACKER_MAX_BODY bytes has at most half as many values;
 * a non-compact list of BT_TRACKER_MAX_PEERS peers needs about 7 per peer. */
#define TRACKER_MAX_TOKENS (BT_TRACKER_MAX_PEERS * 8u)
#define TRACKER_MAX_DEPTH  8 /* dict > list > dict > value is all a tracker needs */
#define IP_TEXT_MAX        64

void bt_announce_req_init(struct bt_announce_req *req)
{
    memset(req, 0, sizeof(*req));
    req->port = BT_TRACKER_DEFAULT_PORT;
    req->numwant = -1;
}

void bt_peer_list_init(struct bt_peer_list *list)
{
    memset(list, 0, sizeof(*list));
}

void bt_peer_list_release(struct bt_peer_list *list)
{
    free(list->peers);
    bt_peer_list_init(list);
}

void bt_announce_resp_init(struct bt_announce_resp *resp)
{
    memset(resp, 0, sizeof(*resp));
    resp->interval = -1;
    resp->min_interval = -1;
    resp->complete = -1;
    resp->incomplete = -1;
    bt_peer_list_init(&resp->peers);
}

void bt_announce_resp_release(struct bt_announce_resp *resp)
{
    free(resp->failure);
    free(resp->warning);
    bt_peer_list_release(&resp->peers);
    bt_announce_resp_init(resp);
}

enum bt_err bt_peer_list_add(struct bt_peer_list *list, const struct bt_tracker_peer *peer)
{
    if (list->count >= BT_TRACKER_MAX_PEERS) {
        list->dropped++;
        return BT_OK;
    }
    if (list->count == list->cap) {
        size_t cap = list->cap == 0 ? 64 : list->cap * 2;
        struct bt_tracker_peer *p;

        if (cap > BT_TRACKER_MAX_PEERS)
            cap = BT_TRACKER_MAX_PEERS;
        p = realloc(list->peers, cap * sizeof(*p));
        if (p == NULL)
            return BT_ERR_NOMEM;
        list->peers = p;
        list->cap = cap;
    }
    list->peers[list->count++] = *peer;
    return BT_OK;
}

static int peer_equal(const struct bt_tracker_peer *a, const struct bt_tracker_peer *b)
{
    return a->iplen == b->iplen && a->port == b->port && memcmp(a->ip, b->ip, a->iplen) == 0;
}

enum bt_err bt_peer_list_merge(struct bt_peer_list *dst, const struct bt_peer_list *src)
{
    size_t i, j;

    for (i = 0; i < src->count; i++) {
        int seen = 0;
        enum bt_err err;

        for (j = 0; j < dst->count && !seen; j++)
            seen = peer_equal(&dst->peers[j], &src->peers[i]);
        if (seen)
            continue;
        err = bt_peer_list_add(dst, &src->peers[i]);
        if (err != BT_OK)
            return err;
    }
    dst->dropped += src->dropped;
    return BT_OK;
}

enum bt_err bt_peer_list_add_compact(struct bt_peer_list *list, const unsigned char *p, size_t n,
                                     size_t iplen)
{
    size_t entry = iplen + 2, i;

    if ((iplen != 4 && iplen != 16) || n % entry != 0)
        return BT_ERR_TRACKER_PEERS;
    for (i = 0; i < n; i += entry) {
        struct bt_tracker_peer peer;
        enum bt_err err;

        memset(&peer, 0, sizeof(peer));
        memcpy(peer.ip, p + i, iplen);
        peer.iplen = (unsigned char)iplen;
        peer.port = (uint16_t)((p[i + iplen] << 8) | p[i + iplen + 1]);
        err = bt_peer_list_add(list, &peer);
        if (err != BT_OK)
            return err;
    }
    return BT_OK;
}

enum bt_err bt_tracker_url_scheme(const char *url, enum bt_tracker_scheme *scheme)
{
    static const struct {
        const char *prefix;
        enum bt_tracker_scheme scheme;
    } known[] = {
        {"http://", BT_TRACKER_HTTP},
        {"https://", BT_TRACKER_HTTPS},
        {"udp://", BT_TRACKER_UDP},
    };
    size_t i;

    for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        size_t plen = strlen(known[i].prefix);
        const char *host = url + plen;

        if (strncasecmp(url, known[i].prefix, plen) != 0)
            continue;
        /* A host must follow; control characters and spaces never belong in a URL. */
        if (*host == '\0' || *host == '/' || *host == ':')
            return BT_ERR_TRACKER_URL;
        for (; *host != '\0'; host++) {
            if ((unsigned char)*host <= 0x20 || *host == 0x7f)
                return BT_ERR_TRACKER_URL;
        }
        *scheme = known[i].scheme;
        return BT_OK;
    }
    return BT_ERR_TRACKER_URL;
}

enum bt_err bt_tracker_percent_encode(struct bt_buf *out, const unsigned char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = s[i];
        enum bt_err err;

        /* RFC 3986 section 2.3: the unreserved characters need no escape. */
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            err = bt_buf_append_byte(out, c);
        } else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};

            err = bt_buf_append(out, esc, sizeof(esc));
        }
        if (err != BT_OK)
            return err;
    }
    return BT_OK;
}

/* '+' stays '+': it means a space only in HTML forms, and no client encodes an
 * info hash that way. */
long bt_tracker_percent_decode(const char *s, size_t n, unsigned char *out, size_t max)
{
    size_t i, o = 0;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '%') {
            char hex[3];

            if (n - i < 3)
                return -1;
            hex[0] = s[i + 1];
            hex[1] = s[i + 2];
            hex[2] = '\0';
            if (bt_hex_decode(hex, &c, 1) != BT_OK)
                return -1;
            i += 2;
        }
        if (o == max)
            return -1;
        out[o++] = c;
    }
    return (long)o;
}

const char *bt_tracker_event_name(enum bt_tracker_event event)
{
    switch (event) {
    case BT_EVENT_STARTED:
        return "started";
    case BT_EVENT_STOPPED:
        return "stopped";
    case BT_EVENT_COMPLETED:
        return "completed";
    case BT_EVENT_NONE:
        break;
    }
    return NULL;
}

enum bt_err bt_tracker_announce_url(struct bt_buf *out, const char *tracker_url,
                                    const struct bt_announce_req *req)
{
    const char *event = bt_tracker_event_name(req->event);
    enum bt_err err;

    err = bt_buf_append_str(out, tracker_url);
    if (err == BT_OK)
        err = bt_buf_append_str(out,
                                strchr(tracker_url, '?') != NULL ? "&info_hash=" : "?info_hash=");
    if (err == BT_OK)
        err = bt_tracker_percent_encode(out, req->info_hash, sizeof(req->info_hash));
    if (err == BT_OK)
        err = bt_buf_append_str(out, "&peer_id=");
    if (err == BT_OK)
        err = bt_tracker_percent_encode(out, req->peer_id, sizeof(req->peer_id));
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

/* Copy a string node into a new NUL-terminated string of at most
 * BT_TRACKER_MAX_MESSAGE bytes: trackers' messages are for people, not for storage. */
static enum bt_err copy_message(const unsigned char *s, size_t n, char **out)
{
    char *copy;

    if (n > BT_TRACKER_MAX_MESSAGE)
        n = BT_TRACKER_MAX_MESSAGE;
    copy = malloc(n + 1);
    if (copy == NULL)
        return BT_ERR_NOMEM;
    memcpy(copy, s, n);
    copy[n] = '\0';
    free(*out);
    *out = copy;
    return BT_OK;
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

enum bt_err bt_tracker_parse_http(struct bt_announce_resp *resp, const void *body, size_t len)
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
        err = copy_message(v->s, v->slen, &resp->failure);
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
        err = copy_message(v->s, v->slen, &resp->warning);
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

void bt_udp_connect_request(unsigned char out[BT_UDP_CONNECT_LEN], uint32_t txid)
{
    bt_put_be64(out, BT_UDP_PROTOCOL_ID);
    bt_put_be32(out + 8, BT_UDP_ACTION_CONNECT);
    bt_put_be32(out + 12, txid);
}

void bt_udp_announce_request(unsigned char out[BT_UDP_ANNOUNCE_LEN], uint64_t conn_id,
                             uint32_t txid, const struct bt_announce_req *req)
{
    bt_put_be64(out, conn_id);
    bt_put_be32(out + 8, BT_UDP_ACTION_ANNOUNCE);
    bt_put_be32(out + 12, txid);
    memcpy(out + 16, req->info_hash, BT_TRACKER_HASH_LEN);
    memcpy(out + 36, req->peer_id, BT_TRACKER_HASH_LEN);
    bt_put_be64(out + 56, (uint64_t)req->downloaded);
    bt_put_be64(out + 64, (uint64_t)req->left);
    bt_put_be64(out + 72, (uint64_t)req->uploaded);
    bt_put_be32(out + 80, (uint32_t)req->event);
    bt_put_be32(out + 84, 0); /* IP: 0 means "the address this packet came from" */
    bt_put_be32(out + 88, req->key);
    bt_put_be32(out + 92, (uint32_t)req->numwant);
    bt_put_be16(out + 96, req->port);
}

/* The checks every answer shares: ours (txid), and an error action turned into
 * resp->failure. */
static enum bt_err udp_check(const unsigned char *p, size_t n, uint32_t txid, uint32_t action,
                             struct bt_announce_resp *resp)
{
    enum bt_err err;

    if (n < BT_UDP_ERROR_HEAD || bt_get_be32(p + 4) != txid)
        return BT_ERR_TRACKER_TXID;
    if (bt_get_be32(p) == BT_UDP_ACTION_ERROR) {
        err = copy_message(p + BT_UDP_ERROR_HEAD, n - BT_UDP_ERROR_HEAD, &resp->failure);
        return err == BT_OK ? BT_ERR_TRACKER_FAILURE : err;
    }
    if (bt_get_be32(p) != action) {
        snprintf(resp->detail, sizeof(resp->detail), "action %u, expected %u",
                 (unsigned)bt_get_be32(p), (unsigned)action);
        return BT_ERR_TRACKER_RESPONSE;
    }
    return BT_OK;
}

enum bt_err bt_udp_parse_connect(const unsigned char *p, size_t n, uint32_t txid, uint64_t *conn_id,
                                 struct bt_announce_resp *resp)
{
    enum bt_err err = udp_check(p, n, txid, BT_UDP_ACTION_CONNECT, resp);

    if (err != BT_OK)
        return err;
    if (n < BT_UDP_CONNECT_LEN) {
        snprintf(resp->detail, sizeof(resp->detail), "connect answer is %zu bytes, not %d", n,
                 BT_UDP_CONNECT_LEN);
        return BT_ERR_TRACKER_RESPONSE;
    }
    *conn_id = bt_get_be64(p + 8);
    return BT_OK;
}

enum bt_err bt_udp_parse_announce(const unsigned char *p, size_t n, uint32_t txid, size_t iplen,
                                  struct bt_announce_resp *resp)
{
    enum bt_err err = udp_check(p, n, txid, BT_UDP_ACTION_ANNOUNCE, resp);

    if (err != BT_OK)
        return err;
    if (n < BT_UDP_ANNOUNCE_HEAD) {
        snprintf(resp->detail, sizeof(resp->detail), "announce answer is %zu bytes, less than %d",
                 n, BT_UDP_ANNOUNCE_HEAD);
        return BT_ERR_TRACKER_RESPONSE;
    }
    snprintf(resp->detail, sizeof(resp->detail), "%zu bytes of peers, not a multiple of %zu",
             n - BT_UDP_ANNOUNCE_HEAD, iplen + 2);
    resp->interval = bt_get_be32(p + 8);
    resp->incomplete = bt_get_be32(p + 12);
    resp->complete = bt_get_be32(p + 16);
    err = bt_peer_list_add_compact(&resp->peers, p + BT_UDP_ANNOUNCE_HEAD, n - BT_UDP_ANNOUNCE_HEAD,
                                   iplen);
    if (err == BT_OK)
        resp->detail[0] = '\0';
    return err;
}

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

enum bt_err bt_random_bytes(void *p, size_t n)
{
    unsigned char *out = p;
    size_t got = 0;
    int fd;

    while (got < n) {
        ssize_t r = getrandom(out + got, n - got, 0);

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            break;
        got += (size_t)r;
    }
    if (got == n)
        return BT_OK;
    /* Kernels before 3.17 have no getrandom(). */
    fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return BT_ERR_IO;
    while (got < n) {
        ssize_t r = read(fd, out + got, n - got);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            close(fd);
            return BT_ERR_IO;
        }
        got += (size_t)r;
    }
    close(fd);
    return BT_OK;
}

enum bt_err bt_peer_id_generate(unsigned char out[BT_TRACKER_HASH_LEN])
{
    static const char chars[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    size_t plen = strlen(BT_PEER_ID_PREFIX), i;
    unsigned char r[BT_TRACKER_HASH_LEN];
    enum bt_err err = bt_random_bytes(r, sizeof(r));

    if (err != BT_OK)
        return err;
    memcpy(out, BT_PEER_ID_PREFIX, plen);
    for (i = plen; i < BT_TRACKER_HASH_LEN; i++)
        out[i] = (unsigned char)chars[r[i] % (sizeof(chars) - 1)];
    return BT_OK;
}
