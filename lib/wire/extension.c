/*
 * extension.c - BEP 10's extension handshake dict.  See extension.h.
 */
#include "wire/extension.h"

#include <string.h>

#include "bencode/bencode.h"
#include "core/text.h"

static int64_t get_int(const struct bt_bnode *dict, const char *key)
{
    const struct bt_bnode *n = bt_bnode_dict_get_type(dict, key, BT_BENCODE_INT);

    return n != NULL ? n->i : 0;
}

enum bt_err bt_ext_handshake_parse(struct bt_ext_handshake *eh, const unsigned char *p, size_t len)
{
    struct bt_bencode b;
    const struct bt_bnode *root, *v, *m;
    enum bt_err err;

    memset(eh, 0, sizeof(*eh));
    bt_bencode_init(&b);
    /* Lenient: real clients' dicts are not always sorted, and only these few keys
     * matter to us. */
    b.max_tokens = 4096;
    err = bt_bencode_parse(&b, p, len, BT_BENCODE_LENIENT);
    root = bt_bencode_root(&b);
    if (err != BT_OK || root == NULL || root->type != BT_BENCODE_DICT) {
        bt_bencode_release(&b);
        return BT_ERR_PEER_MESSAGE;
    }
    v = bt_bnode_dict_get_type(root, "v", BT_BENCODE_STR);
    if (v != NULL)
        bt_text_printable(eh->client, sizeof(eh->client), v->s, v->slen);
    eh->port = get_int(root, "p");
    eh->reqq = get_int(root, "reqq");
    eh->metadata_size = get_int(root, "metadata_size");
    m = bt_bnode_dict_get_type(root, "m", BT_BENCODE_DICT);
    if (m != NULL) {
        const struct bt_bnode *key = bt_bnode_child(m);
        uint32_t i;

        for (i = 0; i < m->count && eh->m_count < BT_EXT_MAX_NAMES; i++) {
            const struct bt_bnode *val = bt_bnode_sibling(key);

            if (val->type == BT_BENCODE_INT) {
                struct bt_ext_entry *e = &eh->m[eh->m_count++];

                bt_text_printable(e->name, sizeof(e->name), key->s, key->slen);
                e->id = val->i;
            }
            key = bt_bnode_sibling(val);
        }
    }
    bt_bencode_release(&b);
    return BT_OK;
}

unsigned bt_ext_handshake_id(const struct bt_ext_handshake *eh, const char *name)
{
    size_t i;

    for (i = 0; i < eh->m_count; i++)
        if (strcmp(eh->m[i].name, name) == 0)
            return eh->m[i].id > 0 && eh->m[i].id <= BT_EXT_ID_MAX ? (unsigned)eh->m[i].id : 0;
    return 0;
}

enum bt_err bt_ext_handshake_encode(struct bt_buf *buf, const struct bt_ext_offer *o)
{
    enum bt_err err;

    /* Keys in sorted order, as bencoding requires: m, metadata_size, p, reqq, v. */
    err = bt_bencode_put_dict(buf);
    if (err == BT_OK)
        err = bt_bencode_put_cstr(buf, "m");
    if (err == BT_OK)
        err = bt_bencode_put_dict(buf);
    if (err == BT_OK && o->ut_metadata_id != 0) {
        err = bt_bencode_put_cstr(buf, BT_EXT_UT_METADATA);
        if (err == BT_OK)
            err = bt_bencode_put_int(buf, o->ut_metadata_id);
    }
    if (err == BT_OK && o->ut_pex_id != 0) {
        err = bt_bencode_put_cstr(buf, BT_EXT_UT_PEX); /* after ut_metadata: 'm' < 'p' */
        if (err == BT_OK)
            err = bt_bencode_put_int(buf, o->ut_pex_id);
    }
    if (err == BT_OK)
        err = bt_bencode_put_end(buf);
    if (err == BT_OK && o->ut_metadata_id != 0 && o->metadata_size > 0) {
        err = bt_bencode_put_cstr(buf, "metadata_size");
        if (err == BT_OK)
            err = bt_bencode_put_int(buf, o->metadata_size);
    }
    if (err == BT_OK && o->port != 0) {
        err = bt_bencode_put_cstr(buf, "p");
        if (err == BT_OK)
            err = bt_bencode_put_int(buf, o->port);
    }
    if (err == BT_OK && o->reqq > 0) {
        err = bt_bencode_put_cstr(buf, "reqq");
        if (err == BT_OK)
            err = bt_bencode_put_int(buf, o->reqq);
    }
    if (err == BT_OK)
        err = bt_bencode_put_cstr(buf, "v");
    if (err == BT_OK)
        err = bt_bencode_put_cstr(buf, o->client);
    if (err == BT_OK)
        err = bt_bencode_put_end(buf);
    return err;
}
