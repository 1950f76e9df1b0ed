/*
 * file_tree.c - exercise for stage 2: BEP 52's "file tree" and "piece layers",
 * the v2 half of a torrent (BitTorrent v2, and the v2 half of a hybrid).
 *
 * You write the two functions lib/metainfo/parse.h declares for this file;
 * your metainfo.c calls them (read tutorials/02-metainfo.md, section 7, and
 * lib/metainfo/metainfo.h's fields for v2 first).  lib/metainfo/parse.c, which
 * you do not write, gives you bt_meta_fail() (fill p->e, return the error),
 * bt_meta_check_element() and bt_meta_copy_str(); lib/metainfo/merkle.h gives
 * you the merkle trees.
 *
 * The file tree is a dict of dicts, one level per path element, sorted as
 * every bencoded dict is.  A file is a dict with the single key "" (empty):
 *
 *   9:file tree d
 *     1:a d
 *       1:b d 7:two.bin d 0: d 6:length i70000e 11:pieces root 32:<root> e e e
 *       7:one.bin d 0: d 6:length i40000e 11:pieces root 32:<root> e e
 *     e
 *     9:empty.dat d 0: d 6:length i0e e e          <- no root: no data
 *   e
 *
 * Files come in the tree's order (a/b/two.bin, a/one.bin, empty.dat), and each
 * starts on a piece boundary: padding fills the rest of a file's last piece.
 * Outside the info dict, "piece layers" maps the root of every file larger
 * than a piece to that file's hashes, 32 bytes per piece:
 *
 *   11:piece layers d 32:<root of two.bin> 96:<3 x 32 bytes> 32:<root of one.bin> 64:<...> e
 *
 *   offset  0         32768     65536   70000       98304     131072  138304      163840
 *           |two.bin                    |.pad/28304 |one.bin          |.pad/25536 |empty.dat (0)
 *   piece   |0        |1        |2                  |3        |4                  |
 *
 * Build the tools with your files: make exercise STAGE=2
 * Grade them:                        make grade STAGE=2
 *
 * Every body below is a placeholder that compiles and fails: replace each one.
 * You may add static helpers (they must be used, or -Werror stops the build).
 * A few make the rest short: add_file (check one leaf, append it to a list of
 * its own), walk_tree (the walk, with a stack), match_v1 (a hybrid), take_files
 * and add_pad (a v2-only torrent), check_layer (a layer against its root).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metainfo/merkle.h"
#include "metainfo/parse.h"

/*
 * The v2 half of the info dict.  Your metainfo.c calls this once it has
 * checked "name", "piece length" (a power of two of at least 16 KiB),
 * "meta version" 2 and, for a hybrid, the whole v1 half: then t->versions has
 * BT_META_V1 and t->files, t->total_length and t->piece_count are the v1 files'
 * (pad files marked pad).  For a v2-only torrent t->versions is BT_META_V2 and
 * t->files is empty.  tree is the "file tree" dict.
 *
 * Every failure goes through bt_meta_fail(p, err, node, field, ...): node is
 * where the offset points, and field is the path the tests expect (see
 * samples/hostile/metainfo/EXPECTED).  N below is a file's index in the tree's
 * order, from 0.
 *
 * 1. Walk the tree depth first, in key order, WITHOUT recursion: the tree
 *    comes from a stranger, and 10000 nested dicts must not blow your stack.
 *    Keep a stack of BT_META_MAX_DEPTH frames, each the next key to visit in
 *    one dict (bt_bnode_child(), bt_bnode_sibling()) and how many entries are
 *    left (node->count).  An empty tree: BT_ERR_META_FILES, at tree, field
 *    "info.file tree".
 * 2. Each key is a path element: bt_meta_check_element(key), its error at the
 *    key, field "info.file tree" (a key "..": "path element is '.' or '..'").
 *    Each value must be a dict (else BT_ERR_META_FILE_TREE at the value).
 *    - A value with the key "" is a file.  It must have no other key: a file
 *      and a directory at once is BT_ERR_META_FILE_TREE, at the value.
 *    - Any other value is a directory: an empty one is BT_ERR_META_FILE_TREE
 *      (it names no file); one whose path already has BT_META_MAX_DEPTH (64)
 *      elements, so that it needs one frame too many, is BT_ERR_META_DEPTH, at
 *      its dict.  A path of 64 elements ending in a file is fine.
 * 3. A file, leaf being the value of "":
 *    - leaf a dict (BT_ERR_META_FIELD_TYPE at leaf, "info.file tree[N]");
 *    - "length" required (BT_ERR_META_MISSING at leaf, "info.file tree[N].length"),
 *      an integer (BT_ERR_META_FIELD_TYPE at it), >= 0 (BT_ERR_META_LENGTH).
 *      Before adding it to the running total: length > INT64_MAX / 2 - total is
 *      BT_ERR_META_TOTAL_LENGTH (half, to leave room for the padding);
 *    - when length > 0, "pieces root" required: a string of BT_PIECES_ROOT_LEN
 *      (32) bytes, else BT_ERR_META_ROOT, at the root (or at leaf when it is
 *      missing), field "info.file tree[N].pieces root".  An empty file has no
 *      root (NULL);
 *    - more than BT_META_MAX_FILES files: BT_ERR_META_TOO_MANY at leaf, field
 *      "info.file tree";
 *    - its path is the keys from the tree down, joined with '/'.
 *    A tree whose files add up to 0 bytes: BT_ERR_META_EMPTY at tree, "info.file tree".
 * 4. A hybrid (BT_META_V1 set): both halves must describe the same files.  A
 *    single-file v1 torrent needs a tree of exactly one file, one element deep
 *    (else BT_ERR_META_HYBRID at tree, "info.file tree").  Then the v1 files,
 *    pad files skipped, must be the tree's files in the same order with the
 *    same paths and lengths (else BT_ERR_META_HYBRID at tree, field
 *    "info.file tree[J]", J the tree file that differs or is left over), and
 *    each non-empty one must start on a piece boundary (offset % piece_length,
 *    else BT_ERR_META_HYBRID, "info.files[I]", I its v1 index).  Each v1 file
 *    gets its tree file's pieces_root.
 * 5. A v2-only torrent: t->files is the tree's files, in tree order.
 *    t->multi_file unless the tree is one file one element deep.  For each:
 *    path (the torrent owns it now), length, offset = t->total_length so far,
 *    pieces_root, and add its length to t->total_length and t->content_length.
 *    In a multi-file torrent, every file (the last one too) whose end is not
 *    on a piece boundary is followed by a pad file made up as libtorrent names
 *    them: path ".pad/N", length N (what is left of the piece), pad = 1, added
 *    to total_length only.  So allocate room for two entries per file.  Then
 *    piece_count = ceil(total_length / piece_length): more than
 *    BT_META_MAX_PIECES is BT_ERR_META_TOO_MANY, at tree, "info.piece length".
 *
 * pieces_root must point into the input, at the root string's bytes
 * (node->s): your keep_info moves it into t->info with the rest.
 * On failure free what you allocated that t does not own yet; what t owns,
 * your bt_torrent_release() frees.
 */
enum bt_err bt_meta_parse_file_tree(struct bt_meta_parse *p, struct bt_torrent *t,
                                    const struct bt_bnode *tree)
{
    (void)p;
    (void)t;
    (void)tree;
    return BT_ERR_INVALID;
}

/*
 * "piece layers", beside the info dict: root is the torrent's top dict.  Your
 * metainfo.c calls this after the info dict, for every torrent with
 * BT_META_V2 (not for a bare info dict from a peer: it has no layers).
 *
 * 1. The files that need a layer: every file that is not padding and is
 *    larger than one piece.  Each needs ceil(length / piece_length) hashes of
 *    BT_MERKLE_HASH_LEN (32) bytes.  None: BT_OK, nothing to do.
 * 2. "piece layers" missing: with BT_META_LAYERS_LATER in p->flags (a torrent
 *    built around metadata from peers), BT_OK and the layers stay unknown (NULL: bt_torrent_hashes_known() says so later);
 *    strict, BT_ERR_META_LAYER at root, field "piece layers".  Not a dict:
 *    BT_ERR_META_FIELD_TYPE at it, "piece layers".
 * 3. Allocate t->layers, room for every needed layer (t->layers_len bytes):
 *    each needed file's layer will be a part of it (file->layer points there).
 * 4. For each entry of the dict: a key that is not 32 bytes, or is no needed
 *    file's pieces root, is ignored.  Otherwise the value must be a string
 *    (BT_ERR_META_FIELD_TYPE at it, "piece layers") of exactly 32 bytes per
 *    piece of that file (BT_ERR_META_LAYER at the value, "piece layers"), and
 *    must hash up to the key (BT_ERR_META_LAYER_ROOT at the value, "piece
 *    layers"): the piece hashes are the leaves of a tree
 *    bt_merkle_width(pieces) wide, whose missing leaves are not zeros but the
 *    root of a whole piece of zero leaves,
 *      bt_merkle_pad(NULL, bt_merkle_log2(piece_length / BT_MERKLE_BLOCK), pad)
 *    so: bt_merkle_init(&m, pad), bt_merkle_add() each hash, bt_merkle_root().
 *    Copy the layer into the part of every needed file with that root
 *    (identical files have one root).  Many files: sort the needed roots and search them, rather
 *    than compare each key with every file.
 * 5. A needed file still without its layer: BT_ERR_META_LAYER at the "piece
 *    layers" dict, field "piece layers".
 */
enum bt_err bt_meta_parse_layers(struct bt_meta_parse *p, struct bt_torrent *t,
                                 const struct bt_bnode *root)
{
    (void)p;
    (void)t;
    (void)root;
    return BT_ERR_INVALID;
}
