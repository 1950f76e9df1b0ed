/*
 * server_udp.c - bt-tracker's UDP front end (BEP 15).  See server.h, and udp.h
 * for the packets.
 *
 * The connection id proves that the client receives at the address it claims.
 * We keep no table of them: an id is the first 8 bytes of
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
#include "tracker/server.h"

#include <string.h>

#include "core/bytes.h"
#include "core/sha1.h"

#define UDP_CONN_ID_BUCKET_MS 60000 /* BEP 15: ids live one to two minutes */

static void read_announce_request(const unsigned char *p, struct bt_announce_req *req)
{
    uint64_t left = bt_get_be64(p + BT_UDP_REQ_LEFT);

    bt_announce_req_init(req);
    memcpy(req->info_hash, p + BT_UDP_REQ_INFO_HASH, BT_TRACKER_HASH_LEN);
    memcpy(req->peer_id, p + BT_UDP_REQ_PEER_ID, BT_TRACKER_HASH_LEN);
    /* The counts are unsigned on the wire: keep a lie of 2^63 or more in range. */
    req->downloaded = (int64_t)(bt_get_be64(p + BT_UDP_REQ_DOWNLOADED) & INT64_MAX);
    req->left = left > INT64_MAX ? INT64_MAX : (int64_t)left;
    req->uploaded = (int64_t)(bt_get_be64(p + BT_UDP_REQ_UPLOADED) & INT64_MAX);
    req->event = (enum bt_tracker_event)bt_get_be32(p + BT_UDP_REQ_EVENT);
    req->key = bt_get_be32(p + BT_UDP_REQ_KEY);
    req->numwant = (int32_t)bt_get_be32(p + BT_UDP_REQ_NUMWANT);
    req->port = bt_get_be16(p + BT_UDP_REQ_PORT);
}

static size_t connect_answer(unsigned char *out, uint32_t txid, uint64_t conn_id)
{
    bt_put_be32(out + BT_UDP_RESP_ACTION, BT_UDP_ACTION_CONNECT);
    bt_put_be32(out + BT_UDP_RESP_TXID, txid);
    bt_put_be64(out + BT_UDP_RESP_CONN_ID, conn_id);
    return BT_UDP_CONNECT_LEN;
}

static size_t announce_answer_head(unsigned char *out, uint32_t txid, uint32_t interval,
                                   uint32_t leechers, uint32_t seeders)
{
    bt_put_be32(out + BT_UDP_RESP_ACTION, BT_UDP_ACTION_ANNOUNCE);
    bt_put_be32(out + BT_UDP_RESP_TXID, txid);
    bt_put_be32(out + BT_UDP_RESP_INTERVAL, interval);
    bt_put_be32(out + BT_UDP_RESP_LEECHERS, leechers);
    bt_put_be32(out + BT_UDP_RESP_SEEDERS, seeders);
    return BT_UDP_ANNOUNCE_HEAD;
}

static size_t error_answer(unsigned char *out, uint32_t txid, const char *message)
{
    size_t n = strlen(message);

    if (n > BT_UDP_MAX_PACKET - BT_UDP_ERROR_HEAD)
        n = BT_UDP_MAX_PACKET - BT_UDP_ERROR_HEAD;
    bt_put_be32(out + BT_UDP_RESP_ACTION, BT_UDP_ACTION_ERROR);
    bt_put_be32(out + BT_UDP_RESP_TXID, txid);
    memcpy(out + BT_UDP_ERROR_HEAD, message, n);
    return BT_UDP_ERROR_HEAD + n;
}

static uint64_t conn_id_for(const struct bt_tracker_server *srv, const struct bt_addr *from,
                            uint64_t bucket)
{
    unsigned char msg[sizeof(srv->secret) + 8 + 16], digest[BT_SHA1_LEN];
    struct bt_netaddr who;

    /* The address without the port: a client may announce from a new socket. */
    bt_tracker_server_peer(from, 0, &who);
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
    bt_tracker_server_log(srv, "udp refused %s: %s", host, msg);
    *out_len = error_answer(out, txid, msg);
}

static void udp_announce(struct bt_tracker_server *srv, const unsigned char *p,
                         const struct bt_addr *from, uint64_t now, const char *host,
                         unsigned char *out, size_t *out_len)
{
    uint32_t txid = bt_get_be32(p + BT_UDP_REQ_TXID);
    struct bt_announce_req req;
    struct bt_swarm_announce a;
    struct bt_peer_list peers;
    struct bt_swarm_stats stats;
    size_t iplen, i, max_fit;
    enum bt_err err;

    read_announce_request(p, &req);
    if ((uint32_t)req.event > BT_EVENT_STOPPED) {
        udp_error(srv, host, txid, "unknown event", out, out_len);
        return;
    }
    memset(&a, 0, sizeof(a));
    memcpy(a.info_hash, req.info_hash, BT_TRACKER_HASH_LEN);
    memcpy(a.peer_id, req.peer_id, BT_TRACKER_HASH_LEN);
    a.left = req.left;
    a.event = req.event;
    /* The IP field is ignored: peers are where their packets come from. */
    bt_tracker_server_peer(from, req.port, &a.addr);
    if (a.addr.port == 0) {
        udp_error(srv, host, txid, "port is 0", out, out_len);
        return;
    }
    iplen = a.addr.iplen;
    a.numwant = req.numwant < 0 ? srv->cfg.default_numwant : (size_t)req.numwant;
    if (a.numwant > BT_SWARM_MAX_NUMWANT)
        a.numwant = BT_SWARM_MAX_NUMWANT;
    max_fit = (BT_UDP_MAX_PACKET - BT_UDP_ANNOUNCE_HEAD) / (iplen + 2);
    if (a.numwant > max_fit)
        a.numwant = max_fit;

    bt_peer_list_init(&peers);
    /* BEP 15: peers of the family the request came in on. */
    err = bt_swarms_announce(&srv->swarms, &a, now, iplen, &peers, NULL, &stats);
    if (err != BT_OK) {
        udp_error(srv, host, txid, "out of memory", out, out_len);
        bt_peer_list_release(&peers);
        return;
    }
    *out_len = announce_answer_head(out, txid, srv->cfg.interval_s, (uint32_t)stats.leechers,
                                    (uint32_t)stats.seeders);
    for (i = 0; i < peers.count; i++)
        *out_len += bt_netaddr_put(&peers.peers[i], out + *out_len);
    bt_tracker_server_log_announce(srv, "udp", host, &a, peers.count, &stats);
    bt_peer_list_release(&peers);
}

static void udp_scrape(struct bt_tracker_server *srv, const unsigned char *p, size_t n,
                       const char *host, unsigned char *out, size_t *out_len)
{
    uint32_t txid = bt_get_be32(p + BT_UDP_REQ_TXID);
    size_t count = (n - BT_UDP_SCRAPE_HEAD) / BT_TRACKER_HASH_LEN, i;

    if ((n - BT_UDP_SCRAPE_HEAD) % BT_TRACKER_HASH_LEN != 0 || count == 0 ||
        count > BT_TRACKER_SERVER_MAX_SCRAPE) {
        udp_error(srv, host, txid, "scrape needs 1 to 74 info hashes", out, out_len);
        return;
    }
    bt_put_be32(out + BT_UDP_RESP_ACTION, BT_UDP_ACTION_SCRAPE);
    bt_put_be32(out + BT_UDP_RESP_TXID, txid);
    *out_len = BT_UDP_ERROR_HEAD;
    for (i = 0; i < count; i++) {
        struct bt_swarm_stats st;

        bt_swarms_stats(&srv->swarms, p + BT_UDP_SCRAPE_HEAD + i * BT_TRACKER_HASH_LEN, &st);
        bt_put_be32(out + *out_len, (uint32_t)st.seeders);
        bt_put_be32(out + *out_len + 4, (uint32_t)st.completed);
        bt_put_be32(out + *out_len + 8, (uint32_t)st.leechers);
        *out_len += BT_UDP_SCRAPE_ENTRY;
    }
    bt_tracker_server_log(srv, "udp scrape %s: %zu torrents", host, count);
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
    action = bt_get_be32(p + BT_UDP_REQ_ACTION);
    txid = bt_get_be32(p + BT_UDP_REQ_TXID);
    if (action == BT_UDP_ACTION_CONNECT) {
        if (bt_get_be64(p + BT_UDP_REQ_CONN_ID) != BT_UDP_PROTOCOL_ID) {
            udp_error(srv, host, txid, "wrong protocol id", out, out_len);
            return;
        }
        *out_len = connect_answer(out, txid, conn_id_for(srv, from, now / UDP_CONN_ID_BUCKET_MS));
        return;
    }
    if (!conn_id_ok(srv, from, now, bt_get_be64(p + BT_UDP_REQ_CONN_ID))) {
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
