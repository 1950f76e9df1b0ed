/*
 * metainfo.c - BEP 3 "Metainfo files", with BEP 12 tracker tiers, BEP 19 web
 * seeds and BEP 27's private flag.
 *
 * A .torrent file is one bencoded dict.  Only "info" is required; its bytes name
 * the torrent:
 *
 *   d
 *     8:announce 30:http://127.0.0.1:6969/announce
 *     4:info d                                  <- info hash = SHA-1 of the bytes
 *       5:files l                                  from this 'd' ...
 *         d 6:length i40000e 4:path l 1:a 7:one.bin e e
 *         d 6:length i0e     4:path l 9:empty.dat e e
 *       e
 *       4:name 5:multi
 *       12:piece length i32768e
 *       6:pieces 40:<20-byte SHA-1 of piece 0><20-byte SHA-1 of piece 1>
 *     e                                         <- ... to this 'e'
 *   e
 *
 * A single-file torrent has "length" instead of "files" and "name" is the file
 * itself.  The files of a multi-file torrent are laid end to end in list order
 * and cut into pieces of "piece length" bytes, so a piece may span files and the
 * last piece is usually shorter:
 *
 *   files   |a/one.bin (40000)               |empty.dat (0)
 *   pieces  |piece 0 (32768)     |piece 1 (7232)|
 *
 * Everything here comes from a stranger.  Every length is checked before it is
 * added, every path element is checked before it is joined (a name of ".." or
 * "/etc" would write outside the download directory), and the pieces string
 * must describe exactly the bytes the files add up to.
 */
#include "metainfo/metainfo.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metainfo/merkle.h"
#include "metainfo/parse.h"
#include "metainfo/sanitize.h"

void bt_torrent_init(struct bt_torrent *t)
{
    memset(t, 0, sizeof(*t));
    t->creation_date = -1;
}

static void free_tiers(struct bt_torrent *t)
{
    size_t i, j;

    for (i = 0; i < t->tier_count; i++) {
        for (j = 0; j < t->tiers[i].count; j++)
            free(t->tiers[i].urls[j]);
        free(t->tiers[i].urls);
    }
    free(t->tiers);
    t->tiers = NULL;
    t->tier_count = 0;
}

static void free_url_list(struct bt_torrent *t)
{
    size_t i;

    for (i = 0; i < t->url_list_count; i++)
        free(t->url_list[i]);
    free(t->url_list);
    t->url_list = NULL;
    t->url_list_count = 0;
}

void bt_torrent_release(struct bt_torrent *t)
{
    size_t i;

    free(t->name);
    for (i = 0; i < t->file_count; i++) {
        free(t->files[i].path);
        free(t->files[i].symlink);
    }
    free(t->files);
    free(t->announce);
    free_tiers(t);
    free_url_list(t);
    free(t->comment);
    free(t->created_by);
    free(t->info);
    free(t->layers);
    bt_torrent_init(t);
}

/* Text we keep as a C string (a URL, a comment) must be a string without NUL bytes. */
static enum bt_err check_text(const struct bt_bnode *n)
{
    if (n->type != BT_BENCODE_STR)
        return BT_ERR_META_FIELD_TYPE;
    if (memchr(n->s, '\0', n->slen) != NULL)
        return BT_ERR_META_TEXT_NUL;
    return BT_OK;
}

/* A required field of the info dict, of the given type. */
static enum bt_err get_required(struct bt_meta_parse *p, const struct bt_bnode *info,
                                const char *key, enum bt_bencode_type type,
                                const struct bt_bnode **out)
{
    const struct bt_bnode *v = bt_bnode_dict_get(info, key);

    if (v == NULL)
        return bt_meta_fail(p, BT_ERR_META_MISSING, info, "info.%s", key);
    if (v->type != type)
        return bt_meta_fail(p, BT_ERR_META_FIELD_TYPE, v, "info.%s", key);
    *out = v;
    return BT_OK;
}

/* "path" of file number idx, each element made safe (lenient): sanitize.h. */
static enum bt_err join_path_safe(struct bt_meta_parse *p, const struct bt_bnode *path, size_t idx,
                                  char **out)
{
    const struct bt_bnode **elems = malloc(path->count * sizeof(*elems));
    const struct bt_bnode *elem = bt_bnode_child(path);
    enum bt_err err = BT_OK;
    size_t j;

    if (elems == NULL)
        return BT_ERR_NOMEM;
    for (j = 0; j < path->count && err == BT_OK; j++) {
        /* Only strings are names: a number here is a malformed info dict. */
        if (elem->type != BT_BENCODE_STR)
            err =
                bt_meta_fail(p, BT_ERR_META_FIELD_TYPE, elem, "info.files[%zu].path[%zu]", idx, j);
        elems[j] = elem;
        elem = bt_bnode_sibling(elem);
    }
    if (err == BT_OK)
        err = bt_meta_join_safe(p, elems, path->count, idx, out);
    free(elems);
    return err;
}

/*
 * "path" of file number idx: a list of elements, checked one by one and joined
 * with '/'.  The joined length cannot overflow: it is at most twice the input.
 */
static enum bt_err join_path(struct bt_meta_parse *p, const struct bt_bnode *path, size_t idx,
                             char **out)
{
    const struct bt_bnode *elem;
    size_t j, total = 0, at = 0;
    char *s;

    if (path->count == 0)
        return bt_meta_fail(p, BT_ERR_META_PATH, path, "info.files[%zu].path", idx);
    if ((p->flags & BT_META_LENIENT) != 0)
        return join_path_safe(p, path, idx, out);
    elem = bt_bnode_child(path);
    for (j = 0; j < path->count; j++) {
        enum bt_err err = bt_meta_check_element(elem);

        if (err != BT_OK)
            return bt_meta_fail(p, err, elem, "info.files[%zu].path[%zu]", idx, j);
        total += elem->slen + 1; /* the element and a '/' or the final NUL */
        elem = bt_bnode_sibling(elem);
    }
    s = malloc(total);
    if (s == NULL)
        return BT_ERR_NOMEM;
    elem = bt_bnode_child(path);
    for (j = 0; j < path->count; j++) {
        memcpy(s + at, elem->s, elem->slen);
        at += elem->slen;
        s[at++] = j + 1 < path->count ? '/' : '\0';
        elem = bt_bnode_sibling(elem);
    }
    *out = s;
    return BT_OK;
}

/*
 * BEP 47 "attr" of info.files[idx]: 'p' padding, 'l' a symlink, 'x'
 * executable, 'h' hidden; other letters are for other systems.  A link holds no
 * bytes, so it is not stored as a file (f->pad); one that cannot be made safely
 * is skipped, and one that claims bytes is kept as a plain file, with a note.
 */
static enum bt_err parse_attr(struct bt_meta_parse *p, struct bt_file *f,
                              const struct bt_bnode *entry, const struct bt_bnode *attr, size_t idx,
                              int64_t length)
{
    const struct bt_bnode *target;
    enum bt_err err;

    if (memchr(attr->s, 'p', attr->slen) != NULL) {
        f->pad = 1;
        return BT_OK;
    }
    f->executable = memchr(attr->s, 'x', attr->slen) != NULL;
    f->hidden = memchr(attr->s, 'h', attr->slen) != NULL;
    if (memchr(attr->s, 'l', attr->slen) == NULL)
        return BT_OK;
    if (length != 0) {
        bt_meta_note(p, BT_ERR_META_SYMLINK_DATA, BT_META_FIX_IGNORE, attr->offset, idx,
                     "info.files[%zu].attr", idx);
        return BT_OK;
    }
    f->pad = 1;
    target = bt_bnode_dict_get_type(entry, "symlink path", BT_BENCODE_LIST);
    err = bt_meta_symlink_target(target, &f->symlink);
    if (err == BT_ERR_META_SYMLINK_TARGET)
        bt_meta_note(p, err, BT_META_FIX_IGNORE, target != NULL ? target->offset : entry->offset,
                     idx, "info.files[%zu].symlink path", idx);
    return err == BT_ERR_NOMEM ? err : BT_OK;
}

/* One file, info.files[idx], appended at offset t->total_length. */
static enum bt_err parse_file(struct bt_meta_parse *p, struct bt_torrent *t,
                              const struct bt_bnode *entry, size_t idx)
{
    const struct bt_bnode *length, *path, *attr;
    struct bt_file *f = &t->files[idx];
    enum bt_err err;

    /* Field names are formatted only on failure: this runs once per file. */
    if (entry->type != BT_BENCODE_DICT)
        return bt_meta_fail(p, BT_ERR_META_FIELD_TYPE, entry, "info.files[%zu]", idx);
    length = bt_bnode_dict_get(entry, "length");
    if (length == NULL)
        return bt_meta_fail(p, BT_ERR_META_MISSING, entry, "info.files[%zu].length", idx);
    if (length->type != BT_BENCODE_INT)
        return bt_meta_fail(p, BT_ERR_META_FIELD_TYPE, length, "info.files[%zu].length", idx);
    if (length->i < 0)
        return bt_meta_fail(p, BT_ERR_META_LENGTH, length, "info.files[%zu].length", idx);
    /* The sum of all lengths must fit in int64: check before adding. */
    if (length->i > INT64_MAX - t->total_length)
        return bt_meta_fail(p, BT_ERR_META_TOTAL_LENGTH, length, "info.files[%zu].length", idx);
    path = bt_bnode_dict_get(entry, "path");
    if (path == NULL)
        return bt_meta_fail(p, BT_ERR_META_MISSING, entry, "info.files[%zu].path", idx);
    if (path->type != BT_BENCODE_LIST)
        return bt_meta_fail(p, BT_ERR_META_FIELD_TYPE, path, "info.files[%zu].path", idx);
    err = join_path(p, path, idx, &f->path);
    if (err != BT_OK)
        return err;
    t->file_count = idx + 1; /* from here on, release() frees this file's path */
    attr = bt_bnode_dict_get_type(entry, "attr", BT_BENCODE_STR);
    if (attr != NULL) {
        err = parse_attr(p, f, entry, attr, idx, length->i);
        if (err != BT_OK)
            return err;
    }
    if (!f->pad)
        t->content_length += length->i;
    f->length = length->i;
    f->offset = t->total_length;
    t->total_length += length->i;
    return BT_OK;
}

/* info.files: a non-empty list of {length, path} dicts. */
static enum bt_err parse_files(struct bt_meta_parse *p, struct bt_torrent *t,
                               const struct bt_bnode *files)
{
    const struct bt_bnode *entry;
    size_t i;

    if (files->type != BT_BENCODE_LIST)
        return bt_meta_fail(p, BT_ERR_META_FIELD_TYPE, files, "info.files");
    if (files->count == 0)
        return bt_meta_fail(p, BT_ERR_META_FILES, files, "info.files");
    if (files->count > BT_META_MAX_FILES)
        return bt_meta_fail(p, BT_ERR_META_TOO_MANY, files, "info.files");
    /* count is bounded by the decoder's token limit and by the cap just checked. */
    t->files = calloc(files->count, sizeof(*t->files));
    if (t->files == NULL)
        return BT_ERR_NOMEM;
    t->multi_file = 1;
    entry = bt_bnode_child(files);
    for (i = 0; i < files->count; i++) {
        enum bt_err err = parse_file(p, t, entry, i);

        if (err != BT_OK)
            return err;
        entry = bt_bnode_sibling(entry);
    }
    return BT_OK;
}

/* info.length: a single file whose path is the torrent's name. */
static enum bt_err parse_single(struct bt_meta_parse *p, struct bt_torrent *t,
                                const struct bt_bnode *length)
{
    size_t n = strlen(t->name) + 1;

    if (length->type != BT_BENCODE_INT)
        return bt_meta_fail(p, BT_ERR_META_FIELD_TYPE, length, "info.length");
    if (length->i < 0)
        return bt_meta_fail(p, BT_ERR_META_LENGTH, length, "info.length");
    t->files = calloc(1, sizeof(*t->files));
    if (t->files == NULL)
        return BT_ERR_NOMEM;
    t->files[0].path = malloc(n);
    if (t->files[0].path == NULL)
        return BT_ERR_NOMEM;
    memcpy(t->files[0].path, t->name, n);
    t->file_count = 1;
    t->files[0].length = length->i;
    t->total_length = length->i;
    t->content_length = length->i;
    return BT_OK;
}

/*
 * "piece length": positive and at most BT_META_MAX_PIECE_LENGTH.  BEP 3 does not
 * require a power of two, and tiny pieces work, so those are only warnings.
 */
static enum bt_err parse_piece_length(struct bt_meta_parse *p, struct bt_torrent *t,
                                      const struct bt_bnode *info, const struct bt_bnode **out)
{
    const struct bt_bnode *pl;
    enum bt_err err = get_required(p, info, "piece length", BT_BENCODE_INT, &pl);

    if (err != BT_OK)
        return err;
    if (pl->i <= 0)
        return bt_meta_fail(p, BT_ERR_META_PIECE_LENGTH, pl, "info.piece length");
    if (pl->i > BT_META_MAX_PIECE_LENGTH)
        return bt_meta_fail(p, BT_ERR_META_PIECE_LENGTH_LARGE, pl, "info.piece length");
    t->piece_length = pl->i;
    if ((pl->i & (pl->i - 1)) != 0)
        t->warnings |= BT_META_WARN_PIECE_NOT_POW2;
    if (pl->i < BT_META_SMALL_PIECE)
        t->warnings |= BT_META_WARN_PIECE_SMALL;
    *out = pl;
    return BT_OK;
}

/*
 * "pieces" must hold one 20-byte hash for each piece the files need: the total
 * length divided by the piece length, rounded up.  The count is capped before
 * it is compared, so a torrent claiming 2^50 bytes is refused as too big
 * rather than as merely inconsistent.
 */
static enum bt_err check_pieces(struct bt_meta_parse *p, struct bt_torrent *t,
                                const struct bt_bnode *pieces, const struct bt_bnode *pl)
{
    int64_t want = t->total_length / t->piece_length;

    if (t->total_length % t->piece_length != 0)
        want++;
    if (want > (int64_t)BT_META_MAX_PIECES)
        return bt_meta_fail(p, BT_ERR_META_TOO_MANY, pl, "info.piece length");
    if (pieces->slen / BT_PIECE_HASH_LEN != (size_t)want)
        return bt_meta_fail(p, BT_ERR_META_PIECES, pieces, "info.pieces");
    t->piece_count = (size_t)want;
    return BT_OK;
}

/*
 * "meta version" 2 (BEP 52) brings a "file tree", and needs pieces that are a
 * power of two of at least 16 KiB, so that each is a node of every file's
 * merkle tree.  Without it the torrent is v1, whatever else the dict holds.
 */
static enum bt_err parse_version(struct bt_meta_parse *p, struct bt_torrent *t,
                                 const struct bt_bnode *info, const struct bt_bnode *pl,
                                 const struct bt_bnode **tree)
{
    const struct bt_bnode *v = bt_bnode_dict_get(info, "meta version");
    enum bt_err err;

    *tree = NULL;
    if (v == NULL)
        return BT_OK;
    if (v->type != BT_BENCODE_INT)
        return bt_meta_fail(p, BT_ERR_META_FIELD_TYPE, v, "info.meta version");
    if (v->i != 2)
        return bt_meta_fail(p, BT_ERR_META_VERSION, v, "info.meta version");
    err = get_required(p, info, "file tree", BT_BENCODE_DICT, tree);
    if (err != BT_OK)
        return err;
    if (pl->i < BT_MERKLE_BLOCK || (pl->i & (pl->i - 1)) != 0)
        return bt_meta_fail(p, BT_ERR_META_PIECE_LENGTH_V2, pl, "info.piece length");
    t->versions |= BT_META_V2;
    return BT_OK;
}

/*
 * The info dict: name, piece length, pieces, private, and either length (one
 * file) or files (several).  The same checks in strict and lenient mode: these
 * fields decide which bytes are downloaded and where they are written.
 */
static enum bt_err parse_info_dict(struct bt_meta_parse *p, struct bt_torrent *t,
                                   const struct bt_bnode *info)
{
    const struct bt_bnode *name, *pl = NULL, *pieces = NULL, *priv, *length, *files, *tree;
    enum bt_err err;

    err = get_required(p, info, "name", BT_BENCODE_STR, &name);
    if (err != BT_OK)
        return err;
    if ((p->flags & BT_META_LENIENT) != 0) {
        err = bt_meta_join_safe(p, &name, 1, BT_META_NOTE_NAME, &t->name);
    } else {
        err = bt_meta_check_element(name);
        if (err != BT_OK)
            return bt_meta_fail(p, err, name, "info.name");
        err = bt_meta_copy_str(name, &t->name);
    }
    if (err != BT_OK)
        return err;

    err = parse_piece_length(p, t, info, &pl);
    if (err != BT_OK)
        return err;

    err = parse_version(p, t, info, pl, &tree);
    if (err != BT_OK)
        return err;
    /* A v2-only torrent has no "pieces"; with it, the v1 half must be whole. */
    if (tree == NULL || bt_bnode_dict_get(info, "pieces") != NULL) {
        err = get_required(p, info, "pieces", BT_BENCODE_STR, &pieces);
        if (err != BT_OK)
            return err;
        if (pieces->slen % BT_PIECE_HASH_LEN != 0)
            return bt_meta_fail(p, BT_ERR_META_PIECES_PARTIAL, pieces, "info.pieces");
        t->versions |= BT_META_V1;
    }

    priv = bt_bnode_dict_get(info, "private");
    if (priv != NULL && priv->type != BT_BENCODE_INT)
        return bt_meta_fail(p, BT_ERR_META_FIELD_TYPE, priv, "info.private");
    t->is_private = priv != NULL && priv->i == 1;

    if (pieces == NULL)
        return bt_meta_parse_file_tree(p, t, tree);
    length = bt_bnode_dict_get(info, "length");
    files = bt_bnode_dict_get(info, "files");
    if (length != NULL && files != NULL)
        return bt_meta_fail(p, BT_ERR_META_FILES, files, "info.files");
    if (length == NULL && files == NULL)
        return bt_meta_fail(p, BT_ERR_META_MISSING, info, "info.length");
    err = length != NULL ? parse_single(p, t, length) : parse_files(p, t, files);
    if (err != BT_OK)
        return err;
    if (t->total_length == 0)
        return bt_meta_fail(p, BT_ERR_META_EMPTY, length != NULL ? length : files, "%s",
                            length != NULL ? "info.length" : "info.files");
    err = check_pieces(p, t, pieces, pl);
    if (err == BT_OK && tree != NULL)
        err = bt_meta_parse_file_tree(p, t, tree);
    return err;
}

/* A file the lenient parse had to number: say where it went. */
static void note_renamed(void *arg, size_t idx)
{
    struct bt_meta_parse *p = arg;

    bt_meta_note(p, BT_ERR_META_PATH_DUP, BT_META_FIX_NUMBER, p->files_at, idx,
                 "info.files[%zu].path", idx);
}

/*
 * The info dict, and for a lenient parse of several files, no two of them
 * with one path (sanitize.h): made-safe names may meet, and torrents in the wild
 * list one file twice.  Strict parses keep today's paths as they are.
 */
static enum bt_err parse_info(struct bt_meta_parse *p, struct bt_torrent *t,
                              const struct bt_bnode *info)
{
    const struct bt_bnode *files = bt_bnode_dict_get(info, "files");
    enum bt_err err = parse_info_dict(p, t, info);

    if (err != BT_OK || (p->flags & BT_META_LENIENT) == 0 || !t->multi_file)
        return err;
    /* Notes point at the files list, or at the tree of a v2-only torrent. */
    p->files_at = files != NULL ? files->offset : bt_bnode_dict_get(info, "file tree")->offset;
    return bt_sanitize_unique(t, note_renamed, p);
}

/*
 * Keep the info dict's original bytes and hash them: this is the torrent's name.
 * The "pieces" string lies inside those bytes, so piece_hashes points into the
 * copy instead of copying up to 320 MiB of hashes a second time.
 */
static enum bt_err keep_info(struct bt_torrent *t, const unsigned char *input,
                             const struct bt_bnode *info)
{
    const struct bt_bnode *pieces = bt_bnode_dict_get(info, "pieces");
    const unsigned char *start = input + info->offset;
    enum bt_err err;
    size_t i;

    t->info = malloc(info->enc_len);
    if (t->info == NULL)
        return BT_ERR_NOMEM;
    memcpy(t->info, start, info->enc_len);
    t->info_len = info->enc_len;
    /* The pieces roots, like the pieces, are read where they lie in the copy. */
    for (i = 0; i < t->file_count; i++)
        if (t->files[i].pieces_root != NULL)
            t->files[i].pieces_root = t->info + (t->files[i].pieces_root - start);
    if ((t->versions & BT_META_V2) != 0) {
        err = bt_sha256(t->info, t->info_len, t->info_hash_v2);
        if (err != BT_OK)
            return err;
    }
    if ((t->versions & BT_META_V1) == 0) {
        /* BEP 52: a v2 swarm goes by its hash cut to 20 bytes. */
        memcpy(t->info_hash, t->info_hash_v2, BT_INFOHASH_LEN);
        return BT_OK;
    }
    t->piece_hashes = t->info + (pieces->s - start);
    return bt_sha1(t->info, t->info_len, t->info_hash);
}

/* announce: the one tracker of BEP 3.  An empty string means none. */
static enum bt_err parse_announce(struct bt_meta_parse *p, struct bt_torrent *t,
                                  const struct bt_bnode *root)
{
    const struct bt_bnode *v = bt_bnode_dict_get(root, "announce");
    enum bt_err err;

    if (v == NULL)
        return BT_OK;
    err = check_text(v);
    if (err != BT_OK)
        return bt_meta_fail(p, err, v, "announce");
    if (v->slen == 0)
        return BT_OK;
    return bt_meta_copy_str(v, &t->announce);
}

/* One tier of announce-list: a list of URL strings; empty strings are skipped. */
static enum bt_err parse_tier(struct bt_meta_parse *p, struct bt_tier *tier,
                              const struct bt_bnode *list, size_t idx)
{
    const struct bt_bnode *url;
    size_t j;

    if (list->type != BT_BENCODE_LIST)
        return bt_meta_fail(p, BT_ERR_META_FIELD_TYPE, list, "announce-list[%zu]", idx);
    if (list->count == 0)
        return BT_OK;
    tier->urls = calloc(list->count, sizeof(*tier->urls));
    if (tier->urls == NULL)
        return BT_ERR_NOMEM;
    url = bt_bnode_child(list);
    for (j = 0; j < list->count; j++) {
        enum bt_err err = check_text(url);

        if (err != BT_OK)
            return bt_meta_fail(p, err, url, "announce-list[%zu][%zu]", idx, j);
        if (url->slen > 0) {
            err = bt_meta_copy_str(url, &tier->urls[tier->count]);
            if (err != BT_OK)
                return err;
            tier->count++;
        }
        url = bt_bnode_sibling(url);
    }
    return BT_OK;
}

/* announce-list (BEP 12): a list of tiers, each a list of URLs.  Empty tiers are dropped. */
static enum bt_err parse_tiers(struct bt_meta_parse *p, struct bt_torrent *t,
                               const struct bt_bnode *root)
{
    const struct bt_bnode *v = bt_bnode_dict_get(root, "announce-list"), *tier;
    size_t i;

    if (v == NULL)
        return BT_OK;
    if (v->type != BT_BENCODE_LIST)
        return bt_meta_fail(p, BT_ERR_META_FIELD_TYPE, v, "announce-list");
    if (v->count == 0)
        return BT_OK;
    t->tiers = calloc(v->count, sizeof(*t->tiers));
    if (t->tiers == NULL)
        return BT_ERR_NOMEM;
    tier = bt_bnode_child(v);
    for (i = 0; i < v->count; i++) {
        struct bt_tier *dst = &t->tiers[t->tier_count];
        enum bt_err err = parse_tier(p, dst, tier, i);

        /* Keep a tier that has URLs (release() frees it even if err is set). */
        if (dst->count > 0) {
            t->tier_count++;
        } else {
            free(dst->urls);
            dst->urls = NULL;
        }
        if (err != BT_OK)
            return err;
        tier = bt_bnode_sibling(tier);
    }
    return BT_OK;
}

/* url-list (BEP 19): one web seed URL, or a list of them. */
static enum bt_err parse_url_list(struct bt_meta_parse *p, struct bt_torrent *t,
                                  const struct bt_bnode *root)
{
    const struct bt_bnode *v = bt_bnode_dict_get(root, "url-list"), *url;
    size_t i, n;
    enum bt_err err;

    if (v == NULL)
        return BT_OK;
    if (v->type != BT_BENCODE_STR && v->type != BT_BENCODE_LIST)
        return bt_meta_fail(p, BT_ERR_META_FIELD_TYPE, v, "url-list");
    n = v->type == BT_BENCODE_STR ? 1 : v->count;
    if (n == 0)
        return BT_OK;
    t->url_list = calloc(n, sizeof(*t->url_list));
    if (t->url_list == NULL)
        return BT_ERR_NOMEM;
    url = v->type == BT_BENCODE_STR ? v : bt_bnode_child(v);
    for (i = 0; i < n; i++, url = bt_bnode_sibling(url)) {
        err = check_text(url);
        if (err != BT_OK && v->type == BT_BENCODE_STR)
            return bt_meta_fail(p, err, url, "url-list");
        /* A lenient parse keeps the good web seeds of a list with a bad one. */
        if (err != BT_OK && (p->flags & BT_META_LENIENT) != 0) {
            bt_meta_note(p, err, BT_META_FIX_IGNORE, url->offset, BT_META_NOTE_NONE,
                         "url-list[%zu]", i);
            continue;
        }
        if (err != BT_OK)
            return bt_meta_fail(p, err, url, "url-list[%zu]", i);
        if (url->slen > 0) {
            err = bt_meta_copy_str(url, &t->url_list[t->url_list_count]);
            if (err != BT_OK)
                return err;
            t->url_list_count++;
        }
    }
    return BT_OK;
}

/* comment, created by (text) and creation date (seconds since the epoch). */
static enum bt_err parse_creation(struct bt_meta_parse *p, struct bt_torrent *t,
                                  const struct bt_bnode *root)
{
    const struct bt_bnode *comment = bt_bnode_dict_get(root, "comment");
    const struct bt_bnode *by = bt_bnode_dict_get(root, "created by");
    const struct bt_bnode *date = bt_bnode_dict_get(root, "creation date");
    enum bt_err err;

    if (comment != NULL) {
        err = check_text(comment);
        if (err == BT_OK)
            err = bt_meta_copy_str(comment, &t->comment);
        if (err != BT_OK)
            return bt_meta_fail(p, err, comment, "comment");
    }
    if (by != NULL) {
        err = check_text(by);
        if (err == BT_OK)
            err = bt_meta_copy_str(by, &t->created_by);
        if (err != BT_OK)
            return bt_meta_fail(p, err, by, "created by");
    }
    if (date != NULL) {
        if (date->type != BT_BENCODE_INT)
            return bt_meta_fail(p, BT_ERR_META_FIELD_TYPE, date, "creation date");
        t->creation_date = date->i;
    }
    return BT_OK;
}

static void drop_announce(struct bt_torrent *t)
{
    free(t->announce);
    t->announce = NULL;
}

static void drop_creation(struct bt_torrent *t)
{
    free(t->comment);
    free(t->created_by);
    t->comment = NULL;
    t->created_by = NULL;
    t->creation_date = -1;
}

/*
 * The optional fields outside the info dict, each with the function that
 * empties it again.  A malformed one fails a strict parse; a lenient parse drops
 * it, as most clients do, since it changes neither the data nor the info hash.
 */
static const struct {
    enum bt_err (*parse)(struct bt_meta_parse *p, struct bt_torrent *t,
                         const struct bt_bnode *root);
    void (*drop)(struct bt_torrent *t);
} outer_fields[] = {
    {parse_announce, drop_announce},
    {parse_tiers, free_tiers},
    {parse_url_list, free_url_list},
    {parse_creation, drop_creation},
};

static enum bt_err parse_outer(struct bt_meta_parse *p, struct bt_torrent *t,
                               const struct bt_bnode *root)
{
    const int lenient = (p->flags & BT_META_LENIENT) != 0;
    size_t i;

    for (i = 0; i < sizeof(outer_fields) / sizeof(outer_fields[0]); i++) {
        enum bt_err err = outer_fields[i].parse(p, t, root);

        if (err != BT_OK && err != BT_ERR_NOMEM && lenient) {
            bt_meta_note(p, err, BT_META_FIX_IGNORE, p->e->offset, BT_META_NOTE_NONE, "%s",
                         p->e->field);
            outer_fields[i].drop(t);
            err = BT_OK;
        }
        if (err != BT_OK)
            return err;
    }
    return BT_OK;
}

/* Form that BEP 3 forbids but that changes no value: a lenient parse reads past it. */
static int form_only(enum bt_err err)
{
    return err == BT_ERR_BENCODE_KEY_ORDER || err == BT_ERR_BENCODE_KEY_DUP ||
           err == BT_ERR_BENCODE_LEADING_ZERO || err == BT_ERR_BENCODE_NEGATIVE_ZERO ||
           err == BT_ERR_BENCODE_TRAILING;
}

/*
 * Decode input with the bencode mode that matches flags; on failure say where.
 * A lenient parse decodes strictly first, to note the first thing it overlooks
 * (canonical input, nearly every torrent, is decoded once).
 */
static enum bt_err decode(struct bt_meta_parse *p, struct bt_bencode *b, const void *input,
                          size_t len)
{
    enum bt_err err = bt_bencode_parse(b, input, len, BT_BENCODE_STRICT);

    if (err != BT_OK && form_only(err) && (p->flags & BT_META_LENIENT) != 0) {
        bt_meta_note(p, err, BT_META_FIX_ACCEPT, b->err_offset, BT_META_NOTE_NONE, "%s", "");
        p->noncanonical = 1;
        err = bt_bencode_parse(b, input, len, BT_BENCODE_LENIENT);
    }
    if (err != BT_OK) {
        p->e->offset = b->err_offset;
        p->e->field[0] = '\0';
    }
    return err;
}

static int key_order(const void *a, const void *b)
{
    const struct bt_bnode *x = *(const struct bt_bnode *const *)a;
    const struct bt_bnode *y = *(const struct bt_bnode *const *)b;

    return bt_bencode_key_cmp(x->s, x->slen, y->s, y->slen);
}

/*
 * Does dict d, decoded leniently, have a key twice?  Then *at is the second
 * one.  Keys in order cannot repeat; others are sorted to compare.
 */
static enum bt_err find_dup_key(const struct bt_bnode *d, const struct bt_bnode **at)
{
    const struct bt_bnode *key = bt_bnode_child(d), *prev = NULL, **keys;
    size_t i, n = 0;

    *at = NULL;
    for (i = 0; i < d->count; i++) {
        if (prev != NULL && bt_bencode_key_cmp(prev->s, prev->slen, key->s, key->slen) >= 0)
            break;
        prev = key;
        key = bt_bnode_sibling(bt_bnode_sibling(key));
    }
    if (i == d->count)
        return BT_OK;
    keys = malloc(d->count * sizeof(*keys));
    if (keys == NULL)
        return BT_ERR_NOMEM;
    for (key = bt_bnode_child(d); n < d->count; key = bt_bnode_sibling(bt_bnode_sibling(key)))
        keys[n++] = key;
    qsort(keys, n, sizeof(*keys), key_order);
    for (i = 1; i < n; i++) {
        const struct bt_bnode *second =
            keys[i - 1]->offset > keys[i]->offset ? keys[i - 1] : keys[i];

        if (key_order(&keys[i - 1], &keys[i]) == 0 &&
            (*at == NULL || second->offset < (*at)->offset))
            *at = second;
    }
    free(keys);
    return BT_OK;
}

/*
 * A key twice inside the info dict (at any depth) is refused even when lenient:
 * clients that take the first and clients that take the last would download
 * different data under one info hash.  Outside it, the first is used.
 */
static enum bt_err check_info_keys(struct bt_meta_parse *p, const struct bt_bnode *root,
                                   const struct bt_bnode *info)
{
    const struct bt_bnode *n, *dup, *key;
    size_t i, infos = 0;
    enum bt_err err;

    if (!p->noncanonical)
        return BT_OK; /* a strict decode saw every key in order */
    /* Two info dicts would be two torrents under one name. */
    key = root != info ? bt_bnode_child(root) : NULL;
    for (i = 0; key != NULL && i < root->count; i++) {
        if (bt_bnode_str_eq(key, "info") && ++infos > 1)
            return bt_meta_fail(p, BT_ERR_META_INFO_DUP, key, "info");
        key = bt_bnode_sibling(bt_bnode_sibling(key));
    }
    for (n = info; n < info + info->skip; n++) {
        if (n->type != BT_BENCODE_DICT)
            continue;
        err = find_dup_key(n, &dup);
        if (err != BT_OK)
            return err;
        if (dup != NULL)
            return bt_meta_fail(p, BT_ERR_META_INFO_DUP, dup, "info");
    }
    return BT_OK;
}

static void start(struct bt_meta_parse *p, struct bt_torrent *t, unsigned flags,
                  struct bt_meta_error *e)
{
    memset(p, 0, sizeof(*p));
    p->flags = flags;
    p->e = e != NULL ? e : &p->local;
    p->e->offset = 0;
    p->e->field[0] = '\0';
    p->t = t;
    bt_torrent_release(t);
}

enum bt_err bt_torrent_parse_detailed(struct bt_torrent *t, const void *data, size_t len,
                                      unsigned flags, struct bt_meta_error *e)
{
    struct bt_meta_parse p;
    struct bt_bencode b;
    const struct bt_bnode *root, *info;
    enum bt_err err;

    start(&p, t, flags, e);
    bt_bencode_init(&b);
    err = decode(&p, &b, data, len);
    if (err != BT_OK)
        goto out;
    root = bt_bencode_root(&b);
    if (root->type != BT_BENCODE_DICT) {
        err = bt_meta_fail(&p, BT_ERR_META_NOT_DICT, root, "%s", "");
        goto out;
    }
    info = bt_bnode_dict_get(root, "info");
    if (info == NULL) {
        err = bt_meta_fail(&p, BT_ERR_META_NO_INFO, root, "%s", "");
        goto out;
    }
    if (info->type != BT_BENCODE_DICT) {
        err = bt_meta_fail(&p, BT_ERR_META_FIELD_TYPE, info, "info");
        goto out;
    }
    err = check_info_keys(&p, root, info);
    if (err == BT_OK)
        err = parse_info(&p, t, info);
    if (err == BT_OK && (t->versions & BT_META_V2) != 0)
        err = bt_meta_parse_layers(&p, t, root);
    if (err == BT_OK)
        err = parse_outer(&p, t, root);
    if (err == BT_OK)
        err = keep_info(t, data, info);
out:
    bt_bencode_release(&b);
    if (err != BT_OK)
        bt_torrent_release(t);
    return err;
}

enum bt_err bt_torrent_parse(struct bt_torrent *t, const void *data, size_t len, unsigned flags,
                             size_t *err_offset)
{
    struct bt_meta_error e;
    enum bt_err err = bt_torrent_parse_detailed(t, data, len, flags, &e);

    if (err != BT_OK && err_offset != NULL)
        *err_offset = e.offset;
    return err;
}

enum bt_err bt_torrent_parse_info_detailed(struct bt_torrent *t, const void *info, size_t len,
                                           unsigned flags, struct bt_meta_error *e)
{
    struct bt_meta_parse p;
    struct bt_bencode b;
    const struct bt_bnode *root;
    enum bt_err err;

    start(&p, t, flags, e);
    bt_bencode_init(&b);
    err = decode(&p, &b, info, len);
    if (err != BT_OK)
        goto out;
    root = bt_bencode_root(&b);
    if (root->type != BT_BENCODE_DICT) {
        err = bt_meta_fail(&p, BT_ERR_META_FIELD_TYPE, root, "info");
        goto out;
    }
    err = check_info_keys(&p, root, root);
    if (err == BT_OK)
        err = parse_info(&p, t, root);
    /* Lenient decoding may stop before trailing bytes: hash the dict only. */
    if (err == BT_OK)
        err = keep_info(t, info, root);
out:
    bt_bencode_release(&b);
    if (err != BT_OK)
        bt_torrent_release(t);
    return err;
}

enum bt_err bt_torrent_parse_info(struct bt_torrent *t, const void *info, size_t len,
                                  unsigned flags, size_t *err_offset)
{
    struct bt_meta_error e;
    enum bt_err err = bt_torrent_parse_info_detailed(t, info, len, flags, &e);

    if (err != BT_OK && err_offset != NULL)
        *err_offset = e.offset;
    return err;
}

int64_t bt_torrent_piece_size(const struct bt_torrent *t, size_t idx)
{
    if (idx >= t->piece_count)
        return 0;
    if (idx + 1 < t->piece_count)
        return t->piece_length;
    /* The last piece holds what is left: piece_count was rounded up to cover it. */
    return t->total_length - t->piece_length * (int64_t)(t->piece_count - 1);
}
