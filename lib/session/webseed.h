/*
 * webseed.h - BEP 19 web seeds: an HTTP(S) server that holds the torrent's
 * files, named by the torrent's "url-list", is one more source of pieces.
 *
 *   url-list  http://host/pub/            file URL (BEP 19):
 *   single    name "one.iso"              http://host/pub/one.iso   (the URL
 *                                          as it is if it does not end in /)
 *   multi     name "dir", a/b.bin         http://host/pub/dir/a/b.bin
 *
 * The session gives a web seed one job at a time: a run of blocks of one piece,
 * which the web seed fetches with HTTP range requests, one per file the run
 * touches (padding, BEP 47, is not fetched: it is zeros).  The fetch runs in a
 * worker thread, so the loop never waits on the network; the worker reports
 * through a pipe, and the session takes the blocks as if a peer had sent
 * them, checked like any other.  A failed fetch (no answer, a status other than
 * 206 Partial Content, a body of the wrong length, data that fails its hash)
 * makes the web seed wait before its next job, twice as long each time in a
 * row, and after BT_WEBSEED_MAX_FAILS in a row it is given up.
 *
 * The server is asked for nothing but ranges of the files; redirects are
 * followed (3 at most) but only to http and https, and the body is capped at
 * the range's length.
 */
#ifndef BT_WEBSEED_H
#define BT_WEBSEED_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/loop.h"
#include "metainfo/metainfo.h"

#define BT_WEBSEED_MAX          8     /* url-list entries used */
#define BT_WEBSEED_TIMEOUT_MS   30000 /* one job, connection included */
#define BT_WEBSEED_RETRY_MS     2000  /* first wait after a failure; doubles */
#define BT_WEBSEED_RETRY_MAX_MS 60000
#define BT_WEBSEED_MAX_FAILS    8 /* failures in a row before it is given up */
#define BT_WEBSEED_DETAIL_MAX   200

struct bt_webseed;

/* The worker finished the job (in the loop thread): ws->err says how. */
typedef void bt_webseed_done_fn(void *arg, struct bt_webseed *ws);

struct bt_webseed {
    const struct bt_torrent *t; /* borrowed */
    char *base;                 /* the url-list entry */
    struct bt_loop *loop;
    bt_webseed_done_fn *done;
    void *done_arg;
    int pipe_fd[2];
    pthread_t worker;
    int busy;            /* a job is out */
    atomic_int stopping; /* release: the worker gives up its transfer */

    /* The job: length bytes of piece from offset begin, fetched into data. */
    uint32_t piece, begin, length;
    unsigned char *data; /* piece_length bytes */
    enum bt_err err;     /* the worker's result */
    long http_status;
    char detail[BT_WEBSEED_DETAIL_MAX];

    unsigned fails;    /* in a row */
    uint64_t retry_ms; /* no job before this */
    int given_up;
    int worked;     /* a job of it has succeeded */
    uint64_t bytes; /* piece data received */
};

/* Cannot fail. */
void bt_webseed_init(struct bt_webseed *ws);

/*
 * Get ready to fetch t's data from base (a url-list entry, http or https) on
 * loop; done is called after each job.  BT_ERR_TRACKER_URL for another scheme,
 * BT_ERR_NOMEM, BT_ERR_IO (no pipe).
 */
enum bt_err bt_webseed_start(struct bt_webseed *ws, struct bt_loop *loop,
                             const struct bt_torrent *t, const char *base, bt_webseed_done_fn *done,
                             void *done_arg);

/* May it take a job now?  Started, idle, not waiting after a failure, not given up. */
int bt_webseed_ready(const struct bt_webseed *ws, uint64_t now_ms);

/* Fetch length bytes of piece from begin (inside the piece) in the background. */
enum bt_err bt_webseed_fetch(struct bt_webseed *ws, uint32_t piece, uint32_t begin,
                             uint32_t length);

/* The last job failed, or its data failed a check: wait, or give up.  1 if
 * this failure made it give up. */
int bt_webseed_failed(struct bt_webseed *ws, uint64_t now_ms);

/* The last job's data was good: the failures in a row end. */
void bt_webseed_succeeded(struct bt_webseed *ws);

/*
 * The URL of file idx of t under base, as BEP 19 builds it: every path
 * element percent-encoded but for unreserved characters.  Malloc'd, or NULL
 * for no memory.
 */
char *bt_webseed_file_url(const struct bt_torrent *t, const char *base, size_t idx);

/* Stop (the transfer in progress is abandoned) and free everything. */
void bt_webseed_release(struct bt_webseed *ws);

#endif /* BT_WEBSEED_H */
