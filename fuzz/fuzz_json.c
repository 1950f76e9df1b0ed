/*
 * fuzz_json.c - libFuzzer harness for the JSON reader of lib/bencode/json_read.c.
 *
 * Every input is read as JSON, strictly and leniently.  What converts must be
 * canonical bencode (it decodes strictly), and converting it to JSON and back
 * must give the same bytes again.  An error must point inside the input.
 * Anything else is a bug: abort() so that libFuzzer keeps the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bencode/bencode.h"
#include "bencode/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const uint8_t *data, size_t size, unsigned flags)
{
    struct bt_buf out, json, again;
    struct bt_bencode b;
    size_t off;

    bt_buf_init(&out, BT_BENCODE_MAX_INPUT);
    bt_buf_init(&json, BT_JSON_MAX_TEXT);
    bt_buf_init(&again, BT_BENCODE_MAX_INPUT);
    bt_bencode_init(&b);

    if (bt_json_to_bencode(&out, data, size, flags, &off) == BT_OK) {
        if (bt_bencode_parse(&b, out.data, out.len, BT_BENCODE_STRICT) != BT_OK)
            abort();
        if (bt_json_from_bencode(&json, bt_bencode_root(&b), 0) != BT_OK)
            abort();
        if (bt_json_to_bencode(&again, json.data, json.len, 0, &off) != BT_OK)
            abort();
        if (again.len != out.len || memcmp(again.data, out.data, out.len) != 0)
            abort();
    } else if (off != BT_JSON_NO_OFFSET && off > size) {
        abort();
    }

    bt_bencode_release(&b);
    bt_buf_release(&again);
    bt_buf_release(&json);
    bt_buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check(data, size, 0);
    check(data, size, BT_JSON_LENIENT);
    return 0;
}
