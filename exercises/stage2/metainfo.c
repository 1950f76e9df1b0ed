/*
 * metainfo.c - exercise for stage 2: BEP 3 "Metainfo files", with BEP 12 tracker
 * tiers, BEP 19 web seeds and BEP 27's private flag, and BEP 52's BitTorrent v2
 * with BEP 47's pad files.
 *
 * You write the functions lib/metainfo/metainfo.h declares; the header is the contract
 * (read it first, with tutorials/02-metainfo.md).  The bencode decoder of stage 1
 * (lib/bencode/bencode.h) does the parsing: you walk its nodes.
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
 *   files   |a/one.bin (40000)               |empty.dat (0)
 *   pieces  |piece 0 (32768)     |piece 1 (7232)|       the last piece is shorter
 *
 * A v2 torrent (BEP 52) says "meta version" 2 and describes its files as a
 * "file tree" instead, each file with the root of its own merkle tree, and
 * carries "piece layers" beside the info dict.  A v2-only torrent has no
 * "pieces", "length" or "files"; a hybrid has both halves, which must agree.
 * The v2 half is your other file of this stage, file_tree.c: this file calls
 * its bt_meta_parse_file_tree() and bt_meta_parse_layers() (parse.h).
 *
 * Build the tools with your file: make exercise STAGE=2
 * Grade them:                       make grade STAGE=2
 *
 * Every body below is a placeholder that compiles and fails: replace each one.
 * You may add static helpers (they must be used, or -Werror stops the build).
 *
 * lib/metainfo/parse.c, which you do not write, has helpers for both files
 * (parse.h): a struct bt_meta_parse holds one parse's flags and where to
 * report its error (e); bt_meta_fail(p, err, node, fmt, ...) fills e with the
 * node's offset and the field, and returns err; bt_meta_check_element() checks
 * a name or path element; bt_meta_copy_str() copies a string node.
 */
#include "metainfo/metainfo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bencode/bencode.h"
#include "metainfo/merkle.h"
#include "metainfo/parse.h"

/*
 * Zero every field, and set creation_date to -1 (absent).  Cannot fail: it
 * allocates nothing.
 */
void bt_torrent_init(struct bt_torrent *t)
{
    (void)t;
}

/*
 * Free everything the torrent owns (name, each file's path and the file array,
 * pad files' included, announce, each tier's URLs and the tiers, the web
 * seeds, comment, created_by, the info copy, the v2 piece layers; piece_hashes
 * and the files' pieces_root and layer point into info and layers, so they are
 * not freed on their own), then initialise it again, so that release after
 * release is safe.
 */
void bt_torrent_release(struct bt_torrent *t)
{
    (void)t;
}

/*
 * The heart of the stage.  Suggested order (the tests check which error comes
 * first, and where):
 *
 * 1. Reset: e->offset = 0 and e->field = "" (when e is not NULL), and release t
 *    so that it starts empty.  Decode data with bt_bencode_parse(), lenient if
 *    flags has BT_META_LENIENT; on failure report the decoder's err_offset with
 *    an empty field.
 * 2. The top must be a dict (BT_ERR_META_NOT_DICT) with an "info" key
 *    (BT_ERR_META_NO_INFO) whose value is a dict (BT_ERR_META_FIELD_TYPE, field
 *    "info").
 * 3. The info dict, the same in strict and lenient mode:
 *    - "name": a string (missing: BT_ERR_META_MISSING at the info dict; wrong
 *      type: BT_ERR_META_FIELD_TYPE at the value) that is safe as one path
 *      element: not empty, not "." or "..", no '/' and no NUL byte
 *      (BT_ERR_META_PATH_EMPTY, _PATH_DOT, _PATH_CHAR).
 *      bt_meta_check_element() (parse.h) does that check.
 *    - "piece length": an integer, positive (BT_ERR_META_PIECE_LENGTH), at most
 *      BT_META_MAX_PIECE_LENGTH (BT_ERR_META_PIECE_LENGTH_LARGE).  Not a power of
 *      two, or under BT_META_SMALL_PIECE: legal, set a bit in t->warnings.
 *    - "meta version" (BEP 52), if present: an integer (BT_ERR_META_FIELD_TYPE)
 *      that is 2 (BT_ERR_META_VERSION, at the value, field "info.meta
 *      version").  Then "file tree" is required, a dict (BT_ERR_META_MISSING
 *      at the info dict, field "info.file tree"), and the piece length must be
 *      a power of two of at least BT_MERKLE_BLOCK, 16 KiB, so that each piece
 *      is a node of every file's merkle tree (BT_ERR_META_PIECE_LENGTH_V2 at
 *      the piece length, "info.piece length"); set BT_META_V2 in t->versions.
 *      Without "meta version" the torrent is v1, whatever else it holds.
 *    - "pieces": a string whose length is a multiple of BT_PIECE_HASH_LEN
 *      (BT_ERR_META_PIECES_PARTIAL); set BT_META_V1 in t->versions.  Required
 *      (BT_ERR_META_MISSING) unless the torrent is v2: a v2 torrent without it
 *      is v2-only, and has no "length" or "files" either; a v2 torrent with it
 *      is a hybrid, whose v1 half must be whole (every v1 check below applies).
 *    - "private": an integer if present; is_private when it is 1.
 *    - v2-only: bt_meta_parse_file_tree(p, t, tree) (your file_tree.c) makes
 *      t->files, total_length, content_length, piece_count and multi_file from
 *      the tree, and that is the info dict done.
 *    - exactly one of "length" and "files" (both, or an empty files list:
 *      BT_ERR_META_FILES; neither: BT_ERR_META_MISSING, field "info.length").
 *      Single file: one struct bt_file whose path is the name.  Several: each
 *      entry a dict with "length" (an integer >= 0: BT_ERR_META_LENGTH) and
 *      "path" (a non-empty list: BT_ERR_META_PATH, each element checked like the
 *      name, then joined with '/'); offset is the sum of the lengths before it.
 *      An "attr" string containing 'p' marks a pad file (BEP 47, in hybrids):
 *      pad = 1; it counts in total_length (the pieces cover it) but not in
 *      content_length (the files' own bytes, what a summary shows).
 *      Check "length > INT64_MAX - total" BEFORE adding (BT_ERR_META_TOTAL_LENGTH),
 *      and cap the file count (BT_META_MAX_FILES, BT_ERR_META_TOO_MANY) before
 *      allocating.  A total of 0 bytes is BT_ERR_META_EMPTY.
 *    - the piece count is ceil(total / piece length): more than BT_META_MAX_PIECES
 *      is BT_ERR_META_TOO_MANY (at "piece length"); then it must equal the number
 *      of hashes in "pieces" (BT_ERR_META_PIECES).
 *    - a hybrid: now that the v1 files are known, bt_meta_parse_file_tree()
 *      checks that the tree describes the same files, and gives each its
 *      pieces_root.
 * 3b. A v2 torrent (BT_META_V2): bt_meta_parse_layers(p, t, root), root being
 *    the top dict, reads and checks "piece layers" beside the info dict.
 * 4. Outside info, all optional: "announce" (text; an empty one means none),
 *    "announce-list" (a list of lists of text, empty URLs and tiers dropped),
 *    "url-list" (text, or a list of text), "comment", "created by" (text),
 *    "creation date" (an integer).  Text is a string without NUL bytes
 *    (BT_ERR_META_TEXT_NUL).  A malformed one fails a strict parse; a lenient
 *    parse drops that field and goes on.
 * 5. Copy the info dict's ORIGINAL bytes, data + info->offset, info->enc_len of
 *    them, into t->info, and bt_sha1() them into t->info_hash (lib/core/sha1.h).
 *    Never re-encode the dict.  piece_hashes may point into the copy.  Each
 *    file's pieces_root points into data (file_tree.c sets it so): move it to
 *    the same place in the copy.  A v2 torrent: bt_sha256() the same bytes
 *    into t->info_hash_v2 (lib/core/sha256.h).  A v2-only torrent has no SHA-1
 *    hash: its swarm goes by the SHA-256 cut to 20 bytes, so copy the first
 *    BT_INFOHASH_LEN bytes of info_hash_v2 into info_hash (handshakes,
 *    trackers and the DHT use info_hash), and piece_hashes stays NULL.
 *
 * Every failure fills e (when not NULL): offset is the offending value's
 * node->offset (for a missing field, the dict that lacks it), and field names
 * it as a path, such as "info.files[2].path[0]" or "announce-list[0]"; write it
 * with snprintf() into e->field, or let bt_meta_fail() do it: make one
 * struct bt_meta_parse p = {flags, e} for the parse and pass &p to it and to
 * file_tree.c.  On failure t is left empty (released).
 */
enum bt_err bt_torrent_parse_detailed(struct bt_torrent *t, const void *data, size_t len,
                                      unsigned flags, struct bt_meta_error *e)
{
    (void)t;
    (void)data;
    (void)len;
    (void)flags;
    if (e != NULL) {
        e->offset = 0;
        e->field[0] = '\0';
    }
    return BT_ERR_INVALID;
}

/* bt_torrent_parse_detailed(), reporting only the offset (err_offset may be NULL). */
enum bt_err bt_torrent_parse(struct bt_torrent *t, const void *data, size_t len, unsigned flags,
                             size_t *err_offset)
{
    (void)t;
    (void)data;
    (void)len;
    (void)flags;
    if (err_offset != NULL)
        *err_offset = 0;
    return BT_ERR_INVALID;
}

/*
 * A bare info dict, as a peer sends it (BEP 9): steps 1, 3 and 5 above with the
 * top value as the info dict (not a dict: BT_ERR_META_FIELD_TYPE, field "info").
 * The trackers stay empty, and so do a v2 torrent's piece layers (no step 3b:
 * they are not in the info dict).  Hash only the dict's own bytes (root->enc_len): a
 * lenient decode may have stopped before trailing bytes.
 */
enum bt_err bt_torrent_parse_info_detailed(struct bt_torrent *t, const void *info, size_t len,
                                           unsigned flags, struct bt_meta_error *e)
{
    (void)t;
    (void)info;
    (void)len;
    (void)flags;
    if (e != NULL) {
        e->offset = 0;
        e->field[0] = '\0';
    }
    return BT_ERR_INVALID;
}

/* bt_torrent_parse_info_detailed(), reporting only the offset. */
enum bt_err bt_torrent_parse_info(struct bt_torrent *t, const void *info, size_t len,
                                  unsigned flags, size_t *err_offset)
{
    (void)t;
    (void)info;
    (void)len;
    (void)flags;
    if (err_offset != NULL)
        *err_offset = 0;
    return BT_ERR_INVALID;
}

/*
 * Bytes in piece idx: piece_length for all but the last, which holds what is
 * left of total_length (between 1 and piece_length bytes; padding counts).  0
 * for an idx past the end.
 */
int64_t bt_torrent_piece_size(const struct bt_torrent *t, size_t idx)
{
    (void)t;
    (void)idx;
    return 0;
}
