/*
 * create.c - a new .torrent file, in canonical bencode (see create.h).
 *
 * The files arrive sorted element by element (walk.h), which is the file
 * tree's key order at every level, so the tree is written in one pass: from
 * one file to the next, close the directories the two do not share and open
 * the new one's:
 *
 *   a/b/x  a/b/y  a/c  d      d 1:a d 1:b d 1:x d 0: d..e e 1:y d 0: d..e e e
 *                                     1:c d 0: d..e e e 1:d d 0: d..e e e
 *
 * The info dict is written into a buffer of its own first, so that its bytes
 * are hashed exactly as they are then copied into the file.
 */
#include "create/create.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bencode/bencode.h"

int64_t bt_create_piece_length(int64_t total)
{
    int64_t p = BT_CREATE_MIN_PIECE;

    while (p < BT_CREATE_AUTO_MAX && total / p + (total % p != 0) > BT_CREATE_AUTO_PIECES)
        p *= 2;
    return p;
}

/* The key then the value: put_str and put_int in one, for the many fields. */
static enum bt_err put_key_int(struct bt_buf *b, const char *key, int64_t v)
{
    enum bt_err err = bt_bencode_put_cstr(b, key);

    return err != BT_OK ? err : bt_bencode_put_int(b, v);
}

static enum bt_err put_key_str(struct bt_buf *b, const char *key, const void *p, size_t n)
{
    enum bt_err err = bt_bencode_put_cstr(b, key);

    return err != BT_OK ? err : bt_bencode_put_str(b, p, n);
}

/* The length of the element of path that starts at s: up to the next '/' or the end. */
static size_t elem_len(const char *s)
{
    const char *slash = strchr(s, '/');

    return slash != NULL ? (size_t)(slash - s) : strlen(s);
}

/* How many '/' path holds: the directories its file is in. */
static size_t dir_depth(const char *path)
{
    size_t n = 0;

    for (; *path != '\0'; path++)
        n += *path == '/';
    return n;
}

/* How many leading directories the files at paths a and b share. */
static size_t shared_dirs(const char *a, const char *b)
{
    size_t n = 0, da = dir_depth(a), db = dir_depth(b);

    while (n < da && n < db) {
        size_t la = elem_len(a), lb = elem_len(b);

        if (la != lb || memcmp(a, b, la) != 0)
            break;
        a += la + 1;
        b += lb + 1;
        n++;
    }
    return n;
}

/* BEP 47's "attr" of file i: "x" when asked for and executable, else none. */
static const char *attr(const struct bt_walk *w, size_t i, const struct bt_create_meta *m)
{
    return m->attributes && w->files[i].executable ? "x" : NULL;
}

/* One file's leaf: {"": {["attr": A,] "length": N, "pieces root": R}}, no root when empty. */
static enum bt_err put_leaf(struct bt_buf *b, const char *attr, int64_t length,
                            const unsigned char *root)
{
    enum bt_err err = bt_bencode_put_dict(b);

    if (err == BT_OK)
        err = bt_bencode_put_str(b, "", 0);
    if (err == BT_OK)
        err = bt_bencode_put_dict(b);
    if (err == BT_OK && attr != NULL)
        err = put_key_str(b, "attr", attr, strlen(attr));
    if (err == BT_OK)
        err = put_key_int(b, "length", length);
    if (err == BT_OK && length > 0)
        err = put_key_str(b, "pieces root", root, BT_MERKLE_HASH_LEN);
    if (err == BT_OK)
        err = bt_bencode_put_end(b);
    if (err == BT_OK)
        err = bt_bencode_put_end(b);
    return err;
}

/* BEP 52's "file tree": nested dicts, a single file's keyed by the torrent's name. */
static enum bt_err put_file_tree(struct bt_buf *b, const struct bt_walk *w,
                                 const struct bt_hasher *h, const struct bt_create_meta *m)
{
    const char *prev = NULL;
    size_t i, k, open = 0; /* directory dicts open */
    enum bt_err err = bt_bencode_put_dict(b);

    if (err == BT_OK && !w->is_dir) {
        err = bt_bencode_put_cstr(b, w->name);
        if (err == BT_OK)
            err = put_leaf(b, attr(w, 0, m), w->files[0].length, h->roots[0]);
        return err != BT_OK ? err : bt_bencode_put_end(b);
    }
    for (i = 0; i < w->count && err == BT_OK; i++) {
        const char *rel = w->files[i].rel, *e = rel;
        size_t keep = prev != NULL ? shared_dirs(prev, rel) : 0, depth = dir_depth(rel);

        for (; open > keep && err == BT_OK; open--)
            err = bt_bencode_put_end(b);
        for (k = 0; k < open; k++)
            e += elem_len(e) + 1;
        for (; open < depth && err == BT_OK; open++) {
            err = bt_bencode_put_str(b, e, elem_len(e));
            if (err == BT_OK)
                err = bt_bencode_put_dict(b);
            e += elem_len(e) + 1;
        }
        if (err == BT_OK)
            err = bt_bencode_put_cstr(b, e);
        if (err == BT_OK)
            err = put_leaf(b, attr(w, i, m), w->files[i].length, h->roots[i]);
        prev = rel;
    }
    for (; open > 0 && err == BT_OK; open--)
        err = bt_bencode_put_end(b);
    return err != BT_OK ? err : bt_bencode_put_end(b);
}

/*
 * One entry of BEP 3's "files": {"length": N, "path": [the elements of rel]},
 * and "attr" first when attr is not NULL.
 */
static enum bt_err put_file_entry(struct bt_buf *b, const char *attr, const char *rel,
                                  int64_t length)
{
    enum bt_err err = bt_bencode_put_dict(b);

    if (err == BT_OK && attr != NULL)
        err = put_key_str(b, "attr", attr, strlen(attr));
    if (err == BT_OK)
        err = put_key_int(b, "length", length);
    if (err == BT_OK)
        err = bt_bencode_put_cstr(b, "path");
    if (err == BT_OK)
        err = bt_bencode_put_list(b);
    while (err == BT_OK) {
        size_t n = elem_len(rel);

        err = bt_bencode_put_str(b, rel, n);
        if (rel[n] == '\0')
            break;
        rel += n + 1;
    }
    if (err == BT_OK)
        err = bt_bencode_put_end(b);
    return err != BT_OK ? err : bt_bencode_put_end(b);
}

static enum bt_err put_files(struct bt_buf *b, const struct bt_walk *w, const struct bt_hasher *h,
                             const struct bt_create_meta *m)
{
    size_t i;
    enum bt_err err = bt_bencode_put_list(b);

    for (i = 0; i < w->count && err == BT_OK; i++) {
        int64_t pad = bt_hasher_pad(w, i, h->piece_length, h->mode);

        char name[32];

        err = put_file_entry(b, attr(w, i, m), w->files[i].rel, w->files[i].length);
        /* A BEP 47 pad file, named as libtorrent 2.0 names it, so that its
         * torrents and ours of the same files have the same info hash:
         * {"attr": "p", "length": N, "path": [".pad", "N"]}. */
        snprintf(name, sizeof(name), ".pad/%lld", (long long)pad);
        if (err == BT_OK && pad > 0)
            err = put_file_entry(b, "p", name, pad);
    }
    return err != BT_OK ? err : bt_bencode_put_end(b);
}

static enum bt_err put_info(struct bt_buf *b, const struct bt_walk *w, const struct bt_hasher *h,
                            const struct bt_create_meta *m)
{
    int v1 = (h->mode & BT_CREATE_V1) != 0, v2 = (h->mode & BT_CREATE_V2) != 0;
    enum bt_err err = bt_bencode_put_dict(b);

    /* A single file's v1 attributes are the info dict's own, beside its
     * "length", as libtorrent has them; v2 has them in the file tree. */
    if (err == BT_OK && v1 && !w->is_dir && attr(w, 0, m) != NULL)
        err = put_key_str(b, "attr", attr(w, 0, m), strlen(attr(w, 0, m)));
    if (err == BT_OK && v2) {
        err = bt_bencode_put_cstr(b, "file tree");
        if (err == BT_OK)
            err = put_file_tree(b, w, h, m);
    }
    if (err == BT_OK && v1 && w->is_dir) {
        err = bt_bencode_put_cstr(b, "files");
        if (err == BT_OK)
            err = put_files(b, w, h, m);
    }
    if (err == BT_OK && v1 && !w->is_dir)
        err = put_key_int(b, "length", w->total);
    if (err == BT_OK && v2)
        err = put_key_int(b, "meta version", 2);
    if (err == BT_OK)
        err = put_key_str(b, "name", w->name, strlen(w->name));
    if (err == BT_OK)
        err = put_key_int(b, "piece length", h->piece_length);
    if (err == BT_OK && v1)
        err = put_key_str(b, "pieces", h->v1, h->v1_count * BT_SHA1_LEN);
    if (err == BT_OK && m->is_private)
        err = put_key_int(b, "private", 1);
    if (err == BT_OK && m->source != NULL)
        err = put_key_str(b, "source", m->source, strlen(m->source));
    return err != BT_OK ? err : bt_bencode_put_end(b);
}

struct layer {
    const unsigned char *root;
    size_t file;
};

static int layer_cmp(const void *a, const void *b)
{
    return memcmp(((const struct layer *)a)->root, ((const struct layer *)b)->root,
                  BT_MERKLE_HASH_LEN);
}

/*
 * BEP 52's "piece layers": each file larger than one piece, keyed by its root
 * in byte order.  Two files with the same bytes have the same root, and one
 * entry.
 */
static enum bt_err put_piece_layers(struct bt_buf *b, const struct bt_walk *w,
                                    const struct bt_hasher *h)
{
    struct layer *ls = malloc((w->count + 1) * sizeof(*ls));
    size_t i, n = 0;
    enum bt_err err;

    if (ls == NULL)
        return BT_ERR_NOMEM;
    for (i = 0; i < w->count; i++)
        if (bt_hasher_has_layer(w->files[i].length, h->piece_length)) {
            ls[n].root = h->roots[i];
            ls[n].file = i;
            n++;
        }
    qsort(ls, n, sizeof(*ls), layer_cmp);
    err = bt_bencode_put_cstr(b, "piece layers");
    if (err == BT_OK)
        err = bt_bencode_put_dict(b);
    for (i = 0; i < n && err == BT_OK; i++) {
        size_t f = ls[i].file;
        size_t pieces = (size_t)((w->files[f].length + h->piece_length - 1) / h->piece_length);

        if (i > 0 && layer_cmp(&ls[i - 1], &ls[i]) == 0)
            continue;
        err = bt_bencode_put_str(b, ls[i].root, BT_MERKLE_HASH_LEN);
        if (err == BT_OK)
            err = bt_bencode_put_str(b, h->v2 + h->v2_first[f] * BT_MERKLE_HASH_LEN,
                                     pieces * BT_MERKLE_HASH_LEN);
    }
    free(ls);
    return err != BT_OK ? err : bt_bencode_put_end(b);
}

/* "announce", and "announce-list" (BEP 12) when there is more than one URL. */
static enum bt_err put_trackers(struct bt_buf *b, const struct bt_create_meta *m)
{
    const char *first = NULL;
    size_t t, u, urls = 0;
    enum bt_err err = BT_OK;

    for (t = 0; t < m->tier_count; t++) {
        if (first == NULL && m->tiers[t].count > 0)
            first = m->tiers[t].urls[0];
        urls += m->tiers[t].count;
    }
    if (first != NULL)
        err = put_key_str(b, "announce", first, strlen(first));
    if (err != BT_OK || urls < 2)
        return err;
    err = bt_bencode_put_cstr(b, "announce-list");
    if (err == BT_OK)
        err = bt_bencode_put_list(b);
    for (t = 0; t < m->tier_count && err == BT_OK; t++) {
        if (m->tiers[t].count == 0)
            continue;
        err = bt_bencode_put_list(b);
        for (u = 0; u < m->tiers[t].count && err == BT_OK; u++)
            err = bt_bencode_put_cstr(b, m->tiers[t].urls[u]);
        if (err == BT_OK)
            err = bt_bencode_put_end(b);
    }
    return err != BT_OK ? err : bt_bencode_put_end(b);
}

/* BEP 19's "url-list", always a list (a single string is legal too). */
static enum bt_err put_web_seeds(struct bt_buf *b, const struct bt_create_meta *m)
{
    size_t i;
    enum bt_err err = bt_bencode_put_cstr(b, "url-list");

    if (err == BT_OK)
        err = bt_bencode_put_list(b);
    for (i = 0; i < m->web_seed_count && err == BT_OK; i++)
        err = bt_bencode_put_cstr(b, m->web_seeds[i]);
    return err != BT_OK ? err : bt_bencode_put_end(b);
}

enum bt_err bt_create_write(struct bt_buf *out, const struct bt_walk *w, const struct bt_hasher *h,
                            const struct bt_create_meta *m, unsigned char ih1[BT_SHA1_LEN],
                            unsigned char ih2[BT_SHA256_LEN])
{
    struct bt_buf info;
    enum bt_err err;

    bt_buf_init(&info, out->max);
    err = put_info(&info, w, h, m);
    if (err == BT_OK && ih1 != NULL && (h->mode & BT_CREATE_V1) != 0)
        err = bt_sha1(info.data, info.len, ih1);
    if (err == BT_OK && ih2 != NULL && (h->mode & BT_CREATE_V2) != 0)
        err = bt_sha256(info.data, info.len, ih2);
    if (err == BT_OK)
        err = bt_bencode_put_dict(out);
    if (err == BT_OK)
        err = put_trackers(out, m);
    if (err == BT_OK && m->comment != NULL)
        err = put_key_str(out, "comment", m->comment, strlen(m->comment));
    if (err == BT_OK && m->created_by != NULL)
        err = put_key_str(out, "created by", m->created_by, strlen(m->created_by));
    if (err == BT_OK && m->creation_date >= 0)
        err = put_key_int(out, "creation date", m->creation_date);
    if (err == BT_OK)
        err = bt_bencode_put_cstr(out, "info");
    if (err == BT_OK)
        err = bt_buf_append(out, info.data, info.len);
    if (err == BT_OK && (h->mode & BT_CREATE_V2) != 0)
        err = put_piece_layers(out, w, h);
    if (err == BT_OK && m->web_seed_count > 0)
        err = put_web_seeds(out, m);
    if (err == BT_OK)
        err = bt_bencode_put_end(out);
    bt_buf_release(&info);
    return err;
}
