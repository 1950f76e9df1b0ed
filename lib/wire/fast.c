/*
 * fast.c - BEP 6's negotiation and allowed fast set.  See fast.h for the
 * messages and the algorithm.
 */
#include "wire/fast.h"

#include <string.h>

#include "core/bytes.h"
#include "core/sha1.h"
#include "wire/message.h"

#define WORD_LEN 4 /* BEP 6: the digest is read as five 4-byte big-endian words */

int bt_fast_negotiated(const unsigned char ours[BT_RESERVED_LEN],
                       const unsigned char theirs[BT_RESERVED_LEN])
{
    return bt_handshake_has_bit(ours, BT_RESERVED_FAST_BYTE, BT_RESERVED_FAST_BIT) &&
           bt_handshake_has_bit(theirs, BT_RESERVED_FAST_BYTE, BT_RESERVED_FAST_BIT);
}

int bt_fast_is_message(unsigned id)
{
    switch (id) {
    case BT_MSG_SUGGEST:
    case BT_MSG_HAVE_ALL:
    case BT_MSG_HAVE_NONE:
    case BT_MSG_REJECT:
    case BT_MSG_ALLOWED_FAST:
        return 1;
    default:
        return 0;
    }
}

static int seen(const uint32_t *set, size_t n, uint32_t index)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (set[i] == index)
            return 1;
    return 0;
}

enum bt_err bt_fast_allowed_set(const unsigned char info_hash[BT_HANDSHAKE_HASH_LEN], uint32_t ipv4,
                                size_t piece_count, size_t k, uint32_t *out, size_t *n)
{
    unsigned char x[WORD_LEN + BT_HANDSHAKE_HASH_LEN];
    size_t len = sizeof(x);

    *n = 0;
    if (piece_count == 0 || piece_count > UINT32_MAX)
        return BT_ERR_INVALID;
    /* With k >= piece_count the set is every piece; asking for more could never end. */
    if (k > piece_count)
        k = piece_count;
    bt_put_be32(x, ipv4 & BT_FAST_IP_MASK);
    memcpy(x + WORD_LEN, info_hash, BT_HANDSHAKE_HASH_LEN);
    while (*n < k) {
        unsigned char digest[BT_SHA1_LEN];
        size_t i;
        enum bt_err err = bt_sha1(x, len, digest);

        if (err != BT_OK)
            return err;
        /* From the second round on, x is the last digest. */
        memcpy(x, digest, BT_SHA1_LEN);
        len = BT_SHA1_LEN;
        for (i = 0; i < BT_SHA1_LEN / WORD_LEN && *n < k; i++) {
            uint32_t index = (uint32_t)(bt_get_be32(digest + i * WORD_LEN) % piece_count);

            if (!seen(out, *n, index))
                out[(*n)++] = index;
        }
    }
    return BT_OK;
}
