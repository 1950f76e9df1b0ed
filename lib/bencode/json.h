/*
 * json.h - bencode (BEP 3) as JSON (RFC 8259) and back: the text form that
 * bt-decode prints and bt-encode reads, so that jq can edit a torrent.
 *
 *   bencode                 JSON
 *   i42e                    42                      exact 64-bit integers
 *   5:hello                 "hello"                 strings that are valid UTF-8
 *   3:<ff 00 01>            {"$hex":"ff0001"}       every other string
 *   l5:helloi52ee           ["hello",52]
 *   d1:ai1e1:b0:e           {"a":1,"b":""}          dicts, in most cases
 *   d3:<ff ff ff>i1ee       {"$dict":[[{"$hex":"ffffff"},1]]}
 *
 * Strings.  Bencode strings are bytes; JSON strings are Unicode text.  A string
 * that is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
 * above U+10FFFF) is written as a JSON string, so names, URLs and keys stay plain
 * and jq can edit them.  Any other string, such as the SHA-1 hashes in "pieces",
 * is written as an object with the one member "$hex", its bytes in lower-case hex.
 *
 * Dicts.  A dict is written as a JSON object, unless
 *   - one of its keys is not UTF-8 (JSON keys must be text: the 20-byte info
 *     hashes that key a scrape response's "files"), or
 *   - it has exactly one key and that key is "$hex" or "$dict" (as a plain object
 *     it would read back as an escape), or
 *   - it has the same key twice (only the lenient decoder lets that through, and
 *     JSON objects should not repeat names).
 * Such a dict is written as {"$dict": [[KEY, VALUE], ...]}, its pairs in input
 * order, each KEY a string or a "$hex" object.
 *
 * Reading JSON back, an object with exactly one member named "$hex" or "$dict" is
 * always an escape, and every other object is a dict.  Together with the rules
 * above this makes the mapping lossless for every bencode value: decoding
 * canonical bencode, writing it as JSON and reading that back gives the same bytes.
 *
 * Reading JSON is strict: only integers (no fraction, no exponent, within int64),
 * no true/false/null, valid UTF-8, and no duplicate keys (unless BT_JSON_LENIENT).
 * Dict keys are sorted by their raw bytes, so the output is canonical bencode
 * whatever order the JSON had.
 */
#ifndef BT_JSON_H
#define BT_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "bencode/bencode.h"
#include "core/buf.h"
#include "core/error.h"

/* The member names of the escape objects. */
#define BT_JSON_HEX  "$hex"
#define BT_JSON_DICT "$dict"

/* Writing: two-space indentation, one value per line, as `jq .` prints.  A "$hex"
 * object stays on one line there too, so a hash reads as one token. */
#define BT_JSON_PRETTY 1u
/* Reading: of keys that repeat in one dict, keep the first and drop the others,
 * as bt_bnode_dict_get() and most clients do.  Without it a repeat is an error. */
#define BT_JSON_LENIENT 2u

/* JSON text may be larger than the bencode it stands for: "$hex" doubles binary
 * strings and pretty printing adds indentation.  Tools cap JSON at this size. */
#define BT_JSON_MAX_TEXT (4 * (size_t)BT_BENCODE_MAX_INPUT)
/* "$dict" costs three levels of JSON nesting per dict and "$hex" one more, so this
 * depth holds anything bt_json_from_bencode() writes for default-limited input.
 * The bencode written back is held to BT_BENCODE_DEFAULT_DEPTH separately. */
#define BT_JSON_MAX_DEPTH (3 * BT_BENCODE_DEFAULT_DEPTH + 1)
/* At most four JSON values stand for one bencode value (a "$dict" pair whose key
 * and value are both "$hex"), so this keeps the same promise for the value count. */
#define BT_JSON_MAX_VALUES (4 * (size_t)BT_BENCODE_DEFAULT_TOKENS)

/* err_offset when an error is not about one place in the input (out of memory,
 * output too large). */
#define BT_JSON_NO_OFFSET SIZE_MAX

/* ---- Writing: json_write.c ---- */

/*
 * Append the JSON form of root (and its whole subtree) to out, with no trailing
 * newline.  flags: 0 or BT_JSON_PRETTY.  Fails with BT_ERR_JSON_OUTPUT when out
 * would grow past out->max, or BT_ERR_NOMEM; out then holds partial text that
 * must not be shown as a result.
 */
enum bt_err bt_json_from_bencode(struct bt_buf *out, const struct bt_bnode *root, unsigned flags);

/*
 * Tokens, for a tool that prints a JSON document of its own (so that no tool
 * needs its own escaper).  Each appends one compact token to out; the caller
 * writes the brackets, and the commas between array items.  Errors are out's:
 * BT_ERR_TOO_LARGE when out would grow past out->max, BT_ERR_NOMEM.
 *
 *   bt_buf_append_byte(out, '{');       {
 *   bt_json_put_key(out, "url");        {"url":
 *   bt_json_put_cstring(out, url);      {"url":"http://t/announce"
 *   bt_json_put_key(out, "failure");    {"url":"http://t/announce","failure":
 *   bt_json_put_cstring(out, NULL);     {"url":"http://t/announce","failure":null
 *   bt_buf_append_byte(out, '}');       {"url":"http://t/announce","failure":null}
 */

/*
 * A string literal of the n bytes at s.  Well-formed UTF-8 is escaped as jq
 * escapes it: \" \\ \b \f \n \r \t, \u00XX for the other control characters and
 * DEL, every other character as it is.  Bytes that are not well-formed UTF-8
 * still give valid JSON: then every byte from 0x80 up is written \u00XX as well,
 * which reads back as the character U+00XX, not as the byte, so the text is
 * only a readable label.  Where the bytes must come back, use "$hex"
 * (bt_json_from_bencode() does).
 */
enum bt_err bt_json_put_string(struct bt_buf *out, const char *s, size_t n);
/* The NUL-terminated s as bt_json_put_string() writes it, or null if s is NULL. */
enum bt_err bt_json_put_cstring(struct bt_buf *out, const char *s);
enum bt_err bt_json_put_int(struct bt_buf *out, int64_t v);
enum bt_err bt_json_put_null(struct bt_buf *out);
/* A member name and its colon ("key":), with a comma before it unless it is the
 * first member of its object, that is unless out ends in '{'. */
enum bt_err bt_json_put_key(struct bt_buf *out, const char *key);

/* ---- Reading: json_read.c ---- */

/*
 * Read the JSON text json[0..len) and append its bencode form to out.  flags: 0
 * or BT_JSON_LENIENT.  On failure sets *err_offset to the byte of json where the
 * problem is (BT_JSON_NO_OFFSET if none), and out holds partial bytes.  Errors:
 * BT_ERR_JSON_* for JSON that is wrong or has no bencode form, and the bencode
 * codes where the meaning is the same: BT_ERR_BENCODE_TRUNCATED, _TRAILING,
 * _INT_OVERFLOW, _DEPTH, _TOKENS, _KEY_DUP.
 */
enum bt_err bt_json_to_bencode(struct bt_buf *out, const void *json, size_t len, unsigned flags,
                               size_t *err_offset);

#endif /* BT_JSON_H */
