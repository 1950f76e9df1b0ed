/*
 * udp.c - exercise for stage 3: the UDP tracker protocol, BEP 15, as bytes.
 * You build the client's two requests and read the tracker's two answers;
 * lib/tracker/udp_client.c does the exchange (sockets, retries, connection ids)
 * and lib/tracker/server_udp.c is bt-tracker's side of the same packets.
 *
 * UDP has no connection, so BEP 15 starts with a round trip that proves we
 * receive at our address; then the announce quotes the connection id it got:
 *
 *   client                                          tracker
 *     connect   [0x41727101980 | 0 | txid A]      ->
 *                                                 <-  [0 | txid A | connection id C]
 *     announce  [C | 1 | txid B | hash | ...]     ->
 *                                                 <-  [1 | txid B | interval | leechers
 *                                                      | seeders | peers...]
 *
 * lib/tracker/udp.h draws every packet and names every offset (BT_UDP_REQ_*,
 * BT_UDP_RESP_*): use the names, not bare numbers.
 *
 * Build the tools with your files: make exercise STAGE=3
 * Grade them:                        make grade STAGE=3
 *
 * Every body below is a placeholder that compiles and fails: replace each one.
 * You may add static helpers (they must be used, or -Werror stops the build).
 */
#include "tracker/udp.h"

#include <stdio.h>
#include <string.h>

#include "core/bytes.h"

/*
 * 16 bytes: the magic protocol id BT_UDP_PROTOCOL_ID (8 bytes), the action
 * BT_UDP_ACTION_CONNECT (4), the transaction id (4), all big-endian.
 *   hint: bt_put_be64(), bt_put_be32() (lib/core/bytes.h).
 */
void bt_udp_connect_request(unsigned char out[BT_UDP_CONNECT_LEN], uint32_t txid)
{
    (void)txid;
    memset(out, 0, BT_UDP_CONNECT_LEN);
}

/*
 * 98 bytes, at these offsets:
 *
 *    0 connection id (8)   8 action 1 (4)      12 transaction id (4)
 *   16 info hash (20)     36 peer id (20)      56 downloaded (8)
 *   64 left (8)           72 uploaded (8)      80 event (4)
 *   84 IP address (4): 0, "the address this packet comes from"
 *   88 key (4)            92 num want (4)      96 port (2)
 *
 * Note the order: downloaded, left, uploaded (not the order of the HTTP query).
 * The enum bt_tracker_event values are BEP 15's event numbers already, and a
 * numwant of -1 goes on the wire as ff ff ff ff.
 */
void bt_udp_announce_request(unsigned char out[BT_UDP_ANNOUNCE_LEN], uint64_t conn_id,
                             uint32_t txid, const struct bt_announce_req *req)
{
    (void)conn_id;
    (void)txid;
    (void)req;
    memset(out, 0, BT_UDP_ANNOUNCE_LEN);
}

/*
 * Every answer starts  action (4) | transaction id (4).  Check, in order:
 *   - fewer than BT_UDP_ERROR_HEAD bytes, or a transaction id that is not txid:
 *     BT_ERR_TRACKER_TXID (UDP brings stale and stray packets; the caller
 *     ignores this one and keeps waiting);
 *   - action BT_UDP_ACTION_ERROR: the rest of the packet is a message; copy it
 *     into resp->failure (cut at BT_TRACKER_MAX_MESSAGE, NUL-terminated) and
 *     return BT_ERR_TRACKER_FAILURE;
 *   - another action than connect: BT_ERR_TRACKER_RESPONSE, with detail such as
 *     "action 1, expected 0";
 *   - fewer than BT_UDP_CONNECT_LEN bytes: BT_ERR_TRACKER_RESPONSE,
 *     "connect answer is 12 bytes, not 16".
 * Then *conn_id is the 8 bytes at offset 8.  The announce below shares the
 * first three checks: write them once, in a static helper.
 */
enum bt_err bt_udp_parse_connect(const unsigned char *p, size_t n, uint32_t txid, uint64_t *conn_id,
                                 struct bt_announce_resp *resp)
{
    (void)p;
    (void)n;
    (void)txid;
    (void)conn_id;
    (void)resp;
    return BT_ERR_TRACKER_TXID;
}

/*
 * The same first checks with action BT_UDP_ACTION_ANNOUNCE; then at least
 * BT_UDP_ANNOUNCE_HEAD bytes ("announce answer is 12 bytes, less than 20"):
 *
 *   0 action (4) | 4 txid (4) | 8 interval (4) | 12 leechers (4) | 16 seeders (4)
 *   20 peers: 6 (iplen 4) or 18 (iplen 16) bytes each
 *
 * leechers go to resp->incomplete, seeders to resp->complete.  Peers that are
 * not whole entries: BT_ERR_TRACKER_PEERS with detail "7 bytes of peers, not a
 * multiple of 6".
 */
enum bt_err bt_udp_parse_announce(const unsigned char *p, size_t n, uint32_t txid, size_t iplen,
                                  struct bt_announce_resp *resp)
{
    (void)p;
    (void)n;
    (void)txid;
    (void)iplen;
    (void)resp;
    return BT_ERR_TRACKER_TXID;
}
