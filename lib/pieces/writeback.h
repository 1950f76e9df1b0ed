/*
 * writeback.h - hold each piece in progress in memory until it is verified,
 * then have a writer thread put it in the files in one aligned write past the
 * page cache (bt_storage_write_direct), while the loop goes on receiving.
 *
 *   loop thread                                        writer thread
 *   blocks, in any order ──> slot: the whole piece
 *   piece hashed: failed ──> slot dropped, nothing written
 *                 verified ──> bt_writeback_end(keep) ──> one write of the piece
 *   pipe readable <─────────────────────── 1 byte ─────── written
 *   bt_writeback_reap(): done(piece, result), on the loop thread: now the piece
 *   is on disk, and may be announced and served
 *
 * Why: a write through the page cache copies each byte into a page-cache page
 * that is often fresh memory, which on Linux costs far more than the copy (on
 * this project's test machines, virtual ones, 1.2 to 3 CPU seconds per GiB),
 * and a download leaves its whole size cached.  A direct write of a 1 MiB piece
 * costs about 0.1 CPU seconds per GiB, but waits for the disk: hence the
 * thread.  And a piece whose blocks come out of order (a peer answers from
 * several disk threads, several peers share a piece) is hashed from memory
 * instead of read back from disk, while a piece that fails its hash is never
 * written at all.
 *
 * Slots are few, BT_WB_MEMORY bytes in all (3 of 1 MiB, 12 of 256 KiB): about
 * one per busy peer, and peak memory stays small.  A piece that starts while
 * none is free goes without one, and so does every piece of a torrent whose
 * pieces are larger than the slots' memory: their blocks are written as they
 * arrive, through the cache, and read back from disk if they came out of
 * order.  A slot is never taken from a piece that holds it, since writing half
 * a piece out would cost more than it saves; a piece whose peer left finishes
 * when another peer is asked for the rest, and frees its slot then.
 *
 * The writer has a bt_storage of its own (a clone), so no fd is shared between
 * threads; it touches nothing but the slots handed to it, under the lock.  A
 * crash loses what slots hold, and with it nothing that was announced.
 */
#ifndef BT_WRITEBACK_H
#define BT_WRITEBACK_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/loop.h"
#include "metainfo/metainfo.h"
#include "pieces/storage.h"

#define BT_WB_MEMORY (3u << 20) /* bytes of slots, at most */

/* Where a slot is, as the loop thread sees it. */
enum bt_wb_state {
    BT_WB_FREE,
    BT_WB_FILLING, /* holds a piece whose blocks are arriving */
    BT_WB_QUEUED,  /* handed to the writer: the loop keeps off until it is reaped */
};

/* Where a slot's write is: the writer's side, read and written under the lock. */
enum bt_wb_job {
    BT_WB_JOB_NONE,
    BT_WB_JOB_PENDING, /* waiting for the writer */
    BT_WB_JOB_RUNNING, /* being written */
    BT_WB_JOB_DONE,    /* written (or failed): result set */
};

struct bt_wb_slot {
    unsigned char *buf; /* piece_length bytes, aligned; NULL until first used */
    uint32_t piece;
    enum bt_wb_state state;
    enum bt_wb_job job;
    enum bt_err err;    /* of the write, once DONE */
    int err_errno;      /* errno with it */
    size_t failed_file; /* and the file */
};

/* A piece the writer has finished with: on disk if err is BT_OK, else errno
 * was err_errno and st->files[failed_file] the file (as for bt_storage_write). */
typedef void bt_writeback_fn(void *arg, uint32_t piece, enum bt_err err, int err_errno,
                             size_t failed_file);

struct bt_writeback {
    struct bt_storage *st;      /* the loop's, borrowed, opened for writing */
    const struct bt_torrent *t; /* borrowed */
    struct bt_wb_slot *slots;
    size_t slot_count; /* 0: pieces too large, every block goes to the files */

    struct bt_loop *loop; /* NULL until bt_writeback_start() */
    bt_writeback_fn *done;
    void *done_arg;

    /* The writer thread and what it shares with the loop thread. */
    struct bt_storage writer_st;
    pthread_t writer;
    int writer_running;
    pthread_mutex_t lock;
    pthread_cond_t wake; /* a job is pending, or stop is set */
    pthread_cond_t idle; /* no job is pending or running */
    int stop;
    int pipe_fd[2]; /* the writer writes a byte to [1] after each write */
};

/* Cannot fail. */
void bt_writeback_init(struct bt_writeback *wb);
/*
 * As many slots for t's pieces as memory bytes hold (BT_WB_MEMORY, normally),
 * their buffers allocated on first use, and the writer thread.  BT_ERR_NOMEM, or
 * BT_ERR_IO (errno set) when the storage cannot be cloned or the pipe made.
 */
enum bt_err bt_writeback_setup(struct bt_writeback *wb, const struct bt_torrent *t,
                               struct bt_storage *st, size_t memory);
/* Watch the writer's pipe on loop: each written piece is passed to done there. */
enum bt_err bt_writeback_start(struct bt_writeback *wb, struct bt_loop *loop, bt_writeback_fn *done,
                               void *arg);
/*
 * Wait for the writer to write what it was given, stop it, and free the slots
 * without writing what they still hold.  Pieces written since the last reap are
 * not reported.
 */
void bt_writeback_release(struct bt_writeback *wb);

/* Piece starts: nothing of it is written yet.  Give it a free slot, if any. */
void bt_writeback_begin(struct bt_writeback *wb, uint32_t piece);
/* len bytes at torrent offset off, inside piece: into its slot, or to the files. */
enum bt_err bt_writeback_put(struct bt_writeback *wb, uint32_t piece, int64_t off, const void *data,
                             size_t len);
/* Read back len bytes at off, inside piece: from its slot, or from the files. */
enum bt_err bt_writeback_get(struct bt_writeback *wb, uint32_t piece, int64_t off, void *p,
                             size_t len);
/*
 * Piece is done with.  Failed (!keep): its slot is dropped; returns 0.  Verified
 * (keep): a piece with a slot is handed to the writer, and reported to done
 * once written: returns 1.  A piece without one is on disk already: returns 0.
 */
int bt_writeback_end(struct bt_writeback *wb, uint32_t piece, int keep);

/* Report every piece the writer has finished with to done; free their slots. */
void bt_writeback_reap(struct bt_writeback *wb);
/* Wait until the writer has written everything handed to it (then reap). */
void bt_writeback_sync(struct bt_writeback *wb);

#endif /* BT_WRITEBACK_H */
