/*
 * piece_hash.c - checking a piece against the torrent, v1 or v2 (piece_hash.h).
 */
#include "pieces/piece_hash.h"

#include <string.h>

void bt_piece_hash_init(struct bt_piece_hash *h)
{
    memset(h, 0, sizeof(*h));
    bt_sha1_init(&h->sha);
}

void bt_piece_hash_release(struct bt_piece_hash *h)
{
    bt_sha1_release(&h->sha);
    bt_piece_hash_init(h);
}

/*
 * Where piece idx's expected hash lies, for v2, and how wide its tree is: a
 * layer entry covers a whole piece's leaves; the root of a file that fits in
 * one piece covers only as many as its blocks need.
 */
static enum bt_err expected_v2(const struct bt_torrent *t, size_t idx, const unsigned char **want,
                               int64_t *real, uint64_t *width)
{
    const struct bt_file *f;
    size_t file;
    enum bt_err err = bt_torrent_piece_file(t, idx, &file, real);

    if (err != BT_OK)
        return err;
    f = &t->files[file];
    *want = bt_torrent_piece_root(t, f, idx);
    if (*want == NULL)
        return BT_ERR_META_LAYER;
    if (f->length <= t->piece_length)
        *width = bt_merkle_width(((uint64_t)f->length + BT_MERKLE_BLOCK - 1) / BT_MERKLE_BLOCK);
    else
        *width = (uint64_t)t->piece_length / BT_MERKLE_BLOCK;
    return BT_OK;
}

enum bt_err bt_piece_hash_start(struct bt_piece_hash *h, const struct bt_torrent *t, size_t idx)
{
    const unsigned char *want;
    uint64_t width;
    enum bt_err err;

    if (idx >= t->piece_count)
        return BT_ERR_INVALID;
    h->t = t;
    h->index = idx;
    h->hashed = 0;
    h->merkle_hashed = 0;
    h->v1 = (t->versions & BT_META_V1) != 0;
    h->v2 = 0;
    if ((t->versions & BT_META_V2) == 0)
        return BT_OK;
    err = expected_v2(t, idx, &want, &h->real, &width);
    /* A hybrid from a magnet link may lack its layers: its SHA-1s still check it. */
    if (err == BT_ERR_META_LAYER && h->v1)
        return BT_OK;
    if (err != BT_OK)
        return err;
    h->v2 = 1;
    bt_merkle_init(&h->merkle, NULL);
    return BT_OK;
}

enum bt_err bt_piece_hash_update(struct bt_piece_hash *h, const void *p, size_t n)
{
    const unsigned char *at = p;
    enum bt_err err = BT_OK;

    if (h->v1)
        err = bt_sha1_update(&h->sha, p, n);
    if (err == BT_OK && h->v2 && h->hashed % BT_MERKLE_BLOCK != 0)
        err = BT_ERR_INVALID; /* an earlier update ended inside a block */
    /* Blocks of file data are leaves; the padding after the file is none. */
    while (err == BT_OK && h->v2 && h->merkle_hashed < h->real &&
           h->merkle_hashed < h->hashed + (int64_t)n) {
        size_t from = (size_t)(h->merkle_hashed - h->hashed);
        size_t len = n - from < BT_MERKLE_BLOCK ? n - from : BT_MERKLE_BLOCK;

        if ((int64_t)len > h->real - h->merkle_hashed)
            len = (size_t)(h->real - h->merkle_hashed);
        err = bt_merkle_add_block(&h->merkle, at + from, len);
        h->merkle_hashed += (int64_t)len;
    }
    if (err == BT_OK)
        h->hashed += (int64_t)n;
    return err;
}

/*
 * A hybrid is checked both ways, as BEP 52 asks: a torrent whose halves
 * disagree must not pass off one file's bytes as the other's.
 */
enum bt_err bt_piece_hash_check(struct bt_piece_hash *h)
{
    unsigned char got[BT_MERKLE_HASH_LEN];
    const unsigned char *want;
    int64_t real;
    uint64_t width;
    enum bt_err err;

    if (h->t == NULL)
        return BT_ERR_INVALID;
    if (h->v1 && h->hashed < bt_torrent_piece_size(h->t, h->index))
        return BT_ERR_INVALID;
    if (h->v2 && h->merkle_hashed < h->real)
        return BT_ERR_INVALID;
    if (h->v1) {
        err = bt_sha1_final(&h->sha, got);
        if (err != BT_OK)
            return err;
        want = h->t->piece_hashes + h->index * BT_PIECE_HASH_LEN;
        if (memcmp(got, want, BT_SHA1_LEN) != 0)
            return BT_ERR_PEER_HASH;
    }
    if (!h->v2)
        return BT_OK;
    err = expected_v2(h->t, h->index, &want, &real, &width);
    if (err == BT_OK)
        err = bt_merkle_root(&h->merkle, width, got);
    if (err != BT_OK)
        return err;
    return memcmp(got, want, BT_MERKLE_HASH_LEN) == 0 ? BT_OK : BT_ERR_PEER_HASH;
}

enum bt_err bt_piece_leaves(const struct bt_torrent *t, size_t idx, const unsigned char **root,
                            uint32_t *first, uint32_t *count)
{
    const unsigned char *want;
    int64_t real;
    uint64_t width, at;
    size_t file;
    enum bt_err err;

    err = expected_v2(t, idx, &want, &real, &width); /* BT_ERR_INVALID for v1 */
    if (err != BT_OK)
        return err;
    (void)bt_torrent_piece_file(t, idx, &file, &real);
    at = (uint64_t)((int64_t)idx * t->piece_length - t->files[file].offset) / BT_MERKLE_BLOCK;
    if (width < 2 || at > UINT32_MAX - width)
        return BT_ERR_INVALID;
    *root = t->files[file].pieces_root;
    *first = (uint32_t)at;
    *count = (uint32_t)width;
    return BT_OK;
}

enum bt_err bt_piece_leaves_check(const struct bt_torrent *t, size_t idx,
                                  const unsigned char *leaves, uint32_t count)
{
    unsigned char got[BT_MERKLE_HASH_LEN];
    const unsigned char *want;
    int64_t real;
    uint64_t width;
    struct bt_merkle m;
    uint32_t i;
    enum bt_err err;

    err = expected_v2(t, idx, &want, &real, &width); /* BT_ERR_INVALID for v1 */
    if (err != BT_OK)
        return err;
    if (count != width)
        return BT_ERR_HASHES_PROOF;
    bt_merkle_init(&m, NULL);
    for (i = 0; i < count && err == BT_OK; i++)
        err = bt_merkle_add(&m, leaves + (size_t)i * BT_MERKLE_HASH_LEN);
    if (err == BT_OK)
        err = bt_merkle_root(&m, width, got);
    if (err != BT_OK)
        return err;
    return memcmp(got, want, BT_MERKLE_HASH_LEN) == 0 ? BT_OK : BT_ERR_HASHES_PROOF;
}

enum bt_err bt_piece_block_check(const struct bt_torrent *t, size_t idx,
                                 const unsigned char *leaves, uint32_t count, uint32_t off,
                                 const void *data, size_t len, size_t *hashed)
{
    unsigned char got[BT_MERKLE_HASH_LEN];
    int64_t real;
    size_t file, n;
    enum bt_err err = bt_torrent_piece_file(t, idx, &file, &real);

    *hashed = 0;
    if (err != BT_OK)
        return err;
    if (off % BT_MERKLE_BLOCK != 0 || len > BT_MERKLE_BLOCK || off / BT_MERKLE_BLOCK >= count)
        return BT_ERR_INVALID;
    if ((int64_t)off >= real)
        return BT_OK; /* padding */
    n = real - off < (int64_t)len ? (size_t)(real - off) : len;
    if (n < BT_MERKLE_BLOCK && (int64_t)(off + n) < real)
        return BT_ERR_INVALID; /* short of the block, inside the file */
    err = bt_sha256(data, n, got);
    if (err != BT_OK)
        return err;
    *hashed = n;
    return memcmp(got, leaves + (size_t)(off / BT_MERKLE_BLOCK) * BT_MERKLE_HASH_LEN,
                  BT_MERKLE_HASH_LEN) == 0
               ? BT_OK
               : BT_ERR_PEER_HASH;
}

void bt_piece_hash_blocks_checked(struct bt_piece_hash *h)
{
    h->v2 = 0;
}

enum bt_err bt_piece_hash_verify(const struct bt_torrent *t, size_t idx, const void *data,
                                 size_t len)
{
    struct bt_piece_hash h;
    enum bt_err err;

    bt_piece_hash_init(&h);
    err = bt_piece_hash_start(&h, t, idx);
    if (err == BT_OK)
        err = bt_piece_hash_update(&h, data, len);
    if (err == BT_OK)
        err = bt_piece_hash_check(&h);
    bt_piece_hash_release(&h);
    return err;
}
