/*
 * tool_source.c - a torrent from a file or from a magnet link.  See tool_source.h.
 */
#include "config.h"

#include "tool_source.h"

#include <inttypes.h>
#include <string.h>

#include "core/loop.h"
#include "metainfo/magnet.h"
#include "pieces/attrs.h"
#include "session/layers_fetch.h"
#include "session/metadata_fetch.h"
#include "tool.h"
#include "tool_peer.h"
#include "tracker/client.h"
#include "wire/metadata.h"

/* The first tracker request is "left" bytes short of a download we cannot size
 * yet; any positive number keeps a tracker from taking us for a seeder. */
#define UNKNOWN_LEFT 1

int tool_is_magnet(const char *arg)
{
    return bt_magnet_is_link(arg);
}

size_t tool_tracker_peers(const struct bt_torrent *t, const unsigned char *peer_id, int64_t left,
                          int timeout_s, struct bt_addr *peers, size_t max)
{
    struct bt_tracker_tiers tiers;
    struct bt_announce_req req;
    struct bt_announce_opts opts = {.timeout_ms = timeout_s * 1000};
    struct bt_announce_result r;
    size_t i, got = 0;

    bt_tracker_tiers_init(&tiers);
    bt_announce_resp_init(&r.resp);
    bt_announce_req_init(&req);
    memcpy(req.info_hash, t->info_hash, BT_INFOHASH_LEN);
    memcpy(req.peer_id, peer_id, BT_PEER_ID_LEN);
    req.left = left;
    if (bt_tracker_tiers_for(&tiers, t, NULL, 0) == BT_OK &&
        bt_tracker_announce_tiers(&tiers, &req, &opts, 0, NULL, NULL, &r) != BT_OK) {
        if (r.url[0] != '\0')
            tool_warn("tracker %s: %s", r.url, bt_strerror(r.err));
        else
            tool_warn("no tracker to ask: give -p PEER");
    }
    for (i = 0; i < r.resp.peers.count && got < max; i++) {
        const struct bt_netaddr *tp = &r.resp.peers.peers[i];

        if (bt_addr_from_netaddr(tp, &peers[got]) == BT_OK)
            got++;
    }
    bt_announce_resp_release(&r.resp);
    bt_tracker_tiers_release(&tiers);
    return got;
}

void tool_meta_notes(const char *subject, const struct bt_torrent *t)
{
    size_t i, kept = t->note_count < BT_META_MAX_NOTES ? t->note_count : BT_META_MAX_NOTES;

    for (i = 0; i < kept; i++) {
        const struct bt_meta_note *n = &t->notes[i];
        char where[BT_META_FIELD_MAX + 2] = "";
        const char *name = NULL;

        if (n->field[0] != '\0')
            snprintf(where, sizeof(where), "%s: ", n->field);
        if (n->file == BT_META_NOTE_NAME)
            name = t->name;
        else if (n->file < t->file_count && !t->files[n->file].pad)
            name = t->files[n->file].path;
        if (name == NULL)
            tool_warn("%s: warning: byte %zu: %s%s: %s", subject, n->offset, where,
                      bt_strerror(n->why), bt_meta_fix_str(n->fix));
        else
            tool_warn("%s: warning: byte %zu: %s%s: %s; saved as '%s%s%s'", subject, n->offset,
                      where, bt_strerror(n->why), bt_meta_fix_str(n->fix),
                      t->multi_file ? t->name : "", t->multi_file ? "/" : "", name);
    }
    if (t->note_count > kept)
        tool_warn("%s: warning: %zu more like these", subject, t->note_count - kept);
}

struct attrs_report {
    const struct bt_torrent *t;
    const char *dir;
    int failed;
};

static void attr_done(void *arg, size_t idx, enum bt_err err)
{
    struct attrs_report *r = arg;
    char where[4096];

    if (err == BT_OK)
        return;
    snprintf(where, sizeof(where), "%s/%s/%s: %s", r->dir, r->t->name, r->t->files[idx].path,
             r->t->files[idx].symlink != NULL ? "symlink" : "executable");
    tool_error(err, where);
    r->failed = 1;
}

int tool_apply_attrs(const struct bt_torrent *t, const char *dir, const unsigned char *chosen)
{
    struct attrs_report r = {t, dir, 0};
    enum bt_err err = bt_attrs_apply(t, dir, chosen, attr_done, &r);

    if (err != BT_OK && !r.failed)
        tool_error(err, dir);
    return err == BT_OK ? 0 : 1;
}

/* How --strict, or its absence, parses a torrent, from a file or from peers. */
static unsigned meta_flags(const struct tool_source *src)
{
    return (src->flags & TOOL_SOURCE_STRICT) != 0 ? BT_META_STRICT : BT_META_LENIENT;
}

/* Read and parse a .torrent file ("-" for standard input). */
static int load_file(const char *path, const struct tool_source *src, struct bt_torrent *t,
                     struct bt_buf *raw)
{
    struct bt_buf b;
    struct bt_meta_error e;
    char subject[4096];
    unsigned flags = meta_flags(src);
    enum bt_err err;

    bt_buf_init(&b, BT_META_MAX_INPUT);
    if (tool_read_input(&b, NULL, path, subject, sizeof(subject)) != BT_OK) {
        bt_buf_release(&b);
        return 1;
    }
    memset(&e, 0, sizeof(e));
    err = bt_torrent_parse_detailed(t, b.data, b.len, flags, &e);
    if (err == BT_ERR_NOMEM)
        tool_error(err, subject);
    else if (err != BT_OK)
        tool_error_at(err, subject, e.offset, e.field);
    else
        tool_meta_notes(subject, t);
    if (err == BT_OK && raw != NULL)
        err = bt_buf_append(raw, b.data, b.len);
    bt_buf_release(&b);
    return err == BT_OK ? 0 : 1;
}

static void log_peer(void *arg, const char *peer, enum bt_err err, const char *detail)
{
    tool_warn("%s: metadata: %s%s%s", peer, bt_strerror(err), detail[0] != '\0' ? ": " : "",
              detail);
}

/* Ask these peers for the info dict; on success it is in f. */
static enum bt_err fetch_from(struct bt_metadata_fetch *f, const struct bt_peer_config *cfg,
                              const struct tool_source *src, const struct bt_addr *peers, size_t n)
{
    struct bt_loop loop;
    enum bt_err err;

    bt_loop_init(&loop);
    f->log = log_peer;
    f->piece_timeout_ms = src->timeout_s * 1000;
    if (src->trace)
        f->trace = tool_trace;
    err = bt_metadata_fetch_run(f, &loop, cfg, peers, n);
    bt_loop_release(&loop);
    return err;
}

/* The -p peers, then the link's x.pe peers (a malformed one is skipped). */
static size_t known_peers(const struct tool_source *src, const struct bt_magnet *m,
                          struct bt_addr *peers, size_t max)
{
    size_t i, n = 0;

    for (i = 0; i < src->peer_count && n < max; i++)
        peers[n++] = src->peers[i];
    for (i = 0; i < m->peer_count && n < max; i++) {
        if (bt_addr_parse(m->peers[i], &peers[n]) == BT_OK)
            n++;
        else
            tool_warn("x.pe '%s': %s", m->peers[i], bt_strerror(BT_ERR_NET_ADDR));
    }
    return n;
}

static void log_layers_peer(void *arg, const char *peer, enum bt_err err, const char *detail)
{
    tool_warn("%s: piece layers: %s%s%s", peer, bt_strerror(err), detail[0] != '\0' ? ": " : "",
              detail);
}

/*
 * A v2 torrent from its metadata lacks the piece layers (BEP 52): ask the peer
 * that gave the metadata first, then the others, with hash requests.
 */
static int fetch_layers(struct tool_source *src, struct bt_torrent *t, const struct bt_addr *winner,
                        const struct bt_addr *others, size_t n)
{
    struct bt_addr peers[TOOL_SOURCE_MAX_PEERS];
    struct bt_peer_config cfg;
    struct bt_layers_fetch f;
    struct bt_loop loop;
    size_t i, count = 0;
    enum bt_err err;

    if (tool_peer_config(&cfg, t, src->timeout_s) != 0)
        return 1;
    cfg.encryption = src->encryption;
    peers[count++] = *winner;
    for (i = 0; i < n && count < TOOL_SOURCE_MAX_PEERS; i++)
        if (!bt_addr_equal(&others[i], winner))
            peers[count++] = others[i];
    bt_layers_fetch_init(&f);
    bt_loop_init(&loop);
    f.log = log_layers_peer;
    f.timeout_ms = src->timeout_s * 1000;
    if (src->trace)
        f.trace = tool_trace;
    err = bt_layers_fetch_run(&f, &loop, &cfg, t, peers, count);
    if (err == BT_OK && !src->quiet)
        tool_warn("piece layers: %" PRIu64 " hashes in %zu requests", f.hashes_got, f.range_count);
    else if (err != BT_OK)
        tool_warn("piece layers: %s",
                  bt_strerror(err == BT_ERR_NO_PEERS ? BT_ERR_META_LAYER : err));
    bt_loop_release(&loop);
    bt_layers_fetch_release(&f);
    return err == BT_OK ? 0 : 1;
}

/* Fetch the info dict of the link that stub stands for (BEP 9) and build the
 * torrent around it, with the link's trackers; then, for a v2 torrent, its
 * piece layers (BEP 52). */
static int fetch_metadata(const struct bt_magnet *m, const struct bt_torrent *stub,
                          struct tool_source *src, struct bt_torrent *t, struct bt_buf *raw)
{
    struct bt_addr peers[TOOL_SOURCE_MAX_PEERS];
    struct bt_peer_config cfg;
    struct bt_metadata_fetch f;
    struct bt_buf built;
    size_t n, tried, off = 0;
    int use_dht = src->dht != NULL && !src->dht->o->off && !src->dht->barred;
    enum bt_err err;

    if (tool_peer_config(&cfg, stub, src->timeout_s) != 0)
        return 1;
    cfg.encryption = src->encryption;
    bt_metadata_fetch_init(&f);
    /* Ask the peers we were given, then the link's trackers, then the DHT:
     * each source only when the ones before it gave nothing. */
    n = tried = known_peers(src, m, peers, TOOL_SOURCE_MAX_PEERS);
    err = n > 0 ? fetch_from(&f, &cfg, src, peers, n) : BT_ERR_NO_PEERS;
    if (err == BT_ERR_NO_PEERS && m->tracker_count > 0 && !src->no_trackers) {
        n = tool_tracker_peers(stub, cfg.peer_id, UNKNOWN_LEFT, src->timeout_s, peers,
                               TOOL_SOURCE_MAX_PEERS);
        tried += n;
        if (n > 0)
            err = fetch_from(&f, &cfg, src, peers, n);
    }
    if (err == BT_ERR_NO_PEERS && use_dht) {
        n = tool_dht_peers(src->dht, m->info_hash, TOOL_DHT_WAIT_S, peers, TOOL_SOURCE_MAX_PEERS);
        tried += n;
        if (n > 0)
            err = fetch_from(&f, &cfg, src, peers, n);
    }
    if (err != BT_OK) {
        if (err == BT_ERR_NO_PEERS && tried == 0 && m->tracker_count == 0)
            tool_warn("metadata: no peers to ask: give -p PEER, or a link with x.pe or tr%s",
                      use_dht ? " (the DHT found none)" : "");
        else if (err == BT_ERR_NO_PEERS && tried == 0)
            tool_warn("metadata: no peers found (trackers%s)", use_dht ? ", DHT" : "");
        else
            tool_warn("metadata: %s", bt_strerror(err == BT_ERR_NO_PEERS ? BT_ERR_METADATA : err));
        bt_metadata_fetch_release(&f);
        return 1;
    }
    if (!src->quiet)
        tool_warn("metadata: %zu bytes from %s", f.info_len, f.winner);
    src->from = f.winner_addr;
    src->have_from = 1;
    bt_buf_init(&built, BT_META_MAX_INPUT);
    err = bt_metadata_torrent(&built, f.info, f.info_len, m->trackers, m->tracker_count);
    if (err == BT_OK)
        err = bt_torrent_parse(t, built.data, built.len, meta_flags(src) | BT_META_LAYERS_LATER,
                               &off);
    /* The peers checked 20 bytes of the v2 hash; the link has all 32. */
    if (err == BT_OK && (m->versions & BT_META_V2) != 0 &&
        ((t->versions & BT_META_V2) == 0 ||
         memcmp(t->info_hash_v2, m->info_hash_v2, BT_INFOHASH_V2_LEN) != 0))
        err = BT_ERR_METADATA_HASH;
    if (err != BT_OK)
        tool_error_at(err, "metadata", off, NULL);
    else
        tool_meta_notes("metadata", t);
    if (err == BT_OK && raw != NULL)
        err = bt_buf_append(raw, built.data, built.len);
    bt_buf_release(&built);
    if (err == BT_OK && (src->flags & TOOL_SOURCE_INFO_ONLY) == 0 &&
        bt_torrent_hashes_known(t) != BT_OK && fetch_layers(src, t, &f.winner_addr, peers, n) != 0)
        err = BT_ERR_META_LAYER;
    bt_metadata_fetch_release(&f);
    return err == BT_OK ? 0 : 1;
}

static int load_magnet(const char *arg, struct tool_source *src, struct bt_torrent *t,
                       struct bt_buf *raw)
{
    struct bt_magnet m;
    struct bt_torrent stub;
    enum bt_err err;
    int status;

    bt_magnet_init(&m);
    err = bt_magnet_parse(&m, arg);
    if (err != BT_OK) {
        tool_warn("'%s': %s", arg, bt_strerror(err == BT_ERR_NOMEM ? err : BT_ERR_MAGNET));
        bt_magnet_release(&m);
        return 1;
    }
    if ((src->flags & TOOL_SOURCE_HASH_ONLY) != 0) {
        err = bt_magnet_torrent(&m, t);
        if (err != BT_OK)
            tool_error(err, "magnet link");
        bt_magnet_release(&m);
        return err == BT_OK ? 0 : 1;
    }
    bt_torrent_init(&stub);
    err = bt_magnet_torrent(&m, &stub);
    if (err != BT_OK) {
        tool_error(err, "magnet link");
        status = 1;
    } else {
        status = fetch_metadata(&m, &stub, src, t, raw);
    }
    bt_torrent_release(&stub);
    bt_magnet_release(&m);
    return status;
}

int tool_load_torrent(const char *arg, struct tool_source *src, struct bt_torrent *t,
                      struct bt_buf *raw)
{
    int status = tool_is_magnet(arg) ? load_magnet(arg, src, t, raw) : load_file(arg, src, t, raw);

    if (status == 0 && t->is_private && src->dht != NULL)
        tool_dht_bar(src->dht, src->quiet);
    return status;
}

int tool_trackers_add(struct tool_trackers *tr, char *url)
{
    enum bt_tracker_scheme scheme;

    if (tr->count == BT_TRACKER_MAX_TIERS) {
        tool_warn("too many trackers (at most %d)", BT_TRACKER_MAX_TIERS);
        return TOOL_EXIT_USAGE;
    }
    if (bt_tracker_url_scheme(url, &scheme) != BT_OK) {
        tool_warn("unsupported tracker URL '%s' (want http://, https:// or udp://)", url);
        return TOOL_EXIT_USAGE;
    }
    tr->urls[tr->count++] = url;
    return TOOL_CONTINUE;
}

void tool_announce_report(const char *prefix, const struct bt_announce_result *r, int verbose)
{
    const struct bt_announce_resp *resp = &r->resp;

    switch (r->err) {
    case BT_OK:
        if (verbose)
            tool_warn("%s%s: interval %" PRId64 " s, %" PRId64 " seeders, %" PRId64
                      " leechers, %zu peers",
                      prefix, r->url, resp->interval, resp->complete, resp->incomplete,
                      resp->peers.count);
        if (resp->warning != NULL)
            tool_warn("%s%s: warning: %s", prefix, r->url, resp->warning);
        if (verbose && resp->skipped > 0)
            tool_warn("%s%s: skipped %zu peers given by host name", prefix, r->url, resp->skipped);
        if (verbose && resp->peers.dropped > 0)
            tool_warn("%s%s: kept %d peers, dropped %zu", prefix, r->url, BT_TRACKER_MAX_PEERS,
                      resp->peers.dropped);
        break;
    case BT_ERR_TRACKER_FAILURE:
        tool_warn("%s%s: %s: %s", prefix, r->url, bt_strerror(r->err),
                  resp->failure != NULL ? resp->failure : "");
        break;
    case BT_ERR_TRACKER_HTTP:
        if (resp->http_status != 0)
            tool_warn("%s%s: %s: status %ld", prefix, r->url, bt_strerror(r->err),
                      resp->http_status);
        else
            tool_warn("%s%s: %s", prefix, r->url, bt_strerror(r->err));
        break;
    case BT_ERR_TRACKER_NOT_BENCODED: {
        char subject[BT_TRACKER_URL_MAX + 64];

        snprintf(subject, sizeof(subject), "%s%s: %s", prefix, r->url, bt_strerror(r->err));
        tool_error_at(resp->bencode_err, subject, resp->err_offset, NULL);
        break;
    }
    case BT_ERR_TRACKER_RESPONSE:
    case BT_ERR_TRACKER_PEERS:
        tool_warn("%s%s: %s%s%s", prefix, r->url, bt_strerror(r->err),
                  resp->detail[0] != '\0' ? ": " : "", resp->detail);
        break;
    default: {
        char subject[BT_TRACKER_URL_MAX + 16];

        snprintf(subject, sizeof(subject), "%s%s", prefix, r->url);
        tool_error(r->err, subject);
        break;
    }
    }
}

int tool_lsd_start(struct bt_lsd *lsd, struct bt_loop *loop, const struct bt_torrent *t,
                   uint16_t port, bt_lsd_peer_fn *on_peer, void *arg, int quiet)
{
    enum bt_err err;

    if (t->is_private) {
        if (!quiet)
            tool_warn("local service discovery off: the torrent is private (BEP 27)");
        return 0;
    }
    err = bt_lsd_start(lsd, loop, t->info_hash, port, on_peer, arg);
    if (err != BT_OK) {
        tool_error(err, "local service discovery (" BT_LSD_GROUP ")");
        return 1;
    }
    return 0;
}
