/*
 * source.c - a torrent from a file or from a magnet link.  See source.h.
 */
#include "config.h"

#include "source.h"

#include <string.h>

#include "tracker/announcer.h"
#include "core/loop.h"
#include "metainfo/magnet.h"
#include "wire/metadata.h"
#include "session/metadata_fetch.h"
#include "tool.h"
#include "tracker/tracker.h"
#include "wire.h"

/* The first tracker request is "left" bytes short of a download we cannot size
 * yet; any positive number keeps a tracker from taking us for a seeder. */
#define UNKNOWN_LEFT 1

size_t bt_source_tracker_peers(const struct bt_torrent *t, char *const *urls, size_t n,
                               const unsigned char *info_hash, const unsigned char *peer_id,
                               int64_t left, int timeout_s, struct bt_addr *peers, size_t max)
{
    struct bt_tracker_tiers tiers;
    struct bt_announce_req req;
    struct bt_announce_opts opts = {.timeout_ms = timeout_s * 1000};
    struct bt_announce_result r;
    size_t i, got = 0;

    bt_tracker_tiers_init(&tiers);
    bt_announce_resp_init(&r.resp);
    bt_announce_req_init(&req);
    memcpy(req.info_hash, info_hash, BT_INFOHASH_LEN);
    memcpy(req.peer_id, peer_id, BT_PEER_ID_LEN);
    req.port = BT_TRACKER_DEFAULT_PORT;
    req.left = left;
    if (bt_tracker_tiers_for(&tiers, t, urls, n) == BT_OK &&
        bt_tracker_announce_tiers(&tiers, &req, &opts, &r) != BT_OK) {
        if (r.url[0] != '\0')
            bt_tool_warn("tracker %s: %s", r.url, bt_strerror(r.err));
        else
            bt_tool_warn("no tracker to ask: give -p PEER");
    }
    for (i = 0; i < r.resp.peers.count && got < max; i++) {
        const struct bt_tracker_peer *tp = &r.resp.peers.peers[i];

        if (bt_addr_from_raw(tp->ip, tp->iplen, tp->port, &peers[got]) == BT_OK)
            got++;
    }
    bt_announce_resp_release(&r.resp);
    bt_tracker_tiers_release(&tiers);
    return got;
}

static void log_peer(void *arg, const char *peer, enum bt_err err, const char *detail)
{
    bt_tool_warn("%s: metadata: %s%s%s", peer, bt_strerror(err), detail[0] != '\0' ? ": " : "",
                 detail);
}

/* Ask these peers for the info dict; on success it is in f. */
static enum bt_err fetch_from(struct bt_metadata_fetch *f, const struct bt_peer_config *cfg,
                              const struct bt_source_opts *o, const struct bt_addr *peers, size_t n)
{
    struct bt_loop loop;
    enum bt_err err;

    bt_loop_init(&loop);
    f->log = log_peer;
    f->piece_timeout_ms = o->timeout_s * 1000;
    if (o->trace)
        f->trace = bt_wire_trace;
    err = bt_metadata_fetch_run(f, &loop, cfg, peers, n);
    bt_loop_release(&loop);
    return err;
}

/* The -p peers, then the link's x.pe peers (a malformed one is skipped). */
static size_t known_peers(const struct bt_source_opts *o, const struct bt_magnet *m,
                          struct bt_addr *peers, size_t max)
{
    size_t i, n = 0;
    char shown[128];

    for (i = 0; i < o->peer_count && n < max; i++)
        peers[n++] = o->peers[i];
    for (i = 0; i < m->peer_count && n < max; i++) {
        if (bt_addr_parse(m->peers[i], &peers[n]) == BT_OK) {
            n++;
            continue;
        }
        bt_tool_printable(m->peers[i], strlen(m->peers[i]), shown, sizeof(shown));
        bt_tool_warn("x.pe '%s': %s", shown, bt_strerror(BT_ERR_NET_ADDR));
    }
    return n;
}

/* Fetch a magnet link's info dict and build the torrent around it. */
static int load_magnet(const char *arg, struct bt_source_opts *o, struct bt_torrent *t,
                       struct bt_buf *raw)
{
    struct bt_addr peers[BT_SOURCE_MAX_PEERS];
    struct bt_magnet m;
    struct bt_torrent stub;
    struct bt_peer_config cfg;
    struct bt_metadata_fetch f;
    struct bt_buf built;
    size_t n, off = 0;
    enum bt_err err;
    char shown[128];

    bt_magnet_init(&m);
    if (bt_magnet_parse(&m, arg) != BT_OK) {
        bt_tool_printable(arg, strlen(arg), shown, sizeof(shown));
        bt_tool_warn("'%s': %s", shown, bt_strerror(BT_ERR_MAGNET));
        return 1;
    }
    /* Our peer settings need only the info hash. */
    bt_torrent_init(&stub);
    memcpy(stub.info_hash, m.info_hash, BT_INFOHASH_LEN);
    if (bt_wire_config(&cfg, &stub, o->timeout_s) != 0) {
        bt_magnet_release(&m);
        return 1;
    }
    bt_metadata_fetch_init(&f);
    n = known_peers(o, &m, peers, BT_SOURCE_MAX_PEERS);
    err = n > 0 ? fetch_from(&f, &cfg, o, peers, n) : BT_ERR_NO_PEERS;
    if (err == BT_ERR_NO_PEERS && m.tracker_count > 0 && !o->no_trackers) {
        n = bt_source_tracker_peers(NULL, m.trackers, m.tracker_count, m.info_hash, cfg.peer_id,
                                    UNKNOWN_LEFT, o->timeout_s, peers, BT_SOURCE_MAX_PEERS);
        if (n > 0)
            err = fetch_from(&f, &cfg, o, peers, n);
    }
    if (err != BT_OK) {
        if (err == BT_ERR_NO_PEERS && n == 0 && m.tracker_count == 0)
            bt_tool_warn("metadata: no peers to ask: give -p PEER, or a link with x.pe or tr");
        else
            bt_tool_warn("metadata: %s",
                         bt_strerror(err == BT_ERR_NO_PEERS ? BT_ERR_METADATA : err));
        bt_metadata_fetch_release(&f);
        bt_magnet_release(&m);
        return 1;
    }
    if (!o->quiet)
        bt_tool_warn("metadata: %zu bytes from %s", f.info_len, f.winner);
    o->from = f.winner_addr;
    o->have_from = 1;
    bt_buf_init(&built, BT_META_MAX_INPUT);
    err = bt_metadata_torrent(&built, f.info, f.info_len, m.trackers, m.tracker_count);
    if (err == BT_OK)
        err = bt_torrent_parse(t, built.data, built.len, BT_META_LENIENT, &off);
    if (err != BT_OK)
        bt_tool_warn("metadata: byte %zu: %s", off, bt_strerror(err));
    else if (raw != NULL)
        err = bt_buf_append(raw, built.data, built.len);
    bt_buf_release(&built);
    bt_metadata_fetch_release(&f);
    bt_magnet_release(&m);
    return err == BT_OK ? 0 : 1;
}

int bt_source_load(const char *arg, struct bt_source_opts *o, struct bt_torrent *t,
                   struct bt_buf *raw)
{
    if (bt_wire_is_magnet(arg))
        return load_magnet(arg, o, t, raw);
    return bt_wire_load_torrent(arg, t);
}
