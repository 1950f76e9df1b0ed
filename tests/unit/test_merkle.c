/*
 * test_merkle.c - BEP 52 merkle roots built leaf by leaf, against roots that a
 * straightforward list-halving implementation (Python's hashlib) computed for
 * the same bytes.  The data is byte i = (7 i + 3) mod 251.
 */
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "metainfo/merkle.h"
#include "tap.h"

static unsigned char *make_data(size_t n)
{
    unsigned char *p = malloc(n);
    size_t i;

    for (i = 0; p != NULL && i < n; i++)
        p[i] = (unsigned char)((i * 7 + 3) % 251);
    return p;
}

static int root_is(size_t n, uint64_t width, const char *want)
{
    unsigned char *data = make_data(n), root[BT_MERKLE_HASH_LEN];
    char hex[2 * BT_MERKLE_HASH_LEN + 1];
    struct bt_merkle m;
    size_t at;
    int good = data != NULL;

    bt_merkle_init(&m, NULL);
    for (at = 0; good && at < n; at += BT_MERKLE_BLOCK)
        good = bt_merkle_add_block(&m, data + at,
                                   n - at < BT_MERKLE_BLOCK ? n - at : BT_MERKLE_BLOCK) == BT_OK;
    good = good && bt_merkle_root(&m, width, root) == BT_OK;
    free(data);
    if (!good)
        return 0;
    bt_hex_encode(root, sizeof(root), hex);
    return strcmp(hex, want) == 0;
}

static const struct {
    size_t len;
    uint64_t width;
    const char *root;
} vectors[] = {
    {1, 1, "084fed08b978af4d7d196a7446a86b58009e636b611db16211b65a9aadff29c5"},
    {16384, 1, "90b834666bd99804aad5f0d312a8862f91872e635fd6063d42fe787c4e1d84ee"},
    {16385, 2, "cb0b7d4a5957d021a52428ba33dac06cbb4fe7c90c57d68188e216b70eacc49f"},
    {40000, 4, "7d9f01ba091cfb3a86ea7319b5315cc9ea62e74f64ecd4fb1d6d03a45fcc7c37"},
    {40000, 8, "7430208a1435598b85185a46d0a18bca5dcad367f93de353b89e0fdcc95ec307"},
    {100000, 8, "43ae2698d3c75be7703641a82c823d1b513b5e7315bfcc2e5ac089dc16476c63"},
    {100000, 16, "78a46619dd1bd29a8b32fa2e1807df748d0ca3532c4d772f0b5f77a4a919d388"},
};

/* A file's root from its piece layer equals the root over all its blocks. */
static int piece_layer_gives_root(size_t n, int64_t piece_length)
{
    unsigned char *data = make_data(n), hash[BT_MERKLE_HASH_LEN], pad[BT_MERKLE_HASH_LEN];
    unsigned char by_pieces[BT_MERKLE_HASH_LEN], by_blocks[BT_MERKLE_HASH_LEN];
    uint64_t pieces = (n + (size_t)piece_length - 1) / (size_t)piece_length;
    struct bt_merkle m;
    size_t at;
    int good = data != NULL;

    if (bt_merkle_pad(NULL, bt_merkle_log2((uint64_t)piece_length / BT_MERKLE_BLOCK), pad) != BT_OK)
        good = 0;
    bt_merkle_init(&m, pad);
    for (at = 0; good && at < n; at += (size_t)piece_length) {
        size_t len = n - at < (size_t)piece_length ? n - at : (size_t)piece_length;

        good = bt_merkle_piece_hash(data + at, len, piece_length, hash) == BT_OK &&
               bt_merkle_add(&m, hash) == BT_OK;
    }
    good = good && bt_merkle_root(&m, bt_merkle_width(pieces), by_pieces) == BT_OK;
    good = good && bt_merkle_piece_hash(data, n, 0, by_blocks) == BT_OK;
    free(data);
    return good && memcmp(by_pieces, by_blocks, sizeof(by_blocks)) == 0;
}

int main(void)
{
    unsigned char pad[BT_MERKLE_HASH_LEN], root[BT_MERKLE_HASH_LEN];
    char hex[2 * BT_MERKLE_HASH_LEN + 1];
    struct bt_merkle m;
    size_t i;

    for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
        ok(root_is(vectors[i].len, vectors[i].width, vectors[i].root),
           "root of %zu bytes, %llu leaves wide", vectors[i].len,
           (unsigned long long)vectors[i].width);

    ok(bt_merkle_pad(NULL, 3, pad) == BT_OK, "pad of 8 zero leaves");
    bt_hex_encode(pad, sizeof(pad), hex);
    ok(strcmp(hex, "c78009fdf07fc56a11f122370658a353aaa542ed63e44c4bc15ff4cd105ab33c") == 0,
       "pad of 8 zero leaves matches");

    bt_merkle_init(&m, NULL);
    ok(bt_merkle_root(&m, 8, root) == BT_OK && memcmp(root, pad, sizeof(pad)) == 0,
       "an empty tree is all pad");
    ok(bt_merkle_root(&m, 6, root) == BT_ERR_INVALID, "a width that is no power of two is refused");
    ok(bt_merkle_add(&m, pad) == BT_OK && bt_merkle_add(&m, pad) == BT_OK &&
           bt_merkle_root(&m, 1, root) == BT_ERR_INVALID,
       "a width narrower than the leaves is refused");
    ok(bt_merkle_width(5) == 8 && bt_merkle_width(8) == 8 && bt_merkle_width(0) == 1 &&
           bt_merkle_width(UINT64_MAX) == 0,
       "widths round up to a power of two");

    ok(piece_layer_gives_root(100000, 32768), "piece layer of 32 KiB pieces gives the file's root");
    ok(piece_layer_gives_root(3 * 65536, 65536), "whole pieces give the file's root");
    ok(piece_layer_gives_root(65536 + 1, 16384), "16 KiB pieces: the layer is the leaves");
    ok(bt_merkle_piece_hash(pad, 40000, 32768, root) == BT_ERR_INVALID,
       "data longer than a piece is refused");
    return tap_done();
}
