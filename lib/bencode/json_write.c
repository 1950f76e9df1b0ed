/*
 * json_write.c - bencode (BEP 3) as JSON text (RFC 8259), what bt-decode prints.
 * See json.h for the mapping, including the "$hex" and "$dict" escapes.
 *
 * The writer walks the decoder's flat node array with an explicit stack, like the
 * decoder itself, so deep nesting costs heap, not C stack.  Each open list or dict
 * is a frame that knows its next item and how many are left:
 *
 *   bencode  d1:ali1e1:xe1:b2:<ff fe>e
 *   nodes    [0]dict [1]"a" [2]list [3]1 [4]"x" [5]"b" [6]"<ff fe>"
 *   JSON     {"a":[1,"x"],"b":{"$hex":"fffe"}}
 *   stack    writing [3]: OBJECT (next [5], 1 left), LIST (next [4], 1 left)
 *
 * Every token goes through the bt_json_put_* primitives at the top, which tools
 * use too for JSON of their own: one escaper for all of btkit's JSON.
 */
#include "bencode/json.h"

#include "bencode/utf8.h"
#include "core/hex.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ---- Tokens: the primitives of json.h, also used by the walker below ---- */

enum bt_err bt_json_put_string(struct bt_buf *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    /* Bytes that are not UTF-8 must still make valid JSON: escape every high byte. */
    int text = bt_utf8_valid(s, n);
    enum bt_err err = bt_buf_append_byte(out, '"');
    size_t i, run = 0;
    char u[7] = "\\u00"; /* then two digits and a NUL from bt_hex_encode() */

    /* Copy runs of bytes that need no escape in one go. */
    for (i = 0; i < n && err == BT_OK; i++) {
        unsigned char c = p[i];
        const char *esc = NULL;

        if (c == '"')
            esc = "\\\"";
        else if (c == '\\')
            esc = "\\\\";
        else if (c == '\b')
            esc = "\\b";
        else if (c == '\f')
            esc = "\\f";
        else if (c == '\n')
            esc = "\\n";
        else if (c == '\r')
            esc = "\\r";
        else if (c == '\t')
            esc = "\\t";
        else if (c < 0x20 || c == 0x7f || (c >= 0x80 && !text)) {
            bt_hex_encode(&c, 1, u + 4);
            esc = u;
        }
        if (esc == NULL)
            continue;
        err = bt_buf_append(out, p + run, i - run);
        if (err == BT_OK)
            err = bt_buf_append_str(out, esc);
        run = i + 1;
    }
    if (err == BT_OK)
        err = bt_buf_append(out, p + run, n - run);
    if (err == BT_OK)
        err = bt_buf_append_byte(out, '"');
    return err;
}

enum bt_err bt_json_put_cstring(struct bt_buf *out, const char *s)
{
    return s == NULL ? bt_json_put_null(out) : bt_json_put_string(out, s, strlen(s));
}

enum bt_err bt_json_put_int(struct bt_buf *out, int64_t v)
{
    return bt_buf_printf(out, "%" PRId64, v);
}

enum bt_err bt_json_put_null(struct bt_buf *out)
{
    return bt_buf_append(out, "null", 4);
}

enum bt_err bt_json_put_key(struct bt_buf *out, const char *key)
{
    enum bt_err err = BT_OK;

    if (out->len == 0 || out->data[out->len - 1] != '{')
        err = bt_buf_append_byte(out, ',');
    if (err == BT_OK)
        err = bt_json_put_string(out, key, strlen(key));
    return err != BT_OK ? err : bt_buf_append_byte(out, ':');
}

/* ---- bencode to JSON ---- */

enum frame_kind {
    FRAME_LIST,   /* [v, ...] */
    FRAME_OBJECT, /* {"k": v, ...} */
    FRAME_PAIRS,  /* {"$dict": [[k, v], ...]} */
};

/* One open list or dict while writing. */
struct frame {
    enum frame_kind kind;
    const struct bt_bnode *next; /* the next item, or for a dict the next key */
    uint32_t left;               /* items (or pairs) not yet written */
    int first;                   /* nothing written inside yet: no comma before the next */
    size_t indent;               /* the items' indentation level when pretty */
};

struct writer {
    struct bt_buf *out;
    int pretty;
    struct frame *stack;
    size_t depth, cap;
};

static enum bt_err push(struct writer *w, enum frame_kind kind, const struct bt_bnode *first,
                        uint32_t left, size_t indent)
{
    struct frame *f;

    if (w->depth == w->cap) {
        size_t newcap = w->cap == 0 ? 16 : w->cap * 2;

        f = realloc(w->stack, newcap * sizeof(*f));
        if (f == NULL)
            return BT_ERR_NOMEM;
        w->stack = f;
        w->cap = newcap;
    }
    f = &w->stack[w->depth++];
    f->kind = kind;
    f->next = first;
    f->left = left;
    f->first = 1;
    f->indent = indent;
    return BT_OK;
}

/* Start a new line at the given level when pretty; nothing when compact. */
static enum bt_err newline(struct writer *w, size_t level)
{
    enum bt_err err;
    size_t i;

    if (!w->pretty)
        return BT_OK;
    err = bt_buf_append_byte(w->out, '\n');
    for (i = 0; i < level && err == BT_OK; i++)
        err = bt_buf_append(w->out, "  ", 2);
    return err;
}

/* ":" or ": " between a key and its value. */
static enum bt_err colon(struct writer *w)
{
    return w->pretty ? bt_buf_append(w->out, ": ", 2) : bt_buf_append_byte(w->out, ':');
}

/* A bencode string: JSON text if it is UTF-8, else {"$hex":"..."}. */
static enum bt_err write_string(struct writer *w, const unsigned char *s, size_t n)
{
    enum bt_err err;

    if (bt_utf8_valid(s, n))
        return bt_json_put_string(w->out, (const char *)s, n);
    err = bt_buf_append_byte(w->out, '{');
    if (err == BT_OK)
        err = bt_json_put_cstring(w->out, BT_JSON_HEX);
    if (err == BT_OK)
        err = colon(w);
    if (err == BT_OK)
        err = bt_buf_append_byte(w->out, '"');
    if (err == BT_OK)
        err = bt_hex_append(w->out, s, n);
    return err != BT_OK ? err : bt_buf_append(w->out, "\"}", 2);
}

static int key_node_cmp(const void *a, const void *b)
{
    const struct bt_bnode *x = *(const struct bt_bnode *const *)a;
    const struct bt_bnode *y = *(const struct bt_bnode *const *)b;

    return bt_bencode_key_cmp(x->s, x->slen, y->s, y->slen);
}

/*
 * Does dict d have to be written as {"$dict": ...}?  See json.h.  Strictly decoded
 * dicts have ascending keys, which cannot repeat; only unsorted ones (from the
 * lenient decoder) need a sorted copy of their keys to look for repeats.
 */
static enum bt_err needs_pairs(const struct bt_bnode *d, int *pairs)
{
    const struct bt_bnode *k = bt_bnode_child(d), *prev = NULL, **keys;
    int sorted = 1;
    uint32_t i;

    *pairs = 0;
    for (i = 0; i < d->count; i++) {
        if (!bt_utf8_valid(k->s, k->slen)) {
            *pairs = 1;
            return BT_OK;
        }
        if (prev != NULL && bt_bencode_key_cmp(prev->s, prev->slen, k->s, k->slen) >= 0)
            sorted = 0;
        prev = k;
        k = bt_bnode_sibling(bt_bnode_sibling(k));
    }
    k = bt_bnode_child(d);
    if (d->count == 1 && (bt_bnode_str_eq(k, BT_JSON_HEX) || bt_bnode_str_eq(k, BT_JSON_DICT))) {
        *pairs = 1;
        return BT_OK;
    }
    if (sorted)
        return BT_OK;

    keys = malloc(d->count * sizeof(*keys));
    if (keys == NULL)
        return BT_ERR_NOMEM;
    for (i = 0; i < d->count; i++) {
        keys[i] = k;
        k = bt_bnode_sibling(bt_bnode_sibling(k));
    }
    qsort(keys, d->count, sizeof(*keys), key_node_cmp);
    for (i = 1; i < d->count && !*pairs; i++)
        *pairs = key_node_cmp(&keys[i - 1], &keys[i]) == 0;
    free(keys);
    return BT_OK;
}

/* Write a scalar whole, or the opening of a container (pushing its frame).  level
 * is the indentation level of the line v starts on. */
static enum bt_err open_value(struct writer *w, const struct bt_bnode *v, size_t level)
{
    enum bt_err err;
    int pairs;

    switch (v->type) {
    case BT_BENCODE_INT:
        return bt_json_put_int(w->out, v->i);
    case BT_BENCODE_STR:
        return write_string(w, v->s, v->slen);
    case BT_BENCODE_LIST:
        if (v->count == 0)
            return bt_buf_append(w->out, "[]", 2);
        err = bt_buf_append_byte(w->out, '[');
        return err != BT_OK ? err : push(w, FRAME_LIST, bt_bnode_child(v), v->count, level + 1);
    case BT_BENCODE_DICT:
        if (v->count == 0)
            return bt_buf_append(w->out, "{}", 2);
        err = needs_pairs(v, &pairs);
        if (err != BT_OK)
            return err;
        if (!pairs) {
            err = bt_buf_append_byte(w->out, '{');
            return err != BT_OK ? err
                                : push(w, FRAME_OBJECT, bt_bnode_child(v), v->count, level + 1);
        }
        err = bt_buf_append_byte(w->out, '{');
        if (err == BT_OK)
            err = newline(w, level + 1);
        if (err == BT_OK)
            err = bt_json_put_cstring(w->out, BT_JSON_DICT);
        if (err == BT_OK)
            err = colon(w);
        if (err == BT_OK)
            err = bt_buf_append_byte(w->out, '[');
        return err != BT_OK ? err : push(w, FRAME_PAIRS, bt_bnode_child(v), v->count, level + 2);
    }
    return BT_ERR_INVALID;
}

/* The closing bracket(s) of the frame on top, on their own line when pretty. */
static enum bt_err close_frame(struct writer *w, const struct frame *f)
{
    enum bt_err err = newline(w, f->indent - 1);

    if (err != BT_OK)
        return err;
    switch (f->kind) {
    case FRAME_LIST:
        return bt_buf_append_byte(w->out, ']');
    case FRAME_OBJECT:
        return bt_buf_append_byte(w->out, '}');
    case FRAME_PAIRS:
        err = bt_buf_append_byte(w->out, ']');
        if (err == BT_OK)
            err = newline(w, f->indent - 2);
        return err != BT_OK ? err : bt_buf_append_byte(w->out, '}');
    }
    return BT_ERR_INVALID;
}

/* Write the next item of the frame on top: a list item, a "key": value member, or
 * the opening of a [key, value] pair (itself a two-item list frame). */
static enum bt_err write_item(struct writer *w)
{
    struct frame *f = &w->stack[w->depth - 1];
    const struct bt_bnode *item = f->next, *value;
    size_t indent = f->indent;
    enum bt_err err = BT_OK;

    if (!f->first)
        err = bt_buf_append_byte(w->out, ',');
    f->first = 0;
    f->left--;
    if (err == BT_OK)
        err = newline(w, indent);
    if (err != BT_OK)
        return err;
    if (f->kind == FRAME_LIST) {
        f->next = bt_bnode_sibling(item);
        return open_value(w, item, indent);
    }
    value = bt_bnode_sibling(item);
    f->next = bt_bnode_sibling(value);
    if (f->kind == FRAME_OBJECT) {
        err = bt_json_put_string(w->out, (const char *)item->s, item->slen);
        if (err == BT_OK)
            err = colon(w);
        return err != BT_OK ? err : open_value(w, value, indent);
    }
    err = bt_buf_append_byte(w->out, '[');
    return err != BT_OK ? err : push(w, FRAME_LIST, item, 2, indent + 1);
}

enum bt_err bt_json_from_bencode(struct bt_buf *out, const struct bt_bnode *root, unsigned flags)
{
    struct writer w = {out, (flags & BT_JSON_PRETTY) != 0, NULL, 0, 0};
    enum bt_err err;

    err = open_value(&w, root, 0);
    while (err == BT_OK && w.depth > 0) {
        struct frame *f = &w.stack[w.depth - 1];

        if (f->left > 0) {
            err = write_item(&w);
        } else {
            err = close_frame(&w, f);
            w.depth--;
        }
    }
    free(w.stack);
    /* The only cap in play is the caller's on out. */
    return err == BT_ERR_TOO_LARGE ? BT_ERR_JSON_OUTPUT : err;
}
