/*
 * create.h - write a new .torrent file (BEP 3 metainfo; BEP 52 for v2 and hybrid).
 *
 * From the files (walk.h) and their hashes (hasher.h), in canonical bencode,
 * every dict's keys sorted, so the same input and options give the same bytes:
 *
 *   d
 *     8:announce ...   13:announce-list l l ... e e   (BEP 12, with two URLs or more)
 *     7:comment ...    10:created by ...   13:creation date i...e
 *     4:info d
 *       4:attr 1:x               v1, a single executable file, if asked for (BEP 47)
 *       9:file tree d ... e      v2: {"dir": {"file": {"": {"length", "pieces root"}}}}
 *       5:files l ... e          v1, a directory: [{"length", "path"}], hybrid: with
 *                                pad files {"attr": "p", "length": N, "path": [".pad", "N"]}
 *       6:length i...e           v1, a single file
 *       12:meta version i2e      v2
 *       4:name ...   12:piece length i...e
 *       6:pieces ...             v1: 20 bytes of SHA-1 a piece
 *       7:private i1e            BEP 27        6:source ...  (a private tracker's tag)
 *     e
 *     12:piece layers d 32:<root> <32 bytes a piece> ... e    v2: files over one piece
 *     8:url-list l ... e         BEP 19 web seeds
 *   e
 */
#ifndef BT_CREATE_H
#define BT_CREATE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/sha1.h"
#include "core/sha256.h"
#include "create/hasher.h"
#include "create/walk.h"

#define BT_CREATE_MIN_PIECE   BT_MERKLE_BLOCK /* BEP 52: at least 16 KiB */
#define BT_CREATE_AUTO_MAX    (16 << 20)      /* the automatic length stops here */
#define BT_CREATE_AUTO_PIECES 1500            /* and aims for at most this many pieces */

/* One tier of trackers (BEP 12): tried in order, all before the next tier. */
struct bt_create_tier {
    const char *const *urls;
    size_t count;
};

/* What goes around the hashes.  Strings are the caller's; NULL or 0 leaves a field out. */
struct bt_create_meta {
    const struct bt_create_tier *tiers; /* "announce" is the first URL of the first tier */
    size_t tier_count;
    const char *const *web_seeds; /* BEP 19 "url-list" */
    size_t web_seed_count;
    const char *comment;
    const char *created_by;
    int64_t creation_date; /* seconds since 1970; -1 for none */
    int is_private;        /* BEP 27 "private": 1 */
    const char *source;    /* "source" in info: a different info hash per tracker */
    int attributes;        /* mark executable files "attr": "x" (BEP 47), as libtorrent does */
};

/*
 * The automatic piece length for total bytes: the smallest power of two that
 * cuts them into at most BT_CREATE_AUTO_PIECES pieces, within 16 KiB and
 * BT_CREATE_AUTO_MAX (so about 750 to 1500 pieces, more for inputs over
 * 23 GiB).
 */
int64_t bt_create_piece_length(int64_t total);

/*
 * Write the torrent of w, hashed by h, to out (its bytes are appended).  The
 * info hashes come back in ih1 (v1: SHA-1 of the info dict) and ih2 (v2: its
 * SHA-256); either may be NULL, and a hash the torrent does not have is left
 * untouched.  Errors: BT_ERR_NOMEM, BT_ERR_TOO_LARGE past out->max.
 */
enum bt_err bt_create_write(struct bt_buf *out, const struct bt_walk *w, const struct bt_hasher *h,
                            const struct bt_create_meta *m, unsigned char ih1[BT_SHA1_LEN],
                            unsigned char ih2[BT_SHA256_LEN]);

#endif /* BT_CREATE_H */
