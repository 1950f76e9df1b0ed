/*
 * layout.c - where each byte of a torrent lies: which file holds an offset,
 * which file a v2 piece belongs to, and whether every piece can be checked.
 *
 * The torrent's data is its files end to end, pad files (BEP 47) included, and
 * piece i covers bytes [i * piece length, (i + 1) * piece length).  In a v2 or
 * hybrid torrent every file starts on a piece boundary, so a piece holds bytes
 * of one file and then, perhaps, padding:
 *
 *   files    |b.bin (70000)                 |pad (28304)|c (10)|pad (32758)|
 *   pieces   |0          |1          |2                 |3                  |
 *                                     piece 2: 4464 bytes of b.bin, then padding
 */
#include "metainfo/metainfo.h"

#include <string.h>

#include "metainfo/merkle.h"

enum bt_err bt_torrent_piece_file(const struct bt_torrent *t, size_t idx, size_t *file,
                                  int64_t *file_bytes)
{
    int64_t off = (int64_t)idx * t->piece_length, end;
    size_t lo;

    if (idx >= t->piece_count || (t->versions & BT_META_V2) == 0)
        return BT_ERR_INVALID;
    lo = bt_torrent_file_at(t, off);
    /* Pieces start where files do or inside them, never in padding. */
    if (lo == t->file_count || t->files[lo].pad || t->files[lo].offset > off)
        return BT_ERR_INVALID;
    end = t->files[lo].offset + t->files[lo].length;
    *file = lo;
    *file_bytes = end - off < t->piece_length ? end - off : t->piece_length;
    return BT_OK;
}

enum bt_err bt_torrent_hashes_known(const struct bt_torrent *t)
{
    size_t i;

    if ((t->versions & BT_META_V1) != 0)
        return BT_OK;
    for (i = 0; i < t->file_count; i++)
        if (!t->files[i].pad && t->files[i].length > t->piece_length && t->files[i].layer == NULL)
            return BT_ERR_META_LAYER;
    return BT_OK;
}

size_t bt_torrent_file_at(const struct bt_torrent *t, int64_t off)
{
    size_t lo = 0, hi = t->file_count;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (t->files[mid].offset + t->files[mid].length <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int64_t bt_torrent_piece_data(const struct bt_torrent *t, size_t idx)
{
    int64_t start = (int64_t)idx * t->piece_length, size = bt_torrent_piece_size(t, idx);
    int64_t end = start + size;
    size_t i;

    /* Take out the padding the piece overlaps: at most a file or two in practice. */
    for (i = bt_torrent_file_at(t, start); i < t->file_count && t->files[i].offset < end; i++) {
        const struct bt_file *f = &t->files[i];

        if (f->pad)
            size -= (f->offset + f->length < end ? f->offset + f->length : end) -
                    (f->offset > start ? f->offset : start);
    }
    return size;
}

int bt_torrent_file_span(const struct bt_torrent *t, const struct bt_file *f, size_t *first,
                         size_t *last)
{
    if (f->pad || f->length <= 0)
        return 0;
    *first = (size_t)(f->offset / t->piece_length);
    *last = (size_t)((f->offset + f->length - 1) / t->piece_length);
    if (*last >= t->piece_count)
        *last = t->piece_count - 1; /* cannot happen in a parsed torrent: defence */
    return *first <= *last;
}

int64_t bt_torrent_file_pieces(const struct bt_torrent *t, const struct bt_file *f)
{
    return f->length / t->piece_length + (f->length % t->piece_length != 0);
}

enum bt_err bt_torrent_set_layers(struct bt_torrent *t, unsigned char *layers, size_t len)
{
    unsigned char root[BT_MERKLE_HASH_LEN];
    size_t i, at = 0;
    enum bt_err err;

    if ((t->versions & BT_META_V2) == 0 || t->layers != NULL)
        return BT_ERR_INVALID;
    /* First check every layer; only then point the files at them. */
    for (i = 0; i < t->file_count; i++) {
        const struct bt_file *f = &t->files[i];
        size_t bytes;

        if (f->pad || f->length <= t->piece_length)
            continue;
        bytes = (size_t)bt_torrent_file_pieces(t, f) * BT_MERKLE_HASH_LEN;
        if (bytes > len - at)
            return BT_ERR_META_LAYER;
        err = bt_merkle_layer_root(layers + at, (uint64_t)bt_torrent_file_pieces(t, f),
                                   t->piece_length, root);
        if (err != BT_OK)
            return err;
        if (memcmp(root, f->pieces_root, BT_MERKLE_HASH_LEN) != 0)
            return BT_ERR_META_LAYER_ROOT;
        at += bytes;
    }
    if (at != len)
        return BT_ERR_META_LAYER;
    for (i = 0, at = 0; i < t->file_count; i++) {
        struct bt_file *f = &t->files[i];

        if (f->pad || f->length <= t->piece_length)
            continue;
        f->layer = layers + at;
        at += (size_t)bt_torrent_file_pieces(t, f) * BT_MERKLE_HASH_LEN;
    }
    t->layers = layers;
    t->layers_len = len;
    return BT_OK;
}

const unsigned char *bt_torrent_piece_root(const struct bt_torrent *t, const struct bt_file *f,
                                           size_t idx)
{
    if (f->length <= t->piece_length)
        return f->pieces_root;
    if (f->layer == NULL)
        return NULL;
    return f->layer + (size_t)(((int64_t)idx * t->piece_length - f->offset) / t->piece_length) *
                          BT_MERKLE_HASH_LEN;
}
