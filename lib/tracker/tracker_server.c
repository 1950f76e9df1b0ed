/*
 * tracker_server.c - bt-tracker's HTTP and UDP front ends.  See tracker_server.h.
 *
 * HTTP (BEP 3, compact BEP 23, peers6 BEP 7, scrape BEP 48): one request per
 * connection, answered with HTTP/1.0 and closed.
 *
 *   GET /announce?info_hash=%12...&peer_id=-BK0010-...&port=6881&left=0 HTTP/1.1
 *
 *   HTTP/1.0 200 OK                       d 8:complete i1e 10:incomplete i2e
 *   Content-Type: text/plain                8:interval i1800e 12:min interval i900e
 *   Content-Length: 97                      5:peers 12:<2 peers>  6:peers6 0: e
 *
 *   GET /scrape?info_hash=%12...  ->  d 5:files d 20:<hash> d 8:complete i1e
 *                                        10:downloaded i0e 10:incomplete i2e e e e
 *
 * UDP (BEP 15): the connection id proves that the client receives at the
 * address it claims.  We keep no table of them: an id is the first 8 bytes of
 * SHA-1(secret | minute | client IP address), so checking one costs a hash, and a
 * flood of connects costs no memory.  An id is accepted in the minute it was made
 * and the next one: between one and two minutes, as BEP 15 asks.
 *
 *   connect   [0x41727101980 | 0 | txid]  ->  [0 | txid | id]
 *   announce  [id | 1 | txid | ... 98 bytes]  ->  [1 | txid | interval | leechers
 *                                                  | seeders | 6 or 18 bytes a peer]
 *   scrape    [id | 2 | txid | 20 bytes a hash]  ->  [2 | txid | seeders | completed
 *                                                     | leechers per hash]
 *   anything wrong                         ->  [3 | txid | message]
 */
#include "tracker/tracker_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bencode/bencode.h"
#include "core/sha1.h"

#define UDP_CONN_ID_BUCKET_MS 60000 /* BEP 15: ids live one to two minutes */
#define UDP_SCRAPE_ENTRY      12    /* BEP 15: seeders, completed, leechers */
#define LOG_LINE_MAX          256
#define PORT_0_TRIES          20 /* attempts to find one port free for TCP and UDP */
#define BURST                 64 /* accepts or datagrams per wake-up: a flood cannot starve the rest */

struct bt_tracker_conn {
    int fd;
    struct bt_addr from;
    char in[BT_TRACKER_SERVER_MAX_REQUEST];
    size_t in_len;
    struct bt_buf out;
    size_t out_off;
    uint64_t timer;
    int draining; /* answer sent: reading the rest until EOF before closing */
    struct bt_tracker_server *srv;
};

/* What an HTTP query or a UDP packet asked for. */
struct request {
    struct bt_swarm_announce a;
    int have_hash, have_id, have_port;
    int compact;
    int no_peer_id;
    int numwant_given;
    unsigned char hashes[BT_TRACKER_SERVER_MAX_SCRAPE][BT_TRACKER_HASH_LEN];
    size_t hash_count;
};

void bt_tracker_server_config_init(struct bt_tracker_server_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->interval_s = BT_TRACKER_DEFAULT_INTERVAL;
    cfg->max_torrents = BT_SWARM_DEFAULT_MAX_TORRENTS;
    cfg->max_peers = BT_SWARM_DEFAULT_MAX_PEERS;
    cfg->default_numwant = BT_SWARM_DEFAULT_NUMWANT;
}

enum bt_err bt_tracker_server_init(struct bt_tracker_server *srv,
                                   const struct bt_tracker_server_config *cfg, struct bt_loop *loop)
{
    size_t i;

    memset(srv, 0, sizeof(*srv));
    srv->cfg = *cfg;
    srv->loop = loop;
    for (i = 0; i < BT_TRACKER_SERVER_MAX_BINDS; i++) {
        srv->tcp_fds[i] = -1;
        srv->udp_fds[i] = -1;
    }
    bt_swarms_init(&srv->swarms, (uint64_t)cfg->interval_s * 2 * 1000);
    srv->swarms.max_torrents = cfg->max_torrents;
    srv->swarms.max_peers = cfg->max_peers;
    return bt_random_bytes(srv->secret, sizeof(srv->secret));
}

static void log_line(struct bt_tracker_server *srv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void log_line(struct bt_tracker_server *srv, const char *fmt, ...)
{
    char line[LOG_LINE_MAX];
    va_list ap;

    if (srv->cfg.log == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    srv->cfg.log(srv->cfg.log_arg, line);
}

/* The raw address bytes of a socket address, IPv4-mapped IPv6 folded to IPv4 so
 * that a dual-stack socket files IPv4 clients under "peers". */
static void addr_to_peer(const struct bt_addr *from, uint16_t port, struct bt_tracker_peer *peer)
{
    static const unsigned char v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

    memset(peer, 0, sizeof(*peer));
    peer->port = port;
    if (from->ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&from->ss;
        const unsigned char *b = sin6->sin6_addr.s6_addr;

        if (memcmp(b, v4mapped, sizeof(v4mapped)) == 0) {
            memcpy(peer->ip, b + 12, 4);
            peer->iplen = 4;
        } else {
            memcpy(peer->ip, b, 16);
            peer->iplen = 16;
        }
    } else {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)&from->ss;

        memcpy(peer->ip, &sin->sin_addr, 4);
        peer->iplen = 4;
    }
}

/* ---- HTTP ------------------------------------------------------------------ */

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
    long n = bt_tracker_percent_decode(v, vlen, val, sizeof(val));
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
        if (n == 7 && memcmp(val, "started", 7) == 0)
            r->a.event = BT_EVENT_STARTED;
        else if (n == 7 && memcmp(val, "stopped", 7) == 0)
            r->a.event = BT_EVENT_STOPPED;
        else if (n == 9 && memcmp(val, "completed", 9) == 0)
            r->a.event = BT_EVENT_COMPLETED;
        else if (n == 0 || (n == 6 && memcmp(val, "paused", 6) == 0))
            r->a.event = BT_EVENT_NONE; /* BEP 21's "paused" is a regular announce here */
        else
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

/* A refusal, in the only form every client reads: a bencoded failure reason. */
static enum bt_err http_failure(struct bt_tracker_server *srv, struct bt_buf *out, int status,
                                const char *reason, const char *host, const char *why)
{
    struct bt_buf body;
    enum bt_err err;

    log_line(srv, "http refused %s: %s", host, why);
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

/* For the log: a regular re-announce has no event name. */
static const char *event_word(enum bt_tracker_event e)
{
    const char *name = bt_tracker_event_name(e);

    return name != NULL ? name : "update";
}

/* The peers of a non-compact answer: l d 2:ip <text> 7:peer id <20> 4:port i e ... e. */
static enum bt_err put_peer_dicts(struct bt_buf *body, const struct bt_peer_list *peers,
                                  const struct bt_buf *ids, int no_peer_id)
{
    enum bt_err err = bt_bencode_put_list(body);
    size_t i;

    for (i = 0; i < peers->count && err == BT_OK; i++) {
        const struct bt_tracker_peer *p = &peers->peers[i];
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
        const struct bt_tracker_peer *p = &peers->peers[i];
        unsigned char port[2];

        if (p->iplen != iplen)
            continue;
        bt_put_be16(port, p->port);
        err = bt_buf_append(&packed, p->ip, iplen);
        if (err == BT_OK)
            err = bt_buf_append(&packed, port, sizeof(port));
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
    char hex[2 * BT_TRACKER_HASH_LEN + 1];
    enum bt_err err;

    if (!r->have_hash || !r->have_id || !r->have_port)
        return http_failure(srv, out, 200, "OK", host,
                            !r->have_hash ? "missing info_hash"
                            : !r->have_id ? "missing peer_id"
                                          : "missing port");
    if (r->hash_count > 1)
        return http_failure(srv, out, 200, "OK", host, "more than one info_hash");
    addr_to_peer(from, r->a.addr.port, &r->a.addr);
    if (!r->numwant_given)
        r->a.numwant = srv->cfg.default_numwant;

    bt_peer_list_init(&peers);
    bt_buf_init(&ids, (size_t)BT_SWARM_MAX_NUMWANT * BT_TRACKER_HASH_LEN);
    bt_buf_init(&body, BT_TRACKER_SERVER_MAX_RESPONSE);
    err = bt_swarms_announce(&srv->swarms, &r->a, now, 0, &peers, &ids, &stats);
    if (err == BT_ERR_TOO_LARGE) {
        err = http_failure(srv, out, 200, "OK", host, "tracker is full");
        goto out;
    }
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
    if (err == BT_OK) {
        bt_hex_encode(r->a.info_hash, BT_TRACKER_HASH_LEN, hex);
        log_line(srv,
                 "http announce %s %s port %u %s left %lld: %zu peers (%zu seeders, %zu leechers)",
                 host, hex, (unsigned)r->a.addr.port, event_word(r->a.event), (long long)r->a.left,
                 peers.count, stats.seeders, stats.leechers);
    }
out:
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
        err = http_failure(srv, out, 200, "OK", host, "scrape answer too large");
    if (err == BT_OK)
        log_line(srv, "http scrape %s: %zu torrents", host, count);
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
        return http_failure(srv, out, 400, "Bad Request", host, "not an HTTP GET request");
    target = req + 4;
    sp = memchr(target, ' ', (size_t)(line_end - target));
    if (sp == NULL || target[0] != '/')
        return http_failure(srv, out, 400, "Bad Request", host, "malformed request line");
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
        return http_failure(srv, out, 200, "OK", host, why);
    if (path_len == 9 && memcmp(target, "/announce", 9) == 0) {
        if (r.a.left < 0)
            r.a.left = 1; /* absent: count it as a leecher, the safe guess */
        return http_announce(srv, &r, from, now, host, out);
    }
    if (path_len == 7 && memcmp(target, "/scrape", 7) == 0)
        return http_scrape(srv, &r, host, out);
    return http_failure(srv, out, 404, "Not Found", host, "unknown path: use /announce or /scrape");
}

/* ---- UDP ------------------------------------------------------------------- */

static uint64_t conn_id_for(const struct bt_tracker_server *srv, const struct bt_addr *from,
                            uint64_t bucket)
{
    unsigned char msg[sizeof(srv->secret) + 8 + 16], digest[BT_SHA1_LEN];
    struct bt_tracker_peer who;

    /* The address without the port: a client may announce from a new socket. */
    addr_to_peer(from, 0, &who);
    memset(msg, 0, sizeof(msg));
    memcpy(msg, srv->secret, sizeof(srv->secret));
    bt_put_be64(msg + sizeof(srv->secret), bucket);
    memcpy(msg + sizeof(srv->secret) + 8, who.ip, who.iplen);
    if (bt_sha1(msg, sizeof(msg), digest) != BT_OK)
        return 0; /* conn_id_ok never accepts 0 */
    return bt_get_be64(digest);
}

static int conn_id_ok(const struct bt_tracker_server *srv, const struct bt_addr *from, uint64_t now,
                      uint64_t id)
{
    uint64_t bucket = now / UDP_CONN_ID_BUCKET_MS;

    if (id == 0)
        return 0;
    return id == conn_id_for(srv, from, bucket) ||
           (bucket > 0 && id == conn_id_for(srv, from, bucket - 1));
}

static void udp_error(struct bt_tracker_server *srv, const char *host, uint32_t txid,
                      const char *msg, unsigned char *out, size_t *out_len)
{
    size_t n = strlen(msg);

    log_line(srv, "udp refused %s: %s", host, msg);
    bt_put_be32(out, BT_UDP_ACTION_ERROR);
    bt_put_be32(out + 4, txid);
    memcpy(out + BT_UDP_ERROR_HEAD, msg, n);
    *out_len = BT_UDP_ERROR_HEAD + n;
}

static void udp_announce(struct bt_tracker_server *srv, const unsigned char *p,
                         const struct bt_addr *from, uint64_t now, const char *host,
                         unsigned char *out, size_t *out_len)
{
    struct bt_swarm_announce a;
    struct bt_peer_list peers;
    struct bt_swarm_stats stats;
    uint32_t txid = bt_get_be32(p + 12), event = bt_get_be32(p + 80);
    int32_t numwant = (int32_t)bt_get_be32(p + 92);
    uint64_t left = bt_get_be64(p + 64);
    size_t iplen, i, max_fit;
    char hex[2 * BT_TRACKER_HASH_LEN + 1];
    enum bt_err err;

    if (event > BT_EVENT_STOPPED) {
        udp_error(srv, host, txid, "unknown event", out, out_len);
        return;
    }
    memset(&a, 0, sizeof(a));
    memcpy(a.info_hash, p + 16, BT_TRACKER_HASH_LEN);
    memcpy(a.peer_id, p + 36, BT_TRACKER_HASH_LEN);
    a.left = left > INT64_MAX ? INT64_MAX : (int64_t)left;
    a.event = (enum bt_tracker_event)event;
    /* The IP field is ignored: peers are where their packets come from. */
    addr_to_peer(from, (uint16_t)((p[96] << 8) | p[97]), &a.addr);
    if (a.addr.port == 0) {
        udp_error(srv, host, txid, "port is 0", out, out_len);
        return;
    }
    iplen = a.addr.iplen;
    a.numwant = numwant < 0 ? srv->cfg.default_numwant : (size_t)numwant;
    if (a.numwant > BT_SWARM_MAX_NUMWANT)
        a.numwant = BT_SWARM_MAX_NUMWANT;
    max_fit = (BT_UDP_MAX_PACKET - BT_UDP_ANNOUNCE_HEAD) / (iplen + 2);
    if (a.numwant > max_fit)
        a.numwant = max_fit;

    bt_peer_list_init(&peers);
    /* BEP 15: peers of the family the request came in on. */
    err = bt_swarms_announce(&srv->swarms, &a, now, iplen, &peers, NULL, &stats);
    if (err != BT_OK) {
        udp_error(srv, host, txid, err == BT_ERR_TOO_LARGE ? "tracker is full" : "out of memory",
                  out, out_len);
        bt_peer_list_release(&peers);
        return;
    }
    bt_put_be32(out, BT_UDP_ACTION_ANNOUNCE);
    bt_put_be32(out + 4, txid);
    bt_put_be32(out + 8, srv->cfg.interval_s);
    bt_put_be32(out + 12, (uint32_t)stats.leechers);
    bt_put_be32(out + 16, (uint32_t)stats.seeders);
    *out_len = BT_UDP_ANNOUNCE_HEAD;
    for (i = 0; i < peers.count; i++) {
        memcpy(out + *out_len, peers.peers[i].ip, iplen);
        bt_put_be16(out + *out_len + iplen, peers.peers[i].port);
        *out_len += iplen + 2;
    }
    bt_hex_encode(a.info_hash, BT_TRACKER_HASH_LEN, hex);
    log_line(srv, "udp announce %s %s port %u %s left %lld: %zu peers (%zu seeders, %zu leechers)",
             host, hex, (unsigned)a.addr.port, event_word(a.event), (long long)a.left, peers.count,
             stats.seeders, stats.leechers);
    bt_peer_list_release(&peers);
}

static void udp_scrape(struct bt_tracker_server *srv, const unsigned char *p, size_t n,
                       const char *host, unsigned char *out, size_t *out_len)
{
    uint32_t txid = bt_get_be32(p + 12);
    size_t count = (n - BT_UDP_SCRAPE_HEAD) / BT_TRACKER_HASH_LEN, i;

    if ((n - BT_UDP_SCRAPE_HEAD) % BT_TRACKER_HASH_LEN != 0 || count == 0 ||
        count > BT_TRACKER_SERVER_MAX_SCRAPE) {
        udp_error(srv, host, txid, "scrape needs 1 to 74 info hashes", out, out_len);
        return;
    }
    bt_put_be32(out, BT_UDP_ACTION_SCRAPE);
    bt_put_be32(out + 4, txid);
    *out_len = BT_UDP_ERROR_HEAD;
    for (i = 0; i < count; i++) {
        struct bt_swarm_stats st;

        bt_swarms_stats(&srv->swarms, p + BT_UDP_SCRAPE_HEAD + i * BT_TRACKER_HASH_LEN, &st);
        bt_put_be32(out + *out_len, (uint32_t)st.seeders);
        bt_put_be32(out + *out_len + 4, (uint32_t)st.completed);
        bt_put_be32(out + *out_len + 8, (uint32_t)st.leechers);
        *out_len += UDP_SCRAPE_ENTRY;
    }
    log_line(srv, "udp scrape %s: %zu torrents", host, count);
}

void bt_tracker_server_udp(struct bt_tracker_server *srv, const unsigned char *p, size_t n,
                           const struct bt_addr *from, uint64_t now,
                           unsigned char out[BT_UDP_MAX_PACKET], size_t *out_len)
{
    char host[BT_ADDR_STRLEN];
    uint32_t action, txid;

    *out_len = 0;
    if (n < BT_UDP_CONNECT_LEN)
        return; /* no room for a transaction id: nobody to answer */
    bt_addr_format(from, host);
    action = bt_get_be32(p + 8);
    txid = bt_get_be32(p + 12);
    if (action == BT_UDP_ACTION_CONNECT) {
        if (bt_get_be64(p) != BT_UDP_PROTOCOL_ID) {
            udp_error(srv, host, txid, "wrong protocol id", out, out_len);
            return;
        }
        bt_put_be32(out, BT_UDP_ACTION_CONNECT);
        bt_put_be32(out + 4, txid);
        bt_put_be64(out + 8, conn_id_for(srv, from, now / UDP_CONN_ID_BUCKET_MS));
        *out_len = BT_UDP_CONNECT_LEN;
        return;
    }
    if (!conn_id_ok(srv, from, now, bt_get_be64(p))) {
        udp_error(srv, host, txid, "unknown or expired connection id", out, out_len);
        return;
    }
    if (action == BT_UDP_ACTION_ANNOUNCE && n >= BT_UDP_ANNOUNCE_LEN)
        udp_announce(srv, p, from, now, host, out, out_len);
    else if (action == BT_UDP_ACTION_ANNOUNCE)
        udp_error(srv, host, txid, "announce shorter than 98 bytes", out, out_len);
    else if (action == BT_UDP_ACTION_SCRAPE)
        udp_scrape(srv, p, n, host, out, out_len);
    else
        udp_error(srv, host, txid, "unknown action", out, out_len);
}

/* ---- sockets on the loop ----------------------------------------------------- */

static void conn_close(struct bt_tracker_conn *c)
{
    struct bt_tracker_server *srv = c->srv;
    size_t i;

    bt_loop_unwatch(srv->loop, c->fd);
    bt_loop_cancel(srv->loop, c->timer);
    close(c->fd);
    bt_buf_release(&c->out);
    for (i = 0; i < srv->conn_count; i++) {
        if (srv->conns[i] == c) {
            srv->conns[i] = srv->conns[--srv->conn_count];
            break;
        }
    }
    free(c);
}

static void on_conn_timeout(void *arg)
{
    struct bt_tracker_conn *c = arg;

    c->timer = 0;
    conn_close(c);
}

/* The request head ends at the first empty line. */
static int head_complete(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i + 1 < n; i++) {
        if (p[i] == '\n' &&
            (p[i + 1] == '\n' || (p[i + 1] == '\r' && i + 2 < n && p[i + 2] == '\n')))
            return 1;
    }
    return 0;
}

static void conn_write(struct bt_tracker_conn *c)
{
    while (c->out_off < c->out.len) {
        ssize_t n = send(c->fd, c->out.data + c->out_off, c->out.len - c->out_off, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return; /* the loop calls us again when the socket has room */
        if (n <= 0)
            break;
        c->out_off += (size_t)n;
    }
    if (c->out_off < c->out.len || c->in_len < sizeof(c->in)) {
        conn_close(c);
        return;
    }
    /* The client may still be sending a request we refused as too large.  Closing
     * with unread bytes makes the kernel send a reset, which can destroy our answer
     * before the client reads it: finish sending, then read until the client
     * closes (or the connection's deadline passes). */
    shutdown(c->fd, SHUT_WR);
    c->draining = 1;
    bt_loop_set_events(c->srv->loop, c->fd, BT_LOOP_READ);
}

static void conn_drain(struct bt_tracker_conn *c)
{
    for (;;) {
        ssize_t n = recv(c->fd, c->in, sizeof(c->in), 0);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0)
            break;
    }
    conn_close(c);
}

static void conn_respond(struct bt_tracker_conn *c, int too_large)
{
    struct bt_tracker_server *srv = c->srv;
    char host[BT_ADDR_STRLEN];
    enum bt_err err;

    if (too_large) {
        bt_addr_format(&c->from, host);
        err = http_failure(srv, &c->out, 413, "Request Too Large", host, "request too large");
    } else {
        err = bt_tracker_server_http(srv, c->in, c->in_len, &c->from, bt_loop_now_ms(), &c->out);
    }
    if (err != BT_OK) {
        conn_close(c);
        return;
    }
    bt_loop_set_events(srv->loop, c->fd, BT_LOOP_WRITE);
    conn_write(c);
}

static void on_conn_io(void *arg, int fd, unsigned events)
{
    struct bt_tracker_conn *c = arg;

    if (c->draining) {
        conn_drain(c);
        return;
    }
    if (c->out.len > 0) {
        conn_write(c);
        return;
    }
    for (;;) {
        ssize_t n = recv(fd, c->in + c->in_len, sizeof(c->in) - c->in_len, 0);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0) {
            conn_close(c); /* closed or failed before a whole request */
            return;
        }
        c->in_len += (size_t)n;
        if (head_complete(c->in, c->in_len)) {
            conn_respond(c, 0);
            return;
        }
        if (c->in_len == sizeof(c->in)) {
            conn_respond(c, 1);
            return;
        }
    }
}

static void on_accept(void *arg, int fd, unsigned events)
{
    struct bt_tracker_server *srv = arg;
    int i;

    for (i = 0; i < BURST; i++) {
        struct bt_tracker_conn *c;
        struct bt_addr from;
        int cfd = bt_net_accept(fd, &from);

        if (cfd < 0)
            return;
        /* Full: refuse by closing, rather than queue without bound. */
        if (srv->conn_count == BT_TRACKER_SERVER_MAX_CONNS) {
            close(cfd);
            continue;
        }
        c = calloc(1, sizeof(*c));
        if (c == NULL) {
            close(cfd);
            continue;
        }
        c->fd = cfd;
        c->from = from;
        c->srv = srv;
        bt_buf_init(&c->out, BT_TRACKER_SERVER_MAX_RESPONSE + BT_TRACKER_SERVER_MAX_REQUEST);
        srv->conns[srv->conn_count++] = c;
        if (bt_loop_watch(srv->loop, cfd, BT_LOOP_READ, on_conn_io, c) != BT_OK ||
            bt_loop_timer(srv->loop, BT_TRACKER_SERVER_CONN_MS, on_conn_timeout, c, &c->timer) !=
                BT_OK)
            conn_close(c);
    }
}

static void on_udp(void *arg, int fd, unsigned events)
{
    struct bt_tracker_server *srv = arg;
    unsigned char in[BT_UDP_MAX_PACKET], out[BT_UDP_MAX_PACKET];
    int i;

    for (i = 0; i < BURST; i++) {
        struct bt_addr from;
        ssize_t n;
        size_t out_len;

        memset(&from, 0, sizeof(from));
        from.len = sizeof(from.ss);
        n = recvfrom(fd, in, sizeof(in), 0, (struct sockaddr *)&from.ss, &from.len);
        if (n < 0)
            return;
        bt_tracker_server_udp(srv, in, (size_t)n, &from, bt_loop_now_ms(), out, &out_len);
        if (out_len > 0)
            (void)sendto(fd, out, out_len, 0, (const struct sockaddr *)&from.ss, from.len);
    }
}

static void on_expire(void *arg)
{
    struct bt_tracker_server *srv = arg;
    size_t dropped = bt_swarms_expire(&srv->swarms, bt_loop_now_ms());
    uint64_t every = srv->swarms.ttl_ms / 2 > 0 ? srv->swarms.ttl_ms / 2 : 1;

    if (dropped > 0)
        log_line(srv, "expired %zu peers", dropped);
    if (bt_loop_timer(srv->loop, every, on_expire, srv, &srv->expire_timer) != BT_OK)
        srv->expire_timer = 0;
}

/* Bind TCP then UDP on the same port number.  For port 0 the kernel picks the
 * TCP port, which may be taken for UDP: then try again with another. */
static enum bt_err bind_pair(const struct bt_addr *want, int *tcp, int *udp, struct bt_addr *got)
{
    int tries = bt_addr_port(want) == 0 ? PORT_0_TRIES : 1, i;
    enum bt_err err = BT_ERR_IO;

    for (i = 0; i < tries; i++) {
        err = bt_net_listen_tcp(want, SOMAXCONN, tcp);
        if (err != BT_OK)
            return err;
        err = bt_net_local_addr(*tcp, got);
        if (err == BT_OK)
            err = bt_net_bind_udp(got, udp);
        if (err == BT_OK)
            return BT_OK;
        close(*tcp);
        *tcp = -1;
    }
    return err;
}

enum bt_err bt_tracker_server_start(struct bt_tracker_server *srv)
{
    size_t i;
    enum bt_err err;

    for (i = 0; i < srv->cfg.bind_count; i++) {
        err = bind_pair(&srv->cfg.binds[i], &srv->tcp_fds[i], &srv->udp_fds[i], &srv->bound[i]);
        if (err != BT_OK)
            return err;
        srv->bound_count++;
        err = bt_loop_watch(srv->loop, srv->tcp_fds[i], BT_LOOP_READ, on_accept, srv);
        if (err == BT_OK)
            err = bt_loop_watch(srv->loop, srv->udp_fds[i], BT_LOOP_READ, on_udp, srv);
        if (err != BT_OK)
            return err;
    }
    on_expire(srv);
    return srv->expire_timer != 0 ? BT_OK : BT_ERR_NOMEM;
}

void bt_tracker_server_release(struct bt_tracker_server *srv)
{
    size_t i;

    while (srv->conn_count > 0)
        conn_close(srv->conns[0]);
    for (i = 0; i < BT_TRACKER_SERVER_MAX_BINDS; i++) {
        if (srv->tcp_fds[i] >= 0) {
            bt_loop_unwatch(srv->loop, srv->tcp_fds[i]);
            close(srv->tcp_fds[i]);
        }
        if (srv->udp_fds[i] >= 0) {
            bt_loop_unwatch(srv->loop, srv->udp_fds[i]);
            close(srv->udp_fds[i]);
        }
        srv->tcp_fds[i] = -1;
        srv->udp_fds[i] = -1;
    }
    if (srv->loop != NULL)
        bt_loop_cancel(srv->loop, srv->expire_timer);
    bt_swarms_release(&srv->swarms);
}
