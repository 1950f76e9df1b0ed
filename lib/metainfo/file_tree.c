/*
 * file_tree.c - BEP 52's "file tree" and "piece layers": the v2 half of a
 * torrent.
 *
 * The file tree is a dict of dicts, one level per path element, sorted as
 * every bencoded dict is.  A file is a dict with the single key "" (empty):
 *
 *   9:file tree d
 *     5:b.bin d 0: d 6:length i70000e 11:pieces root 32:<root> e e
 *     5:empty d 0: d 6:length i0e e e                      <- no root: no data
 *     3:sub d 1:c d 0: d 6:length i10e 11:pieces root 32:<root> e e e
 *   e
 *
 * Files come in the tree's order, and each starts on a piece boundary.  A
 * hybrid's v1 "files" list says the same with BEP 47 pad files between them;
 * for a v2-only torrent we make those pad files up, where libtorrent does
 * (after every file of a multi-file torrent that does not end on a boundary),
 * so that both kinds cut the same pieces and ask peers for the same blocks:
 *
 *   offset   0           32768       65536   70000       98304 98314      131072
 *            |b.bin                          |.pad/28304 |c    |.pad/32758 |
 *   piece    |0          |1          |2                  |3                |
 *
 * Outside the info dict, "piece layers" maps the root of every file larger
 * than a piece to that file's hashes one per piece (merkle.h): a downloader
 * checks a piece against them, and they are checked here against the root.
 *
 * The tree comes from a stranger: it is walked with a stack of its own, at
 * most BT_META_MAX_DEPTH deep, every key is a path element checked like v1's,
 * and the file count and lengths are capped before anything is added.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metainfo/merkle.h"
#include "metainfo/parse.h"

/* One file as the tree names it. */
struct tree_file {
    char *path;
    int64_t length;
    const unsigned char *root; /* into the input; NULL for an empty file */
    size_t depth;              /* path elements */
    /* BEP 47 "attr" in the leaf, as libtorrent writes it for v2 files: */
    int link;               /* 'l': a symbolic link, no bytes, no "length" */
    char *symlink;          /* its target (NULL: one that would leave the torrent) */
    int executable, hidden; /* 'x', 'h' */
};

struct tree_files {
    struct tree_file *v;
    size_t count, cap;
};

static void tree_files_release(struct tree_files *l)
{
    size_t i;

    for (i = 0; i < l->count; i++) {
        free(l->v[i].path);
        free(l->v[i].symlink);
    }
    free(l->v);
}

/* keys[0..depth-1] joined with '/'. */
static char *join_keys(const struct bt_bnode *const *keys, size_t depth)
{
    size_t i, total = 0, at = 0;
    char *s;

    for (i = 0; i < depth; i++)
        total += keys[i]->slen + 1;
    s = malloc(total);
    if (s == NULL)
        return NULL;
    for (i = 0; i < depth; i++) {
        memcpy(s + at, keys[i]->s, keys[i]->slen);
        at += keys[i]->slen;
        s[at++] = i + 1 < depth ? '/' : '\0';
    }
    return s;
}

/*
 * Room for one more entry of l, named keys[0..depth-1] (made safe by a lenient
 * parse, as for v1: sanitize.h), zeroed but for its path and depth; not counted
 * yet.  NULL with *err set (BT_ERR_META_TOO_MANY, BT_ERR_NOMEM, ...).
 */
static struct tree_file *new_entry(struct bt_meta_parse *p, struct tree_files *l,
                                   const struct bt_bnode *const *keys, size_t depth,
                                   const struct bt_bnode *leaf, enum bt_err *err)
{
    struct tree_file *f;

    *err = BT_OK;
    if (l->count == BT_META_MAX_FILES) {
        *err = bt_meta_fail(p, BT_ERR_META_TOO_MANY, leaf, "info.file tree");
        return NULL;
    }
    if (l->count == l->cap) {
        size_t cap = l->cap == 0 ? 16 : l->cap * 2;
        struct tree_file *v = realloc(l->v, cap * sizeof(*v));

        if (v == NULL) {
            *err = BT_ERR_NOMEM;
            return NULL;
        }
        l->v = v;
        l->cap = cap;
    }
    f = &l->v[l->count];
    memset(f, 0, sizeof(*f));
    f->depth = depth;
    if ((p->flags & BT_META_LENIENT) != 0) {
        *err = bt_meta_join_safe(p, keys, depth, BT_META_NOTE_NONE, &f->path);
    } else {
        f->path = join_keys(keys, depth);
        if (f->path == NULL)
            *err = BT_ERR_NOMEM;
    }
    return *err == BT_OK ? f : NULL;
}

/*
 * A BEP 47 link at keys[0..depth-1]: {"attr": "l...", "symlink path": [...]},
 * as libtorrent writes v2 links.  One whose target would leave the torrent is
 * kept as an entry of no bytes with no target (no link is made), with a note.
 */
static enum bt_err add_link(struct bt_meta_parse *p, struct tree_files *l,
                            const struct bt_bnode *const *keys, size_t depth,
                            const struct bt_bnode *leaf, const struct bt_bnode *attr)
{
    const struct bt_bnode *target = bt_bnode_dict_get_type(leaf, "symlink path", BT_BENCODE_LIST);
    enum bt_err err;
    struct tree_file *f = new_entry(p, l, keys, depth, leaf, &err);

    if (f == NULL)
        return err;
    f->link = 1;
    f->executable = memchr(attr->s, 'x', attr->slen) != NULL;
    f->hidden = memchr(attr->s, 'h', attr->slen) != NULL;
    l->count++; /* from here on, tree_files_release() frees what it holds */
    err = bt_meta_symlink_target(target, &f->symlink);
    /* A hybrid's v1 half has the same link, and said so already. */
    if (err == BT_ERR_META_SYMLINK_TARGET && (p->t->versions & BT_META_V1) == 0)
        bt_meta_note(p, err, BT_META_FIX_IGNORE, target != NULL ? target->offset : leaf->offset,
                     BT_META_NOTE_NONE, "info.file tree[%zu].symlink path", l->count - 1);
    return err == BT_ERR_NOMEM ? err : BT_OK;
}

/* The file at keys[0..depth-1], whose dict is {"": leaf}. */
static enum bt_err add_file(struct bt_meta_parse *p, struct tree_files *l,
                            const struct bt_bnode *const *keys, size_t depth,
                            const struct bt_bnode *leaf, int64_t *total)
{
    const struct bt_bnode *length, *root, *attr;
    struct tree_file *f;
    enum bt_err err;
    int link;

    if (leaf->type != BT_BENCODE_DICT)
        return bt_meta_fail(p, BT_ERR_META_FIELD_TYPE, leaf, "info.file tree[%zu]", l->count);
    attr = bt_bnode_dict_get_type(leaf, "attr", BT_BENCODE_STR);
    length = bt_bnode_dict_get(leaf, "length");
    /* A link (BEP 47 'l') holds no bytes: libtorrent leaves its length out. */
    link = attr != NULL && memchr(attr->s, 'l', attr->slen) != NULL &&
           (length == NULL || (length->type == BT_BENCODE_INT && length->i == 0));
    if (link)
        return add_link(p, l, keys, depth, leaf, attr);
    if (length == NULL)
        return bt_meta_fail(p, BT_ERR_META_MISSING, leaf, "info.file tree[%zu].length", l->count);
    if (length->type != BT_BENCODE_INT)
        return bt_meta_fail(p, BT_ERR_META_FIELD_TYPE, length, "info.file tree[%zu].length",
                            l->count);
    if (length->i < 0)
        return bt_meta_fail(p, BT_ERR_META_LENGTH, length, "info.file tree[%zu].length", l->count);
    if (length->i > INT64_MAX / 2 - *total) /* room left for padding after each file */
        return bt_meta_fail(p, BT_ERR_META_TOTAL_LENGTH, length, "info.file tree[%zu].length",
                            l->count);
    root = bt_bnode_dict_get(leaf, "pieces root");
    if (length->i > 0 && root == NULL)
        return bt_meta_fail(p, BT_ERR_META_ROOT, leaf, "info.file tree[%zu].pieces root", l->count);
    if (length->i > 0 && (root->type != BT_BENCODE_STR || root->slen != BT_PIECES_ROOT_LEN))
        return bt_meta_fail(p, BT_ERR_META_ROOT, root, "info.file tree[%zu].pieces root", l->count);
    f = new_entry(p, l, keys, depth, leaf, &err);
    if (f == NULL)
        return err;
    f->length = length->i;
    f->root = length->i > 0 ? root->s : NULL;
    f->executable = attr != NULL && memchr(attr->s, 'x', attr->slen) != NULL;
    f->hidden = attr != NULL && memchr(attr->s, 'h', attr->slen) != NULL;
    l->count++;
    *total += length->i;
    return BT_OK;
}

/*
 * Walk the tree depth first, in key order, without recursion: frame d holds the
 * dict at path keys[0..d-1] and the next of its entries to visit.
 */
static enum bt_err walk_tree(struct bt_meta_parse *p, const struct bt_bnode *tree,
                             struct tree_files *l)
{
    struct {
        const struct bt_bnode *next; /* key of the next entry */
        uint32_t left;               /* entries not visited yet */
    } stack[BT_META_MAX_DEPTH];
    const struct bt_bnode *keys[BT_META_MAX_DEPTH];
    size_t depth = 1;
    int64_t total = 0;
    enum bt_err err;

    if (tree->count == 0)
        return bt_meta_fail(p, BT_ERR_META_FILES, tree, "info.file tree");
    stack[0].next = bt_bnode_child(tree);
    stack[0].left = tree->count;
    while (depth > 0) {
        const struct bt_bnode *key, *val, *leaf;

        if (stack[depth - 1].left == 0) {
            depth--;
            continue;
        }
        key = stack[depth - 1].next;
        val = bt_bnode_sibling(key);
        stack[depth - 1].next = bt_bnode_sibling(val);
        stack[depth - 1].left--;
        err = (p->flags & BT_META_LENIENT) != 0 ? BT_OK : bt_meta_check_element(key);
        if (err != BT_OK)
            return bt_meta_fail(p, err, key, "info.file tree");
        if (val->type != BT_BENCODE_DICT)
            return bt_meta_fail(p, BT_ERR_META_FILE_TREE, val, "info.file tree");
        keys[depth - 1] = key;
        leaf = bt_bnode_dict_get(val, "");
        if (leaf != NULL && val->count != 1) /* a file and a directory at once */
            return bt_meta_fail(p, BT_ERR_META_FILE_TREE, val, "info.file tree");
        if (leaf != NULL) {
            err = add_file(p, l, keys, depth, leaf, &total);
            if (err != BT_OK)
                return err;
            continue;
        }
        if (val->count == 0) /* a directory with nothing in it names no file */
            return bt_meta_fail(p, BT_ERR_META_FILE_TREE, val, "info.file tree");
        if (depth == BT_META_MAX_DEPTH)
            return bt_meta_fail(p, BT_ERR_META_DEPTH, val, "info.file tree");
        stack[depth].next = bt_bnode_child(val);
        stack[depth].left = val->count;
        depth++;
    }
    if (total == 0)
        return bt_meta_fail(p, BT_ERR_META_EMPTY, tree, "info.file tree");
    return BT_OK;
}

/*
 * A hybrid: the v1 files, pad files left out, must be the tree's files in the
 * same order with the same lengths, and each must start on a piece boundary.
 * Then each v1 file gets its root.
 */
static enum bt_err match_v1(struct bt_meta_parse *p, struct bt_torrent *t,
                            const struct bt_bnode *tree, const struct tree_files *l)
{
    size_t i, j = 0, links = 0, v1_links = 0;

    for (i = 0; i < t->file_count; i++) {
        struct bt_file *f = &t->files[i];

        /* BEP 47 links hold no data: each half lists them, counted below. */
        if (f->pad && f->length == 0)
            v1_links++;
        if (f->pad)
            continue;
        while (j < l->count && l->v[j].link) {
            links++;
            j++;
        }
        if (j == l->count || strcmp(f->path, l->v[j].path) != 0 || f->length != l->v[j].length)
            return bt_meta_fail(p, BT_ERR_META_HYBRID, tree, "info.file tree[%zu]", j);
        if (f->length > 0 && f->offset % t->piece_length != 0)
            return bt_meta_fail(p, BT_ERR_META_HYBRID, tree, "info.files[%zu]", i);
        f->pieces_root = l->v[j].root;
        j++;
    }
    for (; j < l->count && l->v[j].link; j++)
        links++;
    if (j != l->count || links != v1_links)
        return bt_meta_fail(p, BT_ERR_META_HYBRID, tree, "info.file tree[%zu]", j);
    return BT_OK;
}

/* A made-up pad file of n bytes, named as libtorrent names them. */
static enum bt_err add_pad(struct bt_torrent *t, int64_t n)
{
    struct bt_file *f = &t->files[t->file_count];
    char name[32];
    int len = snprintf(name, sizeof(name), ".pad/%lld", (long long)n);

    f->path = malloc((size_t)len + 1);
    if (f->path == NULL)
        return BT_ERR_NOMEM;
    memcpy(f->path, name, (size_t)len + 1);
    f->length = n;
    f->offset = t->total_length;
    f->pad = 1;
    t->file_count++;
    t->total_length += n;
    return BT_OK;
}

/* A v2-only torrent: its files are the tree's, each padded to a piece boundary. */
static enum bt_err take_files(struct bt_meta_parse *p, struct bt_torrent *t,
                              const struct bt_bnode *tree, struct tree_files *l)
{
    int64_t want;
    size_t i;

    t->multi_file = !(l->count == 1 && l->v[0].depth == 1);
    t->files = calloc(2 * l->count, sizeof(*t->files));
    if (t->files == NULL)
        return BT_ERR_NOMEM;
    for (i = 0; i < l->count; i++) {
        struct bt_file *f = &t->files[t->file_count];
        int64_t tail;

        f->path = l->v[i].path; /* the torrent owns it now, and the link's target */
        l->v[i].path = NULL;
        f->symlink = l->v[i].symlink;
        l->v[i].symlink = NULL;
        f->pad = l->v[i].link; /* a link is stored as no file, as in v1 (metainfo.h) */
        f->executable = l->v[i].executable;
        f->hidden = l->v[i].hidden;
        f->length = l->v[i].length;
        f->offset = t->total_length;
        f->pieces_root = l->v[i].root;
        t->file_count++;
        t->total_length += f->length;
        t->content_length += f->length;
        tail = t->total_length % t->piece_length;
        if (t->multi_file && tail != 0) {
            enum bt_err err = add_pad(t, t->piece_length - tail);

            if (err != BT_OK)
                return err;
        }
    }
    want = t->total_length / t->piece_length + (t->total_length % t->piece_length != 0);
    if (want > (int64_t)BT_META_MAX_PIECES)
        return bt_meta_fail(p, BT_ERR_META_TOO_MANY, tree, "info.piece length");
    t->piece_count = (size_t)want;
    return BT_OK;
}

enum bt_err bt_meta_parse_file_tree(struct bt_meta_parse *p, struct bt_torrent *t,
                                    const struct bt_bnode *tree)
{
    struct tree_files l = {NULL, 0, 0};
    enum bt_err err = walk_tree(p, tree, &l);

    if (err == BT_OK && (t->versions & BT_META_V1) != 0) {
        /* A single-file hybrid names its one file "name" in both halves. */
        if (!t->multi_file && (l.count != 1 || l.v[0].depth != 1))
            err = bt_meta_fail(p, BT_ERR_META_HYBRID, tree, "info.file tree");
        else
            err = match_v1(p, t, tree, &l);
    } else if (err == BT_OK) {
        err = take_files(p, t, tree, &l);
    }
    tree_files_release(&l);
    return err;
}

/* A file that needs a layer, sorted by root to look each layer's key up in. */
struct need {
    const unsigned char *root;
    struct bt_file *file;
};

static int by_root(const void *a, const void *b)
{
    return memcmp(((const struct need *)a)->root, ((const struct need *)b)->root,
                  BT_PIECES_ROOT_LEN);
}

/* Does the layer of n piece hashes at s hash up to root? */
static enum bt_err check_layer(const struct bt_torrent *t, const unsigned char *s, int64_t n,
                               const unsigned char *root, int *good)
{
    unsigned char got[BT_MERKLE_HASH_LEN];
    enum bt_err err = bt_merkle_layer_root(s, (uint64_t)n, t->piece_length, got);

    if (err == BT_OK)
        *good = memcmp(got, root, BT_MERKLE_HASH_LEN) == 0;
    return err;
}

/*
 * Each "piece layers" entry whose key is the root of files larger than a
 * piece: check its length and that it hashes to the root, once, then copy it
 * for each such file.  A key no file has is ignored; a file left without its
 * layer fails the torrent.
 */
static enum bt_err take_layers(struct bt_meta_parse *p, struct bt_torrent *t,
                               const struct bt_bnode *layers, struct need *need, size_t n_need)
{
    const struct bt_bnode *key = bt_bnode_child(layers);
    size_t i, at = 0;

    for (i = 0; i < layers->count; i++, key = bt_bnode_sibling(bt_bnode_sibling(key))) {
        const struct bt_bnode *val = bt_bnode_sibling(key);
        size_t lo = 0, hi = n_need;
        int64_t pieces;
        int good = 0;
        enum bt_err err;

        if (key->slen != BT_PIECES_ROOT_LEN)
            continue;
        while (lo < hi) { /* the first file whose root is at least the key */
            size_t mid = lo + (hi - lo) / 2;

            if (memcmp(need[mid].root, key->s, BT_PIECES_ROOT_LEN) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == n_need || memcmp(need[lo].root, key->s, BT_PIECES_ROOT_LEN) != 0)
            continue;
        pieces = bt_torrent_file_pieces(t, need[lo].file);
        if (val->type != BT_BENCODE_STR)
            return bt_meta_fail(p, BT_ERR_META_FIELD_TYPE, val, "piece layers");
        if ((int64_t)val->slen != pieces * BT_MERKLE_HASH_LEN)
            return bt_meta_fail(p, BT_ERR_META_LAYER, val, "piece layers");
        err = check_layer(t, val->s, pieces, key->s, &good);
        if (err != BT_OK)
            return err;
        if (!good)
            return bt_meta_fail(p, BT_ERR_META_LAYER_ROOT, val, "piece layers");
        for (; lo < n_need && memcmp(need[lo].root, key->s, BT_PIECES_ROOT_LEN) == 0; lo++) {
            if (need[lo].file->layer != NULL)
                continue; /* a key that comes twice (lenient input) */
            /* Files with one root hold the same bytes, so the same number of
             * pieces; a torrent that says otherwise is lying about one of
             * them (and each file's share of t->layers was sized by its own
             * length). */
            if (bt_torrent_file_pieces(t, need[lo].file) != pieces ||
                at + val->slen > t->layers_len)
                return bt_meta_fail(p, BT_ERR_META_LAYER, val, "piece layers");
            memcpy(t->layers + at, val->s, val->slen);
            need[lo].file->layer = t->layers + at;
            at += val->slen;
        }
    }
    return BT_OK;
}

enum bt_err bt_meta_parse_layers(struct bt_meta_parse *p, struct bt_torrent *t,
                                 const struct bt_bnode *root)
{
    const struct bt_bnode *layers = bt_bnode_dict_get(root, "piece layers");
    struct need *need;
    size_t n_need = 0, i, bytes = 0;
    enum bt_err err;

    need = malloc((t->file_count > 0 ? t->file_count : 1) * sizeof(*need));
    if (need == NULL)
        return BT_ERR_NOMEM;
    for (i = 0; i < t->file_count; i++) {
        if (!t->files[i].pad && t->files[i].length > t->piece_length) {
            need[n_need].root = t->files[i].pieces_root;
            need[n_need++].file = &t->files[i];
            bytes += (size_t)bt_torrent_file_pieces(t, &t->files[i]) * BT_MERKLE_HASH_LEN;
        }
    }
    err = BT_OK;
    /* Metadata from peers (BEP 9) has no layers: they come later. */
    if (n_need > 0 && layers == NULL && (p->flags & BT_META_LAYERS_LATER) != 0) {
        free(need);
        return BT_OK;
    }
    if (n_need > 0 && layers == NULL)
        err = bt_meta_fail(p, BT_ERR_META_LAYER, root, "piece layers");
    else if (n_need > 0 && layers->type != BT_BENCODE_DICT)
        err = bt_meta_fail(p, BT_ERR_META_FIELD_TYPE, layers, "piece layers");
    if (err == BT_OK && n_need > 0) {
        /* Every piece is in one file: the layers add up to piece_count hashes at most. */
        t->layers = malloc(bytes);
        t->layers_len = bytes;
        if (t->layers == NULL)
            err = BT_ERR_NOMEM;
    }
    if (err == BT_OK && n_need > 0) {
        qsort(need, n_need, sizeof(*need), by_root);
        err = take_layers(p, t, layers, need, n_need);
    }
    for (i = 0; err == BT_OK && i < n_need; i++)
        if (need[i].file->layer == NULL)
            err = bt_meta_fail(p, BT_ERR_META_LAYER, layers, "piece layers");
    free(need);
    return err;
}
