/*
 * krpc.h - KRPC (BEP 5): the DHT's messages, one bencoded dict per UDP
 * datagram, with IPv6 nodes (BEP 32) and the read-only flag (BEP 43).
 *
 *   query     d 1:a d 2:id 20:<sender> 9:info_hash 20:<hash> e
 *               1:q 9:get_peers 1:t 2:aa 1:y 1:q e
 *   response  d 1:r d 2:id 20:<sender> 5:nodes 208:<8 nodes> 5:token 8:<token> e
 *               1:t 2:aa 1:y 1:r e
 *   error     d 1:e l i203e 14:Protocol Error e 1:t 2:aa 1:y 1:e e
 *
 * An answer may also carry "ip" at the top: the querier's address as the
 * answerer saw it (BEP 42), so that a node learns its public address.
 *
 * "t", the transaction id, is chosen by the querier and echoed in the answer;
 * it is the only thing that ties an answer to its query.
 *
 * A node, compactly, is its 20-byte id and its address: 26 bytes for IPv4
 * ("nodes"), 38 for IPv6 ("nodes6", BEP 32).  A peer in "values" is a 6-byte
 * (or 18-byte) string, as trackers' compact peers are.
 *
 *   method          query arguments ("a")                       response ("r")
 *   ping            id                                          id
 *   find_node       id, target [, want]                         id, nodes [, nodes6]
 *   get_peers       id, info_hash [, want]                      id, token, values or nodes
 *   announce_peer   id, info_hash, port, token [, implied_port] id
 *
 * Everything from the network is bounded before it is kept: the datagram's
 * size, the transaction id's and the token's lengths, the number of nodes and
 * values (more are counted in dropped, not stored).
 */
#ifndef BT_KRPC_H
#define BT_KRPC_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/net.h"
#include "dht/id.h"

#define BT_KRPC_MAX_PACKET  4096 /* bytes of a datagram we read; longer ones are dropped */
#define BT_KRPC_OUT_MAX     1500 /* bytes of a datagram we send at most */
#define BT_KRPC_TID_MAX     16   /* bytes of a transaction id we keep */
#define BT_KRPC_TOKEN_MAX   32   /* bytes of a token we keep */
#define BT_KRPC_MAX_NODES   16   /* nodes kept from one answer (real ones send 8 a family) */
#define BT_KRPC_MAX_VALUES  128  /* peers kept from one get_peers answer */
#define BT_KRPC_NODE4_LEN   26   /* BEP 5: 20-byte id + 4-byte IPv4 + 2-byte port */
#define BT_KRPC_NODE6_LEN   38   /* BEP 32: 20-byte id + 16-byte IPv6 + 2-byte port */
#define BT_KRPC_MESSAGE_MAX 128  /* bytes of an error's message we keep */

/* BEP 5 error codes. */
#define BT_KRPC_ERR_GENERIC  201
#define BT_KRPC_ERR_SERVER   202
#define BT_KRPC_ERR_PROTOCOL 203 /* malformed packet, invalid arguments or bad token */
#define BT_KRPC_ERR_METHOD   204

/* BEP 32 "want": which families of nodes the querier wants back. */
#define BT_KRPC_WANT_N4 1u
#define BT_KRPC_WANT_N6 2u

enum bt_krpc_kind {
    BT_KRPC_QUERY = 1,
    BT_KRPC_RESPONSE,
    BT_KRPC_ERROR,
};

enum bt_krpc_method {
    BT_KRPC_UNKNOWN = 0, /* a query of a method we do not know (answered with 204) */
    BT_KRPC_PING,
    BT_KRPC_FIND_NODE,
    BT_KRPC_GET_PEERS,
    BT_KRPC_ANNOUNCE_PEER,
};

/* A DHT node: its id and where it listens. */
struct bt_dht_contact {
    unsigned char id[BT_DHT_ID_LEN];
    struct bt_netaddr addr;
};

/*
 * One message, parsed or to be built.  Only the fields its kind and method use
 * matter; the has_* flags say which were present.  The caller owns it; nothing
 * in it points elsewhere, so the datagram may be freed after parsing.
 */
struct bt_krpc_msg {
    enum bt_krpc_kind kind;
    enum bt_krpc_method method; /* queries only */
    unsigned char tid[BT_KRPC_TID_MAX];
    size_t tid_len;

    int has_id;
    unsigned char id[BT_DHT_ID_LEN]; /* the sender: a.id or r.id */
    int has_target;
    unsigned char target[BT_DHT_ID_LEN]; /* find_node */
    int has_info_hash;
    unsigned char info_hash[BT_DHT_ID_LEN]; /* get_peers, announce_peer */
    int has_token;
    unsigned char token[BT_KRPC_TOKEN_MAX]; /* get_peers answer, announce_peer query */
    size_t token_len;
    uint16_t port;    /* announce_peer: the peer's port... */
    int implied_port; /* ...or, when set, the port the query came from */
    unsigned want;    /* BT_KRPC_WANT_* bits; 0 when absent */
    int read_only;    /* BEP 43: "ro" 1, the querier answers no queries */

    struct bt_dht_contact nodes[2 * BT_KRPC_MAX_NODES]; /* "nodes", then "nodes6" */
    size_t node_count;
    struct bt_netaddr values[BT_KRPC_MAX_VALUES]; /* get_peers answer: peers */
    size_t value_count;
    size_t dropped; /* nodes and values past the caps, not kept */

    /* Answers (responses and errors): the querier's address as the answerer
     * saw it, BEP 42's top-level "ip"; a malformed one is ignored. */
    int has_ip;
    struct bt_netaddr ip;

    int64_t error_code; /* errors */
    char error_message[BT_KRPC_MESSAGE_MAX];
};

/* An empty message (kind 0, nothing present).  Cannot fail. */
void bt_krpc_init(struct bt_krpc_msg *m);

/*
 * Parse one datagram of len bytes (at most BT_KRPC_MAX_PACKET).  Dict keys may
 * come in any order (not every client sorts them) and unknown keys are
 * ignored.  BT_ERR_KRPC when it is not one bencoded dict with a "t" string and
 * a "y" of "q", "r" or "e", or when a field it has is the wrong type or size
 * (an id not 20 bytes, "nodes" not a multiple of 26, ...); *why (if not NULL)
 * then names the problem in a few words, for a 203 answer and the trace.
 */
enum bt_err bt_krpc_parse(struct bt_krpc_msg *m, const void *pkt, size_t len, const char **why);

/*
 * Append m to out as one datagram: a query (m->method and its arguments), a
 * response (id, and nodes, token and values when present) or an error
 * (error_code, error_message), by m->kind.  Canonical bencode, keys sorted.
 * BT_ERR_TOO_LARGE when out's cap is reached.
 */
enum bt_err bt_krpc_put(struct bt_buf *out, const struct bt_krpc_msg *m);

/* "ping", "find_node", "get_peers", "announce_peer", or "?" for BT_KRPC_UNKNOWN. */
const char *bt_krpc_method_name(enum bt_krpc_method method);

/*
 * One line for a trace, without a newline, such as
 *   query get_peers t=6a01 id=3f2a..91c0 info_hash=0123..4567
 *   response t=6a01 id=77e0..02aa token=8 bytes values=12 nodes=0
 *   error t=6a01 203 Protocol Error
 * Ids are shown by their first and last two bytes.
 */
enum bt_err bt_krpc_describe(struct bt_buf *out, const struct bt_krpc_msg *m);

#endif /* BT_KRPC_H */
