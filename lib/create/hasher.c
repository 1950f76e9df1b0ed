/*
 * hasher.c - a new torrent's pieces, hashed by a pool of threads (see hasher.h).
 *
 * The jobs are numbered in piece order, and a job's number says where its
 * bytes are:
 *
 *   v1 only:      job j = bytes [j * P, (j + 1) * P) of the files end to end,
 *                 found from each file's offset in that stream
 *   v2, hybrid:   job j = piece j - first[i] of file i, where first[i] is the
 *                 number of pieces in the files before i
 *
 * Workers take the next number under a lock and read their job in chunks
 * with pread(2), keeping the last file they opened, so a large file is opened
 * once per piece at most and a small one once.  The calling thread sleeps on a
 * condition variable, wakes every progress_ms to report, and after the last
 * worker has finished folds each large file's piece hashes into its root.
 */
#include "create/hasher.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "metainfo/metainfo.h"

/* What the workers share. */
struct pool {
    struct bt_hasher *h;
    const struct bt_walk *w;
    int64_t *offset; /* v1 only: where each file starts in the stream */
    size_t jobs;
    size_t chunk;

    pthread_mutex_t lock;
    pthread_cond_t finished; /* a worker has exited */
    size_t next;             /* the next job to take */
    unsigned running;        /* workers not yet exited */
    unsigned threads;        /* workers started or starting */
    enum bt_err err;         /* the first failure */
    size_t err_file;
    int err_errno;

    atomic_int stop;           /* a failure or the caller: take no more work */
    atomic_int_least64_t done; /* bytes read so far */
};

/* One thread's own: its buffer, its SHA-1, the file it has open. */
struct worker {
    struct pool *p;
    pthread_t thread;
    unsigned char *buf;
    struct bt_sha1 sha1;
    int fd;
    size_t fd_file;
};

int64_t bt_hasher_pad(const struct bt_walk *w, size_t i, int64_t piece_length, unsigned mode)
{
    int64_t rest;

    if (mode != BT_CREATE_HYBRID || w->count < 2)
        return 0;
    rest = w->files[i].length % piece_length;
    return rest == 0 ? 0 : piece_length - rest;
}

void bt_hasher_init(struct bt_hasher *h)
{
    memset(h, 0, sizeof(*h));
    h->mode = BT_CREATE_HYBRID;
    h->threads = 1;
    h->progress_ms = 1000;
}

void bt_hasher_release(struct bt_hasher *h)
{
    free(h->v1);
    free(h->v2);
    free(h->v2_first);
    free(h->roots);
    h->v1 = h->v2 = NULL;
    h->v2_first = NULL;
    h->roots = NULL;
    h->v1_count = h->v2_count = 0;
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* Make fd the open file i, checking that it still has the walk's length. */
static enum bt_err open_file(struct worker *wk, size_t i)
{
    const struct bt_walk_file *f = &wk->p->w->files[i];
    struct stat sb;

    if (wk->fd >= 0 && wk->fd_file == i)
        return BT_OK;
    if (wk->fd >= 0)
        close(wk->fd);
    /* A link inside a directory was skipped by the walk: if one is there now,
     * the file was replaced.  The operand itself may be a link. */
    wk->fd = open(f->path, O_RDONLY | O_CLOEXEC | (wk->p->w->is_dir ? O_NOFOLLOW : 0));
    if (wk->fd < 0)
        return BT_ERR_IO;
    wk->fd_file = i;
    if (fstat(wk->fd, &sb) != 0)
        return BT_ERR_IO;
    if (!S_ISREG(sb.st_mode) || (int64_t)sb.st_size != f->length)
        return BT_ERR_CREATE_CHANGED;
    /* Pieces of one file go to every worker in turn: tell the kernel to read ahead. */
    (void)posix_fadvise(wk->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    return BT_OK;
}

/*
 * Read len bytes of file i from off, chunk by chunk, into the piece's SHA-1
 * (sha1 not NULL) and merkle tree (tree not NULL).  A chunk is a whole number
 * of 16 KiB blocks and off is on a block boundary, so each block is one leaf.
 */
static enum bt_err read_range(struct worker *wk, size_t i, int64_t off, int64_t len,
                              struct bt_sha1 *sha1, struct bt_merkle *tree)
{
    struct pool *p = wk->p;
    enum bt_err err = open_file(wk, i);

    while (err == BT_OK && len > 0) {
        size_t want = (size_t)min64(len, (int64_t)p->chunk), got = 0, at;

        if (atomic_load(&p->stop) != 0)
            return BT_ERR_CREATE_STOPPED;
        while (got < want) {
            ssize_t n = pread(wk->fd, wk->buf + got, want - got, (off_t)(off + (int64_t)got));

            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                return BT_ERR_IO;
            if (n == 0) /* shorter than when it was opened */
                return BT_ERR_CREATE_CHANGED;
            got += (size_t)n;
        }
        /* Block by block, both hashes in turn: the second finds the block in
         * the L1 cache, where the first left it. */
        for (at = 0; at < want && err == BT_OK; at += BT_MERKLE_BLOCK) {
            size_t n = want - at < BT_MERKLE_BLOCK ? want - at : BT_MERKLE_BLOCK;

            if (sha1 != NULL)
                err = bt_sha1_update(sha1, wk->buf + at, n);
            if (tree != NULL && err == BT_OK)
                err = bt_merkle_add_block(tree, wk->buf + at, n);
        }
        atomic_fetch_add(&p->done, (int_least64_t)want);
        off += (int64_t)want;
        len -= (int64_t)want;
    }
    return err;
}

/*
 * The file a byte offset of the stream is in (v1 only).  Empty files share an
 * offset with the file after them: taking the last file that starts at or
 * before the offset skips them.
 */
static size_t file_at_offset(const struct pool *p, int64_t at)
{
    size_t lo = 0, hi = p->w->count; /* the answer is in [lo, hi) */

    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;

        if (p->offset[mid] <= at)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* The file piece j is in (v2 and hybrid), empty files skipped the same way. */
static size_t file_at_piece(const struct pool *p, size_t j)
{
    size_t lo = 0, hi = p->w->count;

    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;

        if (p->h->v2_first[mid] <= j)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* v1 only: piece j of the stream, over as many files as it covers. */
static enum bt_err job_v1(struct worker *wk, size_t j, size_t *file)
{
    struct pool *p = wk->p;
    int64_t P = p->h->piece_length, start = (int64_t)j * P;
    int64_t left = min64(P, p->w->total - start);
    size_t i = file_at_offset(p, start);
    enum bt_err err = BT_OK;

    while (err == BT_OK && left > 0 && i < p->w->count) {
        int64_t off = start - p->offset[i];
        int64_t n = min64(left, p->w->files[i].length - off);

        if (n > 0)
            err = read_range(wk, i, off, n, &wk->sha1, NULL);
        if (err == BT_OK && n > 0) {
            start += n;
            left -= n;
        }
        *file = i++;
    }
    if (err == BT_OK)
        err = bt_sha1_final(&wk->sha1, p->h->v1 + j * BT_SHA1_LEN);
    return err;
}

static const unsigned char zeros[BT_MERKLE_BLOCK];

/* v2 and hybrid: one piece of one file, hashed both ways in hybrid mode. */
static enum bt_err job_v2(struct worker *wk, size_t j, size_t *file)
{
    struct pool *p = wk->p;
    struct bt_hasher *h = p->h;
    int64_t P = h->piece_length;
    size_t i = file_at_piece(p, j);
    int64_t length = p->w->files[i].length, off = (int64_t)(j - h->v2_first[i]) * P;
    int64_t len = min64(P, length - off), pad;
    int v1 = (h->mode & BT_CREATE_V1) != 0;
    struct bt_merkle tree;
    uint64_t width;
    enum bt_err err;

    *file = i;
    bt_merkle_init(&tree, NULL);
    err = read_range(wk, i, off, len, v1 ? &wk->sha1 : NULL, &tree);
    /* The file's last piece is followed by its pad file's zeros, if it has one. */
    pad = off + len == length ? bt_hasher_pad(p->w, i, P, h->mode) : 0;
    while (err == BT_OK && v1 && pad > 0) {
        int64_t n = min64(pad, (int64_t)sizeof(zeros));

        err = bt_sha1_update(&wk->sha1, zeros, (size_t)n);
        pad -= n;
    }
    if (err == BT_OK && v1)
        err = bt_sha1_final(&wk->sha1, h->v1 + j * BT_SHA1_LEN);
    /* A piece of the piece layer is a whole piece wide; a file of one piece or
     * less has no layer, and its root is as wide as its own blocks need. */
    if (bt_hasher_has_layer(length, P))
        width = (uint64_t)P / BT_MERKLE_BLOCK;
    else
        width = bt_merkle_width(((uint64_t)len + BT_MERKLE_BLOCK - 1) / BT_MERKLE_BLOCK);
    if (err == BT_OK)
        err = bt_merkle_root(&tree, width, h->v2 + j * BT_MERKLE_HASH_LEN);
    return err;
}

/*
 * Ask the kernel to start reading the piece that will be taken once the
 * pieces now in flight, one per thread, are done, if it is in the file this
 * worker has open: with each thread reading every n-th piece through its own
 * descriptor, readahead alone would not see a sequential reader.  Only the
 * piece's start: the kernel's readahead goes on from there, and a 1 GiB piece
 * must not fill the page cache at once.
 */
static void prefetch(struct worker *wk, size_t j)
{
    const struct pool *p = wk->p;
    int64_t P = p->h->piece_length, off;
    size_t i;

    if (wk->fd < 0 || j >= p->jobs)
        return;
    if (p->h->mode == BT_CREATE_V1) {
        off = (int64_t)j * P;
        i = file_at_offset(p, off);
        off -= p->offset[i];
    } else {
        i = file_at_piece(p, j);
        off = (int64_t)(j - p->h->v2_first[i]) * P;
    }
    if (i == wk->fd_file)
        (void)posix_fadvise(wk->fd, (off_t)off, (off_t)min64(P, BT_HASHER_PREFETCH),
                            POSIX_FADV_WILLNEED);
}

static void *work(void *arg)
{
    struct worker *wk = arg;
    struct pool *p = wk->p;
    enum bt_err err = BT_OK;
    size_t j, file = 0;

    for (;;) {
        pthread_mutex_lock(&p->lock);
        j = p->next;
        if (j < p->jobs && atomic_load(&p->stop) == 0)
            p->next++;
        pthread_mutex_unlock(&p->lock);
        if (j >= p->jobs || atomic_load(&p->stop) != 0)
            break;
        prefetch(wk, j + p->threads);
        if (p->h->mode == BT_CREATE_V1)
            err = job_v1(wk, j, &file);
        else
            err = job_v2(wk, j, &file);
        if (err != BT_OK)
            break;
    }
    pthread_mutex_lock(&p->lock);
    if (err != BT_OK && err != BT_ERR_CREATE_STOPPED && p->err == BT_OK) {
        p->err = err;
        p->err_file = file;
        p->err_errno = errno;
    }
    if (err != BT_OK)
        atomic_store(&p->stop, 1);
    p->running--;
    pthread_cond_signal(&p->finished);
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* Size the outputs: how many pieces, where each file's begin. */
static enum bt_err plan(struct bt_hasher *h, struct pool *p, const struct bt_walk *w)
{
    int64_t P = h->piece_length, at = 0;
    size_t i, pieces = 0;

    h->v2_first = calloc(w->count, sizeof(*h->v2_first));
    h->roots = calloc(w->count, sizeof(*h->roots));
    p->offset = calloc(w->count, sizeof(*p->offset));
    if (h->v2_first == NULL || h->roots == NULL || p->offset == NULL)
        return BT_ERR_NOMEM;
    for (i = 0; i < w->count; i++) {
        int64_t n = w->files[i].length / P + (w->files[i].length % P != 0);

        p->offset[i] = at;
        at += w->files[i].length;
        h->v2_first[i] = pieces;
        if ((uint64_t)n > BT_META_MAX_PIECES - pieces)
            return BT_ERR_META_TOO_MANY;
        pieces += (size_t)n;
    }
    if (h->mode == BT_CREATE_V1) {
        p->jobs = (size_t)(w->total / P + (w->total % P != 0));
        h->v1_count = p->jobs;
    } else {
        p->jobs = pieces;
        h->v2_count = pieces;
        h->v1_count = (h->mode & BT_CREATE_V1) != 0 ? pieces : 0;
    }
    if (p->jobs > BT_META_MAX_PIECES)
        return BT_ERR_META_TOO_MANY;
    h->v1 = malloc(h->v1_count * BT_SHA1_LEN + 1);
    h->v2 = malloc(h->v2_count * BT_MERKLE_HASH_LEN + 1);
    if (h->v1 == NULL || h->v2 == NULL)
        return BT_ERR_NOMEM;
    return BT_OK;
}

/* Each large file's root over its piece layer, padded with whole zero pieces. */
static enum bt_err fold_roots(struct bt_hasher *h, const struct bt_walk *w)
{
    size_t i;
    enum bt_err err = BT_OK;

    for (i = 0; i < w->count && err == BT_OK; i++) {
        const unsigned char *layer = h->v2 + h->v2_first[i] * BT_MERKLE_HASH_LEN;
        uint64_t n = ((uint64_t)w->files[i].length + (uint64_t)h->piece_length - 1) /
                     (uint64_t)h->piece_length;

        if (w->files[i].length == 0)
            continue;
        if (!bt_hasher_has_layer(w->files[i].length, h->piece_length))
            memcpy(h->roots[i], layer, BT_MERKLE_HASH_LEN);
        else
            err = bt_merkle_layer_root(layer, n, h->piece_length, h->roots[i]);
    }
    return err;
}

/* Sleep until every worker is gone, reporting progress on the way. */
static void wait_workers(struct bt_hasher *h, struct pool *p, int64_t total)
{
    struct timespec until;

    pthread_mutex_lock(&p->lock);
    while (p->running > 0) {
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += h->progress_ms / 1000;
        until.tv_nsec += (long)(h->progress_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        if (pthread_cond_timedwait(&p->finished, &p->lock, &until) == ETIMEDOUT &&
            h->progress != NULL) {
            pthread_mutex_unlock(&p->lock);
            if (h->progress(atomic_load(&p->done), total, h->progress_arg) != 0)
                atomic_store(&p->stop, 1);
            pthread_mutex_lock(&p->lock);
        }
    }
    pthread_mutex_unlock(&p->lock);
}

enum bt_err bt_hasher_run(struct bt_hasher *h, const struct bt_walk *w)
{
    struct pool p;
    struct worker *wk = NULL;
    unsigned n = 0, started = 0, t;
    int64_t P = h->piece_length, total = w->total;
    enum bt_err err;

    if (P < BT_MERKLE_BLOCK || P > BT_META_MAX_PIECE_LENGTH || (P & (P - 1)) != 0)
        return BT_ERR_CREATE_PIECE_LENGTH;
    if (h->threads == 0 || h->threads > BT_HASHER_MAX_THREADS ||
        (h->mode != BT_CREATE_V1 && h->mode != BT_CREATE_V2 && h->mode != BT_CREATE_HYBRID))
        return BT_ERR_INVALID;
    if (total == 0) /* no files at all, or only empty ones */
        return BT_ERR_CREATE_EMPTY;
    memset(&p, 0, sizeof(p));
    p.h = h;
    p.w = w;
    atomic_init(&p.stop, 0);
    atomic_init(&p.done, 0);
    err = plan(h, &p, w);
    if (err == BT_OK) {
        /* No more threads than jobs (there is one at least: total > 0), and
         * every thread's buffer together within BT_HASHER_MEMORY. */
        n = h->threads < p.jobs ? h->threads : (unsigned)p.jobs;
        p.chunk = BT_HASHER_MEMORY / n < BT_HASHER_CHUNK ? BT_HASHER_MEMORY / n : BT_HASHER_CHUNK;
        p.chunk -= p.chunk % BT_MERKLE_BLOCK;
        if (p.chunk > (size_t)P)
            p.chunk = (size_t)P;
        p.threads = n;
        wk = calloc(n, sizeof(*wk));
        if (wk == NULL)
            err = BT_ERR_NOMEM;
    }
    if (err == BT_OK) {
        pthread_mutex_init(&p.lock, NULL);
        pthread_cond_init(&p.finished, NULL);
        for (t = 0; t < n; t++) {
            wk[t].p = &p;
            wk[t].fd = -1;
            bt_sha1_init(&wk[t].sha1);
            wk[t].buf = malloc(p.chunk);
            if (wk[t].buf == NULL)
                break;
            pthread_mutex_lock(&p.lock);
            p.running++;
            pthread_mutex_unlock(&p.lock);
            if (pthread_create(&wk[t].thread, NULL, work, &wk[t]) != 0) {
                pthread_mutex_lock(&p.lock);
                p.running--;
                pthread_mutex_unlock(&p.lock);
                free(wk[t].buf);
                wk[t].buf = NULL;
                break;
            }
            started++;
        }
        if (started == 0)
            err = BT_ERR_NOMEM;
        /* With fewer threads than asked the work is slower, not wrong. */
        wait_workers(h, &p, total);
        for (t = 0; t < started; t++) {
            pthread_join(wk[t].thread, NULL);
            free(wk[t].buf);
            bt_sha1_release(&wk[t].sha1);
            if (wk[t].fd >= 0)
                close(wk[t].fd);
        }
        pthread_cond_destroy(&p.finished);
        pthread_mutex_destroy(&p.lock);
        if (err == BT_OK && p.err != BT_OK) {
            err = p.err;
            h->err_file = p.err_file;
            errno = p.err_errno;
        } else if (err == BT_OK && atomic_load(&p.stop) != 0) {
            err = BT_ERR_CREATE_STOPPED;
        }
    }
    if (err == BT_OK && h->mode != BT_CREATE_V1)
        err = fold_roots(h, w);
    free(wk);
    free(p.offset);
    return err;
}
