/*
 * server_http.c - bt-tracker's HTTP front end (BEP 3, compact BEP 23, peers6
 * BEP 7, scrape BEP 48): one request per connection, answered with HTTP/1.0 and
 * closed.  See server.h.
 *
 *   GET /announce?info_hash=%12...&peer_id=-BK0100-...&port=6881&left=0 HTTP/1.1
 *
 *   HTTP/1.0 200 OK                       d 8:complete i1e 10:incomplete i2e
 *   Content-Type: text/plain                8:interval i1800e 12:min interval i900e
 *   Content-Length: 97                      5:peers 12:<2 peers>  6:peers6 0: e
 *
 *   GET /scrape?info_hash=%12...  ->  d 5:files d 20:<hash> d 8:complete i1e
 *                                        10:downloaded i0e 10:incomplete i2e e e e
 *
 * Nothing is trusted: a missing or malformed parameter gets a bencoded
 * "failure reason", never a crash or a half answer.
 */
#include "tracker/server.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "bencode/bencode.h"
#include "core/bytes.h"
#include "core/hex.h"
#include "core/url.h"

/* What an HTTP query asked for. */
struct request {
    struct bt_swarm_announce a;
    int have_hash, have_id, have_port;
    int compact;
    int no_peer_id;
    int numwant_given;
    unsigned char hashes[BT_TRACKER_SERVER_MAX_SCRAPE][BT_TRACKER_HASH_LEN];
    size_t hash_count;
};

/* A decimal value in [min, max].  -1 if it is anything else. */
static int parse_number(const unsigned char *s, long n, int64_t min, int64_t max, int64_t *out)
{
    int64_t v = 0;
    long i;

    if (n <= 0 || n > 19)
        return -1;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int key_is(const char *k, size_t klen, const char *name)
{
    return klen == strlen(name) && memcmp(k, name, klen) == 0;
}

/*
 * Read one key=value pair into r.  Returns NULL, or a phrase saying what is wrong.
 * Unknown keys (key, trackerid, supportcrypto, ...) are ignored, as BEP 3 allows.
 */
static const char *query_pair(struct request *r, const char *k, size_t klen, const char *v,
                              size_t vlen)
{
    unsigned char val[64];
    long n = bt_url_decode(v, vlen, val, sizeof(val));
    int64_t num;

    if (key_is(k, klen, "info_hash")) {
        if (n != BT_TRACKER_HASH_LEN)
            return "info_hash is not 20 bytes";
        if (r->hash_count == BT_TRACKER_SERVER_MAX_SCRAPE)
            return "too many info_hash values";
        memcpy(r->hashes[r->hash_count++], val, BT_TRACKER_HASH_LEN);
        memcpy(r->a.info_hash, val, BT_TRACKER_HASH_LEN);
        r->have_hash = 1;
    } else if (key_is(k, klen, "peer_id")) {
        if (n != BT_TRACKER_HASH_LEN)
            return "peer_id is not 20 bytes";
        memcpy(r->a.peer_id, val, BT_TRACKER_HASH_LEN);
        r->have_id = 1;
    } else if (key_is(k, klen, "port")) {
        if (parse_number(val, n, 1, 65535, &num) != 0)
            return "port is not 1-65535";
        r->a.addr.port = (uint16_t)num;
        r->have_port = 1;
    } else if (key_is(k, klen, "left")) {
        if (parse_number(val, n, 0, INT64_MAX, &num) != 0)
            return "left is not a byte count";
        r->a.left = num;
    } else if (key_is(k, klen, "uploaded") || key_is(k, klen, "downloaded")) {
        if (parse_number(val, n, 0, INT64_MAX, &num) != 0)
            return "uploaded or downloaded is not a byte count";
    } else if (key_is(k, klen, "numwant")) {
        if (parse_number(val, n, 0, INT64_MAX, &num) != 0)
            return "numwant is not a count";
        r->a.numwant = num > BT_SWARM_MAX_NUMWANT ? BT_SWARM_MAX_NUMWANT : (size_t)num;
        r->numwant_given = 1;
    } else if (key_is(k, klen, "compact")) {
        r->compact = !(n == 1 && val[0] == '0');
    } else if (key_is(k, klen, "no_peer_id")) {
        r->no_peer_id = n == 1 && val[0] == '1';
    } else if (key_is(k, klen, "event")) {
        /* BEP 21's "paused" is a regular announce here. */
        if (n < 0 || bt_tracker_event_parse((const char *)val, (size_t)n, &r->a.event) != BT_OK)
            return "unknown event";
    }
    return NULL;
}

static const char *parse_query(struct request *r, const char *q, size_t len)
{
    size_t i = 0;

    while (i < len) {
        size_t end = i, eq;
        const char *err;

        while (end < len && q[end] != '&')
            end++;
        eq = i;
        while (eq < end && q[eq] != '=')
            eq++;
        if (eq < end)
            err = query_pair(r, q + i, eq - i, q + eq + 1, end - eq - 1);
        else
            err = query_pair(r, q + i, end - i, q + end, 0);
        if (err != NULL)
            return err;
        i = end + 1;
    }
    return NULL;
}

static enum bt_err http_response(struct bt_buf *out, int status, const char *reason,
                                 const struct bt_buf *body)
{
    enum bt_err err = bt_buf_printf(out,
                                    "HTTP/1.0 %d %s\r\n"
                                    "Content-Type: text/plain\r\n"
                                    "Content-Length: %zu\r\n"
                                    "Connection: close\r\n\r\n",
                                    status, reason, body->len);

    if (err == BT_OK && body->len > 0)
        err = bt_buf_append(out, body->data, body->len);
    return err;
}

enum bt_err bt_tracker_server_http_refuse(struct bt_tracker_server *srv, struct bt_buf *out,
                                          int status, const char *reason, const char *host,
                                          const char *why)
{
    struct bt_buf body;
    enum bt_err err;

    bt_tracker_server_log(srv, "http refused %s: %s", host, why);
    bt_buf_init(&body, BT_TRACKER_SERVER_MAX_RESPONSE);
    err = bt_bencode_put_dict(&body);
    if (err == BT_OK)
        err = bt_bencode_put_cstr(&body, "failure reason");
    if (err == BT_OK)
        err = bt_bencode_put_cstr(&body, why);
    if (err == BT_OK)
        err = bt_bencode_put_end(&body);
    if (err == BT_OK)
        err = http_response(out, status, reason, &body);
    bt_buf_release(&body);
    return err;
}

/* The peers of a non-compact answer: l d 2:ip <text> 7:peer id <20> 4:port i e ... e. */
static enum bt_err put_peer_dicts(struct bt_buf *body, const struct bt_peer_list *peers,
                                  const struct bt_buf *ids, int no_peer_id)
{
    enum bt_err err = bt_bencode_put_list(body);
    size_t i;

    for (i = 0; i < peers->count && err == BT_OK; i++) {
        const struct bt_netaddr *p = &peers->peers[i];
        char ip[INET6_ADDRSTRLEN];

        inet_ntop(p->iplen == 4 ? AF_INET : AF_INET6, p->ip, ip, sizeof(ip));
        err = bt_bencode_put_dict(body);
        if (err == BT_OK)
            err = bt_bencode_put_cstr(body, "ip");
        if (err == BT_OK)
            err = bt_bencode_put_cstr(body, ip);
        if (err == BT_OK && !no_peer_id) {
            err = bt_bencode_put_cstr(body, "peer id");
            if (err == BT_OK)
                err = bt_bencode_put_str(body, ids->data + i * BT_TRACKER_HASH_LEN,
                                         BT_TRACKER_HASH_LEN);
        }
        if (err == BT_OK)
            err = bt_bencode_put_cstr(body, "port");
        if (err == BT_OK)
            err = bt_bencode_put_int(body, p->port);
        if (err == BT_OK)
            err = bt_bencode_put_end(body);
    }
    if (err == BT_OK)
        err = bt_bencode_put_end(body);
    return err;
}

/* The compact peers of one family, as one bencoded string (BEP 23, BEP 7). */
static enum bt_err put_compact(struct bt_buf *body, const struct bt_peer_list *peers, size_t iplen)
{
    struct bt_buf packed;
    size_t i;
    enum bt_err err = BT_OK;

    bt_buf_init(&packed, BT_TRACKER_SERVER_MAX_RESPONSE);
    for (i = 0; i < peers->count && err == BT_OK; i++) {
        unsigned char entry[BT_NETADDR_COMPACT6];

        if (peers->peers[i].iplen == iplen)
            err = bt_buf_append(&packed, entry, bt_netaddr_put(&peers->peers[i], entry));
    }
    if (err == BT_OK)
        err = bt_bencode_put_str(body, packed.data, packed.len);
    bt_buf_release(&packed);
    return err;
}

static enum bt_err put_count(struct bt_buf *body, const char *key, int64_t v)
{
    enum bt_err err = bt_bencode_put_cstr(body, key);

    return err == BT_OK ? bt_bencode_put_int(body, v) : err;
}

static enum bt_err http_announce(struct bt_tracker_server *srv, struct request *r,
                                 const struct bt_addr *from, uint64_t now, const char *host,
                                 struct bt_buf *out)
{
    struct bt_peer_list peers;
    struct bt_buf ids, body;
    struct bt_swarm_stats stats;
    enum bt_err err;

    if (!r->have_hash || !r->have_id || !r->have_port)
        return bt_tracker_server_http_refuse(srv, out, 200, "OK", host,
                                             !r->have_hash ? "missing info_hash"
                                             : !r->have_id ? "missing peer_id"
                                                           : "missing port");
    if (r->hash_count > 1)
        return bt_tracker_server_http_refuse(srv, out, 200, "OK", host, "more than one info_hash");
    bt_tracker_server_peer(from, r->a.addr.port, &r->a.addr);
    if (!r->numwant_given)
        r->a.numwant = srv->cfg.default_numwant;

    bt_peer_list_init(&peers);
    bt_buf_init(&ids, (size_t)BT_SWARM_MAX_NUMWANT * BT_TRACKER_HASH_LEN);
    bt_buf_init(&body, BT_TRACKER_SERVER_MAX_RESPONSE);
    err = bt_swarms_announce(&srv->swarms, &r->a, now, 0, &peers, &ids, &stats);
    if (err == BT_OK)
        err = bt_bencode_put_dict(&body);
    if (err == BT_OK)
        err = put_count(&body, "complete", (int64_t)stats.seeders);
    if (err == BT_OK)
        err = put_count(&body, "incomplete", (int64_t)stats.leechers);
    if (err == BT_OK)
        err = put_count(&body, "interval", srv->cfg.interval_s);
    if (err == BT_OK)
        err = put_count(&body, "min interval", srv->cfg.interval_s / 2);
    if (err == BT_OK)
        err = bt_bencode_put_cstr(&body, "peers");
    if (err == BT_OK && r->compact)
        err = put_compact(&body, &peers, 4);
    else if (err == BT_OK)
        err = put_peer_dicts(&body, &peers, &ids, r->no_peer_id);
    if (err == BT_OK && r->compact) {
        err = bt_bencode_put_cstr(&body, "peers6");
        if (err == BT_OK)
            err = put_compact(&body, &peers, 16);
    }
    if (err == BT_OK)
        err = bt_bencode_put_end(&body);
    if (err == BT_OK)
        err = http_response(out, 200, "OK", &body);
    if (err == BT_OK)
        bt_tracker_server_log_announce(srv, "http", host, &r->a, peers.count, &stats);
    bt_buf_release(&body);
    bt_buf_release(&ids);
    bt_peer_list_release(&peers);
    return err;
}

static int hash_cmp(const void *a, const void *b)
{
    return memcmp(a, b, BT_TRACKER_HASH_LEN);
}

static enum bt_err put_scrape_entry(struct bt_buf *body, const unsigned char *hash,
                                    const struct bt_swarm_stats *st)
{
    enum bt_err err = bt_bencode_put_str(body, hash, BT_TRACKER_HASH_LEN);

    if (err == BT_OK)
        err = bt_bencode_put_dict(body);
    if (err == BT_OK)
        err = put_count(body, "complete", (int64_t)st->seeders);
    if (err == BT_OK)
        err = put_count(body, "downloaded", (int64_t)st->completed);
    if (err == BT_OK)
        err = put_count(body, "incomplete", (int64_t)st->leechers);
    if (err == BT_OK)
        err = bt_bencode_put_end(body);
    return err;
}

/* BEP 48: the hashes asked for, or every torrent when none is named.  Dict keys
 * must be sorted, so the hashes are sorted and duplicates dropped first. */
static enum bt_err http_scrape(struct bt_tracker_server *srv, struct request *r, const char *host,
                               struct bt_buf *out)
{
    struct bt_buf body;
    unsigned char *all = NULL;
    const unsigned char *hashes;
    size_t count, i;
    enum bt_err err = BT_OK;

    if (r->hash_count > 0) {
        qsort(r->hashes, r->hash_count, BT_TRACKER_HASH_LEN, hash_cmp);
        hashes = &r->hashes[0][0];
        count = r->hash_count;
    } else {
        count = srv->swarms.count;
        all = malloc(count * BT_TRACKER_HASH_LEN + 1);
        if (all == NULL)
            return BT_ERR_NOMEM;
        for (i = 0; i < count; i++)
            memcpy(all + i * BT_TRACKER_HASH_LEN, srv->swarms.swarms[i].info_hash,
                   BT_TRACKER_HASH_LEN);
        qsort(all, count, BT_TRACKER_HASH_LEN, hash_cmp);
        hashes = all;
    }
    bt_buf_init(&body, BT_TRACKER_SERVER_MAX_RESPONSE);
    err = bt_bencode_put_dict(&body);
    if (err == BT_OK)
        err = bt_bencode_put_cstr(&body, "files");
    if (err == BT_OK)
        err = bt_bencode_put_dict(&body);
    for (i = 0; i < count && err == BT_OK; i++) {
        const unsigned char *h = hashes + i * BT_TRACKER_HASH_LEN;
        struct bt_swarm_stats st;

        if (i > 0 && memcmp(h - BT_TRACKER_HASH_LEN, h, BT_TRACKER_HASH_LEN) == 0)
            continue;
        bt_swarms_stats(&srv->swarms, h, &st);
        err = put_scrape_entry(&body, h, &st);
    }
    if (err == BT_OK)
        err = bt_bencode_put_end(&body);
    if (err == BT_OK)
        err = bt_bencode_put_end(&body);
    if (err == BT_OK)
        err = http_response(out, 200, "OK", &body);
    else if (err == BT_ERR_TOO_LARGE)
        err = bt_tracker_server_http_refuse(srv, out, 200, "OK", host, "scrape answer too large");
    if (err == BT_OK)
        bt_tracker_server_log(srv, "http scrape %s: %zu torrents", host, count);
    bt_buf_release(&body);
    free(all);
    return err;
}

enum bt_err bt_tracker_server_http(struct bt_tracker_server *srv, const char *req, size_t len,
                                   const struct bt_addr *from, uint64_t now, struct bt_buf *out)
{
    const char *line_end = memchr(req, '\n', len), *target, *sp, *query, *why;
    size_t target_len, path_len, query_len;
    struct request r;
    char host[BT_ADDR_STRLEN];

    bt_addr_format(from, host);
    if (line_end == NULL || len < 4 || memcmp(req, "GET ", 4) != 0)
        return bt_tracker_server_http_refuse(srv, out, 400, "Bad Request", host,
                                             "not an HTTP GET request");
    target = req + 4;
    sp = memchr(target, ' ', (size_t)(line_end - target));
    if (sp == NULL || target[0] != '/')
        return bt_tracker_server_http_refuse(srv, out, 400, "Bad Request", host,
                                             "malformed request line");
    target_len = (size_t)(sp - target);
    query = memchr(target, '?', target_len);
    path_len = query != NULL ? (size_t)(query - target) : target_len;
    query_len = query != NULL ? target_len - path_len - 1 : 0;
    if (query != NULL)
        query++;

    memset(&r, 0, sizeof(r));
    r.compact = 1;
    r.a.left = -1;
    why = parse_query(&r, query != NULL ? query : "", query_len);
    if (why != NULL)
        return bt_tracker_server_http_refuse(srv, out, 200, "OK", host, why);
    if (path_len == 9 && memcmp(target, "/announce", 9) == 0) {
        if (r.a.left < 0)
            r.a.left = 1; /* absent: count it as a leecher, the safe guess */
        return http_announce(srv, &r, from, now, host, out);
    }
    if (path_len == 7 && memcmp(target, "/scrape", 7) == 0)
        return http_scrape(srv, &r, host, out);
    return bt_tracker_server_http_refuse(srv, out, 404, "Not Found", host,
                                         "unknown path: use /announce or /scrape");
}
