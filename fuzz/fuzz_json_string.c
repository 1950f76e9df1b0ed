/*
 * fuzz_json_string.c - libFuzzer harness for bt_json_put_string(), the one JSON
 * string escaper (lib/bencode/json_write.c), against the reader of json_read.c.
 *
 * Every input, whatever its bytes, is written as a JSON string literal.  That
 * must read back strictly as one string, and give the input's bytes again when
 * they are well-formed UTF-8 (other bytes read back as U+0080..U+00FF, json.h).
 * Anything else is a bug: abort() so that libFuzzer keeps the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bencode/bencode.h"
#include "bencode/json.h"
#include "bencode/utf8.h"

/* What goes wrong in an escaper is local to a byte or a UTF-8 sequence: a short
 * prefix finds it, and many short runs beat a few long ones. */
#define PREFIX_MAX 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bt_buf json, out;
    struct bt_bencode b;
    const struct bt_bnode *s;
    size_t off;

    bt_buf_init(&json, BT_JSON_MAX_TEXT);
    bt_buf_init(&out, BT_BENCODE_MAX_INPUT);
    bt_bencode_init(&b);

    if (size > PREFIX_MAX)
        size = PREFIX_MAX;
    if (bt_json_put_string(&json, (const char *)data, size) != BT_OK)
        abort();
    if (bt_json_to_bencode(&out, json.data, json.len, 0, &off) != BT_OK)
        abort();
    if (bt_bencode_parse(&b, out.data, out.len, BT_BENCODE_STRICT) != BT_OK)
        abort();
    s = bt_bencode_root(&b);
    if (s->type != BT_BENCODE_STR)
        abort();
    if (bt_utf8_valid(data, size) && (s->slen != size || memcmp(s->s, data, size) != 0))
        abort();

    bt_bencode_release(&b);
    bt_buf_release(&out);
    bt_buf_release(&json);
    return 0;
}
