/*
 * fuzz_bencode.c - libFuzzer harness for the bencode decoder (lib/bencode/bencode.c) and
 * the JSON form (lib/bencode/json_write.c, json_read.c) on the way out and back.
 *
 * Every input is decoded strictly and leniently.  A strict decode means the input
 * is canonical, so bencode -> JSON -> bencode must give it back byte for byte, in
 * compact and in pretty JSON.  A lenient decode must still give JSON that reads
 * back (keeping the first of repeated keys) into bencode that decodes strictly.
 * Anything else is a bug: abort() so that libFuzzer keeps the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bencode/bencode.h"
#include "bencode/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* JSON of b's root with flags, read back with json_flags into back. */
static void through_json(const struct bt_bencode *b, unsigned flags, unsigned json_flags,
                         struct bt_buf *back)
{
    struct bt_buf json;
    size_t off;

    bt_buf_init(&json, BT_JSON_MAX_TEXT);
    bt_buf_reset(back);
    if (bt_json_from_bencode(&json, bt_bencode_root(b), flags) != BT_OK)
        abort();
    if (bt_json_to_bencode(back, json.data, json.len, json_flags, &off) != BT_OK)
        abort();
    bt_buf_release(&json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bt_bencode b, again;
    struct bt_buf back;

    bt_bencode_init(&b);
    bt_bencode_init(&again);
    bt_buf_init(&back, BT_BENCODE_MAX_INPUT);

    if (bt_bencode_parse(&b, data, size, BT_BENCODE_STRICT) == BT_OK) {
        if (b.consumed != size)
            abort();
        through_json(&b, 0, 0, &back);
        if (back.len != size || memcmp(back.data, data, size) != 0)
            abort();
        through_json(&b, BT_JSON_PRETTY, 0, &back);
        if (back.len != size || memcmp(back.data, data, size) != 0)
            abort();
    } else if (b.err_offset > size) {
        abort();
    }

    if (bt_bencode_parse(&b, data, size, BT_BENCODE_LENIENT) == BT_OK) {
        through_json(&b, 0, BT_JSON_LENIENT, &back);
        if (bt_bencode_parse(&again, back.data, back.len, BT_BENCODE_STRICT) != BT_OK)
            abort();
    }

    bt_buf_release(&back);
    bt_bencode_release(&again);
    bt_bencode_release(&b);
    return 0;
}
