/*
 * udp.h - the UDP tracker protocol (BEP 15): the packets, laid out once for
 * both sides.  udp.c makes the client's requests and reads the answers;
 * udp_client.c sends and waits (client.h); server_udp.c, bt-tracker's side,
 * reads and writes the same offsets.
 *
 * Every number is big-endian.  Offsets in bytes:
 *
 *   connect request    0 protocol id 0x41727101980 (8) | 8 action 0 (4) | 12 txid (4)   = 16
 *   announce request   0 connection id (8) | 8 action 1 | 12 txid | 16 info hash (20)
 *                      | 36 peer id (20) | 56 downloaded (8) | 64 left (8)
 *                      | 72 uploaded (8) | 80 event (4) | 84 IP, 0 (4) | 88 key (4)
 *                      | 92 num want, -1 (4) | 96 port (2)                            = 98
 *   scrape request     0 connection id | 8 action 2 | 12 txid | 16 info hashes, 20 each
 *
 *   connect answer     0 action 0 (4) | 4 txid (4) | 8 connection id (8)               = 16
 *   announce answer    0 action 1 | 4 txid | 8 interval (4) | 12 leechers (4)
 *                      | 16 seeders (4) | 20 peers, 6 bytes each (18 over IPv6)
 *   scrape answer      0 action 2 | 4 txid | 8 per hash: seeders, completed, leechers (4 each)
 *   error answer       0 action 3 | 4 txid | 8 message text
 */
#ifndef BT_TRACKER_UDP_H
#define BT_TRACKER_UDP_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "tracker/announce.h"

#define BT_UDP_PROTOCOL_ID     0x41727101980ULL
#define BT_UDP_ACTION_CONNECT  0
#define BT_UDP_ACTION_ANNOUNCE 1
#define BT_UDP_ACTION_SCRAPE   2
#define BT_UDP_ACTION_ERROR    3

/* Requests: where each field starts. */
#define BT_UDP_REQ_CONN_ID    0 /* or the protocol id, in a connect */
#define BT_UDP_REQ_ACTION     8
#define BT_UDP_REQ_TXID       12
#define BT_UDP_REQ_INFO_HASH  16 /* announce; a scrape's hashes start here too */
#define BT_UDP_REQ_PEER_ID    36
#define BT_UDP_REQ_DOWNLOADED 56
#define BT_UDP_REQ_LEFT       64
#define BT_UDP_REQ_UPLOADED   72
#define BT_UDP_REQ_EVENT      80
#define BT_UDP_REQ_IP         84
#define BT_UDP_REQ_KEY        88
#define BT_UDP_REQ_NUMWANT    92
#define BT_UDP_REQ_PORT       96
#define BT_UDP_CONNECT_LEN    16
#define BT_UDP_ANNOUNCE_LEN   98
#define BT_UDP_SCRAPE_HEAD    16 /* request bytes before the info hashes */

/* Answers: where each field starts. */
#define BT_UDP_RESP_ACTION   0
#define BT_UDP_RESP_TXID     4
#define BT_UDP_RESP_CONN_ID  8 /* connect */
#define BT_UDP_RESP_INTERVAL 8 /* announce */
#define BT_UDP_RESP_LEECHERS 12
#define BT_UDP_RESP_SEEDERS  16
#define BT_UDP_ANNOUNCE_HEAD 20   /* announce answer bytes before the peers */
#define BT_UDP_SCRAPE_ENTRY  12   /* seeders, completed, leechers */
#define BT_UDP_ERROR_HEAD    8    /* error (and scrape) answer bytes before the rest */
#define BT_UDP_MAX_PACKET    8192 /* 1362 IPv4 or 453 IPv6 peers; longer is no answer */

/* The client's requests. */
void bt_udp_connect_request(unsigned char out[BT_UDP_CONNECT_LEN], uint32_t txid);
void bt_udp_announce_request(unsigned char out[BT_UDP_ANNOUNCE_LEN], uint64_t conn_id,
                             uint32_t txid, const struct bt_announce_req *req);
/*
 * Classify a packet from a UDP tracker that answers our request with txid:
 *   BT_ERR_TRACKER_TXID       too short to be an answer, or another transaction's
 *                             (the caller ignores it and keeps waiting)
 *   BT_ERR_TRACKER_FAILURE    an error action: resp->failure holds the message
 *   BT_ERR_TRACKER_RESPONSE   the right transaction but a wrong action or size
 * bt_udp_parse_connect sets *conn_id; bt_udp_parse_announce fills resp, reading
 * peers of iplen bytes (4, or 16 when the tracker was reached over IPv6).
 */
enum bt_err bt_udp_parse_connect(const unsigned char *p, size_t n, uint32_t txid, uint64_t *conn_id,
                                 struct bt_announce_resp *resp);
enum bt_err bt_udp_parse_announce(const unsigned char *p, size_t n, uint32_t txid, size_t iplen,
                                  struct bt_announce_resp *resp);

#endif /* BT_TRACKER_UDP_H */
