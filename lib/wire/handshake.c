/*
 * handshake.c - BEP 3's 68-byte handshake and its reserved bits.  See handshake.h
 * for the drawing.
 */
#include "wire/handshake.h"

#include <string.h>

#define PSTR_AT     1
#define RESERVED_AT (PSTR_AT + BT_HANDSHAKE_PSTR_LEN)
#define HASH_AT     (RESERVED_AT + BT_RESERVED_LEN)
#define PEER_ID_AT  (HASH_AT + BT_HANDSHAKE_HASH_LEN)

void bt_handshake_encode(const struct bt_handshake *hs, unsigned char out[BT_HANDSHAKE_LEN])
{
    out[0] = BT_HANDSHAKE_PSTR_LEN;
    memcpy(out + PSTR_AT, BT_HANDSHAKE_PSTR, BT_HANDSHAKE_PSTR_LEN);
    memcpy(out + RESERVED_AT, hs->reserved, BT_RESERVED_LEN);
    memcpy(out + HASH_AT, hs->info_hash, BT_HANDSHAKE_HASH_LEN);
    memcpy(out + PEER_ID_AT, hs->peer_id, BT_PEER_ID_LEN);
}

enum bt_err bt_handshake_check_prefix(const unsigned char *p, size_t n)
{
    size_t i;

    if (n == 0)
        return BT_OK;
    if (p[0] != BT_HANDSHAKE_PSTR_LEN)
        return BT_ERR_PEER_HANDSHAKE;
    for (i = PSTR_AT; i < n && i < RESERVED_AT; i++)
        if (p[i] != (unsigned char)BT_HANDSHAKE_PSTR[i - PSTR_AT])
            return BT_ERR_PEER_HANDSHAKE;
    return BT_OK;
}

enum bt_err bt_handshake_decode(struct bt_handshake *hs, const unsigned char in[BT_HANDSHAKE_LEN])
{
    enum bt_err err = bt_handshake_check_prefix(in, BT_HANDSHAKE_LEN);

    if (err != BT_OK)
        return err;
    memcpy(hs->reserved, in + RESERVED_AT, BT_RESERVED_LEN);
    memcpy(hs->info_hash, in + HASH_AT, BT_HANDSHAKE_HASH_LEN);
    memcpy(hs->peer_id, in + PEER_ID_AT, BT_PEER_ID_LEN);
    return BT_OK;
}

void bt_handshake_set_bit(unsigned char reserved[BT_RESERVED_LEN], int byte, unsigned mask)
{
    reserved[byte] |= (unsigned char)mask;
}

int bt_handshake_has_bit(const unsigned char reserved[BT_RESERVED_LEN], int byte, unsigned mask)
{
    return (reserved[byte] & mask) != 0;
}
