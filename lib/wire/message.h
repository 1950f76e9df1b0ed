/*
 * message.h - the peer wire messages of BEP 3, with the extension message of
 * BEP 10 and the fast-extension ids of BEP 6 (recognised, never advertised).
 *
 * After the handshake, both sides send length-prefixed messages:
 *
 *   +----------------+------+---------------------+
 *   | length (4, BE) |  id  | payload             |   length counts id + payload
 *   +----------------+------+---------------------+
 *   00 00 00 00                                       keep-alive (length 0, no id)
 *   00 00 00 01  00                                   choke
 *   00 00 00 01  01                                   unchoke
 *   00 00 00 01  02                                   interested
 *   00 00 00 01  03                                   not interested
 *   00 00 00 05  04  <index>                          have
 *   00 00 00 xx  05  <bits>                           bitfield (see bitfield.h)
 *   00 00 00 0d  06  <index> <begin> <length>         request
 *   00 00 xx xx  07  <index> <begin> <block...>       piece
 *   00 00 00 0d  08  <index> <begin> <length>         cancel
 *   00 00 00 03  09  <port (2)>                       port (BEP 5, DHT)
 *   00 00 xx xx  14  <ext id> <bencoded dict...>      extended (BEP 10)
 *
 * index, begin and length are 4-byte big-endian integers.  Every type has an
 * exact size (or, for bitfield and piece, a size fixed by the torrent): the parser
 * checks it, and the reader checks the length prefix against the largest message
 * the torrent allows before it reads (let alone allocates) a single payload byte.
 */
#ifndef BT_MESSAGE_H
#define BT_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/bytes.h"
#include "core/error.h"

/* BEP 3 message ids. */
#define BT_MSG_CHOKE          0
#define BT_MSG_UNCHOKE        1
#define BT_MSG_INTERESTED     2
#define BT_MSG_NOT_INTERESTED 3
#define BT_MSG_HAVE           4
#define BT_MSG_BITFIELD       5
#define BT_MSG_REQUEST        6
#define BT_MSG_PIECE          7
#define BT_MSG_CANCEL         8
/* BEP 5: the sender's DHT port. */
#define BT_MSG_PORT 9
/* BEP 6, the fast extension: only legal when both handshakes set its bit. */
#define BT_MSG_SUGGEST      13
#define BT_MSG_HAVE_ALL     14
#define BT_MSG_HAVE_NONE    15
#define BT_MSG_REJECT       16
#define BT_MSG_ALLOWED_FAST 17
/* BEP 10: one id for every extension message; the next byte says which. */
#define BT_MSG_EXTENDED 20
/* Not an id on the wire: a message of length 0. */
#define BT_MSG_KEEPALIVE 256

#define BT_MSG_PREFIX_LEN 4 /* BEP 3: the big-endian length before every message */
#define BT_MSG_ID_LEN     1
/* BEP 3: "All current implementations use 2^14 (16 kiB)" per request. */
#define BT_BLOCK_SIZE 16384
/* id + index + begin, in front of a piece's block. */
#define BT_MSG_PIECE_HEADER_LEN 9
/* id + index + begin + length: request, cancel, reject. */
#define BT_MSG_REQUEST_LEN 13
#define BT_MSG_HAVE_LEN    5
#define BT_MSG_PORT_LEN    3
/* Extended messages: an extension handshake is a few hundred bytes and a BEP 9
 * metadata message a 16 KiB block behind a small dict. */
#define BT_MSG_EXTENDED_MAX (BT_MSG_ID_LEN + 1 + BT_BLOCK_SIZE + 1024)

struct bt_message {
    unsigned id;     /* BT_MSG_*, or any other byte for a message we do not know */
    uint32_t index;  /* have, request, piece, cancel, suggest, reject, allowed fast */
    uint32_t begin;  /* request, piece, cancel, reject */
    uint32_t length; /* request, cancel, reject: bytes asked for; piece: block size */
    uint16_t port;   /* port */
    unsigned ext_id; /* extended: 0 is the extension handshake (BEP 10) */
    /* bitfield: the bits; piece: the block; extended: the bencoded payload; unknown
     * ids: everything after the id.  A view into the frame given to the parser. */
    const unsigned char *payload;
    size_t payload_len;
};

/* The largest length prefix a peer may send for a torrent of piece_count pieces. */
size_t bt_message_max_len(size_t piece_count);

/*
 * Look at the start of a receive buffer.  If fewer than 4 bytes are there, sets
 * *frame_len to 0 (read more).  Otherwise reads the length prefix and fails with
 * BT_ERR_PEER_LENGTH if it exceeds max_len (nothing else is read); else sets
 * *frame_len to 4 + length, which may be more than avail (read more).
 */
enum bt_err bt_message_frame(const unsigned char *p, size_t avail, size_t max_len,
                             size_t *frame_len);

/*
 * Parse one whole frame (length prefix included, as bt_message_frame measured it).
 * Checks the exact size of each type; when piece_count is not 0 it also checks a
 * bitfield's size and spare bits and the index of have (not of request or piece:
 * whether to serve or accept those is the caller's policy).  On failure *why (if
 * not NULL) points to a static sentence for the user.  m's payload points into p.
 */
enum bt_err bt_message_parse(struct bt_message *m, const unsigned char *p, size_t len,
                             size_t piece_count, const char **why);

/* The message's name ("request"), or "unknown" for an id we do not know. */
const char *bt_message_name(unsigned id);

/* Encoders: append one whole frame to buf.  BT_ERR_TOO_LARGE when buf is full. */
enum bt_err bt_message_put_keepalive(struct bt_buf *buf);
/* choke, unchoke, interested, not interested, have all, have none. */
enum bt_err bt_message_put_simple(struct bt_buf *buf, unsigned id);
/* have, suggest, allowed fast. */
enum bt_err bt_message_put_have(struct bt_buf *buf, unsigned id, uint32_t index);
enum bt_err bt_message_put_bitfield(struct bt_buf *buf, const unsigned char *bits, size_t n);
/* port (BEP 5): the UDP port of our DHT node. */
enum bt_err bt_message_put_port(struct bt_buf *buf, uint16_t port);
/* request, cancel, reject. */
enum bt_err bt_message_put_request(struct bt_buf *buf, unsigned id, uint32_t index, uint32_t begin,
                                   uint32_t length);
/* The 13-byte head of a piece message whose block of block_len bytes the caller
 * appends next (bt-seed preads it straight into the send buffer). */
enum bt_err bt_message_put_piece_header(struct bt_buf *buf, uint32_t index, uint32_t begin,
                                        uint32_t block_len);
enum bt_err bt_message_put_extended(struct bt_buf *buf, unsigned ext_id, const void *payload,
                                    size_t n);

#endif /* BT_MESSAGE_H */
