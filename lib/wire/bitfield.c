/*
 * bitfield.c - one bit per piece, high bit first (BEP 3).  See bitfield.h.
 */
#include "wire/bitfield.h"

#include <stdlib.h>
#include <string.h>

size_t bt_bitfield_bytes(size_t count)
{
    return count / 8 + (count % 8 != 0 ? 1 : 0);
}

void bt_bitfield_init(struct bt_bitfield *bf)
{
    bf->bits = NULL;
    bf->count = 0;
}

void bt_bitfield_release(struct bt_bitfield *bf)
{
    free(bf->bits);
    bt_bitfield_init(bf);
}

enum bt_err bt_bitfield_resize(struct bt_bitfield *bf, size_t count)
{
    unsigned char *p = NULL;

    if (count > 0) {
        p = calloc(bt_bitfield_bytes(count), 1);
        if (p == NULL)
            return BT_ERR_NOMEM;
    }
    free(bf->bits);
    bf->bits = p;
    bf->count = count;
    return BT_OK;
}

int bt_bitfield_get(const struct bt_bitfield *bf, size_t idx)
{
    if (idx >= bf->count)
        return 0;
    return (bf->bits[idx / 8] >> (7 - idx % 8)) & 1;
}

void bt_bitfield_set(struct bt_bitfield *bf, size_t idx)
{
    if (idx < bf->count)
        bf->bits[idx / 8] |= (unsigned char)(0x80u >> (idx % 8));
}

void bt_bitfield_set_all(struct bt_bitfield *bf)
{
    size_t i;

    for (i = 0; i < bf->count; i++)
        bt_bitfield_set(bf, i);
}

size_t bt_bitfield_popcount(const struct bt_bitfield *bf)
{
    size_t i, n = 0;

    for (i = 0; i < bf->count; i++)
        n += (size_t)bt_bitfield_get(bf, i);
    return n;
}

enum bt_err bt_bitfield_check(const unsigned char *p, size_t len, size_t count)
{
    size_t nbytes = bt_bitfield_bytes(count);
    unsigned spare;

    if (len != nbytes)
        return BT_ERR_PEER_LENGTH;
    if (nbytes == 0)
        return BT_OK;
    /* The low (8 - count % 8) bits of the last byte lie past the last piece. */
    spare = count % 8 == 0 ? 0u : (0xffu >> (count % 8));
    if ((p[nbytes - 1] & spare) != 0)
        return BT_ERR_PEER_MESSAGE;
    return BT_OK;
}

enum bt_err bt_bitfield_load(struct bt_bitfield *bf, const unsigned char *p, size_t len)
{
    enum bt_err err = bt_bitfield_check(p, len, bf->count);

    if (err != BT_OK)
        return err;
    if (len > 0)
        memcpy(bf->bits, p, len);
    return BT_OK;
}
