/*
 * bitfield.h - which pieces a peer has (BEP 3, "bitfield" message).
 *
 * One bit per piece, the high bit of the first byte is piece 0:
 *
 *   piece    0 1 2 3 4 5 6 7   8 9 . . . . . .
 *   byte     [ 1 0 1 1 0 0 0 1 ] [ 1 0 0 0 0 0 0 0 ]
 *                                    ^ ^^^^^^^^^^^^ spare bits: must be zero
 *
 * A torrent of 10 pieces needs ceil(10 / 8) = 2 bytes; the 6 bits past the last
 * piece are "spare" and BEP 3 says a peer that sets them should be dropped.
 *
 * Ownership: the caller owns the struct; bt_bitfield_release() frees the bits.
 */
#ifndef BT_BITFIELD_H
#define BT_BITFIELD_H

#include <stddef.h>

#include "core/error.h"

struct bt_bitfield {
    unsigned char *bits; /* bt_bitfield_bytes(count) bytes, or NULL while count is 0 */
    size_t count;        /* pieces */
};

/* Bytes needed for count bits. */
size_t bt_bitfield_bytes(size_t count);

/* An empty field of no pieces.  Cannot fail. */
void bt_bitfield_init(struct bt_bitfield *bf);
void bt_bitfield_release(struct bt_bitfield *bf);
/* Make room for count pieces, all clear.  BT_ERR_NOMEM. */
enum bt_err bt_bitfield_resize(struct bt_bitfield *bf, size_t count);

int bt_bitfield_get(const struct bt_bitfield *bf, size_t idx);
void bt_bitfield_set(struct bt_bitfield *bf, size_t idx);
void bt_bitfield_set_all(struct bt_bitfield *bf);
size_t bt_bitfield_popcount(const struct bt_bitfield *bf);

/*
 * Check a bitfield received from a peer for a torrent of count pieces:
 * BT_ERR_PEER_LENGTH if len is not exactly bt_bitfield_bytes(count);
 * BT_ERR_PEER_MESSAGE if a spare bit is set.
 */
enum bt_err bt_bitfield_check(const unsigned char *p, size_t len, size_t count);

/*
 * Load a bitfield received from a peer.  BT_ERR_PEER_LENGTH if len is not exactly
 * bt_bitfield_bytes(bf->count); BT_ERR_PEER_MESSAGE if a spare bit is set.
 */
enum bt_err bt_bitfield_load(struct bt_bitfield *bf, const unsigned char *p, size_t len);

#endif /* BT_BITFIELD_H */
