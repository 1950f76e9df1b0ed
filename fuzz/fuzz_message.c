/*
 * fuzz_message.c - libFuzzer harness for the peer wire parsers: the handshake
 * prefix check, message framing, bt_message_parse, the trace of every frame, and
 * the extension handshake dict.  The first two bytes choose the piece count, so
 * bitfield and have checks run against torrents of many sizes.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "wire/extension.h"
#include "wire/handshake.h"
#include "wire/message.h"
#include "wire/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t pieces, max_len, off;
    struct bt_buf text;

    if (size < 2)
        return 0;
    pieces = (size_t)data[0] << 8 | data[1];
    data += 2;
    size -= 2;
    max_len = bt_message_max_len(pieces);
    (void)bt_handshake_check_prefix(data, size < BT_HANDSHAKE_LEN ? size : BT_HANDSHAKE_LEN);
    bt_buf_init(&text, BT_TRACE_TEXT_MAX);
    if (size >= BT_HANDSHAKE_LEN)
        (void)bt_trace_handshake(&text, BT_TRACE_RECEIVED, data);
    off = 0;
    while (off < size) {
        struct bt_message m;
        const char *why = NULL;
        size_t flen;

        if (bt_message_frame(data + off, size - off, max_len, &flen) != BT_OK) {
            bt_buf_reset(&text);
            (void)bt_trace_oversized(&text, BT_TRACE_RECEIVED, data + off, max_len);
            break;
        }
        if (flen == 0 || flen > size - off)
            break;
        bt_buf_reset(&text);
        (void)bt_trace_message(&text, BT_TRACE_RECEIVED, data + off, flen, pieces);
        if (bt_message_parse(&m, data + off, flen, pieces, &why) == BT_OK &&
            m.id == BT_MSG_EXTENDED && m.ext_id == BT_EXT_HANDSHAKE_ID) {
            struct bt_ext_handshake eh;

            (void)bt_ext_handshake_parse(&eh, m.payload, m.payload_len);
        }
        off += flen;
    }
    bt_buf_release(&text);
    return 0;
}
