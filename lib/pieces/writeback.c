/*
 * writeback.c - pieces in progress held in memory slots, written whole by a
 * writer thread once verified.  See writeback.h for why, and for the pieces
 * that go without a slot.
 *
 * Who touches what: a slot's state, piece and buffer belong to the loop thread
 * until bt_writeback_end() queues the slot; from then on to the reap, its buffer
 * and piece are the writer's to read.  The job fields, stop and the conditions
 * are shared, and only touched under the lock.
 */
#include "pieces/writeback.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/net.h"

void bt_writeback_init(struct bt_writeback *wb)
{
    memset(wb, 0, sizeof(*wb));
    bt_storage_init(&wb->writer_st);
    wb->pipe_fd[0] = wb->pipe_fd[1] = -1;
}

/* ---- the writer thread ---- */

static struct bt_wb_slot *pending_job(struct bt_writeback *wb)
{
    size_t i;

    for (i = 0; i < wb->slot_count; i++)
        if (wb->slots[i].job == BT_WB_JOB_PENDING)
            return &wb->slots[i];
    return NULL;
}

static int64_t piece_offset(const struct bt_writeback *wb, uint32_t piece)
{
    return (int64_t)piece * wb->t->piece_length;
}

static void *writer_main(void *arg)
{
    struct bt_writeback *wb = arg;

    pthread_mutex_lock(&wb->lock);
    for (;;) {
        struct bt_wb_slot *s = pending_job(wb);
        enum bt_err err;
        int saved;
        char byte = 1;

        if (s == NULL) {
            pthread_cond_broadcast(&wb->idle);
            if (wb->stop)
                break;
            pthread_cond_wait(&wb->wake, &wb->lock);
            continue;
        }
        s->job = BT_WB_JOB_RUNNING;
        pthread_mutex_unlock(&wb->lock);

        err = bt_storage_write_direct(&wb->writer_st, piece_offset(wb, s->piece), s->buf,
                                      (size_t)bt_torrent_piece_size(wb->t, s->piece));
        saved = errno;

        pthread_mutex_lock(&wb->lock);
        s->job = BT_WB_JOB_DONE;
        s->err = err;
        s->err_errno = saved;
        s->failed_file = wb->writer_st.failed_file;
        /* A byte to a pipe with room cannot be short; if the pipe is full, the
         * loop has bytes to read already and will reap this slot with them. */
        while (write(wb->pipe_fd[1], &byte, 1) < 0 && errno == EINTR)
            ;
    }
    pthread_mutex_unlock(&wb->lock);
    return NULL;
}

/* ---- set-up ---- */

enum bt_err bt_writeback_setup(struct bt_writeback *wb, const struct bt_torrent *t,
                               struct bt_storage *st, size_t memory)
{
    enum bt_err err;

    bt_writeback_release(wb);
    wb->t = t;
    wb->st = st;
    if (t->piece_length <= 0 || (uint64_t)t->piece_length > memory)
        return BT_OK;
    /* slot_count stays 0, and every piece goes without a slot, unless the
     * writer runs: a slot handed to no writer would never come back. */
    wb->slots = calloc(memory / (size_t)t->piece_length, sizeof(*wb->slots));
    if (wb->slots == NULL)
        return BT_ERR_NOMEM;
    err = bt_storage_clone(&wb->writer_st, st);
    if (err != BT_OK)
        return err;
    if (pipe(wb->pipe_fd) < 0)
        return BT_ERR_IO;
    /* The loop drains the pipe without blocking; the writer never blocks on it
     * (a full pipe already says what a byte more would). */
    err = bt_net_nonblock(wb->pipe_fd[0]);
    if (err == BT_OK)
        err = bt_net_nonblock(wb->pipe_fd[1]);
    if (err != BT_OK)
        return err;
    if (pthread_mutex_init(&wb->lock, NULL) != 0)
        return BT_ERR_NOMEM;
    if (pthread_cond_init(&wb->wake, NULL) != 0) {
        pthread_mutex_destroy(&wb->lock);
        return BT_ERR_NOMEM;
    }
    if (pthread_cond_init(&wb->idle, NULL) != 0) {
        pthread_cond_destroy(&wb->wake);
        pthread_mutex_destroy(&wb->lock);
        return BT_ERR_NOMEM;
    }
    /* Set before the writer starts, which reads it (pthread_create orders that). */
    wb->slot_count = memory / (size_t)t->piece_length;
    if (pthread_create(&wb->writer, NULL, writer_main, wb) != 0) {
        wb->slot_count = 0;
        pthread_cond_destroy(&wb->idle);
        pthread_cond_destroy(&wb->wake);
        pthread_mutex_destroy(&wb->lock);
        return BT_ERR_NOMEM;
    }
    wb->writer_running = 1;
    return BT_OK;
}

static void on_written(void *arg, int fd, unsigned events)
{
    (void)fd;
    (void)events;
    bt_writeback_reap(arg);
}

enum bt_err bt_writeback_start(struct bt_writeback *wb, struct bt_loop *loop, bt_writeback_fn *done,
                               void *arg)
{
    wb->done = done;
    wb->done_arg = arg;
    if (!wb->writer_running)
        return BT_OK;
    wb->loop = loop;
    return bt_loop_watch(loop, wb->pipe_fd[0], BT_LOOP_READ, on_written, wb);
}

void bt_writeback_release(struct bt_writeback *wb)
{
    size_t i;

    if (wb->writer_running) {
        pthread_mutex_lock(&wb->lock);
        wb->stop = 1;
        pthread_cond_signal(&wb->wake);
        pthread_mutex_unlock(&wb->lock);
        pthread_join(wb->writer, NULL);
        pthread_cond_destroy(&wb->idle);
        pthread_cond_destroy(&wb->wake);
        pthread_mutex_destroy(&wb->lock);
    }
    if (wb->loop != NULL)
        bt_loop_unwatch(wb->loop, wb->pipe_fd[0]);
    for (i = 0; i < 2; i++)
        if (wb->pipe_fd[i] >= 0)
            close(wb->pipe_fd[i]);
    bt_storage_release(&wb->writer_st);
    for (i = 0; i < wb->slot_count; i++)
        free(wb->slots[i].buf);
    free(wb->slots);
    bt_writeback_init(wb);
}

/* ---- the loop thread's side ---- */

static struct bt_wb_slot *filling(struct bt_writeback *wb, uint32_t piece)
{
    size_t i;

    for (i = 0; i < wb->slot_count; i++)
        if (wb->slots[i].state == BT_WB_FILLING && wb->slots[i].piece == piece)
            return &wb->slots[i];
    return NULL;
}

/* Does [off, off + len) lie inside piece?  Then it lies inside its slot. */
static int inside(const struct bt_writeback *wb, uint32_t piece, int64_t off, size_t len)
{
    int64_t start = piece_offset(wb, piece);

    return off >= start &&
           (uint64_t)(off - start) + len <= (uint64_t)bt_torrent_piece_size(wb->t, piece);
}

void bt_writeback_begin(struct bt_writeback *wb, uint32_t piece)
{
    size_t i;

    if (filling(wb, piece) != NULL)
        return;
    for (i = 0; i < wb->slot_count; i++) {
        struct bt_wb_slot *s = &wb->slots[i];

        if (s->state != BT_WB_FREE)
            continue;
        if (s->buf == NULL) {
            void *buf;

            if (posix_memalign(&buf, BT_STORAGE_ALIGN, (size_t)wb->t->piece_length) != 0)
                return; /* no memory for a slot: the piece goes without */
            s->buf = buf;
        }
        s->piece = piece;
        s->state = BT_WB_FILLING;
        return;
    }
}

enum bt_err bt_writeback_put(struct bt_writeback *wb, uint32_t piece, int64_t off, const void *data,
                             size_t len)
{
    struct bt_wb_slot *s = filling(wb, piece);

    if (s == NULL)
        return bt_storage_write(wb->st, off, data, len);
    if (!inside(wb, piece, off, len))
        return BT_ERR_INVALID;
    memcpy(s->buf + (off - piece_offset(wb, piece)), data, len);
    return BT_OK;
}

enum bt_err bt_writeback_get(struct bt_writeback *wb, uint32_t piece, int64_t off, void *p,
                             size_t len)
{
    struct bt_wb_slot *s = filling(wb, piece);

    if (s == NULL)
        return bt_storage_read(wb->st, off, p, len);
    if (!inside(wb, piece, off, len))
        return BT_ERR_INVALID;
    memcpy(p, s->buf + (off - piece_offset(wb, piece)), len);
    return BT_OK;
}

int bt_writeback_end(struct bt_writeback *wb, uint32_t piece, int keep)
{
    struct bt_wb_slot *s = filling(wb, piece);

    if (s == NULL)
        return 0;
    if (!keep) {
        s->state = BT_WB_FREE;
        return 0;
    }
    s->state = BT_WB_QUEUED;
    pthread_mutex_lock(&wb->lock);
    s->job = BT_WB_JOB_PENDING;
    pthread_cond_signal(&wb->wake);
    pthread_mutex_unlock(&wb->lock);
    return 1;
}

void bt_writeback_reap(struct bt_writeback *wb)
{
    char bytes[64];
    size_t i;

    if (!wb->writer_running)
        return;
    while (read(wb->pipe_fd[0], bytes, sizeof(bytes)) > 0)
        ;
    for (i = 0; i < wb->slot_count; i++) {
        struct bt_wb_slot *s = &wb->slots[i];
        int done;

        if (s->state != BT_WB_QUEUED)
            continue;
        pthread_mutex_lock(&wb->lock);
        done = s->job == BT_WB_JOB_DONE;
        if (done)
            s->job = BT_WB_JOB_NONE;
        pthread_mutex_unlock(&wb->lock);
        if (!done)
            continue;
        s->state = BT_WB_FREE;
        /* done may stop the loop, or even begin a piece (taking this slot): it
         * is called last, with the slot already free and its fields read. */
        if (wb->done != NULL)
            wb->done(wb->done_arg, s->piece, s->err, s->err_errno, s->failed_file);
    }
}

void bt_writeback_sync(struct bt_writeback *wb)
{
    size_t i, busy;

    if (!wb->writer_running)
        return;
    pthread_mutex_lock(&wb->lock);
    do {
        busy = 0;
        for (i = 0; i < wb->slot_count; i++)
            if (wb->slots[i].job == BT_WB_JOB_PENDING || wb->slots[i].job == BT_WB_JOB_RUNNING)
                busy++;
        if (busy > 0)
            pthread_cond_wait(&wb->idle, &wb->lock);
    } while (busy > 0);
    pthread_mutex_unlock(&wb->lock);
    bt_writeback_reap(wb);
}
