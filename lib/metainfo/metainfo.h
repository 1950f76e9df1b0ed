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
 * BitTorrent v2 (BEP 52) describes the same data a second way, in the info dict
 * and beside it:
 *
 *       12:meta version i2e
 *       9:file tree d <elem> d <elem> d 0: d 6:length <int>
 *                                           11:pieces root <32 bytes> e e e e
 *   11:piece layers d <pieces root> <32 bytes per piece of that file> ... e
 *
 * Each file is hashed on its own as a merkle tree (merkle.h) and starts on a
 * piece boundary.  A v2-only torrent has only the v2 keys; a hybrid has both,
 * and its v1 "files" list holds BEP 47 pad files ("attr" "p") that move each
 * file to a piece boundary, so both views cut the data into the same pieces.
 *
 * The info hash is the SHA-1 of the info dict's bytes exactly as they appear in
 * the file (the v2 info hash is their SHA-256).  Never re-encode the dict to hash it: a torrent
 * with non-canonical bytes (accepted with BT_META_LENIENT) would get a different hash than every
 * other client computes.
 */
#ifndef BT_METAINFO_H
#define BT_METAINFO_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/sha1.h"
#include "core/sha256.h"

#define BT_INFOHASH_LEN    BT_SHA1_LEN   /* BEP 3: the SHA-1 of the info dict */
#define BT_PIECE_HASH_LEN  BT_SHA1_LEN   /* BEP 3: each entry of "pieces" */
#define BT_INFOHASH_V2_LEN BT_SHA256_LEN /* BEP 52: the SHA-256 of the info dict */
#define BT_PIECES_ROOT_LEN BT_SHA256_LEN /* BEP 52: a file's merkle root */

/* Which descriptions a torrent carries (bt_torrent.versions). */
#define BT_META_V1 1u /* "pieces" and "length" or "files" (BEP 3) */
#define BT_META_V2 2u /* "meta version" 2 and "file tree" (BEP 52) */

/* Bounds on what a torrent may ask of us. */
#define BT_META_MAX_PIECE_LENGTH (1LL << 30) /* larger is absurd; libtorrent stops at 128 MiB */
#define BT_META_MAX_PIECES       (1u << 24)  /* 16 Mi pieces = 320 MiB of hashes */
#define BT_META_MAX_FILES        (1u << 20)
#define BT_META_MAX_INPUT        (64u << 20) /* bytes of a .torrent file we read at most */
#define BT_META_SMALL_PIECE      (16 * 1024) /* legal but unusual below this: warn */
#define BT_META_MAX_DEPTH        64          /* directories a file tree may nest */

/*
 * Flags for bt_torrent_parse().  BT_META_LENIENT is what the tools use unless
 * told --strict: it loads what libtorrent and Transmission load, and says in
 * t->notes what it had to overlook or change.  BT_META_STRICT refuses all of it.
 */
#define BT_META_STRICT  0u
#define BT_META_LENIENT 1u /* decode with BT_BENCODE_LENIENT, make paths safe */
/* A v2 torrent built around metadata from peers (BEP 9): its piece layers come
 * later (bt_torrent_set_layers).  A .torrent file without them is refused. */
#define BT_META_LAYERS_LATER 2u

/* Warnings: legal but suspicious; the torrent is usable. */
#define BT_META_WARN_PIECE_NOT_POW2 1u
#define BT_META_WARN_PIECE_SMALL    2u

/*
 * What a lenient parse did about one problem (struct bt_meta_note.fix): a path
 * element changed by sanitize.c, or a field outside the info dict overlooked.
 */
#define BT_META_FIX_ACCEPT   0x01u /* non-canonical bencode: read as it stands */
#define BT_META_FIX_IGNORE   0x02u /* a malformed optional field (or item of one): left out */
#define BT_META_FIX_DROP     0x04u /* an empty, "." or ".." path element: left out */
#define BT_META_FIX_REPLACE  0x08u /* '/', '\\' and NUL in an element: each made '_' */
#define BT_META_FIX_RESERVED 0x10u /* a Windows device name (CON, AUX.txt): '_' after its stem */
#define BT_META_FIX_TRUNCATE 0x20u /* an element over 255 bytes: cut, its extension kept */
#define BT_META_FIX_NUMBER   0x40u /* a path another file has: ".N" before the extension */
#define BT_META_FIX_NAMED    0x80u /* no element left at all: the path is "_" */

/* What fix says was done, in words ("dropped"; "cut to 255 bytes, extension kept").
 * (sanitize.c) */
const char *bt_meta_fix_str(unsigned fix);

#define BT_META_FIELD_MAX 96
#define BT_META_MAX_NOTES 16             /* notes kept; note_count counts them all */
#define BT_META_NOTE_NAME (SIZE_MAX - 1) /* note.file: the fix is in t->name */
#define BT_META_NOTE_NONE SIZE_MAX       /* note.file: no file to show */

/*
 * One thing a lenient parse overlooked or changed: why is the error a strict
 * parse gives (or names the problem it does not check, such as
 * BT_ERR_META_PATH_LONG), at offset in the input, in field; file is the index
 * in t->files whose path the fix changed (BT_META_NOTE_NAME, BT_META_NOTE_NONE).
 */
struct bt_meta_note {
    enum bt_err why;
    unsigned fix; /* BT_META_FIX_* */
    size_t offset;
    char field[BT_META_FIELD_MAX];
    size_t file;
};

struct bt_file {
    char *path;     /* relative path, elements joined by '/'; each element checked safe
                       (strict), or made safe (lenient: see sanitize.h) */
    int64_t length; /* bytes */
    int64_t offset; /* where the file starts in the torrent's concatenated data */
    /* Not stored as a file: BEP 47 padding (zeros in the pieces), or a BEP 47
     * symlink entry of no bytes (symlink != NULL), which attrs.c makes.  One
     * flag, so that every reader that skips padding skips links too. */
    int pad;
    /* BEP 47 "attr": */
    char *symlink;  /* 'l': the target, relative to the torrent's top directory,
                       elements checked safe; NULL if not a link */
    int executable; /* 'x': chmod +x once complete */
    int hidden;     /* 'h': nothing to do on POSIX, where a leading '.' in the name hides */
    /* v2 only (else NULL): both point into the torrent's own copies. */
    const unsigned char *pieces_root; /* the file's merkle root; NULL for an empty file */
    const unsigned char *layer;       /* its piece layer, one hash per piece; NULL when the file
                                         fits in one piece, or the layers are not known yet */
};

struct bt_tier {
    char **urls; /* in file order */
    size_t count;
};

struct bt_torrent {
    /* The 20 bytes that name the swarm in handshakes, trackers and the DHT: the
     * v1 info hash, or for a v2-only torrent the v2 hash cut to 20 bytes (BEP 52). */
    unsigned char info_hash[BT_INFOHASH_LEN];
    unsigned char info_hash_v2[BT_INFOHASH_V2_LEN]; /* the whole SHA-256, if BT_META_V2 */
    unsigned versions;                              /* BT_META_V1, BT_META_V2, or both: a hybrid */
    char *name;           /* info.name: file name, or top directory of a multi-file torrent */
    int multi_file;       /* info has "files" */
    int64_t piece_length; /* bytes per piece */
    size_t piece_count;
    unsigned char *piece_hashes; /* v1: piece_count * 20 bytes, inside info (not freed
                                    alone); NULL for a v2-only torrent */
    int64_t total_length;        /* bytes the pieces cover, padding included */
    int64_t content_length;      /* bytes of the files, padding left out */
    struct bt_file *files;       /* one entry for a single-file torrent, path == name; pad
                                    files included (a v2-only torrent gets them made up) */
    size_t file_count;
    unsigned char *layers; /* v2: the piece layers the files point into */
    size_t layers_len;

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

    /* BT_META_LENIENT: what was overlooked or changed, the first BT_META_MAX_NOTES
     * of note_count (a hostile torrent may have a million). */
    struct bt_meta_note notes[BT_META_MAX_NOTES];
    size_t note_count;
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
 * trailing bytes; keys repeated outside the info dict), ignores malformed
 * optional fields outside the info dict (announce, announce-list, url-list and
 * its items, comment, created by, creation date), and makes unusable path
 * elements safe (sanitize.h); each such step is a note in t->notes.  Both modes
 * refuse what would change which bytes are downloaded or where they go: a
 * malformed info dict, a key twice inside it, wrong piece hashes or lengths,
 * anything past the caps.  The info hash is always over the original bytes.
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

/* Bytes of piece idx that are files' data, its padding (BEP 47) left out:
 * what a user counts as downloaded. */
int64_t bt_torrent_piece_data(const struct bt_torrent *t, size_t idx);

/* The first file that holds byte off (files of length 0 hold nothing), or
 * file_count if none does. */
size_t bt_torrent_file_at(const struct bt_torrent *t, int64_t off);

/*
 * Can every piece be checked?  A v2-only torrent from peers (BEP 9) lacks the
 * piece layers until someone sends them: BT_ERR_META_LAYER until then.
 */
enum bt_err bt_torrent_hashes_known(const struct bt_torrent *t);

/*
 * Give a v2 torrent that has none the piece layers its peers sent (BEP 52 hash
 * requests): len bytes, the layer of every file larger than a piece in file
 * order, each piece_length-sized piece's hash.  Each layer must hash to its
 * file's pieces root: BT_ERR_META_LAYER_ROOT if one does not, BT_ERR_META_LAYER
 * if len is wrong, BT_ERR_INVALID if the torrent has layers or is not v2.  On
 * BT_OK the torrent owns layers (malloc'd); otherwise the caller still does.
 */
enum bt_err bt_torrent_set_layers(struct bt_torrent *t, unsigned char *layers, size_t len);

/*
 * What v2 piece idx, of file f (bt_torrent_piece_file), hashes to: its entry
 * in f's piece layer, or f's pieces root when f fits in one piece.  NULL when
 * the layer is not known yet.
 */
const unsigned char *bt_torrent_piece_root(const struct bt_torrent *t, const struct bt_file *f,
                                           size_t idx);

/* The pieces file f's bytes fall in, first to last: 1, or 0 for a file with
 * no bytes there (empty, or BEP 47 padding). */
int bt_torrent_file_span(const struct bt_torrent *t, const struct bt_file *f, size_t *first,
                         size_t *last);

/* Pieces file f covers from its start (v2: each file starts a piece). */
int64_t bt_torrent_file_pieces(const struct bt_torrent *t, const struct bt_file *f);

/*
 * The file piece idx belongs to in a v2 torrent (every piece lies in one file,
 * followed perhaps by padding), and how many of its bytes are that file's.
 * BT_ERR_INVALID when idx is out of range or the torrent is not v2.
 */
enum bt_err bt_torrent_piece_file(const struct bt_torrent *t, size_t idx, size_t *file,
                                  int64_t *file_bytes);

#endif /* BT_METAINFO_H */
