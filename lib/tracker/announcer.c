/*
 * announcer.c - the announce lifecycle, in a worker thread that reports to the
 * event loop through a pipe.  See announcer.h.
 */
#include "tracker/announcer.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "core/net.h"
#include "core/random.h"

void bt_announcer_config_init(struct bt_announcer_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->numwant = BT_ANNOUNCER_NUMWANT;
    cfg->timeout_ms = BT_ANNOUNCER_TIMEOUT_MS;
    cfg->stop_timeout_ms = BT_ANNOUNCER_STOP_MS;
}

void bt_announcer_init(struct bt_announcer *a)
{
    memset(a, 0, sizeof(*a));
    bt_tracker_tiers_init(&a->tiers);
    a->pipe_fd[0] = a->pipe_fd[1] = -1;
    bt_announce_resp_init(&a->result.resp);
}

int bt_announcer_has_trackers(const struct bt_announcer *a)
{
    return bt_tracker_tiers_urls(&a->tiers) > 0;
}

/* The request for event, with the owner's numbers as they are now. */
static void fill_request(struct bt_announcer *a, enum bt_tracker_event event,
                         struct bt_announce_req *req, struct bt_announce_stats *st)
{
    memset(st, 0, sizeof(*st));
    a->cfg.stats(a->cfg.stats_arg, st);
    bt_announce_req_init(req);
    memcpy(req->info_hash, a->info_hash, BT_TRACKER_HASH_LEN);
    memcpy(req->peer_id, a->cfg.peer_id, BT_TRACKER_HASH_LEN);
    req->port = st->port != 0 ? st->port : BT_TRACKER_DEFAULT_PORT;
    req->uploaded = st->uploaded;
    req->downloaded = st->downloaded;
    req->left = st->left;
    req->event = event;
    req->numwant = event == BT_EVENT_STOPPED ? 0 : a->cfg.numwant;
    req->key = a->key;
}

/* Which event the next announce carries. */
static enum bt_tracker_event next_event(const struct bt_announcer *a)
{
    if (!a->heard)
        return BT_EVENT_STARTED;
    if (a->complete && !a->said_complete)
        return BT_EVENT_COMPLETED;
    return BT_EVENT_NONE;
}

/* When to announce again after result r, in milliseconds. */
static uint64_t next_ms(struct bt_announcer *a, const struct bt_announce_result *r, int starving)
{
    uint64_t wait_s;

    if (r->err != BT_OK) {
        a->backoff_ms = a->backoff_ms == 0 ? BT_ANNOUNCER_MIN_S * 1000 : a->backoff_ms * 2;
        if (a->backoff_ms > BT_ANNOUNCER_MAX_S * 1000)
            a->backoff_ms = BT_ANNOUNCER_MAX_S * 1000;
        return a->backoff_ms;
    }
    a->backoff_ms = 0;
    wait_s = r->resp.interval > 0 ? (uint64_t)r->resp.interval : BT_ANNOUNCER_MAX_S;
    if (starving || wait_s < BT_ANNOUNCER_MIN_S)
        wait_s = BT_ANNOUNCER_MIN_S;
    if (wait_s > BT_ANNOUNCER_MAX_S)
        wait_s = BT_ANNOUNCER_MAX_S;
    return wait_s * 1000;
}

static void *worker_main(void *arg)
{
    struct bt_announcer *a = arg;
    struct bt_announce_opts opts = {.timeout_ms = a->cfg.timeout_ms};
    char done = 1;

    bt_tracker_announce_tiers(&a->tiers, &a->req, &opts, 0, NULL, NULL, &a->result);
    /* A one-byte write to a pipe with room cannot be short; if it fails the loop
     * never hears back, which only delays the next announce. */
    while (write(a->pipe_fd[1], &done, 1) < 0 && errno == EINTR)
        ;
    return NULL;
}

/* Start the next announce in the background (the loop thread's only way in). */
static void announce_now(struct bt_announcer *a)
{
    struct bt_announce_stats st;

    if (a->busy || a->pipe_fd[1] < 0)
        return;
    fill_request(a, next_event(a), &a->req, &st);
    if (a->req.event == BT_EVENT_COMPLETED)
        a->said_complete = 1;
    if (pthread_create(&a->worker, NULL, worker_main, a) == 0)
        a->busy = 1;
}

static void on_timer(void *arg)
{
    struct bt_announcer *a = arg;

    a->timer = 0;
    announce_now(a);
}

static void on_worker_done(void *arg, int fd, unsigned events)
{
    struct bt_announcer *a = arg;
    struct bt_announce_stats st;
    char byte;

    if (read(fd, &byte, 1) != 1 || !a->busy)
        return;
    pthread_join(a->worker, NULL);
    a->busy = 0;
    if (a->result.err == BT_OK && a->req.event == BT_EVENT_STARTED)
        a->heard = 1;
    if (a->result.err != BT_OK && a->req.event == BT_EVENT_COMPLETED)
        a->said_complete = 0; /* nobody heard it: say it again next time */
    if (a->cfg.result != NULL)
        a->cfg.result(a->cfg.result_arg, &a->result);
    memset(&st, 0, sizeof(st));
    a->cfg.stats(a->cfg.stats_arg, &st);
    bt_loop_cancel(a->loop, a->timer);
    a->timer = 0;
    if (a->complete && !a->said_complete && a->heard)
        announce_now(a); /* "completed" came while this one ran */
    else
        (void)bt_loop_timer(a->loop, next_ms(a, &a->result, st.starving), on_timer, a, &a->timer);
    bt_announce_resp_release(&a->result.resp);
    bt_announce_resp_init(&a->result.resp);
}

enum bt_err bt_announcer_start(struct bt_announcer *a, struct bt_loop *loop,
                               const struct bt_torrent *t, char *const *urls, size_t n,
                               const struct bt_announcer_config *cfg)
{
    enum bt_err err;

    a->loop = loop;
    a->cfg = *cfg;
    memcpy(a->info_hash, t->info_hash, BT_TRACKER_HASH_LEN);
    err = bt_tracker_tiers_for(&a->tiers, t, urls, n);
    if (err == BT_OK)
        err = bt_random_bytes(&a->key, sizeof(a->key));
    if (err != BT_OK)
        return err;
    if (!bt_announcer_has_trackers(a))
        return BT_OK;
    if (pipe(a->pipe_fd) < 0)
        return BT_ERR_IO;
    err = bt_net_nonblock(a->pipe_fd[0]);
    if (err == BT_OK)
        err = bt_loop_watch(loop, a->pipe_fd[0], BT_LOOP_READ, on_worker_done, a);
    if (err == BT_OK)
        announce_now(a);
    return err;
}

void bt_announcer_completed(struct bt_announcer *a)
{
    if (a->complete)
        return;
    a->complete = 1;
    if (a->heard && !a->busy) {
        bt_loop_cancel(a->loop, a->timer);
        a->timer = 0;
        announce_now(a);
    }
}

/* Wait for a running worker and drop its result. */
static void wait_worker(struct bt_announcer *a)
{
    char byte;

    if (!a->busy)
        return;
    pthread_join(a->worker, NULL);
    a->busy = 0;
    while (read(a->pipe_fd[0], &byte, 1) < 0 && errno == EINTR)
        ;
    if (a->result.err == BT_OK && a->req.event == BT_EVENT_STARTED)
        a->heard = 1;
    if (a->result.err != BT_OK && a->req.event == BT_EVENT_COMPLETED)
        a->said_complete = 0;
    bt_announce_resp_release(&a->result.resp);
    bt_announce_resp_init(&a->result.resp);
}

/* One announce in the calling thread, with the short timeout of the way out. */
static void announce_sync(struct bt_announcer *a, enum bt_tracker_event event)
{
    struct bt_announce_opts opts = {.timeout_ms = a->cfg.stop_timeout_ms};
    struct bt_announce_stats st;
    struct bt_announce_result r;
    struct bt_announce_req req;

    fill_request(a, event, &req, &st);
    bt_announce_resp_init(&r.resp);
    bt_tracker_announce_tiers(&a->tiers, &req, &opts, 0, NULL, NULL, &r);
    bt_announce_resp_release(&r.resp);
}

void bt_announcer_stop(struct bt_announcer *a)
{
    wait_worker(a);
    if (a->loop != NULL && a->timer != 0) {
        bt_loop_cancel(a->loop, a->timer);
        a->timer = 0;
    }
    if (!a->heard)
        return;
    /* A download that finished just before the end has not said so yet. */
    if (a->complete && !a->said_complete)
        announce_sync(a, BT_EVENT_COMPLETED);
    a->said_complete = 1;
    announce_sync(a, BT_EVENT_STOPPED);
    a->heard = 0;
}

void bt_announcer_release(struct bt_announcer *a)
{
    wait_worker(a);
    if (a->loop != NULL && a->timer != 0)
        bt_loop_cancel(a->loop, a->timer);
    if (a->pipe_fd[0] >= 0) {
        if (a->loop != NULL)
            bt_loop_unwatch(a->loop, a->pipe_fd[0]);
        close(a->pipe_fd[0]);
        close(a->pipe_fd[1]);
    }
    bt_tracker_tiers_release(&a->tiers);
    bt_announce_resp_release(&a->result.resp);
    bt_announcer_init(a);
}
