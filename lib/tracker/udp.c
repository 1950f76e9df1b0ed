/*
 * udp.c - the UDP tracker protocol, BEP 15, as bytes: the client's two
 * requests and its reading of the tracker's answers (see udp.h for every
 * packet's layout).  udp_client.c sends and waits; server_udp.c is the other
 * side, written with the same offsets.
 *
 * Every request gets a fresh random transaction id, and an answer with another
 * id is somebody else's (or an old retransmission's): ignored, not an error.
 */
#include "tracker/udp.h"

#include <stdio.h>
#include <string.h>

#include "core/bytes.h"

void bt_udp_connect_request(unsigned char out[BT_UDP_CONNECT_LEN], uint32_t txid)
{
    bt_put_be64(out + BT_UDP_REQ_CONN_ID, BT_UDP_PROTOCOL_ID);
    bt_put_be32(out + BT_UDP_REQ_ACTION, BT_UDP_ACTION_CONNECT);
    bt_put_be32(out + BT_UDP_REQ_TXID, txid);
}

void bt_udp_announce_request(unsigned char out[BT_UDP_ANNOUNCE_LEN], uint64_t conn_id,
                             uint32_t txid, const struct bt_announce_req *req)
{
    bt_put_be64(out + BT_UDP_REQ_CONN_ID, conn_id);
    bt_put_be32(out + BT_UDP_REQ_ACTION, BT_UDP_ACTION_ANNOUNCE);
    bt_put_be32(out + BT_UDP_REQ_TXID, txid);
    memcpy(out + BT_UDP_REQ_INFO_HASH, req->info_hash, BT_TRACKER_HASH_LEN);
    memcpy(out + BT_UDP_REQ_PEER_ID, req->peer_id, BT_TRACKER_HASH_LEN);
    bt_put_be64(out + BT_UDP_REQ_DOWNLOADED, (uint64_t)req->downloaded);
    bt_put_be64(out + BT_UDP_REQ_LEFT, (uint64_t)req->left);
    bt_put_be64(out + BT_UDP_REQ_UPLOADED, (uint64_t)req->uploaded);
    bt_put_be32(out + BT_UDP_REQ_EVENT, (uint32_t)req->event);
    /* IP 0 means "the address this packet came from". */
    bt_put_be32(out + BT_UDP_REQ_IP, 0);
    bt_put_be32(out + BT_UDP_REQ_KEY, req->key);
    bt_put_be32(out + BT_UDP_REQ_NUMWANT, (uint32_t)req->numwant);
    bt_put_be16(out + BT_UDP_REQ_PORT, req->port);
}

/* The checks every answer shares: ours (txid), and an error action turned into
 * resp->failure. */
static enum bt_err udp_check(const unsigned char *p, size_t n, uint32_t txid, uint32_t action,
                             struct bt_announce_resp *resp)
{
    uint32_t got;
    enum bt_err err;

    if (n < BT_UDP_ERROR_HEAD || bt_get_be32(p + BT_UDP_RESP_TXID) != txid)
        return BT_ERR_TRACKER_TXID;
    got = bt_get_be32(p + BT_UDP_RESP_ACTION);
    if (got == BT_UDP_ACTION_ERROR) {
        err = bt_announce_message(p + BT_UDP_ERROR_HEAD, n - BT_UDP_ERROR_HEAD, &resp->failure);
        return err == BT_OK ? BT_ERR_TRACKER_FAILURE : err;
    }
    if (got != action) {
        snprintf(resp->detail, sizeof(resp->detail), "action %u, expected %u", (unsigned)got,
                 (unsigned)action);
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
    *conn_id = bt_get_be64(p + BT_UDP_RESP_CONN_ID);
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
    resp->interval = bt_get_be32(p + BT_UDP_RESP_INTERVAL);
    resp->incomplete = bt_get_be32(p + BT_UDP_RESP_LEECHERS);
    resp->complete = bt_get_be32(p + BT_UDP_RESP_SEEDERS);
    err = bt_peer_list_add_compact(&resp->peers, p + BT_UDP_ANNOUNCE_HEAD, n - BT_UDP_ANNOUNCE_HEAD,
                                   iplen);
    if (err == BT_ERR_TRACKER_PEERS)
        snprintf(resp->detail, sizeof(resp->detail), "%zu bytes of peers, not a multiple of %zu",
                 n - BT_UDP_ANNOUNCE_HEAD, iplen + 2);
    return err;
}
