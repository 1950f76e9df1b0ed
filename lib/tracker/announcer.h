/*
 * announcer.h - a torrent's life with its trackers (BEP 3), for a downloader
 * or a seeder, in the background of an event loop.
 *
 *   start ──> "started" ──> every interval: a regular announce ──┐
 *                 │   (until a tracker hears "started",          │
 *                 │    every announce is "started")              │
 *                 └──── the download completes: "completed" once ┤
 *   stop  ──> "stopped", if a tracker ever heard "started" <─────┘
 *
 * Each announce walks the tiers (tiers.h) in a worker thread, since one may
 * take seconds (DNS, TLS, a UDP tracker that needs retries) and the loop must
 * keep its peers busy meanwhile; the answer comes back through a pipe:
 *
 *   loop thread                         worker thread
 *   timer fires ───────────spawn──────> walk the tiers: the first tracker that
 *                                       answers wins
 *   pipe readable  <──────── 1 byte ──── done
 *   result(arg, r), next timer set      (on the loop thread, like every callback)
 *
 * The numbers in each request (uploaded, downloaded, left, our port) come from
 * the owner's stats callback, asked on the loop thread as each announce starts.
 * The next announce is due after the tracker's interval, or after
 * BT_ANNOUNCER_MIN_S while the owner is starving for peers; after a failure the
 * wait doubles from BT_ANNOUNCER_MIN_S.  Always within [MIN_S, MAX_S].
 */
#ifndef BT_ANNOUNCER_H
#define BT_ANNOUNCER_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/loop.h"
#include "tracker/announce.h"
#include "tracker/client.h"
#include "tracker/tiers.h"

#define BT_ANNOUNCER_MIN_S      15    /* never re-announce sooner than this */
#define BT_ANNOUNCER_MAX_S      1800  /* nor later */
#define BT_ANNOUNCER_TIMEOUT_MS 15000 /* each announce, DNS to last byte */
#define BT_ANNOUNCER_STOP_MS    3000  /* the "stopped" announce on the way out */
#define BT_ANNOUNCER_NUMWANT    200   /* peers asked for */

/* The owner's numbers, as they stand when an announce starts. */
struct bt_announce_stats {
    int64_t uploaded, downloaded, left;
    uint16_t port; /* where we accept peers */
    int starving;  /* no peer to talk to: ask again at the minimum interval */
};

typedef void bt_announcer_stats_fn(void *arg, struct bt_announce_stats *st);

struct bt_announcer_config {
    unsigned char peer_id[BT_TRACKER_HASH_LEN];
    int32_t numwant;              /* -1: the tracker's choice */
    int timeout_ms;               /* each announce */
    int stop_timeout_ms;          /* the last one, "stopped" */
    bt_announcer_stats_fn *stats; /* must be set */
    void *stats_arg;
    bt_tracker_result_fn *result; /* each announce's outcome: peers, warnings, failure;
                                     may be NULL */
    void *result_arg;
};

struct bt_announcer {
    struct bt_loop *loop;
    struct bt_tracker_tiers tiers;
    struct bt_announcer_config cfg;
    unsigned char info_hash[BT_TRACKER_HASH_LEN];
    int pipe_fd[2];
    pthread_t worker;
    int busy;                         /* a worker runs */
    uint64_t timer;                   /* the next announce */
    uint64_t backoff_ms;              /* after failures: the wait, doubling */
    uint32_t key;                     /* BEP 15's key, the same for the whole run */
    int heard;                        /* a tracker answered our "started" */
    int complete;                     /* the download completed... */
    int said_complete;                /* ...and "completed" went out */
    struct bt_announce_req req;       /* the worker's request... */
    struct bt_announce_result result; /* ...and its outcome */
};

/* Sensible defaults for cfg: numwant BT_ANNOUNCER_NUMWANT, the timeouts above. */
void bt_announcer_config_init(struct bt_announcer_config *cfg);

/* Cannot fail. */
void bt_announcer_init(struct bt_announcer *a);

/*
 * Announce torrent t on loop to the n urls given (each a tier of its own), or
 * with none to t's own trackers (tiers.h), and if there is any tracker at all,
 * say "started" now.  cfg is copied; t is read only here.
 */
enum bt_err bt_announcer_start(struct bt_announcer *a, struct bt_loop *loop,
                               const struct bt_torrent *t, char *const *urls, size_t n,
                               const struct bt_announcer_config *cfg);

/* Does the announcer have any tracker? */
int bt_announcer_has_trackers(const struct bt_announcer *a);

/* The download completed: say "completed" to the trackers, once, as soon as
 * no other announce is under way. */
void bt_announcer_completed(struct bt_announcer *a);

/*
 * On the way out: wait for a running announce, then, in the calling thread and
 * with cfg.stop_timeout_ms, say "completed" if that is still owed and
 * "stopped" if a tracker heard "started".  The announcer is idle afterwards.
 */
void bt_announcer_stop(struct bt_announcer *a);

/* Wait for a running worker, close the pipe, cancel the timer, free the tiers. */
void bt_announcer_release(struct bt_announcer *a);

#endif /* BT_ANNOUNCER_H */
