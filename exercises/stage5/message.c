/*
 * message.c - exercise for stage 5: BEP 3's peer wire messages, framed, checked
 * and encoded.
 *
 * Stage 5 is two files: this one and bitfield.c.  You write the functions
 * lib/wire/message.h declares; the header is the contract and has a drawing of every
 * message (read it first, with tutorials/05-messages.md).  lib/wire/peer.c, which you
 * do not write, reads bytes from a socket into a buffer and asks your
 * bt_message_frame() whether a whole message is in, then bt_message_parse() what
 * it says; everything we send goes through your encoders.  bt-fetch-piece and
 * bt-seed use your code on both ends of the tests' connections.
 *
 *   00 00 00 0d | 06 | 00 00 00 01 | 00 00 40 00 | 00 00 40 00
 *   length 13   | id | index 1     | begin 16384 | length 16384    a request
 *
 *   00 00 40 09 | 07 | 00 00 00 01 | 00 00 40 00 | <16384 bytes>   its piece
 *   length 16393
 *
 * TCP delivers a stream, not messages: one read may hold half a message, or
 * three and a half.  The length prefix is the only way to know, and it comes
 * from a stranger.
 *
 * Build the tools with your files: make exercise STAGE=5
 * Grade them:                        make grade STAGE=5
 *
 * Every body below is a placeholder that compiles and fails: replace each one.
 * You may add static helpers (they must be used, or -Werror stops the build).
 */
#include "wire/message.h"

#include "wire/bitfield.h"

/*
 * The largest length prefix (id and payload, without the 4 prefix bytes) that
 * any legal message can have for a torrent of piece_count pieces: the largest of
 *   - a piece message carrying one whole block: BT_MSG_PIECE_HEADER_LEN +
 *     BT_BLOCK_SIZE,
 *   - a bitfield: BT_MSG_ID_LEN + the bitfield's bytes (bt_bitfield_bytes()),
 *   - an extended message, BT_MSG_EXTENDED_MAX.
 * (The tests expect 17410 for the samples' torrents: their bitfields are small.)
 */
size_t bt_message_max_len(size_t piece_count)
{
    (void)piece_count;
    return 0;
}

/*
 * Measure the message at the start of p, of which avail bytes have arrived.
 *   - fewer than BT_MSG_PREFIX_LEN bytes: *frame_len = 0 (read more), BT_OK;
 *   - a length prefix above max_len: BT_ERR_PEER_LENGTH.  Decide this from the
 *     4 prefix bytes alone, before waiting for, reading or allocating the rest:
 *     a prefix of 2^31 must not make us wait for (or buffer) 2 GiB;
 *   - else *frame_len = 4 + length, which may be more than avail (read more).
 * Set *frame_len to 0 first, so that it is defined on every return.
 *   hint: bt_get_be32() in lib/core/bytes.h.
 * Common mistake: treating a short TCP read as a whole message.
 */
enum bt_err bt_message_frame(const unsigned char *p, size_t avail, size_t max_len,
                             size_t *frame_len)
{
    (void)p;
    (void)avail;
    (void)max_len;
    *frame_len = 0;
    return BT_ERR_PEER_LENGTH;
}

/*
 * A name for traces and errors: "choke", "unchoke", "interested",
 * "not interested", "have", "bitfield", "request", "piece", "cancel", "port",
 * "suggest piece", "have all", "have none", "reject request", "allowed fast",
 * "extended", "keep-alive" (BT_MSG_KEEPALIVE), and "unknown" for any other id.
 */
const char *bt_message_name(unsigned id)
{
    (void)id;
    return "unknown";
}

/*
 * Parse one whole frame of len bytes (the prefix included).  Clear *m first;
 * on failure set *why (when not NULL) to a fixed sentence, and return the error.
 *
 * 1. The prefix must say len - 4 (BT_ERR_PEER_LENGTH, "length prefix does not
 *    match the frame").  Length 0 is a keep-alive: id BT_MSG_KEEPALIVE, done.
 * 2. The first byte after the prefix is the id; payload and payload_len are the
 *    bytes after it (views into p: copy nothing).
 * 3. Types with a fixed size must have exactly it, id included
 *    (BT_ERR_PEER_LENGTH, "message has the wrong length for its type"):
 *    choke, unchoke, interested, not interested, have all, have none:
 *    BT_MSG_ID_LEN; have, suggest, allowed fast: BT_MSG_HAVE_LEN; request,
 *    cancel, reject: BT_MSG_REQUEST_LEN; port: BT_MSG_PORT_LEN.
 *    A switch in a static helper that returns 0 for "no fixed size" keeps this
 *    to one comparison.
 * 4. Fields, big-endian:
 *    - have, suggest, allowed fast: index.  When piece_count is not 0, an index
 *      >= piece_count is BT_ERR_PEER_MESSAGE, "have names a piece beyond the
 *      torrent" (a peer cannot have a piece the torrent does not have).
 *    - request, cancel, reject: index, begin, length.  Do not judge them here:
 *      whether to serve a request is bt-seed's policy.
 *    - piece: at least BT_MSG_PIECE_HEADER_LEN bytes (BT_ERR_PEER_LENGTH, "piece
 *      message shorter than its header"); index, begin, then payload is the
 *      block alone and length its size.
 *    - bitfield: when piece_count is not 0, bt_bitfield_check() it:
 *      BT_ERR_PEER_LENGTH is "bitfield has the wrong length for the torrent",
 *      its other error "bitfield sets spare bits past the last piece".
 *    - port: the 2-byte port.
 *    - extended: at least one byte (BT_ERR_PEER_LENGTH, "extended message
 *      without an extension id"): ext_id, and payload is what follows it.
 *    - any other id: BT_OK; the payload is everything after the id (BEP 3 asks
 *      to ignore messages one does not know).
 * The tests compare these sentences word for word (bt-fetch-piece prints them).
 */
enum bt_err bt_message_parse(struct bt_message *m, const unsigned char *p, size_t len,
                             size_t piece_count, const char **why)
{
    (void)p;
    (void)len;
    (void)piece_count;
    *m = (struct bt_message){0};
    if (why != NULL)
        *why = "not written yet";
    return BT_ERR_PEER_MESSAGE;
}

/*
 * The encoders each append one whole frame: the 4-byte length (id and payload),
 * the id, the payload.  They share a static helper that writes the prefix and
 * the id, after it has made room for the WHOLE frame with bt_buf_reserve()
 * (lib/core/buf.h): when the send buffer is full the caller gets BT_ERR_TOO_LARGE
 * and the buffer holds no half message, which would desynchronise the stream.
 *   hints: bt_put_be32() (lib/core/bytes.h), bt_buf_append().
 */

/* Four zero bytes: a message of length 0, which keeps an idle connection open. */
enum bt_err bt_message_put_keepalive(struct bt_buf *buf)
{
    (void)buf;
    return BT_ERR_TOO_LARGE;
}

/* Length 1 and the id: choke, unchoke, interested, not interested, have all,
 * have none. */
enum bt_err bt_message_put_simple(struct bt_buf *buf, unsigned id)
{
    (void)buf;
    (void)id;
    return BT_ERR_TOO_LARGE;
}

/* Length 5, the id (have, suggest or allowed fast), the piece index. */
enum bt_err bt_message_put_have(struct bt_buf *buf, unsigned id, uint32_t index)
{
    (void)buf;
    (void)id;
    (void)index;
    return BT_ERR_TOO_LARGE;
}

/* Length 3, id 9, the 2-byte port of our DHT node (BEP 5). */
enum bt_err bt_message_put_port(struct bt_buf *buf, uint16_t port)
{
    (void)buf;
    (void)port;
    return BT_ERR_TOO_LARGE;
}

/* Length 1 + n, id 5, the n bytes of the bitfield. */
enum bt_err bt_message_put_bitfield(struct bt_buf *buf, const unsigned char *bits, size_t n)
{
    (void)buf;
    (void)bits;
    (void)n;
    return BT_ERR_TOO_LARGE;
}

/* Length 13, the id (request, cancel or reject), index, begin, length. */
enum bt_err bt_message_put_request(struct bt_buf *buf, unsigned id, uint32_t index, uint32_t begin,
                                   uint32_t length)
{
    (void)buf;
    (void)id;
    (void)index;
    (void)begin;
    (void)length;
    return BT_ERR_TOO_LARGE;
}

/*
 * The first 13 bytes of a piece message: the length counts the block that the
 * caller appends next (9 + block_len), then id 7, index and begin.  Reserve room
 * for the block too, so that a full buffer refuses the message whole.
 */
enum bt_err bt_message_put_piece_header(struct bt_buf *buf, uint32_t index, uint32_t begin,
                                        uint32_t block_len)
{
    (void)buf;
    (void)index;
    (void)begin;
    (void)block_len;
    return BT_ERR_TOO_LARGE;
}

/*
 * Length 2 + n, id 20, the extension id byte, the n payload bytes.  A payload
 * over BT_MSG_EXTENDED_MAX is BT_ERR_TOO_LARGE: no peer would accept it.
 */
enum bt_err bt_message_put_extended(struct bt_buf *buf, unsigned ext_id, const void *payload,
                                    size_t n)
{
    (void)buf;
    (void)ext_id;
    (void)payload;
    (void)n;
    return BT_ERR_TOO_LARGE;
}
