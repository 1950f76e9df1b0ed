/*
 * test_bencode.c - the decoder against known vectors: values, the node layout,
 * every strict-mode rejection with its byte offset, limits, and the encoder.
 */
#include <stdint.h>
#include <string.h>

#include "bencode/bencode.h"
#include "tap.h"

static enum bt_err parse(struct bt_bencode *b, const char *s, unsigned flags)
{
    return bt_bencode_parse(b, s, strlen(s), flags);
}

/* Each malformed input, the error it must give, and where. */
static const struct {
    const char *input;
    enum bt_err err;
    size_t offset;
} bad[] = {
    {"", BT_ERR_BENCODE_TRUNCATED, 0},
    {"i42", BT_ERR_BENCODE_TRUNCATED, 3},
    {"ie", BT_ERR_BENCODE_SYNTAX, 1},
    {"i03e", BT_ERR_BENCODE_LEADING_ZERO, 1},
    {"i-0e", BT_ERR_BENCODE_NEGATIVE_ZERO, 1},
    {"i-e", BT_ERR_BENCODE_SYNTAX, 2},
    {"i1x", BT_ERR_BENCODE_SYNTAX, 2},
    {"i9223372036854775808e", BT_ERR_BENCODE_INT_OVERFLOW, 1},
    {"i-9223372036854775809e", BT_ERR_BENCODE_INT_OVERFLOW, 2},
    {"03:abc", BT_ERR_BENCODE_LEADING_ZERO, 0},
    {"5:abc", BT_ERR_BENCODE_STRLEN, 0},
    {"99999999999999999999999:a", BT_ERR_BENCODE_INT_OVERFLOW, 0},
    {"3abc", BT_ERR_BENCODE_SYNTAX, 1},
    {"l", BT_ERR_BENCODE_TRUNCATED, 1},
    {"li1e", BT_ERR_BENCODE_TRUNCATED, 4},
    {"x", BT_ERR_BENCODE_SYNTAX, 0},
    {"i1ei2e", BT_ERR_BENCODE_TRAILING, 3},
    {"di1e1:ae", BT_ERR_BENCODE_KEY_TYPE, 1},
    {"d1:b0:1:a0:e", BT_ERR_BENCODE_KEY_ORDER, 6},
    {"d1:a0:1:a0:e", BT_ERR_BENCODE_KEY_DUP, 6},
    {"d2:ab0:1:a0:e", BT_ERR_BENCODE_KEY_ORDER, 7},
    {"d1:ae", BT_ERR_BENCODE_SYNTAX, 4},
    {"e", BT_ERR_BENCODE_SYNTAX, 0},
};

int main(void)
{
    struct bt_bencode b;
    const struct bt_bnode *root, *v;
    struct bt_buf out;
    size_t i;
    char deep[300];

    bt_bencode_init(&b);

    ok(parse(&b, "i42e", 0) == BT_OK && b.nodes[0].type == BT_BENCODE_INT && b.nodes[0].i == 42,
       "i42e is the integer 42");
    ok(parse(&b, "i-9223372036854775808e", 0) == BT_OK && b.nodes[0].i == INT64_MIN,
       "INT64_MIN decodes");
    ok(parse(&b, "i9223372036854775807e", 0) == BT_OK && b.nodes[0].i == INT64_MAX,
       "INT64_MAX decodes");
    ok(parse(&b, "0:", 0) == BT_OK && b.nodes[0].type == BT_BENCODE_STR && b.nodes[0].slen == 0,
       "0: is the empty string");
    ok(parse(&b, "4:sp\0m", 0) == BT_ERR_BENCODE_STRLEN, "strlen stops at NUL in this helper");
    ok(bt_bencode_parse(&b, "4:sp\0m", 6, 0) == BT_OK && b.nodes[0].slen == 4 &&
           memcmp(b.nodes[0].s, "sp\0m", 4) == 0,
       "strings are binary-safe");

    ok(parse(&b, "d3:bar4:spam3:fooli1ei2eee", 0) == BT_OK, "nested dict parses");
    root = bt_bencode_root(&b);
    ok(root->type == BT_BENCODE_DICT && root->count == 2 && root->skip == 7 && b.n == 7,
       "dict has 2 pairs and 7 nodes");
    ok(root->enc_len == strlen("d3:bar4:spam3:fooli1ei2eee"), "root covers the whole input");
    v = bt_bnode_dict_get(root, "foo");
    ok(v != NULL && v->type == BT_BENCODE_LIST && v->count == 2 && v->skip == 3, "foo is a list");
    ok(v != NULL && bt_bnode_list_at(v, 1)->i == 2, "foo[1] is 2");
    ok(v != NULL && v->offset == 17 && v->enc_len == 8, "list offset and length are exact");
    ok(bt_bnode_str_eq(bt_bnode_dict_get(root, "bar"), "spam"), "bar is spam");
    ok(bt_bnode_dict_get(root, "baz") == NULL, "absent key is NULL");
    ok(bt_bnode_dict_get_type(root, "bar", BT_BENCODE_INT) == NULL, "typed lookup checks type");

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        enum bt_err err = parse(&b, bad[i].input, 0);

        ok(err == bad[i].err && b.err_offset == bad[i].offset,
           "'%s' fails with '%s' at %zu (got '%s' at %zu)", bad[i].input, bt_strerror(bad[i].err),
           bad[i].offset, bt_strerror(err), b.err_offset);
    }

    ok(parse(&b, "i03e", BT_BENCODE_LENIENT) == BT_OK && b.nodes[0].i == 3,
       "lenient accepts a leading zero");
    ok(parse(&b, "d1:b0:1:a0:e", BT_BENCODE_LENIENT) == BT_OK, "lenient accepts unsorted keys");
    ok(parse(&b, "i1e\n", BT_BENCODE_LENIENT) == BT_OK && b.consumed == 3,
       "lenient ignores trailing bytes");
    ok(parse(&b, "i1ei2e", BT_BENCODE_PREFIX) == BT_OK && b.consumed == 3,
       "prefix mode stops after one value");

    memset(deep, 'l', sizeof(deep));
    ok(bt_bencode_parse(&b, deep, sizeof(deep), 0) == BT_ERR_BENCODE_DEPTH &&
           b.err_offset == BT_BENCODE_DEFAULT_DEPTH,
       "nesting is capped at the default depth");
    b.max_tokens = 3;
    ok(parse(&b, "li1ei2ei3ee", 0) == BT_ERR_BENCODE_TOKENS, "the value count is capped");
    b.max_tokens = BT_BENCODE_DEFAULT_TOKENS;

    bt_buf_init(&out, 1024);
    ok(bt_bencode_put_dict(&out) == BT_OK && bt_bencode_put_cstr(&out, "a") == BT_OK &&
           bt_bencode_put_int(&out, -7) == BT_OK && bt_bencode_put_cstr(&out, "b") == BT_OK &&
           bt_bencode_put_list(&out) == BT_OK && bt_bencode_put_str(&out, "x\0y", 3) == BT_OK &&
           bt_bencode_put_end(&out) == BT_OK && bt_bencode_put_end(&out) == BT_OK,
       "encoder writes without error");
    ok(out.len == strlen("d1:ai-7e1:bl3:x") + 4 &&
           memcmp(out.data, "d1:ai-7e1:bl3:x\0yee", 19) == 0,
       "encoder output is canonical");
    ok(bt_bencode_parse(&b, out.data, out.len, 0) == BT_OK, "encoder output decodes strictly");
    bt_buf_release(&out);

    bt_buf_init(&out, 4);
    ok(bt_buf_append(&out, "12345", 5) == BT_ERR_TOO_LARGE && out.len == 0,
       "a buffer never grows past its cap");
    bt_buf_release(&out);

    bt_bencode_release(&b);
    return tap_done();
}
