/*
 * test_json.c - the JSON form against known vectors: bencode to JSON (compact and
 * pretty, the "$hex" and "$dict" escapes), JSON to bencode (sorting, escapes,
 * every rejection with its byte offset), round trips of awkward values, and the
 * bt_json_put_* tokens that tools build their own documents with.
 */
#include <stdint.h>
#include <string.h>

#include "bencode/bencode.h"
#include "bencode/json.h"
#include "tap.h"

/* The JSON text to_json() returns lives here until the next call. */
static struct bt_buf json_text;

/* bencode (len bytes) to JSON; "" on any error. */
static const char *to_json(const char *benc, size_t len, unsigned parse_flags, unsigned flags)
{
    struct bt_bencode b;
    enum bt_err err;

    bt_buf_release(&json_text);
    bt_buf_init(&json_text, 1 << 20);
    bt_bencode_init(&b);
    err = bt_bencode_parse(&b, benc, len, parse_flags);
    if (err == BT_OK)
        err = bt_json_from_bencode(&json_text, bt_bencode_root(&b), flags);
    bt_bencode_release(&b);
    return err == BT_OK && json_text.data != NULL ? (const char *)json_text.data : "";
}

/* String literals may hold NUL bytes: take their length from sizeof. */
#define JSON_OF(lit)      to_json(lit, sizeof(lit) - 1, 0, 0)
#define JSON_LENIENT(lit) to_json(lit, sizeof(lit) - 1, BT_BENCODE_LENIENT, 0)
#define JSON_PRETTY(lit)  to_json(lit, sizeof(lit) - 1, 0, BT_JSON_PRETTY)
#define ROUND_TRIPS(lit)  round_trips(lit, sizeof(lit) - 1)

/* JSON to bencode into out; returns the error, and the offset through *off. */
static enum bt_err to_benc(struct bt_buf *out, const char *json, unsigned flags, size_t *off)
{
    bt_buf_release(out);
    bt_buf_init(out, 1 << 20);
    return bt_json_to_bencode(out, json, strlen(json), flags, off);
}

/* Encodes to exactly want (NUL-free)? */
static int encodes_to(const char *json, const char *want)
{
    struct bt_buf out;
    size_t off;
    int same;

    bt_buf_init(&out, 0);
    same = to_benc(&out, json, 0, &off) == BT_OK && out.len == strlen(want) &&
           memcmp(out.data, want, out.len) == 0;
    bt_buf_release(&out);
    return same;
}

/* Bencode -> JSON -> bencode gives the same bytes back? */
static int round_trips(const char *benc, size_t len)
{
    const char *json = to_json(benc, len, 0, 0);
    struct bt_buf out;
    size_t off;
    int same;

    bt_buf_init(&out, 0);
    same = json[0] != '\0' && to_benc(&out, json, 0, &off) == BT_OK && out.len == len &&
           memcmp(out.data, benc, len) == 0;
    bt_buf_release(&out);
    return same;
}

/* The n bytes at s through bt_json_put_string() alone: exactly want? */
static int string_is(const char *s, size_t n, const char *want)
{
    struct bt_buf out;
    int same;

    bt_buf_init(&out, 1 << 10);
    same = bt_json_put_string(&out, s, n) == BT_OK && out.len == strlen(want) &&
           memcmp(out.data, want, out.len) == 0;
    bt_buf_release(&out);
    return same;
}

#define STRING_IS(lit, want) string_is(lit, sizeof(lit) - 1, want)

/* A small document built from the tokens, as a tool would build one. */
static enum bt_err put_document(struct bt_buf *out)
{
    enum bt_err err = bt_buf_append_byte(out, '{');

    if (err == BT_OK)
        err = bt_json_put_key(out, "url");
    if (err == BT_OK)
        err = bt_json_put_cstring(out, "http://t/a?x=\"1\"");
    if (err == BT_OK)
        err = bt_json_put_key(out, "failure");
    if (err == BT_OK)
        err = bt_json_put_cstring(out, NULL);
    if (err == BT_OK)
        err = bt_json_put_key(out, "seeders");
    if (err == BT_OK)
        err = bt_json_put_int(out, INT64_MIN);
    if (err == BT_OK)
        err = bt_json_put_key(out, "peers");
    if (err == BT_OK)
        err = bt_buf_append_byte(out, '[');
    if (err == BT_OK)
        err = bt_json_put_null(out);
    if (err == BT_OK)
        err = bt_buf_append_byte(out, ',');
    if (err == BT_OK)
        err = bt_buf_append_byte(out, '{');
    if (err == BT_OK)
        err = bt_json_put_key(out, "a\tb");
    if (err == BT_OK)
        err = bt_json_put_int(out, 0);
    if (err == BT_OK)
        err = bt_buf_append(out, "}]}", 3);
    return err;
}

/* Each JSON text that must fail, the error, and where. */
static const struct {
    const char *json;
    enum bt_err err;
    size_t offset;
} bad[] = {
    {"", BT_ERR_BENCODE_TRUNCATED, 0},
    {"  ", BT_ERR_BENCODE_TRUNCATED, 2},
    {"[1,", BT_ERR_BENCODE_TRUNCATED, 3},
    {"\"abc", BT_ERR_BENCODE_TRUNCATED, 4},
    {"1.5", BT_ERR_JSON_NOT_INTEGER, 1},
    {"[1e3]", BT_ERR_JSON_NOT_INTEGER, 2},
    {"9223372036854775808", BT_ERR_BENCODE_INT_OVERFLOW, 0},
    {"[-9223372036854775809]", BT_ERR_BENCODE_INT_OVERFLOW, 1},
    {"01", BT_ERR_JSON_SYNTAX, 1},
    {"-", BT_ERR_BENCODE_TRUNCATED, 1},
    {"[true]", BT_ERR_JSON_LITERAL, 1},
    {"{\"a\":null}", BT_ERR_JSON_LITERAL, 5},
    {"nul", BT_ERR_JSON_SYNTAX, 0},
    {"[1,]", BT_ERR_JSON_SYNTAX, 3},
    {"{\"a\":1,}", BT_ERR_JSON_SYNTAX, 7},
    {"[1}", BT_ERR_JSON_SYNTAX, 2},
    {"{1:2}", BT_ERR_JSON_SYNTAX, 1},
    {"{\"a\" 1}", BT_ERR_JSON_SYNTAX, 5},
    {"[1] 2", BT_ERR_BENCODE_TRAILING, 4},
    {"\"a\tb\"", BT_ERR_JSON_SYNTAX, 2},
    {"\"\\x\"", BT_ERR_JSON_ESCAPE, 1},
    {"\"\\ud800\"", BT_ERR_JSON_ESCAPE, 1},
    {"\"ab\\udc00\"", BT_ERR_JSON_ESCAPE, 3},
    {"\"\\ud800\\u0041\"", BT_ERR_JSON_ESCAPE, 1},
    {"\"\\u12g4\"", BT_ERR_JSON_ESCAPE, 1},
    {"\"\xff\"", BT_ERR_JSON_UTF8, 1},
    {"\"\xc0\x80\"", BT_ERR_JSON_UTF8, 1},
    {"\"\xed\xa0\x80\"", BT_ERR_JSON_UTF8, 1},
    {"\"\xf4\x90\x80\x80\"", BT_ERR_JSON_UTF8, 1},
    {"{\"a\":1,\"a\":2}", BT_ERR_BENCODE_KEY_DUP, 7},
    {"{\"$dict\":[[\"a\",1],[\"a\",2]]}", BT_ERR_BENCODE_KEY_DUP, 19},
    {"{\"$hex\":\"abc\"}", BT_ERR_JSON_BINARY, 0},
    {"[{\"$hex\":\"zz\"}]", BT_ERR_JSON_BINARY, 1},
    {"{\"$hex\":12}", BT_ERR_JSON_BINARY, 0},
    {"{\"$dict\":{}}", BT_ERR_JSON_BINARY, 0},
    {"{\"$dict\":[[\"a\"]]}", BT_ERR_JSON_BINARY, 10},
    {"{\"$dict\":[[1,2]]}", BT_ERR_JSON_BINARY, 10},
};

int main(void)
{
    struct bt_buf out;
    size_t i, off;
    char deep[400];

    bt_buf_init(&out, 0);

    ok(strcmp(JSON_OF("l5:helloi52ee"), "[\"hello\",52]") == 0, "a list is a JSON array");
    ok(strcmp(JSON_OF("d1:ai-1e1:b0:1:cdee"), "{\"a\":-1,\"b\":\"\",\"c\":{}}") == 0,
       "a dict is a JSON object in key order");
    ok(strcmp(JSON_OF("i-9223372036854775808e"), "-9223372036854775808") == 0,
       "INT64_MIN is written exactly");
    ok(strcmp(JSON_OF("3:\xff\x00\x01"), "{\"$hex\":\"ff0001\"}") == 0,
       "a string that is not UTF-8 is written as $hex");
    ok(strcmp(JSON_OF("7:caf\xc3\xa9\x7f\x01"), "\"caf\xc3\xa9\\u007f\\u0001\"") == 0,
       "UTF-8 stays text; control characters are escaped as jq does");
    ok(strcmp(JSON_OF("6:\"\\\n\t\b\f"), "\"\\\"\\\\\\n\\t\\b\\f\"") == 0,
       "quote, backslash and the short escapes");
    ok(strcmp(JSON_OF("3:\xed\xa0\x80"), "{\"$hex\":\"eda080\"}") == 0,
       "an encoded surrogate is not UTF-8");
    ok(strcmp(JSON_OF("2:\xc0\x80"), "{\"$hex\":\"c080\"}") == 0, "an overlong form is not UTF-8");
    ok(strcmp(JSON_OF("d4:$hexi1ee"), "{\"$dict\":[[\"$hex\",1]]}") == 0,
       "a real dict that looks like an escape is written as $dict");
    ok(strcmp(JSON_OF("d4:$hexi1e1:ai2ee"), "{\"$hex\":1,\"a\":2}") == 0,
       "a two-key dict with a $hex key is a plain object");
    ok(strcmp(JSON_OF("d5:$dictle1:xi1ee"), "{\"$dict\":[],\"x\":1}") == 0,
       "a two-key dict with a $dict key is a plain object");
    ok(strcmp(JSON_OF("d1:ai2e2:\xaa\xbbi1ee"),
              "{\"$dict\":[[\"a\",2],[{\"$hex\":\"aabb\"},1]]}") == 0,
       "a dict with a binary key is written as $dict pairs");
    ok(strcmp(JSON_LENIENT("d1:ai1e1:ai2ee"), "{\"$dict\":[[\"a\",1],[\"a\",2]]}") == 0,
       "a leniently decoded dict with a repeated key is written as $dict");
    ok(strcmp(JSON_LENIENT("d1:bi1e1:ai2ee"), "{\"b\":1,\"a\":2}") == 0,
       "unsorted keys keep their order");
    ok(strcmp(JSON_OF("d1:ali1ed1:xleeee"), "{\"a\":[1,{\"x\":[]}]}") == 0,
       "nesting in compact form");
    ok(strcmp(JSON_PRETTY("d1:ali1ed1:xleee1:b3:\xff\xfe\xfd"
                          "e"),
              "{\n  \"a\": [\n    1,\n    {\n      \"x\": []\n    }\n  ],\n"
              "  \"b\": {\"$hex\": \"fffefd\"}\n}") == 0,
       "pretty form indents by two and keeps $hex on one line");
    ok(strcmp(JSON_PRETTY("d1:\xffi1ee"),
              "{\n  \"$dict\": [\n    [\n      {\"$hex\": \"ff\"},\n      1\n    ]\n  ]\n}") == 0,
       "pretty $dict form");

    ok(encodes_to("[\"hello\",52]", "l5:helloi52ee"), "a JSON array is a list");
    ok(encodes_to(" {\"b\" : 1 , \"a\":[ ] ,\"\":{}}\n", "d0:de1:ale1:bi1ee"),
       "object keys are sorted, whitespace ignored");
    ok(encodes_to("{\"b\":1,\"ab\":2,\"a\":3}", "d1:ai3e2:abi2e1:bi1ee"),
       "a key sorts before its extensions");
    ok(encodes_to("{\"\xc3\xa9\":1,\"z\":2}", "d1:zi2e2:\xc3\xa9i1ee"),
       "keys sort by raw UTF-8 bytes");
    ok(encodes_to("[-9223372036854775808,9223372036854775807,-0,0]",
                  "li-9223372036854775808ei9223372036854775807ei0ei0ee"),
       "int64 extremes are exact; -0 is 0");
    ok(encodes_to("\"\\u00e9\\ud83d\\ude00\\/\\u0041\"", "8:\xc3\xa9\xf0\x9f\x98\x80/A"),
       "\\u escapes and surrogate pairs become UTF-8");
    ok(to_benc(&out, "{\"$hex\":\"00FFab\"}", 0, &off) == BT_OK && out.len == 5 &&
           memcmp(out.data, "3:\x00\xff\xab", 5) == 0,
       "$hex takes either case and may hold NUL bytes");
    ok(encodes_to("{\"$dict\":[[\"b\",1],[{\"$hex\":\"61\"},2]]}", "d1:ai2e1:bi1ee"),
       "$dict pairs are sorted too");
    ok(encodes_to("{\"$hex\":1,\"a\":2}", "d4:$hexi1e1:ai2ee"),
       "an object with more than one member is never an escape");
    ok(encodes_to("{\"$dict\":[]}", "de"), "an empty $dict is an empty dict");
    ok(to_benc(&out, "{\"a\":1,\"a\":2}", BT_JSON_LENIENT, &off) == BT_OK && out.len == 8 &&
           memcmp(out.data, "d1:ai1ee", 8) == 0,
       "lenient keeps the first of repeated keys");

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        enum bt_err err = to_benc(&out, bad[i].json, 0, &off);

        ok(err == bad[i].err && off == bad[i].offset,
           "'%s' fails with '%s' at %zu (got '%s' at %zu)", bad[i].json, bt_strerror(bad[i].err),
           bad[i].offset, bt_strerror(err), off);
    }

    memset(deep, '[', sizeof(deep));
    ok(bt_json_to_bencode(&out, deep, sizeof(deep), 0, &off) == BT_ERR_BENCODE_DEPTH &&
           off == BT_JSON_MAX_DEPTH,
       "JSON nesting is capped");
    memset(deep, '[', 101);
    memset(deep + 101, ']', 101);
    ok(bt_json_to_bencode(&out, deep, 202, 0, &off) == BT_ERR_BENCODE_DEPTH && off == 100,
       "bencode output nesting is capped at the decoder's default depth");
    bt_buf_reset(&out);
    ok(bt_json_to_bencode(&out, deep + 1, 200, 0, &off) == BT_OK && out.len == 200,
       "100 levels are allowed");
    bt_buf_release(&out);
    bt_buf_init(&out, 4);
    ok(bt_json_to_bencode(&out, "\"hello\"", 7, 0, &off) == BT_ERR_JSON_OUTPUT &&
           off == BT_JSON_NO_OFFSET,
       "the output cap is reported without an offset");

    ok(ROUND_TRIPS("d1:\xffl3:\xfe\xfd\xfc"
                   "d4:$hexi1eeee"),
       "binary keys and escapes");
    ok(ROUND_TRIPS("d5:$dictd5:$dicti0eee"), "nested $dict lookalikes");
    ok(ROUND_TRIPS("l0:2:\x00\x00"
                   "1:\x7f"
                   "1:\x1fi0ee"),
       "NUL, DEL and control bytes");
    ok(ROUND_TRIPS("d0:i0e4:\xf0\x9f\x98\x80i1ee"), "empty and four-byte UTF-8 keys");

    ok(STRING_IS("", "\"\""), "put_string: the empty string");
    ok(STRING_IS("caf\xc3\xa9 \xf0\x9f\x98\x80/", "\"caf\xc3\xa9 \xf0\x9f\x98\x80/\""),
       "put_string: UTF-8 text and / are written as they are");
    ok(STRING_IS("\"\\\b\f\n\r\t\x01\x1f\x7f", "\"\\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f\""),
       "put_string: quote, backslash, short escapes, other controls and DEL as jq writes them");
    ok(STRING_IS("a\0b", "\"a\\u0000b\""), "put_string: a NUL byte is \\u0000");
    ok(STRING_IS("\xff\xc3\xa9\n", "\"\\u00ff\\u00c3\\u00a9\\n\""),
       "put_string: in bytes that are not UTF-8, every high byte is \\u00XX");
    ok(STRING_IS("\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\""),
       "put_string: an encoded surrogate is not UTF-8 either");
    bt_buf_release(&json_text);
    bt_buf_init(&json_text, 1 << 10);
    ok(bt_json_put_string(&json_text, "\xfe\xc3", 2) == BT_OK &&
           to_benc(&out, (const char *)json_text.data, 0, &off) == BT_OK && out.len == 6 &&
           memcmp(out.data, "4:\xc3\xbe\xc3\x83", 6) == 0,
       "put_string: bytes that are not UTF-8 give valid JSON, read back as U+00XX");
    bt_buf_release(&out);
    bt_buf_init(&out, 1 << 10);
    ok(put_document(&out) == BT_OK &&
           strcmp((const char *)out.data,
                  "{\"url\":\"http://t/a?x=\\\"1\\\"\",\"failure\":null,"
                  "\"seeders\":-9223372036854775808,\"peers\":[null,{\"a\\tb\":0}]}") == 0,
       "put_key, put_cstring, put_int and put_null build a document");
    bt_buf_release(&out);
    bt_buf_init(&out, 5);
    ok(bt_json_put_string(&out, "abcd", 4) == BT_ERR_TOO_LARGE,
       "put_string: out's cap is the limit");

    bt_buf_release(&out);
    bt_buf_release(&json_text);
    return tap_done();
}
