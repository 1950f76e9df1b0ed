/*
 * metadata.c - BEP 9's ut_metadata messages, a bounded assembly of the info
 * dict, and the answers a peer that has it gives.  See metadata.h.
 *
 *   request   d 8:msg_type i0e 5:piece i3e e
 *   data      d 8:msg_type i1e 5:piece i3e 10:total_size i54321e e <5169 raw bytes>
 *   reject    d 8:msg_type i2e 5:piece i3e e
 */
#include "wire/metadata.h"

#include <stdlib.h>
#include <string.h>

#include "bencode/bencode.h"
#include "core/sha1.h"
#include "core/sha256.h"

/* The dict in front of the data holds three small keys: a few tokens suffice. */
#define HEAD_MAX_TOKENS 64

enum bt_err bt_metadata_parse(struct bt_metadata_msg *m, const unsigned char *p, size_t len)
{
    struct bt_bencode b;
    const struct bt_bnode *root, *type, *piece, *total;
    enum bt_err err;

    memset(m, 0, sizeof(*m));
    m->total_size = -1;
    bt_bencode_init(&b);
    b.max_tokens = HEAD_MAX_TOKENS;
    b.max_depth = 4;
    /* Prefix mode: the piece's raw bytes follow the dict.  Lenient: clients do not
     * all sort their keys. */
    err = bt_bencode_parse(&b, p, len, BT_BENCODE_PREFIX | BT_BENCODE_LENIENT);
    root = bt_bencode_root(&b);
    if (err != BT_OK || root == NULL || root->type != BT_BENCODE_DICT) {
        bt_bencode_release(&b);
        return BT_ERR_PEER_MESSAGE;
    }
    type = bt_bnode_dict_get_type(root, "msg_type", BT_BENCODE_INT);
    piece = bt_bnode_dict_get_type(root, "piece", BT_BENCODE_INT);
    total = bt_bnode_dict_get_type(root, "total_size", BT_BENCODE_INT);
    if (type == NULL || piece == NULL || piece->i < 0) {
        bt_bencode_release(&b);
        return BT_ERR_PEER_MESSAGE;
    }
    m->type = type->i;
    m->piece = piece->i;
    if (total != NULL)
        m->total_size = total->i;
    m->data = p + b.consumed;
    m->data_len = len - b.consumed;
    bt_bencode_release(&b);
    /* Only a data message carries bytes after its dict. */
    if (m->type != BT_METADATA_DATA && m->data_len != 0)
        return BT_ERR_PEER_MESSAGE;
    return BT_OK;
}

enum bt_err bt_metadata_put(struct bt_buf *buf, int type, uint32_t piece, int64_t total_size,
                            const void *data, size_t n)
{
    enum bt_err err;

    /* Keys in sorted order: msg_type, piece, total_size. */
    err = bt_bencode_put_dict(buf);
    if (err == BT_OK)
        err = bt_bencode_put_cstr(buf, "msg_type");
    if (err == BT_OK)
        err = bt_bencode_put_int(buf, type);
    if (err == BT_OK)
        err = bt_bencode_put_cstr(buf, "piece");
    if (err == BT_OK)
        err = bt_bencode_put_int(buf, piece);
    if (err == BT_OK && type == BT_METADATA_DATA) {
        err = bt_bencode_put_cstr(buf, "total_size");
        if (err == BT_OK)
            err = bt_bencode_put_int(buf, total_size);
    }
    if (err == BT_OK)
        err = bt_bencode_put_end(buf);
    if (err == BT_OK && type == BT_METADATA_DATA)
        err = bt_buf_append(buf, data, n);
    return err;
}

size_t bt_metadata_piece_count(size_t size)
{
    return (size + BT_METADATA_PIECE - 1) / BT_METADATA_PIECE;
}

size_t bt_metadata_piece_len(size_t size, size_t idx)
{
    size_t begin = idx * BT_METADATA_PIECE;

    if (idx >= bt_metadata_piece_count(size))
        return 0;
    return size - begin < BT_METADATA_PIECE ? size - begin : BT_METADATA_PIECE;
}

enum bt_err bt_metadata_answer(struct bt_buf *buf, const unsigned char *info, size_t info_len,
                               int64_t idx, int *type)
{
    /* BEP 9: a piece we cannot give (out of range, or no metadata) gets a reject. */
    if (info == NULL || idx < 0 || (uint64_t)idx >= bt_metadata_piece_count(info_len)) {
        *type = BT_METADATA_REJECT;
        return bt_metadata_put(buf, BT_METADATA_REJECT, idx < 0 ? 0 : (uint32_t)idx, 0, NULL, 0);
    }
    *type = BT_METADATA_DATA;
    return bt_metadata_put(buf, BT_METADATA_DATA, (uint32_t)idx, (int64_t)info_len,
                           info + (size_t)idx * BT_METADATA_PIECE,
                           bt_metadata_piece_len(info_len, (size_t)idx));
}

void bt_metadata_init(struct bt_metadata *md, const unsigned char info_hash[BT_INFOHASH_LEN])
{
    memset(md, 0, sizeof(*md));
    memcpy(md->info_hash, info_hash, BT_INFOHASH_LEN);
}

void bt_metadata_release(struct bt_metadata *md)
{
    free(md->data);
    free(md->got);
    md->data = NULL;
    md->got = NULL;
    md->size = 0;
    md->piece_count = 0;
    md->got_count = 0;
}

enum bt_err bt_metadata_set_size(struct bt_metadata *md, int64_t size)
{
    if (size <= 0 || size > BT_METADATA_MAX)
        return BT_ERR_METADATA_SIZE;
    if (md->size != 0)
        return (size_t)size == md->size ? BT_OK : BT_ERR_METADATA_SIZE;
    md->data = malloc((size_t)size);
    md->got = calloc(bt_metadata_piece_count((size_t)size), 1);
    if (md->data == NULL || md->got == NULL) {
        bt_metadata_release(md);
        return BT_ERR_NOMEM;
    }
    md->size = (size_t)size;
    md->piece_count = bt_metadata_piece_count(md->size);
    md->got_count = 0;
    return BT_OK;
}

enum bt_err bt_metadata_take(struct bt_metadata *md, const struct bt_metadata_msg *m)
{
    size_t idx;

    if (md->size == 0 || m->total_size != (int64_t)md->size)
        return BT_ERR_METADATA_SIZE;
    if (m->piece < 0 || (uint64_t)m->piece >= md->piece_count)
        return BT_ERR_PEER_MESSAGE;
    idx = (size_t)m->piece;
    if (m->data_len != bt_metadata_piece_len(md->size, idx))
        return BT_ERR_PEER_MESSAGE;
    if (md->got[idx])
        return BT_OK;
    memcpy(md->data + idx * BT_METADATA_PIECE, m->data, m->data_len);
    md->got[idx] = 1;
    md->got_count++;
    return BT_OK;
}

int bt_metadata_complete(const struct bt_metadata *md)
{
    return md->size > 0 && md->got_count == md->piece_count;
}

enum bt_err bt_metadata_verify(struct bt_metadata *md)
{
    unsigned char digest[BT_SHA1_LEN], digest_v2[BT_SHA256_LEN];
    enum bt_err err;

    if (!bt_metadata_complete(md))
        return BT_ERR_INVALID;
    err = bt_sha1(md->data, md->size, digest);
    if (err == BT_OK)
        err = bt_sha256(md->data, md->size, digest_v2);
    if (err != BT_OK)
        return err;
    /* A v1 swarm is named by the SHA-1, a v2 one by the SHA-256 cut to 20 bytes. */
    if (memcmp(digest, md->info_hash, BT_INFOHASH_LEN) != 0 &&
        memcmp(digest_v2, md->info_hash, BT_INFOHASH_LEN) != 0) {
        memset(md->got, 0, md->piece_count);
        md->got_count = 0;
        return BT_ERR_METADATA_HASH;
    }
    return BT_OK;
}

enum bt_err bt_metadata_torrent(struct bt_buf *out, const unsigned char *info, size_t info_len,
                                char *const *trackers, size_t tracker_count)
{
    enum bt_err err;
    size_t i;

    /* Keys in sorted order: announce, announce-list, info. */
    err = bt_bencode_put_dict(out);
    if (err == BT_OK && tracker_count > 0) {
        err = bt_bencode_put_cstr(out, "announce");
        if (err == BT_OK)
            err = bt_bencode_put_cstr(out, trackers[0]);
        if (err == BT_OK)
            err = bt_bencode_put_cstr(out, "announce-list");
        if (err == BT_OK)
            err = bt_bencode_put_list(out);
        for (i = 0; i < tracker_count && err == BT_OK; i++) {
            err = bt_bencode_put_list(out);
            if (err == BT_OK)
                err = bt_bencode_put_cstr(out, trackers[i]);
            if (err == BT_OK)
                err = bt_bencode_put_end(out);
        }
        if (err == BT_OK)
            err = bt_bencode_put_end(out);
    }
    if (err == BT_OK)
        err = bt_bencode_put_cstr(out, "info");
    /* The info dict's own bytes, not a re-encoding: they are what was hashed. */
    if (err == BT_OK)
        err = bt_buf_append(out, info, info_len);
    if (err == BT_OK)
        err = bt_bencode_put_end(out);
    return err;
}
