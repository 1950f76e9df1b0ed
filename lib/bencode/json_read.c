/*
 * json_read.c - JSON text (RFC 8259) back to bencode (BEP 3), what bt-encode
 * writes.  See json.h for the mapping, including the "$hex" and "$dict" escapes.
 *
 * The reader parses the JSON text with an explicit stack into a flat array of
 * values in document order (the same layout as bencode.h's nodes), then writes
 * bencode from it; that second step recurses, but only as deep as the bencode it
 * writes, which is held to BT_BENCODE_DEFAULT_DEPTH.
 *
 *   JSON     {"b": [1, "x"], "a": {"$hex": "ff00"}}
 *   values   [0]object [1]"b" [2]array [3]1 [4]"x" [5]"a" [6]"<ff 00>"
 *   bencode  d1:a2:<ff 00>1:bli1e1:xee           (keys sorted by raw bytes)
 */
#include "bencode/json.h"

#include "bencode/utf8.h"
#include "core/hex.h"

#include <stdlib.h>
#include <string.h>

enum jtype {
    J_INT = 1,
    J_STR,    /* bytes in the arena: a JSON string, or a "$hex" object once closed */
    J_ARRAY,  /* children: its items */
    J_OBJECT, /* children: key, value, key, value, ... */
    J_PAIRS,  /* a "$dict" object: children "$dict", then the array of pairs */
};

/* One JSON value; the layout follows bencode.h's struct bt_bnode. */
struct jvalue {
    enum jtype type;
    uint32_t skip;  /* values in this subtree, itself included */
    uint32_t count; /* ARRAY: items; OBJECT: members */
    size_t offset;  /* where it starts in the JSON text */
    int64_t i;
    size_t str, slen; /* STR: offset and length of its bytes in the arena */
};

/* What the parser expects next. */
enum want {
    WANT_VALUE,
    WANT_VALUE_OR_CLOSE, /* just after '[' */
    WANT_KEY,
    WANT_KEY_OR_CLOSE, /* just after '{' */
    WANT_COMMA_OR_CLOSE,
};

struct jparser {
    const unsigned char *in;
    size_t len, pos;
    struct jvalue *v; /* values in document order */
    size_t n, cap;
    struct bt_buf arena; /* decoded string bytes, never longer than the text */
    size_t *open;        /* indexes of the open arrays and objects */
    size_t depth;
    size_t err_offset;
    int lenient;
};

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static void skip_ws(struct jparser *p)
{
    while (p->pos < p->len && is_ws(p->in[p->pos]))
        p->pos++;
}

/* Stop with err at byte off of the text. */
static enum bt_err fail_at(struct jparser *p, enum bt_err err, size_t off)
{
    p->err_offset = off;
    return err;
}

static enum bt_err new_value(struct jparser *p, enum jtype type, size_t *idx)
{
    struct jvalue *v;

    if (p->n >= BT_JSON_MAX_VALUES)
        return fail_at(p, BT_ERR_BENCODE_TOKENS, p->pos);
    if (p->n == p->cap) {
        size_t newcap = p->cap == 0 ? 64 : p->cap * 2;

        if (newcap > BT_JSON_MAX_VALUES)
            newcap = BT_JSON_MAX_VALUES;
        v = realloc(p->v, newcap * sizeof(*v));
        if (v == NULL)
            return BT_ERR_NOMEM;
        p->v = v;
        p->cap = newcap;
    }
    v = &p->v[p->n];
    memset(v, 0, sizeof(*v));
    v->type = type;
    v->skip = 1;
    v->offset = p->pos;
    *idx = p->n++;
    return BT_OK;
}

/* The four hex digits of a \uXXXX escape at in[at], or -1. */
static long read_u4(const struct jparser *p, size_t at)
{
    unsigned char u[2];

    if (p->len - at < 6 || p->in[at] != '\\' || p->in[at + 1] != 'u')
        return -1;
    if (bt_hex_decode_mem(p->in + at + 2, u, 2) != BT_OK)
        return -1;
    return (long)u[0] << 8 | u[1];
}

/* One backslash escape at in[pos], appended to the arena as UTF-8.  A UTF-16
 * surrogate pair (\ud83d\ude00) makes one code point; half a pair is an error. */
static enum bt_err parse_escape(struct jparser *p)
{
    size_t at = p->pos;
    long cp, low;
    char c;

    if (p->len - at < 2)
        return fail_at(p, BT_ERR_BENCODE_TRUNCATED, p->len);
    c = (char)p->in[at + 1];
    p->pos += 2;
    switch (c) {
    case '"':
    case '\\':
    case '/':
        return bt_buf_append_byte(&p->arena, (unsigned char)c);
    case 'b':
        return bt_buf_append_byte(&p->arena, '\b');
    case 'f':
        return bt_buf_append_byte(&p->arena, '\f');
    case 'n':
        return bt_buf_append_byte(&p->arena, '\n');
    case 'r':
        return bt_buf_append_byte(&p->arena, '\r');
    case 't':
        return bt_buf_append_byte(&p->arena, '\t');
    case 'u':
        break;
    default:
        return fail_at(p, BT_ERR_JSON_ESCAPE, at);
    }
    cp = read_u4(p, at);
    if (cp < 0 || (cp >= 0xdc00 && cp <= 0xdfff))
        return fail_at(p, BT_ERR_JSON_ESCAPE, at);
    p->pos = at + 6;
    if (cp >= 0xd800 && cp <= 0xdbff) {
        low = read_u4(p, p->pos);
        if (low < 0xdc00 || low > 0xdfff)
            return fail_at(p, BT_ERR_JSON_ESCAPE, at);
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        p->pos += 6;
    }
    return bt_utf8_put(&p->arena, (uint32_t)cp);
}

/* A string at in[pos] == '"', its decoded bytes appended to the arena. */
static enum bt_err parse_string(struct jparser *p, size_t idx)
{
    enum bt_err err = BT_OK;

    p->v[idx].str = p->arena.len;
    p->pos++;
    while (err == BT_OK) {
        size_t run = p->pos;

        /* Plain characters are copied a run at a time. */
        while (p->pos < p->len && p->in[p->pos] >= 0x20 && p->in[p->pos] != '"' &&
               p->in[p->pos] != '\\') {
            size_t k = 1;

            if (p->in[p->pos] >= 0x80)
                k = bt_utf8_char_len(p->in + p->pos, p->len - p->pos);
            if (k == 0)
                return fail_at(p, BT_ERR_JSON_UTF8, p->pos);
            p->pos += k;
        }
        err = bt_buf_append(&p->arena, p->in + run, p->pos - run);
        if (err != BT_OK)
            break;
        if (p->pos >= p->len)
            return fail_at(p, BT_ERR_BENCODE_TRUNCATED, p->len);
        if (p->in[p->pos] == '"') {
            p->pos++;
            break;
        }
        if (p->in[p->pos] < 0x20) /* RFC 8259 section 7: control characters must be escaped */
            return fail_at(p, BT_ERR_JSON_SYNTAX, p->pos);
        err = parse_escape(p);
    }
    p->v[idx].slen = p->arena.len - p->v[idx].str;
    return err;
}

/* An integer: -?(0|[1-9][0-9]*), within int64.  JSON's fractions and exponents
 * have no bencode form. */
static enum bt_err parse_number(struct jparser *p, int64_t *out)
{
    size_t start = p->pos;
    int negative = 0;
    uint64_t mag = 0, max;

    if (p->in[p->pos] == '-') {
        negative = 1;
        p->pos++;
    }
    /* INT64_MIN's magnitude is one more than INT64_MAX's. */
    max = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    if (p->pos >= p->len)
        return fail_at(p, BT_ERR_BENCODE_TRUNCATED, p->len);
    if (!is_digit(p->in[p->pos]))
        return fail_at(p, BT_ERR_JSON_SYNTAX, p->pos);
    if (p->in[p->pos] == '0' && p->pos + 1 < p->len && is_digit(p->in[p->pos + 1]))
        return fail_at(p, BT_ERR_JSON_SYNTAX, p->pos + 1);
    while (p->pos < p->len && is_digit(p->in[p->pos])) {
        unsigned d = (unsigned)(p->in[p->pos] - '0');

        if (mag > (max - d) / 10)
            return fail_at(p, BT_ERR_BENCODE_INT_OVERFLOW, start);
        mag = mag * 10 + d;
        p->pos++;
    }
    if (p->pos < p->len && (p->in[p->pos] == '.' || p->in[p->pos] == 'e' || p->in[p->pos] == 'E'))
        return fail_at(p, BT_ERR_JSON_NOT_INTEGER, p->pos);
    if (negative)
        *out = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
    else
        *out = (int64_t)mag;
    return BT_OK;
}

static int arena_eq(const struct jparser *p, const struct jvalue *v, const char *s)
{
    return v->type == J_STR &&
           bt_bencode_key_cmp(p->arena.data + v->str, v->slen, s, strlen(s)) == 0;
}

/*
 * An object with one member, {"$hex": "..."} or {"$dict": [...]}, has just closed
 * at index o: check its form, and turn "$hex" into the string it stands for.
 */
static enum bt_err resolve_escape(struct jparser *p, size_t o)
{
    struct jvalue *obj = &p->v[o], *key = obj + 1, *val = obj + 2, *pair;
    unsigned char *s;
    uint32_t i;

    if (arena_eq(p, key, BT_JSON_HEX)) {
        if (val->type != J_STR || val->slen % 2 != 0)
            return fail_at(p, BT_ERR_JSON_BINARY, obj->offset);
        /* Decode in place: the bytes are half as long as their hex. */
        s = p->arena.data + val->str;
        if (bt_hex_decode_mem(s, s, val->slen / 2) != BT_OK)
            return fail_at(p, BT_ERR_JSON_BINARY, obj->offset);
        obj->type = J_STR;
        obj->str = val->str;
        obj->slen = val->slen / 2;
        obj->count = 0;
        obj->skip = 1;
        p->n = o + 1; /* the key and value were the last values */
        return BT_OK;
    }
    if (arena_eq(p, key, BT_JSON_DICT)) {
        if (val->type != J_ARRAY)
            return fail_at(p, BT_ERR_JSON_BINARY, obj->offset);
        pair = val + 1;
        for (i = 0; i < val->count; i++) {
            if (pair->type != J_ARRAY || pair->count != 2 || pair[1].type != J_STR)
                return fail_at(p, BT_ERR_JSON_BINARY, pair->offset);
            pair += pair->skip;
        }
        obj->type = J_PAIRS;
    }
    return BT_OK;
}

/* The closing bracket c of the innermost open array or object, at in[pos]. */
static enum bt_err close_container(struct jparser *p, enum want *want)
{
    size_t idx = p->open[p->depth - 1];
    struct jvalue *v = &p->v[idx];

    if (p->in[p->pos] != (v->type == J_ARRAY ? ']' : '}'))
        return fail_at(p, BT_ERR_JSON_SYNTAX, p->pos);
    p->pos++;
    p->depth--;
    v->skip = (uint32_t)(p->n - idx);
    *want = WANT_COMMA_OR_CLOSE;
    return v->type == J_OBJECT && v->count == 1 ? resolve_escape(p, idx) : BT_OK;
}

/* The start of a value at in[pos]: a scalar whole, or an array or object opened. */
static enum bt_err parse_value(struct jparser *p, enum want *want)
{
    unsigned char c = p->in[p->pos];
    size_t idx;
    enum bt_err err;

    if (p->depth > 0 && p->v[p->open[p->depth - 1]].type == J_ARRAY)
        p->v[p->open[p->depth - 1]].count++;
    if (c == '[' || c == '{') {
        if (p->depth >= BT_JSON_MAX_DEPTH)
            return fail_at(p, BT_ERR_BENCODE_DEPTH, p->pos);
        err = new_value(p, c == '[' ? J_ARRAY : J_OBJECT, &idx);
        if (err != BT_OK)
            return err;
        p->open[p->depth++] = idx;
        p->pos++;
        *want = c == '[' ? WANT_VALUE_OR_CLOSE : WANT_KEY_OR_CLOSE;
        return BT_OK;
    }
    *want = WANT_COMMA_OR_CLOSE;
    if (c == '"') {
        err = new_value(p, J_STR, &idx);
        return err != BT_OK ? err : parse_string(p, idx);
    }
    if (c == '-' || is_digit(c)) {
        err = new_value(p, J_INT, &idx);
        return err != BT_OK ? err : parse_number(p, &p->v[idx].i);
    }
    if (p->len - p->pos >= 4 &&
        (memcmp(p->in + p->pos, "true", 4) == 0 || memcmp(p->in + p->pos, "null", 4) == 0))
        return fail_at(p, BT_ERR_JSON_LITERAL, p->pos);
    if (p->len - p->pos >= 5 && memcmp(p->in + p->pos, "false", 5) == 0)
        return fail_at(p, BT_ERR_JSON_LITERAL, p->pos);
    return fail_at(p, BT_ERR_JSON_SYNTAX, p->pos);
}

/* A member's key and its colon, at in[pos]. */
static enum bt_err parse_key(struct jparser *p)
{
    size_t idx;
    enum bt_err err;

    if (p->in[p->pos] != '"')
        return fail_at(p, BT_ERR_JSON_SYNTAX, p->pos);
    p->v[p->open[p->depth - 1]].count++;
    err = new_value(p, J_STR, &idx);
    if (err == BT_OK)
        err = parse_string(p, idx);
    if (err != BT_OK)
        return err;
    skip_ws(p);
    if (p->pos >= p->len)
        return fail_at(p, BT_ERR_BENCODE_TRUNCATED, p->len);
    if (p->in[p->pos] != ':')
        return fail_at(p, BT_ERR_JSON_SYNTAX, p->pos);
    p->pos++;
    return BT_OK;
}

/* Parse the whole text into p->v, without recursion. */
static enum bt_err parse_text(struct jparser *p)
{
    enum want want = WANT_VALUE;
    enum bt_err err = BT_OK;

    p->open = malloc(BT_JSON_MAX_DEPTH * sizeof(*p->open));
    if (p->open == NULL)
        return BT_ERR_NOMEM;
    do {
        skip_ws(p);
        if (p->pos >= p->len)
            return fail_at(p, BT_ERR_BENCODE_TRUNCATED, p->len);
        switch (want) {
        case WANT_VALUE_OR_CLOSE:
            if (p->in[p->pos] == ']') {
                err = close_container(p, &want);
                break;
            }
            err = parse_value(p, &want);
            break;
        case WANT_VALUE:
            err = parse_value(p, &want);
            break;
        case WANT_KEY_OR_CLOSE:
            if (p->in[p->pos] == '}') {
                err = close_container(p, &want);
                break;
            }
            err = parse_key(p);
            want = WANT_VALUE;
            break;
        case WANT_KEY:
            err = parse_key(p);
            want = WANT_VALUE;
            break;
        case WANT_COMMA_OR_CLOSE:
            if (p->in[p->pos] != ',') {
                err = close_container(p, &want);
                break;
            }
            p->pos++;
            want = p->v[p->open[p->depth - 1]].type == J_ARRAY ? WANT_VALUE : WANT_KEY;
            break;
        }
    } while (err == BT_OK && p->depth > 0);
    if (err != BT_OK)
        return err;
    skip_ws(p);
    if (p->pos < p->len)
        return fail_at(p, BT_ERR_BENCODE_TRAILING, p->pos);
    return BT_OK;
}

/* A dict member on its way to bencode: key bytes, where the key was, its value. */
struct jpair {
    const unsigned char *key;
    size_t klen;
    size_t offset;
    const struct jvalue *value;
};

/* By key bytes, then by position, so that of equal keys the first comes first. */
static int pair_cmp(const void *a, const void *b)
{
    const struct jpair *x = a, *y = b;
    int c = bt_bencode_key_cmp(x->key, x->klen, y->key, y->klen);

    if (c != 0)
        return c;
    if (x->offset == y->offset)
        return 0;
    return x->offset < y->offset ? -1 : 1;
}

static enum bt_err emit(struct jparser *p, const struct jvalue *v, size_t depth,
                        struct bt_buf *out);

/* An object or a "$dict" as a bencode dict, its keys sorted by raw bytes. */
static enum bt_err emit_dict(struct jparser *p, const struct jvalue *v, size_t depth,
                             struct bt_buf *out)
{
    const struct jvalue *item, *key;
    struct jpair *pairs;
    uint32_t i, count;
    enum bt_err err;

    if (v->type == J_PAIRS) {
        item = v + 2; /* v + 1 is the "$dict" key, v + 2 the array of pairs */
        count = item->count;
        item++;
    } else {
        item = v + 1;
        count = v->count;
    }
    pairs = malloc((count > 0 ? count : 1) * sizeof(*pairs));
    if (pairs == NULL)
        return BT_ERR_NOMEM;
    for (i = 0; i < count; i++) {
        key = v->type == J_PAIRS ? item + 1 : item;
        pairs[i].key = p->arena.data + key->str;
        pairs[i].klen = key->slen;
        pairs[i].offset = key->offset;
        pairs[i].value = key + key->skip;
        item = v->type == J_PAIRS ? item + item->skip : pairs[i].value + pairs[i].value->skip;
    }
    qsort(pairs, count, sizeof(*pairs), pair_cmp);

    err = bt_bencode_put_dict(out);
    for (i = 0; i < count && err == BT_OK; i++) {
        if (i > 0 && bt_bencode_key_cmp(pairs[i - 1].key, pairs[i - 1].klen, pairs[i].key,
                                        pairs[i].klen) == 0) {
            if (p->lenient)
                continue;
            err = fail_at(p, BT_ERR_BENCODE_KEY_DUP, pairs[i].offset);
            break;
        }
        err = bt_bencode_put_str(out, pairs[i].key, pairs[i].klen);
        if (err == BT_OK)
            err = emit(p, pairs[i].value, depth + 1, out);
    }
    free(pairs);
    return err != BT_OK ? err : bt_bencode_put_end(out);
}

/*
 * Write v as bencode.  depth counts the lists and dicts around v; it is held to
 * BT_BENCODE_DEFAULT_DEPTH so that the output decodes with default limits, and
 * that also bounds this recursion.
 */
static enum bt_err emit(struct jparser *p, const struct jvalue *v, size_t depth, struct bt_buf *out)
{
    const struct jvalue *item;
    enum bt_err err;
    uint32_t i;

    switch (v->type) {
    case J_INT:
        return bt_bencode_put_int(out, v->i);
    case J_STR:
        return bt_bencode_put_str(out, p->arena.data + v->str, v->slen);
    case J_ARRAY:
    case J_OBJECT:
    case J_PAIRS:
        break;
    }
    if (depth >= BT_BENCODE_DEFAULT_DEPTH)
        return fail_at(p, BT_ERR_BENCODE_DEPTH, v->offset);
    if (v->type != J_ARRAY)
        return emit_dict(p, v, depth, out);
    err = bt_bencode_put_list(out);
    item = v + 1;
    for (i = 0; i < v->count && err == BT_OK; i++) {
        err = emit(p, item, depth + 1, out);
        item += item->skip;
    }
    return err != BT_OK ? err : bt_bencode_put_end(out);
}

enum bt_err bt_json_to_bencode(struct bt_buf *out, const void *json, size_t len, unsigned flags,
                               size_t *err_offset)
{
    struct jparser p;
    enum bt_err err;

    memset(&p, 0, sizeof(p));
    p.in = json;
    p.len = len;
    p.lenient = (flags & BT_JSON_LENIENT) != 0;
    p.err_offset = BT_JSON_NO_OFFSET;
    bt_buf_init(&p.arena, len);

    if (err_offset != NULL)
        *err_offset = BT_JSON_NO_OFFSET;
    if (len > BT_JSON_MAX_TEXT)
        return BT_ERR_TOO_LARGE;

    err = parse_text(&p);
    if (err == BT_OK)
        err = emit(&p, &p.v[0], 0, out);
    /* The arena cannot overflow (decoding never lengthens a string), so a size
     * error is about the caller's cap on out. */
    if (err == BT_ERR_TOO_LARGE)
        err = BT_ERR_JSON_OUTPUT;
    if (err == BT_ERR_NOMEM || err == BT_ERR_JSON_OUTPUT)
        p.err_offset = BT_JSON_NO_OFFSET;
    if (err_offset != NULL && err != BT_OK)
        *err_offset = p.err_offset;
    free(p.v);
    free(p.open);
    bt_buf_release(&p.arena);
    return err;
}
