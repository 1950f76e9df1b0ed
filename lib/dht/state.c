/*
 * state.c - a DHT node's id and nodes across runs.  See state.h.
 */
#include "dht/state.h"

#include <string.h>

#include "bencode/bencode.h"
#include "core/buf.h"

/* The nodes of one family (iplen 4 or 16), compact, as one bencoded string. */
static enum bt_err put_nodes(struct bt_buf *out, const struct bt_dht_contact *c, size_t n,
                             size_t iplen)
{
    unsigned char packed[BT_DHT_STATE_NODES * BT_KRPC_NODE6_LEN];
    size_t i, len = 0;

    for (i = 0; i < n; i++) {
        if (c[i].addr.iplen != iplen)
            continue;
        memcpy(packed + len, c[i].id, BT_DHT_ID_LEN);
        len += BT_DHT_ID_LEN;
        len += bt_netaddr_put(&c[i].addr, packed + len);
    }
    return bt_bencode_put_str(out, packed, len);
}

enum bt_err bt_dht_state_save(const struct bt_dht *d, const char *path, uint64_t now)
{
    struct bt_dht_contact nodes[BT_DHT_STATE_NODES];
    size_t n = bt_dht_table_good_nodes(&d->table, now, nodes, BT_DHT_STATE_NODES);
    struct bt_buf out;
    enum bt_err err;

    bt_buf_init(&out, BT_DHT_STATE_MAX);
    err = bt_bencode_put_dict(&out);
    if (err == BT_OK)
        err = bt_bencode_put_cstr(&out, "id");
    if (err == BT_OK)
        err = bt_bencode_put_str(&out, d->id, BT_DHT_ID_LEN);
    if (err == BT_OK)
        err = bt_bencode_put_cstr(&out, "nodes");
    if (err == BT_OK)
        err = put_nodes(&out, nodes, n, 4);
    if (err == BT_OK)
        err = bt_bencode_put_cstr(&out, "nodes6");
    if (err == BT_OK)
        err = put_nodes(&out, nodes, n, 16);
    if (err == BT_OK)
        err = bt_bencode_put_end(&out);
    if (err == BT_OK)
        err = bt_write_file(path, out.data, out.len);
    bt_buf_release(&out);
    return err;
}

/* Read the compact nodes of one family from a string node. */
static void get_nodes(const struct bt_bnode *v, size_t iplen, struct bt_dht_contact *nodes,
                      size_t max, size_t *n)
{
    size_t entry = BT_DHT_ID_LEN + iplen + 2, at;

    if (v == NULL || v->type != BT_BENCODE_STR || v->slen % entry != 0)
        return;
    for (at = 0; at < v->slen && *n < max; at += entry) {
        memcpy(nodes[*n].id, v->s + at, BT_DHT_ID_LEN);
        bt_netaddr_get(v->s + at + BT_DHT_ID_LEN, iplen, &nodes[*n].addr);
        (*n)++;
    }
}

enum bt_err bt_dht_state_load(const char *path, unsigned char *id, struct bt_dht_contact *nodes,
                              size_t max, size_t *n)
{
    struct bt_buf in;
    struct bt_bencode b;
    const struct bt_bnode *root, *v;
    enum bt_err err;

    *n = 0;
    bt_buf_init(&in, BT_DHT_STATE_MAX);
    err = bt_buf_read_file(&in, path);
    if (err == BT_ERR_TOO_LARGE)
        err = BT_ERR_DHT_STATE;
    if (err != BT_OK) {
        bt_buf_release(&in);
        return err;
    }
    bt_bencode_init(&b);
    err = bt_bencode_parse(&b, in.data, in.len, BT_BENCODE_STRICT);
    root = err == BT_OK ? bt_bencode_root(&b) : NULL;
    v = root != NULL && root->type == BT_BENCODE_DICT ? bt_bnode_dict_get(root, "id") : NULL;
    if (v == NULL || v->type != BT_BENCODE_STR || v->slen != BT_DHT_ID_LEN) {
        err = BT_ERR_DHT_STATE;
    } else {
        memcpy(id, v->s, BT_DHT_ID_LEN);
        get_nodes(bt_bnode_dict_get(root, "nodes"), 4, nodes, max, n);
        get_nodes(bt_bnode_dict_get(root, "nodes6"), 16, nodes, max, n);
        err = BT_OK;
    }
    bt_bencode_release(&b);
    bt_buf_release(&in);
    return err;
}
