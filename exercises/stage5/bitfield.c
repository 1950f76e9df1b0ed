/*
 * bitfield.c - exercise for stage 5: which pieces a peer has, one bit per piece
 * (BEP 3's bitfield message).
 *
 * You write the functions lib/wire/bitfield.h declares (read it first).  Piece 0 is
 * the HIGH bit of the first byte:
 *
 *   pieces   0 1 2 3 4 5 6 7    8 9
 *   bits    [1 0 1 1 0 0 0 1]  [1 0|0 0 0 0 0 0]
 *   bytes      0xb1                0x80
 *                                      ^^^^^^^^^^^ spare: past the last piece,
 *                                                  always zero
 *
 * bt-seed keeps its own pieces in one of these and sends it after the
 * handshake; bt-fetch-piece checks the one a peer sends.
 *
 * Build and grade with the rest of stage 5: make grade STAGE=5
 *
 * Every body below is a placeholder that compiles and fails: replace each one.
 * You may add static helpers (they must be used, or -Werror stops the build).
 */
#include "wire/bitfield.h"

#include <stdlib.h>
#include <string.h>

/* Bytes for count bits: count / 8, rounded UP (10 pieces need 2 bytes, 16 need
 * 2, 0 need 0).  Mind overflow: count + 7 can wrap for a huge count. */
size_t bt_bitfield_bytes(size_t count)
{
    (void)count;
    return 0;
}

/* No bits, count 0.  Allocates nothing, cannot fail. */
void bt_bitfield_init(struct bt_bitfield *bf)
{
    (void)bf;
}

/* Free the bits and leave bf as init leaves it. */
void bt_bitfield_release(struct bt_bitfield *bf)
{
    (void)bf;
}

/*
 * Replace the bits with count zero bits (calloc; NULL for count 0).  Allocate
 * the new array before freeing the old one: on BT_ERR_NOMEM bf is unchanged.
 */
enum bt_err bt_bitfield_resize(struct bt_bitfield *bf, size_t count)
{
    (void)bf;
    (void)count;
    return BT_ERR_NOMEM;
}

/* 1 if piece idx is set, else 0.  An idx past count is 0, not a read past the
 * array. */
int bt_bitfield_get(const struct bt_bitfield *bf, size_t idx)
{
    (void)bf;
    (void)idx;
    return 0;
}

/* Set piece idx (ignore an idx past count). */
void bt_bitfield_set(struct bt_bitfield *bf, size_t idx)
{
    (void)bf;
    (void)idx;
}

/* Set every piece, and no spare bit: a seeder that sent 0xff in its last byte
 * would be dropped by every careful peer. */
void bt_bitfield_set_all(struct bt_bitfield *bf)
{
    (void)bf;
}

/* How many pieces are set. */
size_t bt_bitfield_popcount(const struct bt_bitfield *bf)
{
    (void)bf;
    return 0;
}

/*
 * Judge a bitfield a peer sent for a torrent of count pieces: len must be
 * exactly bt_bitfield_bytes(count) (BT_ERR_PEER_LENGTH), and the spare bits of
 * the last byte, the low 8 - count % 8 of them when count % 8 is not 0, must be
 * zero (BT_ERR_PEER_MESSAGE).  BEP 3: a peer that sets them should be dropped.
 */
enum bt_err bt_bitfield_check(const unsigned char *p, size_t len, size_t count)
{
    (void)p;
    (void)len;
    (void)count;
    return BT_ERR_PEER_LENGTH;
}

/* Check p as above for bf->count pieces, then copy it into bf->bits. */
enum bt_err bt_bitfield_load(struct bt_bitfield *bf, const unsigned char *p, size_t len)
{
    (void)bf;
    (void)p;
    (void)len;
    return BT_ERR_PEER_LENGTH;
}
