/*
 * announcer.h - the trackers of one torrent, asked along their tiers (BEP 12),
 * in the background of an event loop.
 *
 * An announce may take seconds (DNS, TLS, a UDP tracker that needs retries),
 * and a downloader must keep its peers busy meanwhile.  So the announcer runs
 * each announce in a worker thread and hands the answer back to the loop
 * through a pipe:
 *
 *   loop thread                         worker thread
 *   bt_announcer_announce(req) ──spawn──> walk the tiers: first tracker that
 *                                         answers wins and moves to the front
 *                                         of its tier
 *   pipe readable  <──────── 1 byte ──── done
 *   done(arg, result)  (on the loop thread, like every other callback)
 *
 * Only one announce runs at a time; the worker touches nothing but the
 * announcer's own request, tiers and result while it runs.
 */
#ifndef BT_ANNOUNCER_H
#define BT_ANNOUNCER_H

#include <pthread.h>
#include <stddef.h>

#include "core/error.h"
#include "core/loop.h"
#include "metainfo/metainfo.h"
#include "tracker/tracker.h"

#define BT_ANNOUNCER_URL_MAX 512
#define BT_ANNOUNCER_MIN_S   15   /* never re-announce sooner than this */
#define BT_ANNOUNCER_MAX_S   1800 /* nor later */

/*
 * Fill tiers for a torrent: each of the n urls is a tier of its own, in order;
 * with none, the torrent's announce-list (BEP 12), else its announce URL.  The
 * URLs inside each tier are shuffled once.  t may be NULL when n > 0.
 */
enum bt_err bt_tracker_tiers_for(struct bt_tracker_tiers *tiers, const struct bt_torrent *t,
                                 char *const *urls, size_t n);

/* Announce to one tracker URL, over UDP or HTTP(S) by its scheme. */
enum bt_err bt_tracker_announce(const char *url, const struct bt_announce_req *req,
                                const struct bt_announce_opts *opts, struct bt_announce_resp *resp);

struct bt_announce_result {
    enum bt_err err;                /* of the last tracker tried, BT_OK if one answered */
    char url[BT_ANNOUNCER_URL_MAX]; /* the tracker that answered (or failed last) */
    struct bt_announce_resp resp;   /* its answer; the caller releases it */
};

/*
 * Announce along the tiers, in the calling thread: the first tracker that
 * answers wins and moves to the front of its tier (BEP 12).  r->resp must be
 * initialised; r->err is BT_ERR_NO_PEERS when there is no tracker at all.
 */
enum bt_err bt_tracker_announce_tiers(struct bt_tracker_tiers *tiers,
                                      const struct bt_announce_req *req,
                                      const struct bt_announce_opts *opts,
                                      struct bt_announce_result *r);

typedef void bt_announcer_fn(void *arg, const struct bt_announce_result *r);

struct bt_announcer {
    struct bt_loop *loop;
    struct bt_tracker_tiers tiers;
    struct bt_announce_opts opts;
    bt_announcer_fn *done;
    void *arg;
    int pipe_fd[2];
    pthread_t worker;
    int busy;            /* a worker runs */
    uint64_t backoff_ms; /* after failures: the wait, doubling */
    struct bt_announce_req req;
    struct bt_announce_result result;
};

/* Cannot fail. */
void bt_announcer_init(struct bt_announcer *a);
/*
 * Get ready to announce to tiers (taken over: the announcer releases them) on
 * loop; done is called on the loop thread after each announce.
 */
enum bt_err bt_announcer_start(struct bt_announcer *a, struct bt_loop *loop,
                               struct bt_tracker_tiers *tiers, const struct bt_announce_opts *opts,
                               bt_announcer_fn *done, void *arg);
/* Start an announce in the background.  BT_ERR_INVALID if one already runs. */
enum bt_err bt_announcer_announce(struct bt_announcer *a, const struct bt_announce_req *req);
/* Announce in the calling thread (for "stopped" on the way out), after waiting
 * for a background announce to end.  Returns the result's error. */
enum bt_err bt_announcer_announce_now(struct bt_announcer *a, const struct bt_announce_req *req,
                                      struct bt_announce_result *result);
/*
 * When to announce again after result r, in milliseconds: the tracker's
 * interval, or BT_ANNOUNCER_MIN_S when we are starving for peers; after a
 * failure, a wait that doubles from BT_ANNOUNCER_MIN_S.  Always within
 * [BT_ANNOUNCER_MIN_S, BT_ANNOUNCER_MAX_S].
 */
uint64_t bt_announcer_next_ms(struct bt_announcer *a, const struct bt_announce_result *r,
                              int starving);

/* Does the announcer have any tracker? */
int bt_announcer_has_trackers(const struct bt_announcer *a);
/* Wait for a running worker, close the pipe, free the tiers. */
void bt_announcer_release(struct bt_announcer *a);

#endif /* BT_ANNOUNCER_H */
