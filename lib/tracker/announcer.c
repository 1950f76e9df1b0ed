/*
 * announcer.c - announce along tiers (BEP 12), in a worker thread that reports
 * to the event loop through a pipe.  See announcer.h.
 */
#include "tracker/announcer.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/net.h"

enum bt_err bt_tracker_tiers_for(struct bt_tracker_tiers *tiers, const struct bt_torrent *t,
                                 char *const *urls, size_t n)
{
    enum bt_err err = BT_OK;
    size_t i, j;

    for (i = 0; i < n && err == BT_OK; i++) {
        err = bt_tracker_tiers_new_tier(tiers);
        if (err == BT_OK)
            err = bt_tracker_tiers_add(tiers, urls[i]);
    }
    if (n == 0 && t != NULL) {
        for (i = 0; i < t->tier_count && i < BT_TRACKER_MAX_TIERS && err == BT_OK; i++) {
            err = bt_tracker_tiers_new_tier(tiers);
            for (j = 0; j < t->tiers[i].count && j < BT_TRACKER_MAX_URLS && err == BT_OK; j++)
                err = bt_tracker_tiers_add(tiers, t->tiers[i].urls[j]);
        }
        if (t->tier_count == 0 && t->announce != NULL && err == BT_OK) {
            err = bt_tracker_tiers_new_tier(tiers);
            if (err == BT_OK)
                err = bt_tracker_tiers_add(tiers, t->announce);
        }
    }
    if (err == BT_OK)
        err = bt_tracker_tiers_shuffle(tiers);
    return err;
}

enum bt_err bt_tracker_announce(const char *url, const struct bt_announce_req *req,
                                const struct bt_announce_opts *opts, struct bt_announce_resp *resp)
{
    enum bt_tracker_scheme scheme;

    if (bt_tracker_url_scheme(url, &scheme) != BT_OK)
        return BT_ERR_TRACKER_URL;
    if (scheme == BT_TRACKER_UDP)
        return bt_tracker_udp_announce(url, req, opts, resp);
    return bt_tracker_http_announce(url, req, opts, resp);
}

void bt_announcer_init(struct bt_announcer *a)
{
    memset(a, 0, sizeof(*a));
    bt_tracker_tiers_init(&a->tiers);
    a->pipe_fd[0] = a->pipe_fd[1] = -1;
    bt_announce_resp_init(&a->result.resp);
}

uint64_t bt_announcer_next_ms(struct bt_announcer *a, const struct bt_announce_result *r,
                              int starving)
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

int bt_announcer_has_trackers(const struct bt_announcer *a)
{
    size_t t;

    for (t = 0; t < a->tiers.count; t++)
        if (a->tiers.counts[t] > 0)
            return 1;
    return 0;
}

enum bt_err bt_tracker_announce_tiers(struct bt_tracker_tiers *tiers,
                                      const struct bt_announce_req *req,
                                      const struct bt_announce_opts *opts,
                                      struct bt_announce_result *r)
{
    size_t t, i;

    r->err = BT_ERR_NO_PEERS;
    r->url[0] = '\0';
    for (t = 0; t < tiers->count; t++) {
        for (i = 0; i < tiers->counts[t]; i++) {
            const char *url = tiers->urls[t][i];

            bt_announce_resp_release(&r->resp);
            bt_announce_resp_init(&r->resp);
            snprintf(r->url, sizeof(r->url), "%s", url);
            r->err = bt_tracker_announce(url, req, opts, &r->resp);
            if (r->err == BT_OK) {
                bt_tracker_tiers_promote(tiers, t, i);
                return BT_OK;
            }
        }
    }
    return r->err;
}

static void *worker_main(void *arg)
{
    struct bt_announcer *a = arg;
    char done = 1;

    bt_tracker_announce_tiers(&a->tiers, &a->req, &a->opts, &a->result);
    /* A one-byte write to a pipe with room cannot be short; if it fails the loop
     * never hears back, which only delays the next announce. */
    while (write(a->pipe_fd[1], &done, 1) < 0 && errno == EINTR)
        ;
    return NULL;
}

static void on_worker_done(void *arg, int fd, unsigned events)
{
    struct bt_announcer *a = arg;
    char byte;

    if (read(fd, &byte, 1) != 1 || !a->busy)
        return;
    pthread_join(a->worker, NULL);
    a->busy = 0;
    a->done(a->arg, &a->result);
    bt_announce_resp_release(&a->result.resp);
    bt_announce_resp_init(&a->result.resp);
}

enum bt_err bt_announcer_start(struct bt_announcer *a, struct bt_loop *loop,
                               struct bt_tracker_tiers *tiers, const struct bt_announce_opts *opts,
                               bt_announcer_fn *done, void *arg)
{
    enum bt_err err;

    a->loop = loop;
    a->tiers = *tiers;
    bt_tracker_tiers_init(tiers);
    a->opts = *opts;
    a->done = done;
    a->arg = arg;
    if (pipe(a->pipe_fd) < 0)
        return BT_ERR_IO;
    err = bt_net_nonblock(a->pipe_fd[0]);
    if (err == BT_OK)
        err = bt_loop_watch(loop, a->pipe_fd[0], BT_LOOP_READ, on_worker_done, a);
    return err;
}

enum bt_err bt_announcer_announce(struct bt_announcer *a, const struct bt_announce_req *req)
{
    if (a->busy || a->pipe_fd[1] < 0)
        return BT_ERR_INVALID;
    a->req = *req;
    if (pthread_create(&a->worker, NULL, worker_main, a) != 0)
        return BT_ERR_NOMEM;
    a->busy = 1;
    return BT_OK;
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
    bt_announce_resp_release(&a->result.resp);
    bt_announce_resp_init(&a->result.resp);
}

enum bt_err bt_announcer_announce_now(struct bt_announcer *a, const struct bt_announce_req *req,
                                      struct bt_announce_result *result)
{
    wait_worker(a);
    bt_announce_resp_init(&result->resp);
    return bt_tracker_announce_tiers(&a->tiers, req, &a->opts, result);
}

void bt_announcer_release(struct bt_announcer *a)
{
    wait_worker(a);
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
