/*
 * fuzz_fast.c - libFuzzer harness for the fast extension (BEP 6): the
 * negotiation of its bit, the allowed fast set of any address, torrent size
 * and k, and its five messages as bt_message_parse reads them, each of which
 * must be encoded back to the same bytes.
 *
 *   input:  8 reserved bytes of ours, 8 of theirs, a 20-byte info hash, an
 *           IPv4 address (4), a piece count (2), k (1), then peer wire frames
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/bytes.h"
#include "wire/fast.h"
#include "wire/handshake.h"
#include "wire/message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HEAD_LEN (2 * BT_RESERVED_LEN + BT_HANDSHAKE_HASH_LEN + 4 + 2 + 1)

/* The set's rules: min(k, pieces) distinct pieces, each below pieces, the
 * same for every address of the /24, and a smaller k a prefix of it. */
static void check_set(const unsigned char *hash, uint32_t ip, size_t pieces, size_t k)
{
    uint32_t set[BT_FAST_ALLOWED_MAX], other[BT_FAST_ALLOWED_MAX];
    size_t n, m, i, j;
    enum bt_err err = bt_fast_allowed_set(hash, ip, pieces, k, set, &n);

    if (pieces == 0) {
        if (err != BT_ERR_INVALID || n != 0)
            abort();
        return;
    }
    if (err != BT_OK || n != (k < pieces ? k : pieces))
        abort();
    for (i = 0; i < n; i++) {
        if (set[i] >= pieces)
            abort();
        for (j = i + 1; j < n; j++)
            if (set[i] == set[j])
                abort();
    }
    if (bt_fast_allowed_set(hash, ip ^ ~BT_FAST_IP_MASK, pieces, k, other, &m) != BT_OK || m != n ||
        memcmp(set, other, n * sizeof(set[0])) != 0)
        abort();
    if (k > 0 && (bt_fast_allowed_set(hash, ip, pieces, k - 1, other, &m) != BT_OK ||
                  memcmp(set, other, m * sizeof(set[0])) != 0))
        abort();
}

/* One parsed frame: a fast message is encoded again, byte for byte. */
static void check_message(const struct bt_message *m, const unsigned char *frame, size_t len,
                          size_t pieces)
{
    struct bt_buf out;
    enum bt_err err;

    if (bt_fast_is_message(m->id) != (m->id >= BT_MSG_SUGGEST && m->id <= BT_MSG_ALLOWED_FAST))
        abort();
    if (!bt_fast_is_message(m->id))
        return;
    if (strcmp(bt_message_name(m->id), "unknown") == 0)
        abort();
    bt_buf_init(&out, len);
    switch (m->id) {
    case BT_MSG_HAVE_ALL:
    case BT_MSG_HAVE_NONE:
        err = bt_message_put_simple(&out, m->id);
        break;
    case BT_MSG_SUGGEST:
    case BT_MSG_ALLOWED_FAST:
        if (pieces != 0 && m->index >= pieces)
            abort();
        err = bt_message_put_have(&out, m->id, m->index);
        break;
    default:
        err = bt_message_put_request(&out, m->id, m->index, m->begin, m->length);
        break;
    }
    if (err != BT_OK || out.len != len || memcmp(out.data, frame, len) != 0)
        abort();
    bt_buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const unsigned char *ours = data, *theirs = data + BT_RESERVED_LEN;
    const unsigned char *hash = data + 2 * BT_RESERVED_LEN;
    uint32_t ip, set[BT_FAST_ALLOWED_MAX];
    size_t pieces, k, off, max_len, n;
    int both;

    if (size < HEAD_LEN)
        return 0;
    both = (ours[BT_RESERVED_FAST_BYTE] & BT_RESERVED_FAST_BIT) != 0 &&
           (theirs[BT_RESERVED_FAST_BYTE] & BT_RESERVED_FAST_BIT) != 0;
    if (bt_fast_negotiated(ours, theirs) != both || bt_fast_negotiated(theirs, ours) != both)
        abort();
    off = 2 * BT_RESERVED_LEN + BT_HANDSHAKE_HASH_LEN;
    ip = bt_get_be32(data + off);
    pieces = (size_t)data[off + 4] << 8 | data[off + 5];
    k = data[off + 6] % (BT_FAST_ALLOWED_MAX + 1);
    check_set(hash, ip, pieces, k);
    /* A piece index travels in 4 bytes: a torrent of more pieces has no set. */
    if (sizeof(size_t) > sizeof(uint32_t) &&
        bt_fast_allowed_set(hash, ip, (size_t)UINT32_MAX + 1, k, set, &n) != BT_ERR_INVALID)
        abort();

    max_len = bt_message_max_len(pieces);
    for (off = HEAD_LEN; off < size;) {
        struct bt_message m;
        size_t flen;

        if (bt_message_frame(data + off, size - off, max_len, &flen) != BT_OK || flen == 0 ||
            flen > size - off)
            break;
        if (bt_message_parse(&m, data + off, flen, pieces, NULL) == BT_OK)
            check_message(&m, data + off, flen, pieces);
        off += flen;
    }
    return 0;
}
