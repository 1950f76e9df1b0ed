/*
 * message.c - BEP 3 peer wire messages: framing, exact sizes, encoders.
 * See message.h for the drawing of every message.
 */
#include "wire/message.h"

#include "wire/bitfield.h"
#include "wire/hashes.h"

size_t bt_message_max_len(size_t piece_count)
{
    size_t max = BT_MSG_PIECE_HEADER_LEN + BT_BLOCK_SIZE;
    size_t bitfield = BT_MSG_ID_LEN + bt_bitfield_bytes(piece_count);

    if (bitfield > max)
        max = bitfield;
    if (BT_MSG_EXTENDED_MAX > max)
        max = BT_MSG_EXTENDED_MAX;
    return max;
}

enum bt_err bt_message_frame(const unsigned char *p, size_t avail, size_t max_len,
                             size_t *frame_len)
{
    uint32_t length;

    *frame_len = 0;
    if (avail < BT_MSG_PREFIX_LEN)
        return BT_OK;
    length = bt_get_be32(p);
    if (length > max_len)
        return BT_ERR_PEER_LENGTH;
    *frame_len = BT_MSG_PREFIX_LEN + (size_t)length;
    return BT_OK;
}

const char *bt_message_name(unsigned id)
{
    switch (id) {
    case BT_MSG_CHOKE:
        return "choke";
    case BT_MSG_UNCHOKE:
        return "unchoke";
    case BT_MSG_INTERESTED:
        return "interested";
    case BT_MSG_NOT_INTERESTED:
        return "not interested";
    case BT_MSG_HAVE:
        return "have";
    case BT_MSG_BITFIELD:
        return "bitfield";
    case BT_MSG_REQUEST:
        return "request";
    case BT_MSG_PIECE:
        return "piece";
    case BT_MSG_CANCEL:
        return "cancel";
    case BT_MSG_PORT:
        return "port";
    case BT_MSG_SUGGEST:
        return "suggest piece";
    case BT_MSG_HAVE_ALL:
        return "have all";
    case BT_MSG_HAVE_NONE:
        return "have none";
    case BT_MSG_REJECT:
        return "reject request";
    case BT_MSG_ALLOWED_FAST:
        return "allowed fast";
    case BT_MSG_EXTENDED:
        return "extended";
    case BT_MSG_HASH_REQUEST:
        return "hash request";
    case BT_MSG_HASHES:
        return "hashes";
    case BT_MSG_HASH_REJECT:
        return "hash reject";
    case BT_MSG_KEEPALIVE:
        return "keep-alive";
    default:
        return "unknown";
    }
}

/* The exact length (id included) of the fixed-size types; 0 for the others. */
static size_t fixed_len(unsigned id)
{
    switch (id) {
    case BT_MSG_CHOKE:
    case BT_MSG_UNCHOKE:
    case BT_MSG_INTERESTED:
    case BT_MSG_NOT_INTERESTED:
    case BT_MSG_HAVE_ALL:
    case BT_MSG_HAVE_NONE:
        return BT_MSG_ID_LEN;
    case BT_MSG_HAVE:
    case BT_MSG_SUGGEST:
    case BT_MSG_ALLOWED_FAST:
        return BT_MSG_HAVE_LEN;
    case BT_MSG_REQUEST:
    case BT_MSG_CANCEL:
    case BT_MSG_REJECT:
        return BT_MSG_REQUEST_LEN;
    case BT_MSG_PORT:
        return BT_MSG_PORT_LEN;
    default:
        return 0;
    }
}

static enum bt_err fail(const char **why, enum bt_err err, const char *text)
{
    if (why != NULL)
        *why = text;
    return err;
}

enum bt_err bt_message_parse(struct bt_message *m, const unsigned char *p, size_t len,
                             size_t piece_count, const char **why)
{
    const unsigned char *body = p + BT_MSG_PREFIX_LEN;
    size_t body_len, want;

    *m = (struct bt_message){0};
    if (len < BT_MSG_PREFIX_LEN || bt_get_be32(p) != len - BT_MSG_PREFIX_LEN)
        return fail(why, BT_ERR_PEER_LENGTH, "length prefix does not match the frame");
    body_len = len - BT_MSG_PREFIX_LEN;
    if (body_len == 0) {
        m->id = BT_MSG_KEEPALIVE;
        return BT_OK;
    }
    m->id = body[0];
    m->payload = body + BT_MSG_ID_LEN;
    m->payload_len = body_len - BT_MSG_ID_LEN;

    want = fixed_len(m->id);
    if (want != 0 && body_len != want)
        return fail(why, BT_ERR_PEER_LENGTH, "message has the wrong length for its type");
    switch (m->id) {
    case BT_MSG_HAVE:
    case BT_MSG_SUGGEST:
    case BT_MSG_ALLOWED_FAST:
        m->index = bt_get_be32(m->payload);
        if (piece_count != 0 && m->index >= piece_count && m->id == BT_MSG_HAVE)
            return fail(why, BT_ERR_PEER_MESSAGE, "have names a piece beyond the torrent");
        if (piece_count != 0 && m->index >= piece_count)
            return fail(why, BT_ERR_PEER_MESSAGE, "BEP 6 message names a piece beyond the torrent");
        break;
    case BT_MSG_REQUEST:
    case BT_MSG_CANCEL:
    case BT_MSG_REJECT:
        m->index = bt_get_be32(m->payload);
        m->begin = bt_get_be32(m->payload + 4);
        m->length = bt_get_be32(m->payload + 8);
        break;
    case BT_MSG_PIECE:
        if (body_len < BT_MSG_PIECE_HEADER_LEN)
            return fail(why, BT_ERR_PEER_LENGTH, "piece message shorter than its header");
        m->index = bt_get_be32(m->payload);
        m->begin = bt_get_be32(m->payload + 4);
        m->payload += 8;
        m->payload_len -= 8;
        m->length = (uint32_t)m->payload_len;
        break;
    case BT_MSG_BITFIELD:
        if (piece_count != 0) {
            enum bt_err err = bt_bitfield_check(m->payload, m->payload_len, piece_count);

            if (err == BT_ERR_PEER_LENGTH)
                return fail(why, err, "bitfield has the wrong length for the torrent");
            if (err != BT_OK)
                return fail(why, err, "bitfield sets spare bits past the last piece");
        }
        break;
    case BT_MSG_PORT:
        m->port = (uint16_t)(m->payload[0] << 8 | m->payload[1]);
        break;
    case BT_MSG_EXTENDED:
        if (m->payload_len < 1)
            return fail(why, BT_ERR_PEER_LENGTH, "extended message without an extension id");
        m->ext_id = m->payload[0];
        m->payload++;
        m->payload_len--;
        break;
    default:
        break;
    }
    return BT_OK;
}

/* Append a frame's length prefix and id; the caller appends body_len - 1 more bytes. */
static enum bt_err put_head(struct bt_buf *buf, unsigned id, size_t body_len)
{
    unsigned char head[BT_MSG_PREFIX_LEN + BT_MSG_ID_LEN];
    enum bt_err err;

    if (body_len > UINT32_MAX)
        return BT_ERR_TOO_LARGE;
    /* Reserve the whole frame first so that a full buffer never gets half a message. */
    err = bt_buf_reserve(buf, BT_MSG_PREFIX_LEN + body_len);
    if (err != BT_OK)
        return err;
    bt_put_be32(head, (uint32_t)body_len);
    head[BT_MSG_PREFIX_LEN] = (unsigned char)id;
    return bt_buf_append(buf, head, sizeof(head));
}

enum bt_err bt_message_put_keepalive(struct bt_buf *buf)
{
    unsigned char zero[BT_MSG_PREFIX_LEN] = {0};

    return bt_buf_append(buf, zero, sizeof(zero));
}

enum bt_err bt_message_put_simple(struct bt_buf *buf, unsigned id)
{
    return put_head(buf, id, BT_MSG_ID_LEN);
}

enum bt_err bt_message_put_have(struct bt_buf *buf, unsigned id, uint32_t index)
{
    unsigned char b[4];
    enum bt_err err = put_head(buf, id, BT_MSG_HAVE_LEN);

    if (err != BT_OK)
        return err;
    bt_put_be32(b, index);
    return bt_buf_append(buf, b, sizeof(b));
}

enum bt_err bt_message_put_port(struct bt_buf *buf, uint16_t port)
{
    unsigned char b[2];
    enum bt_err err = put_head(buf, BT_MSG_PORT, BT_MSG_PORT_LEN);

    if (err != BT_OK)
        return err;
    bt_put_be16(b, port);
    return bt_buf_append(buf, b, sizeof(b));
}

enum bt_err bt_message_put_bitfield(struct bt_buf *buf, const unsigned char *bits, size_t n)
{
    enum bt_err err = put_head(buf, BT_MSG_BITFIELD, BT_MSG_ID_LEN + n);

    if (err != BT_OK)
        return err;
    return bt_buf_append(buf, bits, n);
}

enum bt_err bt_message_put_request(struct bt_buf *buf, unsigned id, uint32_t index, uint32_t begin,
                                   uint32_t length)
{
    unsigned char b[12];
    enum bt_err err = put_head(buf, id, BT_MSG_REQUEST_LEN);

    if (err != BT_OK)
        return err;
    bt_put_be32(b, index);
    bt_put_be32(b + 4, begin);
    bt_put_be32(b + 8, length);
    return bt_buf_append(buf, b, sizeof(b));
}

enum bt_err bt_message_put_piece_header(struct bt_buf *buf, uint32_t index, uint32_t begin,
                                        uint32_t block_len)
{
    unsigned char b[8];
    enum bt_err err = put_head(buf, BT_MSG_PIECE, (size_t)BT_MSG_PIECE_HEADER_LEN + block_len);

    if (err != BT_OK)
        return err;
    bt_put_be32(b, index);
    bt_put_be32(b + 4, begin);
    return bt_buf_append(buf, b, sizeof(b));
}

enum bt_err bt_message_put_extended(struct bt_buf *buf, unsigned ext_id, const void *payload,
                                    size_t n)
{
    unsigned char id = (unsigned char)ext_id;
    enum bt_err err;

    if (n > BT_MSG_EXTENDED_MAX)
        return BT_ERR_TOO_LARGE;
    err = put_head(buf, BT_MSG_EXTENDED, BT_MSG_ID_LEN + 1 + n);
    if (err != BT_OK)
        return err;
    err = bt_buf_append(buf, &id, 1);
    if (err != BT_OK)
        return err;
    return bt_buf_append(buf, payload, n);
}
