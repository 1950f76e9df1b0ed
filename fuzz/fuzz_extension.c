/*
 * fuzz_extension.c - libFuzzer harness for the metadata exchange's parsers: an
 * extension handshake (BEP 10), then ut_metadata messages (BEP 9) fed into an
 * assembly sized by that handshake's metadata_size, the answers a serving peer
 * gives for the same bytes, and the input read as a magnet link.
 *
 *   input:  <2-byte length n> <n bytes: extension handshake> <messages...>
 *   each message: <2-byte length m> <m bytes: ut_metadata payload>
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "wire/extension.h"
#include "metainfo/magnet.h"
#include "wire/metadata.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t take_len(const uint8_t **data, size_t *size)
{
    size_t n;

    if (*size < 2)
        return 0;
    n = (size_t)(*data)[0] << 8 | (*data)[1];
    *data += 2;
    *size -= 2;
    return n < *size ? n : *size;
}

static void as_magnet(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    struct bt_magnet m;

    if (text == NULL)
        return;
    memcpy(text, data, size);
    text[size] = '\0';
    bt_magnet_init(&m);
    if (bt_magnet_parse(&m, text) == BT_OK)
        bt_magnet_release(&m);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned char hash[BT_INFOHASH_LEN] = {0};
    struct bt_ext_handshake eh;
    struct bt_metadata md;
    struct bt_buf answer;
    const uint8_t *all = data;
    size_t all_size = size, n;
    int have_size = 0;

    as_magnet(data, size);
    n = take_len(&data, &size);
    bt_metadata_init(&md, hash);
    if (bt_ext_handshake_parse(&eh, data, n) == BT_OK) {
        (void)bt_ext_handshake_id(&eh, BT_EXT_UT_METADATA);
        have_size = bt_metadata_set_size(&md, eh.metadata_size) == BT_OK;
    }
    data += n;
    size -= n;
    bt_buf_init(&answer, BT_METADATA_MAX_HEAD + BT_METADATA_PIECE);
    while (size > 0) {
        struct bt_metadata_msg m;
        int type;

        n = take_len(&data, &size);
        if (n == 0)
            break;
        if (bt_metadata_parse(&m, data, n) == BT_OK) {
            if (have_size && m.type == BT_METADATA_DATA && bt_metadata_take(&md, &m) == BT_OK &&
                bt_metadata_complete(&md))
                (void)bt_metadata_verify(&md);
            bt_buf_reset(&answer);
            (void)bt_metadata_answer(&answer, all, all_size, m.piece, &type);
        }
        data += n;
        size -= n;
    }
    bt_buf_release(&answer);
    bt_metadata_release(&md);
    return 0;
}
