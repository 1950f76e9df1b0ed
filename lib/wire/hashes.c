/*
 * hashes.c - BEP 52's hash request, hashes and hash reject: exact sizes,
 * encoders, and the proof of a batch of hashes against a pieces root.  See
 * hashes.h for the drawing.
 */
#include "wire/hashes.h"

#include <string.h>

#include "core/bytes.h"
#include "core/sha256.h"
#include "wire/message.h"

/* log2 of the power of two at least n (n >= 1): the subtree the hashes fill. */
static unsigned span_layers(uint32_t n)
{
    return bt_merkle_log2(bt_merkle_width(n));
}

uint32_t bt_hashes_uncles(const struct bt_hash_request *r)
{
    unsigned omitted = r->length >= 2 ? span_layers(r->length) - 1 : 0;

    return r->proof_layers > omitted ? r->proof_layers - omitted : 0;
}

static void get_head(struct bt_hash_request *r, const unsigned char *p)
{
    memcpy(r->root, p, BT_PIECES_ROOT_LEN);
    p += BT_PIECES_ROOT_LEN;
    r->base = bt_get_be32(p);
    r->index = bt_get_be32(p + 4);
    r->length = bt_get_be32(p + 8);
    r->proof_layers = bt_get_be32(p + 12);
}

/* The checks every message makes, before any length is trusted. */
static enum bt_err head_ok(const struct bt_hash_request *r)
{
    /* Length 1 has no subtree to omit layers of: BEP 52 forbids it, and
     * libtorrent counts its uncles one way when sending, another receiving. */
    if (r->length < 2 || r->length > BT_HASHES_MAX_LENGTH)
        return BT_ERR_HASHES;
    if (r->index % bt_merkle_width(r->length) != 0)
        return BT_ERR_HASHES;
    if (r->base >= BT_HASHES_MAX_LAYERS || r->proof_layers >= BT_HASHES_MAX_LAYERS)
        return BT_ERR_HASHES;
    return BT_OK;
}

enum bt_err bt_hash_request_parse(struct bt_hash_request *r, const unsigned char *p, size_t len)
{
    memset(r, 0, sizeof(*r));
    if (len != BT_HASHES_HEAD_LEN)
        return BT_ERR_HASHES;
    get_head(r, p);
    return head_ok(r);
}

enum bt_err bt_hashes_parse(struct bt_hashes *h, const unsigned char *p, size_t len)
{
    size_t n;

    memset(h, 0, sizeof(*h));
    if (len < BT_HASHES_HEAD_LEN)
        return BT_ERR_HASHES;
    get_head(&h->req, p);
    if (head_ok(&h->req) != BT_OK)
        return BT_ERR_HASHES;
    /* Both terms are capped: no overflow. */
    n = (size_t)h->req.length + bt_hashes_uncles(&h->req);
    if (len - BT_HASHES_HEAD_LEN != n * BT_MERKLE_HASH_LEN)
        return BT_ERR_HASHES;
    h->hashes = p + BT_HASHES_HEAD_LEN;
    h->uncles = h->hashes + (size_t)h->req.length * BT_MERKLE_HASH_LEN;
    h->uncle_count = bt_hashes_uncles(&h->req);
    return BT_OK;
}

static void put_head(unsigned char *b, unsigned id, size_t body_len,
                     const struct bt_hash_request *r)
{
    bt_put_be32(b, (uint32_t)body_len);
    b[BT_MSG_PREFIX_LEN] = (unsigned char)id;
    b += BT_MSG_PREFIX_LEN + BT_MSG_ID_LEN;
    memcpy(b, r->root, BT_PIECES_ROOT_LEN);
    b += BT_PIECES_ROOT_LEN;
    bt_put_be32(b, r->base);
    bt_put_be32(b + 4, r->index);
    bt_put_be32(b + 8, r->length);
    bt_put_be32(b + 12, r->proof_layers);
}

enum bt_err bt_hash_request_put(struct bt_buf *buf, unsigned id, const struct bt_hash_request *r)
{
    unsigned char b[BT_MSG_PREFIX_LEN + BT_MSG_ID_LEN + BT_HASHES_HEAD_LEN];

    if (id != BT_MSG_HASH_REQUEST && id != BT_MSG_HASH_REJECT)
        return BT_ERR_INVALID;
    put_head(b, id, BT_MSG_ID_LEN + BT_HASHES_HEAD_LEN, r);
    return bt_buf_append(buf, b, sizeof(b));
}

enum bt_err bt_hashes_put(struct bt_buf *buf, const struct bt_hash_request *r,
                          const unsigned char *hashes, size_t n)
{
    unsigned char b[BT_MSG_PREFIX_LEN + BT_MSG_ID_LEN + BT_HASHES_HEAD_LEN];
    size_t body;
    enum bt_err err;

    if (head_ok(r) != BT_OK || n != (size_t)r->length + bt_hashes_uncles(r))
        return BT_ERR_INVALID;
    body = BT_MSG_ID_LEN + BT_HASHES_HEAD_LEN + n * BT_MERKLE_HASH_LEN;
    err = bt_buf_reserve(buf, BT_MSG_PREFIX_LEN + body);
    if (err != BT_OK)
        return err;
    put_head(b, BT_MSG_HASHES, body, r);
    err = bt_buf_append(buf, b, sizeof(b));
    if (err == BT_OK)
        err = bt_buf_append(buf, hashes, n * BT_MERKLE_HASH_LEN);
    return err;
}

unsigned bt_hashes_tree_layers(int64_t length)
{
    uint64_t blocks = length > 0 ? ((uint64_t)length + BT_MERKLE_BLOCK - 1) / BT_MERKLE_BLOCK : 1;

    return bt_merkle_log2(bt_merkle_width(blocks));
}

enum bt_err bt_hash_request_check(const struct bt_hash_request *r, unsigned tree_layers)
{
    uint64_t width;

    if (head_ok(r) != BT_OK || r->base >= tree_layers)
        return BT_ERR_HASHES;
    width = (uint64_t)1 << (tree_layers - r->base);
    if ((uint64_t)r->index + r->length > width)
        return BT_ERR_HASHES;
    if (r->proof_layers >= tree_layers - r->base)
        return BT_ERR_HASHES;
    return BT_OK;
}

enum bt_err bt_hashes_verify(const struct bt_hashes *h, unsigned tree_layers)
{
    const struct bt_hash_request *r = &h->req;
    unsigned char pad[BT_MERKLE_HASH_LEN], node[BT_MERKLE_HASH_LEN];
    unsigned k = span_layers(r->length);
    uint64_t pos = r->index >> k; /* the subtree's place in its layer */
    struct bt_merkle m;
    uint32_t i;
    size_t u;
    enum bt_err err;

    if (bt_hash_request_check(r, tree_layers) != BT_OK)
        return BT_ERR_HASHES;
    /* Every proof layer the subtree does not fill must be there, up to the root. */
    if (r->base + k + h->uncle_count != tree_layers)
        return BT_ERR_HASHES_PROOF;
    err = bt_merkle_pad(NULL, r->base, pad);
    if (err != BT_OK)
        return err;
    bt_merkle_init(&m, pad);
    for (i = 0; i < r->length && err == BT_OK; i++)
        err = bt_merkle_add(&m, h->hashes + (size_t)i * BT_MERKLE_HASH_LEN);
    if (err == BT_OK)
        err = bt_merkle_root(&m, bt_merkle_width(r->length), node);
    for (u = 0; u < h->uncle_count && err == BT_OK; u++, pos >>= 1) {
        const unsigned char *uncle = h->uncles + u * BT_MERKLE_HASH_LEN;

        if (pos % 2 == 0)
            err = bt_sha256_pair(node, uncle, node);
        else
            err = bt_sha256_pair(uncle, node, node);
    }
    if (err != BT_OK)
        return err;
    return memcmp(node, r->root, BT_MERKLE_HASH_LEN) == 0 ? BT_OK : BT_ERR_HASHES_PROOF;
}

/* The node at layer (piece_layer + up), index idx, from the piece layer: the
 * root of its 2^up piece hashes, the ones past the file's end padding. */
static enum bt_err node_at(unsigned piece_layer, unsigned up, uint64_t idx,
                           const unsigned char *layer, uint64_t pieces,
                           unsigned char out[BT_MERKLE_HASH_LEN])
{
    unsigned char pad[BT_MERKLE_HASH_LEN];
    uint64_t first = idx << up, end = (idx + 1) << up, i;
    struct bt_merkle m;
    enum bt_err err;

    if (first >= pieces)
        return bt_merkle_pad(NULL, piece_layer + up, out);
    if (up == 0) {
        memcpy(out, layer + first * BT_MERKLE_HASH_LEN, BT_MERKLE_HASH_LEN);
        return BT_OK;
    }
    err = bt_merkle_pad(NULL, piece_layer, pad);
    if (err != BT_OK)
        return err;
    bt_merkle_init(&m, pad);
    for (i = first; i < end && i < pieces && err == BT_OK; i++)
        err = bt_merkle_add(&m, layer + i * BT_MERKLE_HASH_LEN);
    if (err == BT_OK)
        err = bt_merkle_root(&m, (uint64_t)1 << up, out);
    return err;
}

/* Any node of the tree: from the piece layer, or from below under it. */
static enum bt_err node_any(unsigned piece_layer, unsigned at, uint64_t idx,
                            const unsigned char *layer, uint64_t pieces, bt_hashes_node_fn *below,
                            void *below_arg, unsigned char out[BT_MERKLE_HASH_LEN])
{
    if (at >= piece_layer)
        return node_at(piece_layer, at - piece_layer, idx, layer, pieces, out);
    return below(below_arg, at, idx, out);
}

enum bt_err bt_hashes_from_layer(const struct bt_hash_request *r, unsigned tree_layers,
                                 unsigned piece_layer, const unsigned char *layer, uint64_t pieces,
                                 bt_hashes_node_fn *below, void *below_arg, unsigned char *out)
{
    unsigned k = span_layers(r->length);
    uint64_t pos = r->index >> k;
    uint32_t i, u, uncles = bt_hashes_uncles(r);
    enum bt_err err = BT_OK;

    if (layer == NULL || bt_hash_request_check(r, tree_layers) != BT_OK)
        return BT_ERR_HASHES_REJECTED;
    if (r->base < piece_layer && below == NULL)
        return BT_ERR_HASHES_REJECTED;
    for (i = 0; i < r->length && err == BT_OK; i++, out += BT_MERKLE_HASH_LEN)
        err = node_any(piece_layer, r->base, (uint64_t)r->index + i, layer, pieces, below,
                       below_arg, out);
    /* The uncles: the sibling of the subtree's root, then of each ancestor. */
    for (u = 0; u < uncles && err == BT_OK; u++, pos >>= 1, out += BT_MERKLE_HASH_LEN)
        err = node_any(piece_layer, r->base + k + u, pos ^ 1, layer, pieces, below, below_arg, out);
    return err;
}
