/*
 * hasher.h - hash a new torrent's pieces on every core, in bounded memory.
 *
 * v1 (BEP 3) cuts the files, laid end to end, into pieces, and a piece may
 * span files.  v2 (BEP 52) cuts each file on its own, from its first byte, and
 * hashes it as a merkle tree.  A hybrid torrent has both, and makes them agree
 * by padding (BEP 47): after each file, a pad file of zeros up to the next
 * piece boundary, so that each v1 piece is one v2 piece of one file:
 *
 *   v1 only   |  a  a  a  a  a  b  b|  b  c  c  c  c  c|  c  c |
 *   v2        |  a  a  a  a  a  .  .|  b  b  b  .  .  .|  c  c  c  c  c  c  c  .|
 *   hybrid    |  a  a  a  a  a  0  0|  b  b  b  0  0  0|  c  c  c  c  c  c  c  0|
 *                                ^ pad file of 2
 *
 * libtorrent 2.0 pads the last file too (BEP 47 allows it, and it leaves no
 * short piece), but not a torrent's only file, even in a directory; we do as it
 * does, so that its torrents and ours of the same files have the same info
 * hashes.
 *
 * So in v2 and hybrid mode a job is one piece of one file, read once and
 * hashed both ways (SHA-1 over the piece and its pad zeros, and the merkle
 * tree of its 16 KiB blocks); in v1 mode a job is one piece of the stream.
 *
 * Worker threads take jobs in order from a shared counter and write each
 * result into its own slot, so the output does not depend on which thread
 * did what.  Each reads its piece in chunks of at most BT_HASHER_CHUNK, into
 * one buffer of its own: memory is threads x chunk whatever the piece length
 * or the input size (plus the hashes themselves, 52 bytes a piece).
 */
#ifndef BT_HASHER_H
#define BT_HASHER_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/sha1.h"
#include "create/walk.h"
#include "metainfo/merkle.h"

/* Which hashes a torrent carries: bits, so that hybrid is both. */
#define BT_CREATE_V1     1u
#define BT_CREATE_V2     2u
#define BT_CREATE_HYBRID (BT_CREATE_V1 | BT_CREATE_V2)

#define BT_HASHER_CHUNK       (1u << 20)  /* bytes read at once, per thread */
#define BT_HASHER_MEMORY      (16u << 20) /* read buffers of all threads, at most */
#define BT_HASHER_MAX_THREADS 64
#define BT_HASHER_PREFETCH    (4 << 20) /* bytes of a coming piece to ask the kernel for */

/*
 * How many zero bytes a hybrid torrent's pad file adds after file i (0 for none):
 * up to the next multiple of piece_length, after every file, the last one too,
 * when there are two files or more, as libtorrent 2.0.8 does (an empty file
 * needs none, being on a boundary already).  Always 0 for a torrent of one
 * file, or without both v1 and v2.
 */
int64_t bt_hasher_pad(const struct bt_walk *w, size_t i, int64_t piece_length, unsigned mode);

/* The progress callback: done of total bytes hashed.  Nonzero stops the work. */
typedef int bt_hasher_progress_fn(int64_t done, int64_t total, void *arg);

struct bt_hasher {
    /* In: set before bt_hasher_run(). */
    unsigned mode;                   /* BT_CREATE_V1, _V2 or _HYBRID */
    int64_t piece_length;            /* a power of two, at least BT_MERKLE_BLOCK */
    unsigned threads;                /* workers, 1 to BT_HASHER_MAX_THREADS */
    bt_hasher_progress_fn *progress; /* may be NULL; called from bt_hasher_run's thread */
    void *progress_arg;
    unsigned progress_ms; /* how often */

    /* Out, owned by the struct. */
    unsigned char *v1; /* BT_SHA1_LEN bytes a piece: info.pieces */
    size_t v1_count;
    unsigned char *v2; /* BT_MERKLE_HASH_LEN bytes a piece, file after file: each */
    size_t v2_count;   /* file's piece layer, one piece's worth for a small file */
    size_t *v2_first;  /* per file: the index of its first piece in v2 */
    unsigned char (*roots)[BT_MERKLE_HASH_LEN]; /* per file: its "pieces root" */
    size_t err_file; /* after BT_ERR_IO or BT_ERR_CREATE_CHANGED: which file */
};

/* Cannot fail: the caller sets the inputs afterwards. */
void bt_hasher_init(struct bt_hasher *h);
void bt_hasher_release(struct bt_hasher *h);

/*
 * Hash w's files and fill the outputs.  Blocks until done, calling progress
 * every progress_ms meanwhile.  Errors: BT_ERR_IO (errno says why, err_file
 * which file), BT_ERR_CREATE_CHANGED (a file is not the length the walk saw),
 * BT_ERR_CREATE_STOPPED (progress said stop), BT_ERR_INVALID for bad inputs,
 * BT_ERR_META_TOO_MANY past BT_META's piece limit, BT_ERR_NOMEM.
 */
enum bt_err bt_hasher_run(struct bt_hasher *h, const struct bt_walk *w);

/* Does file i (of length len) have a piece layer: is it larger than one piece? */
static inline int bt_hasher_has_layer(int64_t len, int64_t piece_length)
{
    return len > piece_length;
}

#endif /* BT_HASHER_H */
