/*
 * metainfo.h - the .torrent file (BEP 3), tracker tiers (BEP 12), web seeds (BEP 19).
 *
 *   d
 *     8:announce   <url>                      the tracker (BEP 3)
 *     13:announce-list l l<url>... e ... e    tiers of trackers (BEP 12)
 *     4:info d
 *       6:length        <int>                 single file: its size
 *       5:files l d 6:length <int> 4:path l <elem>... e e ... e   multi-file
 *       4:name          <str>                 file name, or top directory
 *       12:piece length <int>                 bytes per piece (last one shorter)
 *       6:pieces        <20 bytes per piece>  SHA-1 of each piece, concatenated
 *       7:private       i1e                   BEP 27: only the torrent's trackers
 *     e
 *   e
 *
 * The info hash is the SHA-1 of the info dict's bytes exactly as they appear in
 * the file.  Never re-encode the dict to hash it: a torrent with non-canonical
 * bytes (accepted with BT_META_LENIENT) would get a different hash than every
 * other client computes.
 */
#ifndef BT_METAINFO_H
#define BT_METAINFO_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/sha1.h"

#define BT_INFOHASH_LEN   BT_SHA1_LEN /* BEP 3: the SHA-1 of the info dict */
#define BT_PIECE_HASH_LEN BT_SHA1_LEN /* BEP 3: each entry of "pieces" */

/* Bounds on what a torrent may ask of us. */
#define BT_META_MAX_PIECE_LENGTH (1LL << 30) /* larger is absurd; libtorrent stops at 128 MiB */
#define BT_META_MAX_PIECES       (1u << 24)  /* 16 Mi pieces = 320 MiB of hashes */
#define BT_META_MAX_FILES        (1u << 20)
#define BT_META_MAX_INPUT        (64u << 20) /* bytes of a .torrent file we read at most */
#define BT_META_SMALL_PIECE      (16 * 1024) /* legal but unusual below this: warn */

/* Flags for bt_torrent_parse(). */
#define BT_META_STRICT  0u
#define BT_META_LENIENT 1u /* decode with BT_BENCODE_LENIENT */

/* Warnings: legal but suspicious; the torrent is usable. */
#define BT_META_WARN_PIECE_NOT_POW2 1u
#define BT_META_WARN_PIECE_SMALL    2u

struct bt_file {
    char *path;     /* relative path, elements joined by '/'; each element checked safe */
    int64_t length; /* bytes */
    int64_t offset; /* where the file starts in the torrent's concatenated data */
};

struct bt_tier {
    char **urls; /* in file order */
    size_t count;
};

struct bt_torrent {
    unsigned char info_hash[BT_INFOHASH_LEN];
    char *name;           /* info.name: file name, or top directory of a multi-file torrent */
    int multi_file;       /* info has "files" */
    int64_t piece_length; /* bytes per piece */
    size_t piece_count;
    unsigned char *piece_hashes; /* piece_count * 20 bytes, inside info (not freed alone) */
    int64_t total_length;
    struct bt_file *files; /* one entry for a single-file torrent, path == name */
    size_t file_count;

    char *announce;        /* may be NULL */
    struct bt_tier *tiers; /* announce-list; may be empty */
    size_t tier_count;
    char **url_list; /* BEP 19 web seeds; may be empty */
    size_t url_list_count;
    int is_private;        /* info.private == 1 */
    char *comment;         /* may be NULL */
    char *created_by;      /* may be NULL */
    int64_t creation_date; /* seconds since the epoch, or -1 if absent */

    unsigned char *info; /* a copy of the info dict's original bytes (for BEP 9) */
    size_t info_len;
    unsigned warnings; /* BT_META_WARN_* */
};

/* Cannot fail. */
void bt_torrent_init(struct bt_torrent *t);
/* Free everything the torrent owns and re-initialise it. */
void bt_torrent_release(struct bt_torrent *t);

/*
 * Where a parse failed: the byte offset of the offending value in the input
 * (for a missing field, the dict that lacks it; for a piece count that does not
 * match the length, the "pieces" string), and the field's name written as a
 * path, such as "info.files[2].path[0]", or "" for a bencode syntax error.
 */
#define BT_META_FIELD_MAX 96
struct bt_meta_error {
    size_t offset;
    char field[BT_META_FIELD_MAX];
};

/*
 * Parse a whole .torrent file.  The torrent copies what it keeps, so data may be
 * freed afterwards.  On failure t is left initialised-empty and *err_offset (if
 * not NULL) is the byte offset of the problem (see struct bt_meta_error).
 *
 * BT_META_LENIENT accepts non-canonical bencode (unsorted keys, leading zeros,
 * trailing bytes) and ignores malformed optional fields outside the info dict
 * (announce, announce-list, url-list, comment, created by, creation date).  The
 * info dict is checked the same way in both modes.
 */
enum bt_err bt_torrent_parse(struct bt_torrent *t, const void *data, size_t len, unsigned flags,
                             size_t *err_offset);
/* The same, reporting the field as well as the offset (e may be NULL). */
enum bt_err bt_torrent_parse_detailed(struct bt_torrent *t, const void *data, size_t len,
                                      unsigned flags, struct bt_meta_error *e);

/*
 * Parse a bare info dict (as fetched with BEP 9).  Fills the info fields and the
 * info hash; trackers are left empty.  Field names in errors start with "info".
 */
enum bt_err bt_torrent_parse_info(struct bt_torrent *t, const void *info, size_t len,
                                  unsigned flags, size_t *err_offset);
enum bt_err bt_torrent_parse_info_detailed(struct bt_torrent *t, const void *info, size_t len,
                                           unsigned flags, struct bt_meta_error *e);

/* Bytes in piece idx: piece_length, except the last which may be shorter. */
int64_t bt_torrent_piece_size(const struct bt_torrent *t, size_t idx);

#endif /* BT_METAINFO_H */
