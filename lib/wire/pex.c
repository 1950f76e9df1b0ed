/*
 * pex.c - BEP 11's ut_pex message: parsed with hard bounds, and built.  See
 * pex.h.
 *
 *   d 5:added 6:<7f 00 00 01 1a e1> 7:added.f 1:<12> 6:added6 0: 8:added6.f 0:
 *     7:dropped 0: 8:dropped6 0: e
 *
 *   one peer added, 127.0.0.1:6881, flags 0x12: a seed the sender dialled itself
 */
#include "wire/pex.h"

#include <string.h>

#include "bencode/bencode.h"

/* Six keys and their strings, and a few unknown keys beside them. */
#define PEX_MAX_TOKENS 64
#define PEX_MAX_DEPTH  4

/* One of the six lists: its key, and the size of one entry. */
struct pex_list {
    const char *key;
    size_t entry; /* BT_NETADDR_COMPACT4 or BT_NETADDR_COMPACT6 */
};

/*
 * The string under key, or an empty one if the key is absent.  A key that
 * holds another type is malformed: returns -1.
 */
static int get_str(const struct bt_bnode *dict, const char *key, const unsigned char **s, size_t *n)
{
    const struct bt_bnode *v = bt_bnode_dict_get(dict, key);

    *s = NULL;
    *n = 0;
    if (v == NULL)
        return 0;
    if (v->type != BT_BENCODE_STR)
        return -1;
    *s = v->s;
    *n = v->slen;
    return 0;
}

/* Read the peers of one added list (and its flags) into m, as many as fit. */
static enum bt_err take_added(struct bt_pex_msg *m, const struct bt_bnode *root,
                              const struct pex_list *l, const char *flags_key)
{
    const unsigned char *s, *f;
    size_t n, fn, count, i;

    if (get_str(root, l->key, &s, &n) != 0 || get_str(root, flags_key, &f, &fn) != 0)
        return BT_ERR_PEER_MESSAGE;
    if (n % l->entry != 0)
        return BT_ERR_PEER_MESSAGE;
    count = n / l->entry;
    /* One flags byte per peer, or none at all. */
    if (fn != 0 && fn != count)
        return BT_ERR_PEER_MESSAGE;
    m->added_total += count;
    for (i = 0; i < count && m->added_count < BT_PEX_MAX_ENTRIES; i++) {
        struct bt_pex_peer *pp = &m->added[m->added_count++];

        bt_netaddr_get(s + i * l->entry, l->entry - 2, &pp->addr);
        pp->flags = fn != 0 ? f[i] : 0;
    }
    return BT_OK;
}

static enum bt_err take_dropped(struct bt_pex_msg *m, const struct bt_bnode *root,
                                const struct pex_list *l)
{
    const unsigned char *s;
    size_t n, count, i;

    if (get_str(root, l->key, &s, &n) != 0 || n % l->entry != 0)
        return BT_ERR_PEER_MESSAGE;
    count = n / l->entry;
    m->dropped_total += count;
    for (i = 0; i < count && m->dropped_count < BT_PEX_MAX_ENTRIES; i++)
        bt_netaddr_get(s + i * l->entry, l->entry - 2, &m->dropped[m->dropped_count++]);
    return BT_OK;
}

enum bt_err bt_pex_parse(struct bt_pex_msg *m, const unsigned char *p, size_t len)
{
    static const struct pex_list added = {"added", BT_NETADDR_COMPACT4};
    static const struct pex_list added6 = {"added6", BT_NETADDR_COMPACT6};
    static const struct pex_list dropped = {"dropped", BT_NETADDR_COMPACT4};
    static const struct pex_list dropped6 = {"dropped6", BT_NETADDR_COMPACT6};
    struct bt_bencode b;
    const struct bt_bnode *root;
    enum bt_err err;

    memset(m, 0, sizeof(*m));
    if (len > BT_PEX_MAX_LEN)
        return BT_ERR_TOO_LARGE;
    bt_bencode_init(&b);
    b.max_tokens = PEX_MAX_TOKENS;
    b.max_depth = PEX_MAX_DEPTH;
    /* Lenient: not every client sorts its keys. */
    err = bt_bencode_parse(&b, p, len, BT_BENCODE_LENIENT);
    root = bt_bencode_root(&b);
    if (err != BT_OK || root == NULL || root->type != BT_BENCODE_DICT) {
        bt_bencode_release(&b);
        return BT_ERR_PEER_MESSAGE;
    }
    err = take_added(m, root, &added, "added.f");
    if (err == BT_OK)
        err = take_added(m, root, &added6, "added6.f");
    if (err == BT_OK)
        err = take_dropped(m, root, &dropped);
    if (err == BT_OK)
        err = take_dropped(m, root, &dropped6);
    bt_bencode_release(&b);
    if (err != BT_OK)
        memset(m, 0, sizeof(*m));
    return err;
}

/* The compact entries of one family, and for added peers their flags. */
static enum bt_err put_family(struct bt_buf *buf, const struct bt_netaddr *const *addrs,
                              const unsigned char *flags, size_t n, unsigned iplen, const char *key,
                              const char *flags_key)
{
    unsigned char entries[BT_PEX_MAX_ENTRIES * BT_NETADDR_COMPACT6];
    unsigned char fl[BT_PEX_MAX_ENTRIES];
    size_t len = 0, count = 0, i;
    enum bt_err err;

    for (i = 0; i < n; i++) {
        if (addrs[i]->iplen != iplen)
            continue;
        len += bt_netaddr_put(addrs[i], entries + len);
        if (flags != NULL)
            fl[count] = flags[i];
        count++;
    }
    err = bt_bencode_put_cstr(buf, key);
    if (err == BT_OK)
        err = bt_bencode_put_str(buf, entries, len);
    if (err == BT_OK && flags_key != NULL) {
        err = bt_bencode_put_cstr(buf, flags_key);
        if (err == BT_OK)
            err = bt_bencode_put_str(buf, fl, count);
    }
    return err;
}

enum bt_err bt_pex_put(struct bt_buf *buf, const struct bt_pex_peer *added, size_t n_added,
                       const struct bt_netaddr *dropped, size_t n_dropped)
{
    const struct bt_netaddr *a[BT_PEX_MAX_ENTRIES], *d[BT_PEX_MAX_ENTRIES];
    unsigned char flags[BT_PEX_MAX_ENTRIES];
    size_t i;
    enum bt_err err;

    if (n_added > BT_PEX_MAX_ENTRIES || n_dropped > BT_PEX_MAX_ENTRIES)
        return BT_ERR_INVALID;
    for (i = 0; i < n_added; i++) {
        if (added[i].addr.iplen != 4 && added[i].addr.iplen != 16)
            return BT_ERR_INVALID;
        a[i] = &added[i].addr;
        flags[i] = added[i].flags;
    }
    for (i = 0; i < n_dropped; i++) {
        if (dropped[i].iplen != 4 && dropped[i].iplen != 16)
            return BT_ERR_INVALID;
        d[i] = &dropped[i];
    }
    /* Keys in sorted order: added, added.f, added6, added6.f, dropped, dropped6
     * ('.' sorts before '6'). */
    err = bt_bencode_put_dict(buf);
    if (err == BT_OK)
        err = put_family(buf, a, flags, n_added, 4, "added", "added.f");
    if (err == BT_OK)
        err = put_family(buf, a, flags, n_added, 16, "added6", "added6.f");
    if (err == BT_OK)
        err = put_family(buf, d, NULL, n_dropped, 4, "dropped", NULL);
    if (err == BT_OK)
        err = put_family(buf, d, NULL, n_dropped, 16, "dropped6", NULL);
    if (err == BT_OK)
        err = bt_bencode_put_end(buf);
    return err;
}
