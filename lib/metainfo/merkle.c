/*
 * merkle.c - BEP 52's merkle trees, built leaf by leaf (see merkle.h).
 *
 * Adding leaves works like counting in binary.  Bit L of the count is set when
 * a finished subtree of 2^L leaves waits at level L for its right sibling; the
 * next subtree of that size joins it, and their parent moves up a level, as a
 * carry does:
 *
 *   count 5 = 101b:  node[2] = h(h(a b) h(c d))   node[0] = e
 *   add f   -> 110b:  node[2] unchanged            node[1] = h(e f)
 *
 * The root of a wider tree pads what is pending on the right, level by level,
 * with subtrees of pad leaves.
 */
#include "metainfo/merkle.h"

#include <string.h>

void bt_merkle_init(struct bt_merkle *m, const unsigned char *pad)
{
    m->count = 0;
    if (pad != NULL)
        memcpy(m->pad, pad, BT_MERKLE_HASH_LEN);
    else
        memset(m->pad, 0, BT_MERKLE_HASH_LEN);
}

enum bt_err bt_merkle_add(struct bt_merkle *m, const unsigned char leaf[BT_MERKLE_HASH_LEN])
{
    unsigned char carry[BT_MERKLE_HASH_LEN];
    unsigned level = 0;
    enum bt_err err;

    if (m->count == UINT64_MAX)
        return BT_ERR_INVALID;
    memcpy(carry, leaf, BT_MERKLE_HASH_LEN);
    while ((m->count >> level & 1) != 0) {
        err = bt_sha256_pair(m->node[level], carry, carry);
        if (err != BT_OK)
            return err;
        level++;
    }
    memcpy(m->node[level], carry, BT_MERKLE_HASH_LEN);
    m->count++;
    return BT_OK;
}

enum bt_err bt_merkle_add_block(struct bt_merkle *m, const void *data, size_t len)
{
    unsigned char leaf[BT_MERKLE_HASH_LEN];
    enum bt_err err;

    if (len > BT_MERKLE_BLOCK)
        return BT_ERR_INVALID;
    err = bt_sha256(data, len, leaf);
    if (err != BT_OK)
        return err;
    return bt_merkle_add(m, leaf);
}

uint64_t bt_merkle_width(uint64_t n)
{
    uint64_t w = 1;

    while (w < n) {
        if (w > UINT64_MAX / 2)
            return 0;
        w *= 2;
    }
    return w;
}

unsigned bt_merkle_log2(uint64_t pow2)
{
    unsigned level = 0;

    while (pow2 > 1) {
        pow2 >>= 1;
        level++;
    }
    return level;
}

enum bt_err bt_merkle_pad(const unsigned char *base, unsigned level,
                          unsigned char out[BT_MERKLE_HASH_LEN])
{
    unsigned i;
    enum bt_err err;

    if (base != NULL)
        memcpy(out, base, BT_MERKLE_HASH_LEN);
    else
        memset(out, 0, BT_MERKLE_HASH_LEN);
    for (i = 0; i < level; i++) {
        err = bt_sha256_pair(out, out, out);
        if (err != BT_OK)
            return err;
    }
    return BT_OK;
}

/*
 * From the lowest level up, carry the rightmost unfinished subtree: a pending
 * node at a level is its left sibling; with no pending node the carry is the
 * left child and a pad subtree of the same size is its right sibling.
 */
enum bt_err bt_merkle_root(struct bt_merkle *m, uint64_t width,
                           unsigned char root[BT_MERKLE_HASH_LEN])
{
    unsigned char pad[BT_MERKLE_HASH_LEN], carry[BT_MERKLE_HASH_LEN];
    unsigned level, depth;
    int have_carry = 0;
    enum bt_err err = BT_OK;

    if (width == 0 || (width & (width - 1)) != 0 || width < m->count)
        return BT_ERR_INVALID;
    depth = bt_merkle_log2(width);
    if (m->count == width) { /* a full tree: its root waits at the top level */
        memcpy(root, m->node[depth], BT_MERKLE_HASH_LEN);
        return BT_OK;
    }
    memcpy(pad, m->pad, BT_MERKLE_HASH_LEN);
    for (level = 0; level < depth && err == BT_OK; level++) {
        int pending = (m->count >> level & 1) != 0;

        if (pending && have_carry)
            err = bt_sha256_pair(m->node[level], carry, carry);
        else if (pending)
            err = bt_sha256_pair(m->node[level], pad, carry);
        else if (have_carry)
            err = bt_sha256_pair(carry, pad, carry);
        have_carry = have_carry || pending;
        if (err == BT_OK)
            err = bt_sha256_pair(pad, pad, pad);
    }
    if (err != BT_OK)
        return err;
    memcpy(root, have_carry ? carry : pad, BT_MERKLE_HASH_LEN);
    return BT_OK;
}

enum bt_err bt_merkle_piece_hash(const void *data, size_t len, int64_t piece_length,
                                 unsigned char out[BT_MERKLE_HASH_LEN])
{
    const unsigned char *p = data;
    struct bt_merkle m;
    uint64_t blocks = (len + BT_MERKLE_BLOCK - 1) / BT_MERKLE_BLOCK, width;
    size_t at;
    enum bt_err err = BT_OK;

    if (piece_length < 0 || (piece_length > 0 && (uint64_t)len > (uint64_t)piece_length))
        return BT_ERR_INVALID;
    width = piece_length > 0 ? (uint64_t)piece_length / BT_MERKLE_BLOCK : bt_merkle_width(blocks);
    bt_merkle_init(&m, NULL);
    for (at = 0; at < len && err == BT_OK; at += BT_MERKLE_BLOCK)
        err = bt_merkle_add_block(&m, p + at,
                                  len - at < BT_MERKLE_BLOCK ? len - at : BT_MERKLE_BLOCK);
    if (err != BT_OK)
        return err;
    return bt_merkle_root(&m, width, out);
}

enum bt_err bt_merkle_layer_root(const unsigned char *layer, uint64_t n, int64_t piece_length,
                                 unsigned char root[BT_MERKLE_HASH_LEN])
{
    unsigned char pad[BT_MERKLE_HASH_LEN];
    struct bt_merkle m;
    uint64_t i;
    enum bt_err err;

    if (piece_length < BT_MERKLE_BLOCK || bt_merkle_width(n) == 0)
        return BT_ERR_INVALID;
    err = bt_merkle_pad(NULL, bt_merkle_log2((uint64_t)piece_length / BT_MERKLE_BLOCK), pad);
    if (err != BT_OK)
        return err;
    bt_merkle_init(&m, pad);
    for (i = 0; i < n && err == BT_OK; i++)
        err = bt_merkle_add(&m, layer + i * BT_MERKLE_HASH_LEN);
    if (err != BT_OK)
        return err;
    return bt_merkle_root(&m, bt_merkle_width(n), root);
}
