/*
 * client.h - asking trackers over the network: one announce to one URL, over
 * HTTP(S) (http_client.c, with libcurl) or UDP (udp_client.c, BEP 15), and the
 * walk along the tiers of BEP 12 (client.c).
 *
 *   tiers  [ [udp://a, udp://b], [http://c] ]
 *   walk:  udp://b  ->  timeout            (the order inside a tier was shuffled)
 *          udp://a  ->  answer: 12 peers   first answer wins: udp://a moves to
 *                                          the front of its tier; tier 2 is not asked
 *
 * Every call blocks its thread until the answer or the timeout: bt-announce
 * calls them directly, the announcer (announcer.h) from a worker thread.
 */
#ifndef BT_TRACKER_CLIENT_H
#define BT_TRACKER_CLIENT_H

#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"
#include "tracker/announce.h"
#include "tracker/tiers.h"

#define BT_TRACKER_URL_MAX 512 /* a result keeps this much of its URL */

/*
 * Announce over HTTP(S): TLS verified, only http and https (redirects too), the
 * body capped at BT_TRACKER_MAX_BODY, gzip accepted.  Errors: BT_ERR_TRACKER_DNS,
 * _CONNECT, _TIMEOUT, _TLS, _HTTP (resp->http_status), _TOO_LARGE, and those of
 * bt_tracker_http_parse().
 */
enum bt_err bt_tracker_http_announce(const char *url, const struct bt_announce_req *req,
                                     const struct bt_announce_opts *opts,
                                     struct bt_announce_resp *resp);

/* Let a libcurl easy handle (a CURL *) speak only http and https, after
 * redirects too: a URL from a torrent must not make us read file:// or talk
 * other protocols.  The web seeds (session/webseed.c) use it as well. */
enum bt_err bt_http_limit_protocols(void *curl);

/* What a failed libcurl transfer means to its caller: the tracker client and
 * the web seeds each name their own error for each kind of failure. */
struct bt_http_errors {
    enum bt_err dns, connect, timeout, tls, too_large, url, other;
};

/* The error for libcurl's code (a CURLcode): a write error is too_large when
 * the caller's write callback refused bytes past its limit (overflow), an I/O
 * error otherwise. */
enum bt_err bt_http_error(int code, int overflow, const struct bt_http_errors *as);

/*
 * Announce over UDP.  BEP 15 retransmits after 15 * 2^n seconds (n = 0..8); we
 * keep the doubling but start at min(15 s, timeout / 4), so that the whole
 * exchange fits in opts->timeout_ms.  A connection id older than a minute is
 * renewed with a fresh connect before the next announce.
 */
enum bt_err bt_tracker_udp_announce(const char *url, const struct bt_announce_req *req,
                                    const struct bt_announce_opts *opts,
                                    struct bt_announce_resp *resp);

/* Announce to one tracker URL, over UDP or HTTP(S) by its scheme. */
enum bt_err bt_tracker_announce(const char *url, const struct bt_announce_req *req,
                                const struct bt_announce_opts *opts, struct bt_announce_resp *resp);

/* What one tracker answered, or why it did not. */
struct bt_announce_result {
    enum bt_err err;              /* BT_OK if it answered */
    char url[BT_TRACKER_URL_MAX]; /* the tracker */
    struct bt_announce_resp resp; /* its answer; the caller releases it */
};

/* Append the peers as a JSON array of "ip:port" and "[v6]:port" strings. */
enum bt_err bt_peer_list_json(struct bt_buf *out, const struct bt_peer_list *peers);

/*
 * Append one tracker's result as a JSON object: {"url", "error" (null if it
 * answered), "failure_reason", "warning", "interval", "min_interval",
 * "seeders", "leechers" (null when absent), "peers" (an array)}.
 */
enum bt_err bt_announce_result_json(struct bt_buf *out, const struct bt_announce_result *r);

/* Called after each tracker the walk asks, with its result (which the walk
 * releases afterwards: copy what must be kept). */
typedef void bt_tracker_result_fn(void *arg, const struct bt_announce_result *r);

#define BT_TIERS_ALL 1u /* ask every tracker, not only until one answers */

/*
 * Announce along the tiers, in the calling thread: the first tracker that
 * answers wins and moves to the front of its tier (BEP 12); with BT_TIERS_ALL
 * every tracker is asked (and none promoted).  each (may be NULL) hears every
 * tracker's result as it comes.  r->resp must be initialised; on return r holds
 * the winner's result (without BT_TIERS_ALL) or the last tracker's.  Returns
 * BT_OK if some tracker answered, BT_ERR_NO_PEERS when there is no tracker at
 * all, else the last tracker's error.
 */
enum bt_err bt_tracker_announce_tiers(struct bt_tracker_tiers *tiers,
                                      const struct bt_announce_req *req,
                                      const struct bt_announce_opts *opts, unsigned flags,
                                      bt_tracker_result_fn *each, void *arg,
                                      struct bt_announce_result *r);

#endif /* BT_TRACKER_CLIENT_H */
