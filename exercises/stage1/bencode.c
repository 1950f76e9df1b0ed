/*
 * bencode.c - exercise for stage 1: BEP 3 bencoding, a decoder and an encoder.
 *
 * You write the functions lib/bencode/bencode.h declares; the header is the contract
 * and you do not change it.  Read it first, and tutorials/01-bencode.md.
 *
 *   i42e                 the integer 42         no leading zeros, no -0, no +
 *   4:spam               the string "spam"      length in bytes, ':', the bytes
 *   l4:spami42ee         the list ["spam", 42]
 *   d3:bar4:spam3:fooi42ee
 *                        the dict {"bar": "spam", "foo": 42}
 *                        keys are strings, sorted by raw bytes, each once
 *
 * The decoder fills a flat array of nodes, in document order; a container's
 * children follow it, and `skip` counts the nodes of a subtree (itself included):
 *
 *   input   d 3:bar 4:spam 3:foo l i1e i2e e e
 *   nodes   [0]dict [1]"bar" [2]"spam" [3]"foo" [4]list [5]1 [6]2
 *   skip     7       1        1         1        3       1    1
 *
 * Build the tools with your file: make exercise STAGE=1
 * Grade them:                       make grade STAGE=1
 *
 * Every body below is a placeholder that compiles and fails: replace each one.
 * You may add static helpers (they must be used, or -Werror stops the build).
 */
#include "bencode/bencode.h"

#include <stdlib.h>
#include <string.h>

/*
 * Set every field of *b to zero, then max_depth to BT_BENCODE_DEFAULT_DEPTH and
 * max_tokens to BT_BENCODE_DEFAULT_TOKENS.  This cannot fail: it allocates
 * nothing (the node array is allocated by the first parse).
 */
void bt_bencode_init(struct bt_bencode *b)
{
    (void)b;
}

/*
 * Free the node array and leave b empty (nodes NULL, n and cap 0), so that
 * calling release twice, or parse again, is safe.  The input is not ours.
 */
void bt_bencode_release(struct bt_bencode *b)
{
    (void)b;
}

/*
 * Decode len bytes at input into b->nodes; on success nodes[0] is the top value
 * and b->consumed says how many bytes it used.
 *
 * Suggested plan (the reference needs about 200 lines for all of it):
 *
 * - Never recurse on the input: keep the open lists and dicts on an explicit
 *   stack of at most b->max_depth entries (malloc it here, free it before you
 *   return).  For a dict, an entry must remember whether the next value is a key,
 *   and the previous key, to check the order.
 *     struct open_container { size_t node; size_t last_key; int want_key; };
 * - Loop: look at in[pos].  'e' closes the innermost container: set its enc_len
 *   and its skip (nodes added since it opened, plus one).  'i' is an integer, a
 *   digit starts a string, 'l' or 'd' opens a container (refuse a depth beyond
 *   max_depth with BT_ERR_BENCODE_DEPTH).  Anything else is BT_ERR_BENCODE_SYNTAX.
 *   Stop when the top-level value is complete.
 * - Each value appends one node (grow the array with realloc, doubling, never
 *   beyond b->max_tokens: BT_ERR_BENCODE_TOKENS) with its type, offset, enc_len,
 *   and i, or s and slen.  s points into the input: copy nothing.  A container's
 *   count is its number of items (list) or of key/value pairs (dict).
 *     static enum bt_err new_node(struct bt_bencode *b, enum bt_bencode_type type,
 *                                 size_t offset, size_t *idx);
 * - Numbers: read digits into a uint64_t and check for overflow BEFORE each
 *   "v * 10 + d" (BT_ERR_BENCODE_INT_OVERFLOW); INT64_MIN is allowed.  A string
 *   length must fit in the bytes that remain (BT_ERR_BENCODE_STRLEN).
 *     static enum bt_err read_decimal(const unsigned char *in, size_t len, size_t *pos,
 *                                     uint64_t max, int lenient, uint64_t *value);
 * - Strict (the default) refuses leading zeros (i03e, 03:abc:
 *   BT_ERR_BENCODE_LEADING_ZERO), i-0e (BT_ERR_BENCODE_NEGATIVE_ZERO), a key that
 *   is not a string (BT_ERR_BENCODE_KEY_TYPE), keys out of order or repeated
 *   (compare raw bytes with memcmp, a prefix sorts first: BT_ERR_BENCODE_KEY_ORDER,
 *   BT_ERR_BENCODE_KEY_DUP), a key with no value (BT_ERR_BENCODE_SYNTAX), and
 *   bytes after the top-level value (BT_ERR_BENCODE_TRAILING).  BT_BENCODE_LENIENT
 *   accepts all of these except the key type and a key with no value;
 *   BT_BENCODE_PREFIX accepts trailing bytes.  Input that ends inside a value,
 *   or is empty, is BT_ERR_BENCODE_TRUNCATED.
 * - On failure set b->err_offset to the byte at fault, which the tests check:
 *   the unexpected byte itself; for a leading zero, an overflow or a string
 *   running past the end, where the number starts; for -0, the '-'; for a bad
 *   key, where the key starts; for a truncation, len; for trailing bytes, the
 *   first of them.  Leave b->n at 0.
 */
enum bt_err bt_bencode_parse(struct bt_bencode *b, const void *input, size_t len, unsigned flags)
{
    (void)input;
    (void)len;
    (void)flags;
    b->n = 0;
    b->consumed = 0;
    b->err_offset = 0;
    return BT_ERR_INVALID;
}

/*
 * Walk the dict's keys: the first key is dict + 1, its value is the key's
 * sibling, and the next key is the value's sibling (see bt_bnode_sibling()).
 * Compare lengths first: a key is not NUL-terminated and may contain NUL.
 * Return NULL if dict is NULL or not a dict, or the key is absent.
 */
const struct bt_bnode *bt_bnode_dict_get(const struct bt_bnode *dict, const char *key)
{
    (void)dict;
    (void)key;
    return NULL;
}

/* bt_bnode_dict_get(), and NULL too when the value has another type. */
const struct bt_bnode *bt_bnode_dict_get_type(const struct bt_bnode *dict, const char *key,
                                              enum bt_bencode_type type)
{
    (void)dict;
    (void)key;
    (void)type;
    return NULL;
}

/* Item idx of a list (NULL if list is NULL, not a list, or idx >= count). */
const struct bt_bnode *bt_bnode_list_at(const struct bt_bnode *list, size_t idx)
{
    (void)list;
    (void)idx;
    return NULL;
}

/* 1 if n is a string node holding exactly the bytes of s, else 0. */
int bt_bnode_str_eq(const struct bt_bnode *n, const char *s)
{
    (void)n;
    (void)s;
    return 0;
}

/* Append i<v>e: bt_buf_printf() (lib/core/buf.h) does the formatting. */
enum bt_err bt_bencode_put_int(struct bt_buf *buf, int64_t v)
{
    (void)buf;
    (void)v;
    return BT_ERR_INVALID;
}

/* Append <n>:<the n bytes at p>.  p may hold any bytes, NUL included. */
enum bt_err bt_bencode_put_str(struct bt_buf *buf, const void *p, size_t n)
{
    (void)buf;
    (void)p;
    (void)n;
    return BT_ERR_INVALID;
}

/* bt_bencode_put_str() of a C string, without its NUL. */
enum bt_err bt_bencode_put_cstr(struct bt_buf *buf, const char *s)
{
    (void)buf;
    (void)s;
    return BT_ERR_INVALID;
}

/* Append the byte that opens a list. */
enum bt_err bt_bencode_put_list(struct bt_buf *buf)
{
    (void)buf;
    return BT_ERR_INVALID;
}

/* Append the byte that opens a dict. */
enum bt_err bt_bencode_put_dict(struct bt_buf *buf)
{
    (void)buf;
    return BT_ERR_INVALID;
}

/* Append the byte that closes the innermost list or dict. */
enum bt_err bt_bencode_put_end(struct bt_buf *buf)
{
    (void)buf;
    return BT_ERR_INVALID;
}
