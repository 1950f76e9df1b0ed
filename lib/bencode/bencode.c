/*
 * bencode.c - BEP 3 bencoding: a non-recursive decoder and a small encoder.
 *
 * The decoder walks the input once, left to right.  Open lists and dicts live on
 * an explicit stack (bounded by max_depth) instead of the C call stack, so a file
 * of a million '[' cannot crash us.  Each value becomes one node in a flat array;
 * see bencode.h for the layout.
 */
#include "bencode/bencode.h"

#include <stdlib.h>
#include <string.h>

/* One open container on the decoder's stack. */
struct open_container {
    size_t node;     /* index of the list or dict node */
    size_t last_key; /* dict: index of the previous key node, or SIZE_MAX */
    int want_key;    /* dict: the next value is a key */
};

void bt_bencode_init(struct bt_bencode *b)
{
    memset(b, 0, sizeof(*b));
    b->max_depth = BT_BENCODE_DEFAULT_DEPTH;
    b->max_tokens = BT_BENCODE_DEFAULT_TOKENS;
}

void bt_bencode_release(struct bt_bencode *b)
{
    free(b->nodes);
    b->nodes = NULL;
    b->n = 0;
    b->cap = 0;
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Append a fresh node, growing the array within max_tokens. */
static enum bt_err new_node(struct bt_bencode *b, enum bt_bencode_type type, size_t offset,
                            size_t *idx)
{
    struct bt_bnode *node;

    if (b->n >= b->max_tokens || b->n >= UINT32_MAX)
        return BT_ERR_BENCODE_TOKENS;
    if (b->n == b->cap) {
        size_t newcap = b->cap == 0 ? 64 : b->cap * 2;
        struct bt_bnode *p;

        if (newcap > b->max_tokens)
            newcap = b->max_tokens;
        if (newcap > SIZE_MAX / sizeof(*p))
            return BT_ERR_NOMEM;
        p = realloc(b->nodes, newcap * sizeof(*p));
        if (p == NULL)
            return BT_ERR_NOMEM;
        b->nodes = p;
        b->cap = newcap;
    }
    node = &b->nodes[b->n];
    memset(node, 0, sizeof(*node));
    node->type = type;
    node->offset = offset;
    node->skip = 1;
    *idx = b->n++;
    return BT_OK;
}

/*
 * Read an unsigned decimal at in[*pos..], stopping at the first non-digit.
 * Sets *value, advances *pos.  Rejects no digits, leading zeros (unless lenient)
 * and values above max.
 */
static enum bt_err read_decimal(const unsigned char *in, size_t len, size_t *pos, uint64_t max,
                                int lenient, uint64_t *value)
{
    size_t start = *pos;
    uint64_t v = 0;

    while (*pos < len && is_digit(in[*pos])) {
        unsigned d = (unsigned)(in[*pos] - '0');

        if (v > (max - d) / 10) {
            *pos = start;
            return BT_ERR_BENCODE_INT_OVERFLOW;
        }
        v = v * 10 + d;
        (*pos)++;
    }
    if (*pos == start)
        return *pos >= len ? BT_ERR_BENCODE_TRUNCATED : BT_ERR_BENCODE_SYNTAX;
    if (!lenient && in[start] == '0' && *pos - start > 1) {
        *pos = start;
        return BT_ERR_BENCODE_LEADING_ZERO;
    }
    *value = v;
    return BT_OK;
}

/* i<digits>e, at in[*pos] == 'i'. */
static enum bt_err parse_int(const unsigned char *in, size_t len, size_t *pos, int lenient,
                             int64_t *out)
{
    int negative = 0;
    uint64_t mag;
    size_t digits;
    enum bt_err err;

    (*pos)++; /* 'i' */
    if (*pos < len && in[*pos] == '-') {
        negative = 1;
        (*pos)++;
    }
    digits = *pos;
    /* INT64_MIN's magnitude is one more than INT64_MAX's. */
    err = read_decimal(in, len, pos, negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX,
                       lenient, &mag);
    if (err != BT_OK)
        return err;
    if (negative && mag == 0 && !lenient) {
        *pos = digits - 1;
        return BT_ERR_BENCODE_NEGATIVE_ZERO;
    }
    if (*pos >= len)
        return BT_ERR_BENCODE_TRUNCATED;
    if (in[*pos] != 'e')
        return BT_ERR_BENCODE_SYNTAX;
    (*pos)++;
    if (negative)
        *out = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
    else
        *out = (int64_t)mag;
    return BT_OK;
}

/* <length>:<bytes>, at a digit. */
static enum bt_err parse_str(const unsigned char *in, size_t len, size_t *pos, int lenient,
                             const unsigned char **s, size_t *slen)
{
    uint64_t n;
    size_t start = *pos;
    enum bt_err err;

    err = read_decimal(in, len, pos, SIZE_MAX, lenient, &n);
    if (err != BT_OK)
        return err;
    if (*pos >= len)
        return BT_ERR_BENCODE_TRUNCATED;
    if (in[*pos] != ':')
        return BT_ERR_BENCODE_SYNTAX;
    (*pos)++;
    if (n > len - *pos) {
        *pos = start;
        return BT_ERR_BENCODE_STRLEN;
    }
    *s = in + *pos;
    *slen = (size_t)n;
    *pos += (size_t)n;
    return BT_OK;
}

/*
 * A new value starts at pos inside the container on top of the stack: a dict
 * alternates key and value, and a key must be a string in ascending order.
 */
static enum bt_err enter_value(struct bt_bencode *b, struct open_container *top, int is_string)
{
    struct bt_bnode *parent = &b->nodes[top->node];

    if (parent->type == BT_BENCODE_LIST) {
        parent->count++;
        return BT_OK;
    }
    if (!top->want_key) {
        top->want_key = 1;
        parent->count++;
        return BT_OK;
    }
    if (!is_string)
        return BT_ERR_BENCODE_KEY_TYPE;
    top->want_key = 0; /* the key's order is checked once it is parsed */
    return BT_OK;
}

static enum bt_err check_key_order(struct bt_bencode *b, struct open_container *top, size_t key)
{
    if (top->last_key != SIZE_MAX) {
        const struct bt_bnode *prev = &b->nodes[top->last_key], *k = &b->nodes[key];
        int c = bt_bencode_key_cmp(prev->s, prev->slen, k->s, k->slen);

        if (c == 0)
            return BT_ERR_BENCODE_KEY_DUP;
        if (c > 0)
            return BT_ERR_BENCODE_KEY_ORDER;
    }
    top->last_key = key;
    return BT_OK;
}

enum bt_err bt_bencode_parse(struct bt_bencode *b, const void *input, size_t len, unsigned flags)
{
    const unsigned char *in = input;
    const int lenient = (flags & BT_BENCODE_LENIENT) != 0;
    struct open_container *stack;
    size_t depth = 0, pos = 0;
    enum bt_err err = BT_OK;

    b->n = 0;
    b->consumed = 0;
    b->err_offset = 0;
    if (len == 0)
        return BT_ERR_BENCODE_TRUNCATED;
    if (b->max_depth == 0)
        return BT_ERR_BENCODE_DEPTH;
    stack = malloc(b->max_depth * sizeof(*stack));
    if (stack == NULL)
        return BT_ERR_NOMEM;

    do {
        struct open_container *top = depth > 0 ? &stack[depth - 1] : NULL;
        size_t idx;
        int is_key;

        if (pos >= len) {
            err = BT_ERR_BENCODE_TRUNCATED;
            break;
        }

        /* The end of the innermost open list or dict. */
        if (top != NULL && in[pos] == 'e') {
            struct bt_bnode *node = &b->nodes[top->node];

            if (node->type == BT_BENCODE_DICT && !top->want_key) {
                err = BT_ERR_BENCODE_SYNTAX; /* a key with no value */
                break;
            }
            pos++;
            node->enc_len = pos - node->offset;
            node->skip = (uint32_t)(b->n - top->node);
            depth--;
            continue;
        }

        is_key = top != NULL && b->nodes[top->node].type == BT_BENCODE_DICT && top->want_key;
        if (top != NULL) {
            err = enter_value(b, top, is_digit(in[pos]));
            if (err != BT_OK)
                break;
        }

        if (in[pos] == 'i') {
            err = new_node(b, BT_BENCODE_INT, pos, &idx);
            if (err == BT_OK)
                err = parse_int(in, len, &pos, lenient, &b->nodes[idx].i);
            if (err != BT_OK)
                break;
            b->nodes[idx].enc_len = pos - b->nodes[idx].offset;
        } else if (is_digit(in[pos])) {
            err = new_node(b, BT_BENCODE_STR, pos, &idx);
            if (err == BT_OK)
                err = parse_str(in, len, &pos, lenient, &b->nodes[idx].s, &b->nodes[idx].slen);
            if (err != BT_OK)
                break;
            b->nodes[idx].enc_len = pos - b->nodes[idx].offset;
            if (is_key && !lenient) {
                err = check_key_order(b, top, idx);
                if (err != BT_OK) {
                    pos = b->nodes[idx].offset;
                    break;
                }
            }
        } else if (in[pos] == 'l' || in[pos] == 'd') {
            if (depth >= b->max_depth) {
                err = BT_ERR_BENCODE_DEPTH;
                break;
            }
            err = new_node(b, in[pos] == 'l' ? BT_BENCODE_LIST : BT_BENCODE_DICT, pos, &idx);
            if (err != BT_OK)
                break;
            stack[depth].node = idx;
            stack[depth].last_key = SIZE_MAX;
            stack[depth].want_key = 1;
            depth++;
            pos++;
        } else {
            err = BT_ERR_BENCODE_SYNTAX;
            break;
        }
    } while (depth > 0);

    free(stack);
    if (err == BT_OK) {
        b->consumed = pos;
        if (pos < len && !lenient && (flags & BT_BENCODE_PREFIX) == 0)
            err = BT_ERR_BENCODE_TRAILING;
    }
    if (err != BT_OK) {
        b->err_offset = pos < len ? pos : len;
        b->n = 0;
    }
    return err;
}

const struct bt_bnode *bt_bnode_dict_get(const struct bt_bnode *dict, const char *key)
{
    const struct bt_bnode *k;
    size_t keylen, i;

    if (dict == NULL || dict->type != BT_BENCODE_DICT)
        return NULL;
    keylen = strlen(key);
    k = bt_bnode_child(dict);
    for (i = 0; i < dict->count; i++) {
        const struct bt_bnode *v = bt_bnode_sibling(k);

        if (k->slen == keylen && memcmp(k->s, key, keylen) == 0)
            return v;
        k = bt_bnode_sibling(v);
    }
    return NULL;
}

const struct bt_bnode *bt_bnode_dict_get_type(const struct bt_bnode *dict, const char *key,
                                              enum bt_bencode_type type)
{
    const struct bt_bnode *v = bt_bnode_dict_get(dict, key);

    return v != NULL && v->type == type ? v : NULL;
}

const struct bt_bnode *bt_bnode_list_at(const struct bt_bnode *list, size_t idx)
{
    const struct bt_bnode *item;

    if (list == NULL || list->type != BT_BENCODE_LIST || idx >= list->count)
        return NULL;
    item = bt_bnode_child(list);
    while (idx-- > 0)
        item = bt_bnode_sibling(item);
    return item;
}

int bt_bnode_str_eq(const struct bt_bnode *n, const char *s)
{
    size_t len = strlen(s);

    return n != NULL && n->type == BT_BENCODE_STR && n->slen == len && memcmp(n->s, s, len) == 0;
}

enum bt_err bt_bencode_put_int(struct bt_buf *buf, int64_t v)
{
    return bt_buf_printf(buf, "i%llde", (long long)v);
}

enum bt_err bt_bencode_put_str(struct bt_buf *buf, const void *p, size_t n)
{
    enum bt_err err = bt_buf_printf(buf, "%zu:", n);

    if (err != BT_OK)
        return err;
    return bt_buf_append(buf, p, n);
}

enum bt_err bt_bencode_put_cstr(struct bt_buf *buf, const char *s)
{
    return bt_bencode_put_str(buf, s, strlen(s));
}

enum bt_err bt_bencode_put_list(struct bt_buf *buf)
{
    return bt_buf_append_byte(buf, 'l');
}

enum bt_err bt_bencode_put_dict(struct bt_buf *buf)
{
    return bt_buf_append_byte(buf, 'd');
}

enum bt_err bt_bencode_put_end(struct bt_buf *buf)
{
    return bt_buf_append_byte(buf, 'e');
}
