/*
 * leaf_table.h - the leaf hashes of v2 pieces in progress, so that each block
 * is checked as it arrives (BEP 52) and a peer that sends a bad block is
 * caught at that block, not when the whole piece fails.
 *
 *   us                                          peer
 *   hash request root, base 0, first leaf, n ──>      (before the piece's
 *   request piece p, block 0 ...             ──>       block requests)
 *                                            <──  hashes: n leaves
 *        the leaves must hash up to piece p's entry in the piece layer
 *                                            <──  piece p, block 0
 *        SHA-256(block) must be leaf 0: if not, the block is dropped and
 *        its sender banned
 *
 * A peer that answers with a hash reject is asked no more (libtorrent keeps
 * only piece layers, and rejects); the piece is then checked whole, as a v1
 * piece is.  The table is small and fixed: BT_LEAF_TABLE_MAX pieces, each
 * asked of one peer at a time, the proven leaves kept until the piece is had.
 */
#ifndef BT_LEAF_TABLE_H
#define BT_LEAF_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "metainfo/metainfo.h"
#include "wire/hashes.h"

#define BT_LEAF_TABLE_MAX 64 /* pieces whose leaves are asked for or held */

struct bt_leaf_entry {
    uint32_t piece;
    uint32_t count;        /* leaves */
    unsigned char *hashes; /* count leaves once proven; NULL while asked */
    const void *asked;     /* the connection asked, while hashes is NULL */
    struct bt_hash_request req;
};

struct bt_leaf_table {
    const struct bt_torrent *t; /* borrowed */
    struct bt_leaf_entry e[BT_LEAF_TABLE_MAX];
    size_t n;
};

/* Cannot fail.  t must outlive the table. */
void bt_leaf_table_init(struct bt_leaf_table *lt, const struct bt_torrent *t);
void bt_leaf_table_release(struct bt_leaf_table *lt);

/*
 * Should conn be asked for piece's leaves?  1, with the request in *r, when
 * the piece has a merkle tree of more than one block, at most
 * BT_HASHES_ASK_MAX of them, its hash is known, nobody is asked for them or
 * holds them, and the table has room; the piece is then marked asked of conn.
 * If the request cannot be sent, bt_leaf_table_unask it.  0 otherwise.
 */
int bt_leaf_table_ask(struct bt_leaf_table *lt, uint32_t piece, const void *conn,
                      struct bt_hash_request *r);

/* The request for piece asked of conn could not be sent: forget it. */
void bt_leaf_table_unask(struct bt_leaf_table *lt, uint32_t piece);

/*
 * conn answered with h.  BT_OK: the leaves of the piece asked of conn with
 * h's request, proven and kept.  BT_ERR_HASHES_PROOF: they do not hash up to
 * the piece's hash (the entry is freed, to be asked of another).
 * BT_ERR_INVALID: nothing was asked of conn with that request (ignore it).
 * BT_ERR_NOMEM.
 */
enum bt_err bt_leaf_table_take(struct bt_leaf_table *lt, const void *conn,
                               const struct bt_hashes *h);

/* conn rejected r: forget what was asked of it with r.  1 if anything was. */
int bt_leaf_table_rejected(struct bt_leaf_table *lt, const void *conn,
                           const struct bt_hash_request *r);

/* conn is gone: forget what was asked of it and not answered. */
void bt_leaf_table_forget(struct bt_leaf_table *lt, const void *conn);

/* piece's proven leaves and their count, or NULL. */
const unsigned char *bt_leaf_table_get(const struct bt_leaf_table *lt, uint32_t piece,
                                       uint32_t *count);

/* piece is had: its leaves are no more use. */
void bt_leaf_table_done(struct bt_leaf_table *lt, uint32_t piece);

#endif /* BT_LEAF_TABLE_H */
