/*
 * bencode.h - BEP 3 "bencoding": the serialisation every BitTorrent structure uses.
 *
 *   i42e          the integer 42           (no leading zeros, no -0)
 *   4:spam        the byte string "spam"   (length, colon, raw bytes)
 *   l4:spami42ee  the list ["spam", 42]
 *   d3:bar4:spam3:fooi42ee
 *                 the dict {"bar": "spam", "foo": 42}, keys sorted by raw bytes
 *
 * The decoder is non-recursive (an explicit stack, as in libtorrent's bdecode), so
 * hostile nesting cannot exhaust the C stack; it has limits on depth and on the
 * number of values, and it checks every integer and length for overflow.
 *
 * Decoding produces a flat array of nodes in document order.  A container's
 * children follow it directly; `skip` jumps over a whole subtree:
 *
 *   input   d 3:bar 4:spam 3:foo l i1e i2e e e
 *   nodes   [0]dict [1]"bar" [2]"spam" [3]"foo" [4]list [5]1 [6]2
 *   skip     7       1        1         1        3       1    1
 *
 * Strings are views into the input, not copies: they stay valid while the input
 * buffer given to bt_bencode_parse() stays alive and unchanged.
 */
#ifndef BT_BENCODE_H
#define BT_BENCODE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"

enum bt_bencode_type {
    BT_BENCODE_INT = 1,
    BT_BENCODE_STR,
    BT_BENCODE_LIST,
    BT_BENCODE_DICT,
};

struct bt_bnode {
    enum bt_bencode_type type;
    uint32_t skip;  /* nodes in this subtree, itself included: this + skip is the next sibling */
    uint32_t count; /* LIST: items; DICT: key/value pairs; else 0 */
    size_t offset;  /* where this value's encoding starts in the input */
    size_t enc_len; /* length of this value's whole encoding */
    int64_t i;      /* INT: the value */
    const unsigned char *s; /* STR: the bytes (a view into the input, not NUL-terminated) */
    size_t slen;            /* STR: their length */
};

/* Limits that keep a hostile input from costing more than it should. */
#define BT_BENCODE_DEFAULT_DEPTH  100      /* libtorrent uses 100 too */
#define BT_BENCODE_DEFAULT_TOKENS 4000000u /* about 220 MiB of nodes at worst */
#define BT_BENCODE_MAX_INPUT      (256u << 20)

/* Flags for bt_bencode_parse(). */
#define BT_BENCODE_STRICT 0u
/*
 * Accept what real torrents in the wild contain although BEP 3 forbids it:
 * unsorted or duplicate dict keys (lookups return the first), integers with
 * leading zeros or -0, and bytes after the top-level value (ignored).
 */
#define BT_BENCODE_LENIENT 1u
/* Decode one value and stop: `consumed` says how far it went.  Used for data
 * that follows a bencoded header on the wire (BEP 9). */
#define BT_BENCODE_PREFIX 2u

struct bt_bencode {
    struct bt_bnode *nodes; /* nodes[0] is the root once parsed */
    size_t n;               /* nodes in use */
    size_t cap;
    size_t consumed;  /* bytes of input the top-level value used */
    size_t max_depth; /* set by init to the defaults; change before parsing */
    size_t max_tokens;
    size_t err_offset; /* on failure, the byte offset where the problem is */
};

/* Set up an empty decoder with the default limits.  Cannot fail. */
void bt_bencode_init(struct bt_bencode *b);
/* Free the node array.  The input is the caller's and is not touched. */
void bt_bencode_release(struct bt_bencode *b);

/*
 * Decode len bytes at input.  On success nodes[0] is the top-level value.  On
 * failure returns the error and sets b->err_offset to the offending byte.
 * Calling it again on the same b reuses the node array.
 */
enum bt_err bt_bencode_parse(struct bt_bencode *b, const void *input, size_t len, unsigned flags);

static inline const struct bt_bnode *bt_bencode_root(const struct bt_bencode *b)
{
    return b->n > 0 ? &b->nodes[0] : NULL;
}

/* The first child of a list or dict (for a dict, its first key), or NULL if empty. */
static inline const struct bt_bnode *bt_bnode_child(const struct bt_bnode *n)
{
    return n->count > 0 ? n + 1 : NULL;
}

/* The value that follows n at the same level.  Only meaningful inside a container:
 * call it count times (2*count for a dict) at most. */
static inline const struct bt_bnode *bt_bnode_sibling(const struct bt_bnode *n)
{
    return n + n->skip;
}

/*
 * BEP 3's order of dict keys: raw bytes as memcmp() compares them, a key before
 * its extensions ("a" < "ab" < "b").  Negative, zero or positive, as memcmp().
 */
static inline int bt_bencode_key_cmp(const void *a, size_t alen, const void *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = n > 0 ? memcmp(a, b, n) : 0; /* an empty key may have no bytes to point at */

    if (c != 0)
        return c;
    if (alen == blen)
        return 0;
    return alen < blen ? -1 : 1;
}

/* In dict, the value of key (first match), or NULL if absent or dict is not a dict. */
const struct bt_bnode *bt_bnode_dict_get(const struct bt_bnode *dict, const char *key);
/* As above, and NULL too if the value is not of the given type. */
const struct bt_bnode *bt_bnode_dict_get_type(const struct bt_bnode *dict, const char *key,
                                              enum bt_bencode_type type);
/* Item idx of a list, or NULL.  Linear in idx. */
const struct bt_bnode *bt_bnode_list_at(const struct bt_bnode *list, size_t idx);
/* Does string node n hold exactly the C string s? */
int bt_bnode_str_eq(const struct bt_bnode *n, const char *s);

/*
 * Encoding: append one value to buf.  Containers are written as an opening
 * bt_bencode_put_list()/put_dict(), their items, then bt_bencode_put_end().
 * Writing dict keys in sorted order is the caller's job.
 */
enum bt_err bt_bencode_put_int(struct bt_buf *buf, int64_t v);
enum bt_err bt_bencode_put_str(struct bt_buf *buf, const void *p, size_t n);
enum bt_err bt_bencode_put_cstr(struct bt_buf *buf, const char *s);
enum bt_err bt_bencode_put_list(struct bt_buf *buf);
enum bt_err bt_bencode_put_dict(struct bt_buf *buf);
enum bt_err bt_bencode_put_end(struct bt_buf *buf);

#endif /* BT_BENCODE_H */
