/*
 * merkle.h - BEP 52's merkle trees of SHA-256 digests.
 *
 * BitTorrent v2 hashes each file on its own.  The file is cut into 16 KiB
 * blocks; each block's SHA-256 is a leaf, and each inner node is the SHA-256
 * of its two children side by side.  The tree is as wide as the next power of
 * two; leaves past the end of the file are 32 zero bytes:
 *
 *                       root ("pieces root" in the file tree)
 *                 /                    \
 *           h(ab)                       h(c0)          <- piece layer, if a
 *          /     \                     /     \            piece is 2 blocks
 *       leaf a   leaf b            leaf c   00..00     <- zero leaf (padding)
 *     [16 KiB ] [16 KiB ]        [ 9 KiB ]
 *
 * A piece is a power-of-two run of blocks (at least one), so each piece has a
 * node of its own in the tree: the "piece layer".  A torrent carries the piece
 * layer of every file larger than one piece ("piece layers"), from which a
 * downloader checks whole pieces, and the root of every file ("pieces root").
 *
 * struct bt_merkle builds a root from leaves as they come, with no allocation:
 * it keeps at most one pending node per level, like the carries of a binary
 * counter, and fills in the padding when it is finished.
 */
#ifndef BT_MERKLE_H
#define BT_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/sha256.h"

#define BT_MERKLE_BLOCK     16384 /* BEP 52: bytes under each leaf */
#define BT_MERKLE_HASH_LEN  BT_SHA256_LEN
#define BT_MERKLE_MAX_DEPTH 64 /* levels a tree of 2^64 leaves needs */

struct bt_merkle {
    unsigned char node[BT_MERKLE_MAX_DEPTH + 1][BT_MERKLE_HASH_LEN]; /* pending, per level */
    uint64_t count;                        /* leaves added: bit L set = node[L] pending */
    unsigned char pad[BT_MERKLE_HASH_LEN]; /* what a missing leaf is */
};

/*
 * Start a tree whose missing leaves are pad (NULL: 32 zero bytes, as for file
 * data).  To build a file's root from its piece layer, pass the pad of a whole
 * piece (bt_merkle_pad) and add the piece hashes as leaves.  Cannot fail.
 */
void bt_merkle_init(struct bt_merkle *m, const unsigned char *pad);

/* Add the next leaf. */
enum bt_err bt_merkle_add(struct bt_merkle *m, const unsigned char leaf[BT_MERKLE_HASH_LEN]);

/* Hash up to 16 KiB of data (a block; the file's last may be shorter) and add it. */
enum bt_err bt_merkle_add_block(struct bt_merkle *m, const void *data, size_t len);

/*
 * The root of a tree width leaves wide (a power of two, at least the leaves
 * added).  Leaves not added are the pad.  With no leaves at all the root is the
 * pad of the whole width.  BT_ERR_INVALID if width is too small or not a power
 * of two.
 */
enum bt_err bt_merkle_root(struct bt_merkle *m, uint64_t width,
                           unsigned char root[BT_MERKLE_HASH_LEN]);

/* The root of a subtree of 2^level leaves that are all base (NULL: zero bytes). */
enum bt_err bt_merkle_pad(const unsigned char *base, unsigned level,
                          unsigned char out[BT_MERKLE_HASH_LEN]);

/* The smallest power of two at least n (1 for n = 0); 0 if there is none in 64 bits. */
uint64_t bt_merkle_width(uint64_t n);

/* log2 of a power of two. */
unsigned bt_merkle_log2(uint64_t pow2);

/*
 * The hash of one piece of a file as the piece layer holds it: the root over
 * the piece's blocks, as wide as a whole piece (piece_length / 16 KiB leaves)
 * even when the file ends inside it.  For a file of one piece or less there is
 * no piece layer, and its root is as wide as its own blocks need: pass
 * piece_length 0 for that.
 */
enum bt_err bt_merkle_piece_hash(const void *data, size_t len, int64_t piece_length,
                                 unsigned char out[BT_MERKLE_HASH_LEN]);

/*
 * A file's root from its piece layer: n hashes of pieces of piece_length bytes
 * (a power of two, at least 16 KiB), padded with whole zero pieces to the next
 * power of two.  What "pieces root" must be for "piece layers" to be believed.
 */
enum bt_err bt_merkle_layer_root(const unsigned char *layer, uint64_t n, int64_t piece_length,
                                 unsigned char root[BT_MERKLE_HASH_LEN]);

#endif /* BT_MERKLE_H */
