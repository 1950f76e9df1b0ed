/*
 * fuzz_hashes.c - libFuzzer harness for BEP 52's hash messages: the request
 * and hashes parsers, the check of a request against a file's tree, the proof
 * of a hashes message against its root, and the answer built from a piece
 * layer and, below it, from a source of nodes (as a seeder hashes its data
 * for leaf requests).  The first byte chooses the tree's height, the second
 * the piece layer's; the input is then a payload, and what follows its head
 * is also taken as a piece layer to answer from.
 */
#include <stddef.h>
#include <stdint.h>

#include "wire/hashes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned char out[(BT_HASHES_MAX_LENGTH + BT_HASHES_MAX_LAYERS) * BT_MERKLE_HASH_LEN];

/* Nodes below the piece layer: a hash of where they are, or a reject for
 * some, as a seeder that lacks a piece would.  Never asked for the piece
 * layer or above. */
static enum bt_err below(void *arg, unsigned layer, uint64_t index,
                         unsigned char node[BT_MERKLE_HASH_LEN])
{
    unsigned piece_layer = *(const unsigned *)arg;
    size_t i;

    if (layer >= piece_layer)
        __builtin_trap();
    if (index % 7 == 3)
        return BT_ERR_HASHES_REJECTED;
    for (i = 0; i < BT_MERKLE_HASH_LEN; i++)
        node[i] = (unsigned char)(layer + index + i);
    return BT_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bt_hash_request r;
    struct bt_hashes h;
    unsigned tree_layers, piece_layer;

    if (size < 2)
        return 0;
    /* Trees of up to 2^40 blocks; a piece layer at or under the top. */
    tree_layers = data[0] % 41;
    piece_layer = data[1] % (tree_layers + 1);
    data += 2;
    size -= 2;
    if (bt_hashes_parse(&h, data, size) == BT_OK)
        (void)bt_hashes_verify(&h, tree_layers);
    if (size >= BT_HASHES_HEAD_LEN &&
        bt_hash_request_parse(&r, data, BT_HASHES_HEAD_LEN) == BT_OK &&
        bt_hash_request_check(&r, tree_layers) == BT_OK) {
        const unsigned char *layer = data + BT_HASHES_HEAD_LEN;
        uint64_t pieces = (size - BT_HASHES_HEAD_LEN) / BT_MERKLE_HASH_LEN;
        uint64_t width = (uint64_t)1 << (tree_layers - piece_layer);

        /* A layer has at most as many hashes as its padded width. */
        if (pieces > width)
            pieces = width;
        if (pieces > 0) {
            (void)bt_hashes_from_layer(&r, tree_layers, piece_layer, layer, pieces, NULL, NULL,
                                       out);
            (void)bt_hashes_from_layer(&r, tree_layers, piece_layer, layer, pieces, below,
                                       &piece_layer, out);
        }
    }
    return 0;
}
