/*
 * piece_hash.h - is a piece's data what the torrent says it is?
 *
 * v1 (BEP 3) checks a piece against the SHA-1 in "pieces".  v2 (BEP 52)
 * checks it against its file's merkle tree: the piece's 16 KiB blocks are
 * leaves, and their root must be the piece's entry in the file's piece layer,
 * or the file's "pieces root" when the file fits in one piece.  A v2 piece may
 * end in padding (the file ends inside it); only the file's bytes are hashed.
 * A hybrid is checked both ways (BEP 52: "verify that pieces match both piece
 * hash formats"), or by SHA-1 alone while its layers are unknown.
 *
 * struct bt_piece_hash takes the piece in order, as blocks arrive, so the data
 * need not be held in one buffer.
 */
#ifndef BT_PIECE_HASH_H
#define BT_PIECE_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/sha1.h"
#include "metainfo/merkle.h"
#include "metainfo/metainfo.h"

struct bt_piece_hash {
    const struct bt_torrent *t;
    size_t index;
    int v1, v2;            /* which checks apply: SHA-1, merkle, or both */
    int64_t hashed;        /* bytes of the piece fed so far */
    int64_t merkle_hashed; /* v2: of those, bytes made leaves (file data, not padding) */
    int64_t real;          /* v2: bytes of the piece that are file data */
    struct bt_sha1 sha;
    struct bt_merkle merkle;
};

/* Cannot fail. */
void bt_piece_hash_init(struct bt_piece_hash *h);
void bt_piece_hash_release(struct bt_piece_hash *h);

/*
 * Begin piece idx of t (t must outlive the hash).  BT_ERR_INVALID for a piece
 * out of range; BT_ERR_META_LAYER for a v2 piece whose layer is not known.
 */
enum bt_err bt_piece_hash_start(struct bt_piece_hash *h, const struct bt_torrent *t, size_t idx);

/*
 * The next n bytes of the piece.  For v2 every update but the last must be a
 * whole number of 16 KiB blocks (BT_ERR_INVALID otherwise), as blocks are.
 */
enum bt_err bt_piece_hash_update(struct bt_piece_hash *h, const void *p, size_t n);

/* BT_OK if the whole piece was fed and matches; BT_ERR_PEER_HASH if not. */
enum bt_err bt_piece_hash_check(struct bt_piece_hash *h);

/*
 * Checking each block as it arrives (BEP 52): a v2 piece's hash is the root of
 * its blocks' SHA-256s, the leaves of its file's tree.  Given those leaves by
 * a peer, and proven against the piece's hash, a downloader checks each block
 * on its own, and knows which peer sent a bad one.
 *
 * Where piece idx's leaves lie: in the tree of the file whose pieces root is
 * *root, count leaves from leaf *first (a whole piece's, or the padded width
 * of a file that fits in one piece).  BT_ERR_INVALID when there is nothing to
 * ask: a v1 torrent, or a piece of one block (its hash is its block's);
 * BT_ERR_META_LAYER while the piece's hash is unknown.
 */
enum bt_err bt_piece_leaves(const struct bt_torrent *t, size_t idx, const unsigned char **root,
                            uint32_t *first, uint32_t *count);

/* Do count leaves hash up to piece idx's hash?  BT_OK, or BT_ERR_HASHES_PROOF. */
enum bt_err bt_piece_leaves_check(const struct bt_torrent *t, size_t idx,
                                  const unsigned char *leaves, uint32_t count);

/*
 * Is the block at offset off of piece idx, len bytes, what its leaf says?
 * leaves are the piece's, proven.  *hashed is the bytes of file data checked:
 * padding after the file's end is not the file's and has no leaf (BT_OK, 0
 * bytes).  BT_ERR_PEER_HASH for a bad block; BT_ERR_INVALID for a block that
 * is not one of the piece's 16 KiB blocks.
 */
enum bt_err bt_piece_block_check(const struct bt_torrent *t, size_t idx,
                                 const unsigned char *leaves, uint32_t count, uint32_t off,
                                 const void *data, size_t len, size_t *hashed);

/* Every block of h's piece is checked against proven leaves as it arrives:
 * the piece's merkle root need not be computed again (SHA-1 still applies). */
void bt_piece_hash_blocks_checked(struct bt_piece_hash *h);

/* All in one: is data (the whole piece idx) good? */
enum bt_err bt_piece_hash_verify(const struct bt_torrent *t, size_t idx, const void *data,
                                 size_t len);

#endif /* BT_PIECE_HASH_H */
