/*
 * layers_fetch.c - ask a few peers at a time for the ranges of every missing
 * piece layer, keep each range once it proves against its pieces root.  See
 * layers_fetch.h.
 */
#include "session/layers_fetch.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "wire/hashes.h"

void bt_layers_fetch_init(struct bt_layers_fetch *f)
{
    memset(f, 0, sizeof(*f));
    f->timeout_ms = 10000;
    bt_pool_round_init(&f->round);
}

void bt_layers_fetch_release(struct bt_layers_fetch *f)
{
    bt_pool_round_release(&f->round);
    free(f->layers);
    free(f->offset);
    free(f->ranges);
    bt_layers_fetch_init(f);
}

/* Does file i need a layer from the peers? */
static int needs_layer(const struct bt_torrent *t, size_t i)
{
    const struct bt_file *file = &t->files[i];

    return !file->pad && file->length > t->piece_length;
}

static uint64_t pieces_of(const struct bt_torrent *t, size_t i)
{
    return (uint64_t)((t->files[i].length + t->piece_length - 1) / t->piece_length);
}

/* Cut every missing layer into ranges and make room for it. */
static enum bt_err plan(struct bt_layers_fetch *f)
{
    const struct bt_torrent *t = f->t;
    size_t i, n = 0;

    f->piece_layer = bt_merkle_log2((uint64_t)t->piece_length / BT_MERKLE_BLOCK);
    f->offset = calloc(t->file_count > 0 ? t->file_count : 1, sizeof(*f->offset));
    if (f->offset == NULL)
        return BT_ERR_NOMEM;
    /* Every piece lies in one file: at most piece_count hashes, which the
     * metainfo capped, and as many ranges. */
    for (i = 0; i < t->file_count; i++) {
        if (!needs_layer(t, i))
            continue;
        f->offset[i] = f->layers_len;
        f->layers_len += pieces_of(t, i) * BT_MERKLE_HASH_LEN;
        n += (pieces_of(t, i) + BT_HASHES_ASK_MAX - 1) / BT_HASHES_ASK_MAX;
    }
    f->layers = malloc(f->layers_len > 0 ? f->layers_len : 1);
    f->ranges = calloc(n > 0 ? n : 1, sizeof(*f->ranges));
    if (f->layers == NULL || f->ranges == NULL)
        return BT_ERR_NOMEM;
    for (i = 0; i < t->file_count; i++) {
        uint64_t pieces = pieces_of(t, i), at;

        for (at = 0; needs_layer(t, i) && at < pieces; at += BT_HASHES_ASK_MAX) {
            struct bt_lf_range *r = &f->ranges[f->range_count++];
            uint64_t len = bt_merkle_width(pieces - at);

            r->file = i;
            r->index = (uint32_t)at;
            /* BEP 52: 2 at least; a power of two, so the last range is padded. */
            r->length = (uint32_t)(len > BT_HASHES_ASK_MAX ? BT_HASHES_ASK_MAX : len < 2 ? 2 : len);
        }
    }
    return BT_OK;
}

/* The request that asks for range r, with the proof layers that reach the root. */
static struct bt_hash_request request_for(const struct bt_layers_fetch *f,
                                          const struct bt_lf_range *r)
{
    const struct bt_file *file = &f->t->files[r->file];
    struct bt_hash_request q;

    memcpy(q.root, file->pieces_root, BT_PIECES_ROOT_LEN);
    q.base = f->piece_layer;
    q.index = r->index;
    q.length = r->length;
    q.proof_layers = bt_hashes_tree_layers(file->length) - f->piece_layer - 1;
    return q;
}

/* Ask c for ranges nobody is asked for, BT_LF_WINDOW at a time. */
static enum bt_err request_more(struct bt_layers_fetch *f, struct bt_lf_conn *c)
{
    size_t i;

    for (i = 0; i < f->range_count && c->in_flight < BT_LF_WINDOW; i++) {
        struct bt_lf_range *r = &f->ranges[i];
        struct bt_hash_request q;
        enum bt_err err;

        if (r->done || r->owner != NULL)
            continue;
        q = request_for(f, r);
        err = bt_peer_send_hash_request(&c->base.peer, BT_MSG_HASH_REQUEST, &q);
        if (err != BT_OK)
            return err;
        r->owner = c;
        c->in_flight++;
        c->since_ms = bt_loop_now_ms();
    }
    return BT_OK;
}

/* The range c was asked for that q names, or NULL. */
static struct bt_lf_range *asked(struct bt_layers_fetch *f, struct bt_lf_conn *c,
                                 const struct bt_hash_request *q)
{
    size_t i;

    for (i = 0; i < f->range_count; i++) {
        struct bt_lf_range *r = &f->ranges[i];
        struct bt_hash_request mine;

        if (r->owner != c || r->done)
            continue;
        mine = request_for(f, r);
        if (memcmp(mine.root, q->root, BT_PIECES_ROOT_LEN) == 0 && mine.base == q->base &&
            mine.index == q->index && mine.length == q->length &&
            mine.proof_layers == q->proof_layers)
            return r;
    }
    return NULL;
}

static enum bt_err complete(struct bt_layers_fetch *f)
{
    enum bt_err err = bt_torrent_set_layers(f->t, f->layers, f->layers_len);

    if (err == BT_OK)
        f->layers = NULL; /* the torrent's now */
    bt_pool_round_finish(&f->round, err);
    return BT_OK;
}

static enum bt_err take_hashes(struct bt_layers_fetch *f, struct bt_lf_conn *c, struct bt_peer *p,
                               const struct bt_message *m)
{
    struct bt_hashes h;
    struct bt_lf_range *r;
    const struct bt_file *file;
    uint64_t pieces;
    uint32_t keep;

    if (bt_hashes_parse(&h, m->payload, m->payload_len) != BT_OK) {
        bt_peer_why(p, "malformed hashes message (%zu bytes)", m->payload_len);
        return BT_ERR_HASHES;
    }
    r = asked(f, c, &h.req);
    if (r == NULL) {
        bt_peer_why(p, "hashes at index %" PRIu32 " length %" PRIu32 " that we did not request",
                    h.req.index, h.req.length);
        return BT_ERR_PEER_UNREQUESTED;
    }
    file = &f->t->files[r->file];
    if (bt_hashes_verify(&h, bt_hashes_tree_layers(file->length)) != BT_OK) {
        bt_peer_why(p, "hashes %" PRIu32 "-%" PRIu32 " of '%s' do not prove its pieces root",
                    r->index, r->index + r->length - 1, file->path);
        return BT_ERR_HASHES_PROOF;
    }
    /* Keep the file's pieces; the padding past its end was only for the proof. */
    pieces = pieces_of(f->t, r->file);
    keep = pieces - r->index < r->length ? (uint32_t)(pieces - r->index) : r->length;
    memcpy(f->layers + f->offset[r->file] + (size_t)r->index * BT_MERKLE_HASH_LEN, h.hashes,
           (size_t)keep * BT_MERKLE_HASH_LEN);
    r->done = 1;
    r->owner = NULL;
    f->ranges_done++;
    f->hashes_got += keep;
    c->in_flight--;
    c->since_ms = bt_loop_now_ms();
    if (f->ranges_done == f->range_count)
        return complete(f);
    return request_more(f, c);
}

static enum bt_err take_reject(struct bt_layers_fetch *f, struct bt_lf_conn *c, struct bt_peer *p,
                               const struct bt_message *m)
{
    struct bt_hash_request q;

    if (bt_hash_request_parse(&q, m->payload, m->payload_len) != BT_OK) {
        bt_peer_why(p, "malformed hash reject (%zu bytes)", m->payload_len);
        return BT_ERR_HASHES;
    }
    if (asked(f, c, &q) == NULL)
        return BT_OK; /* not ours, or answered already */
    bt_peer_why(p, "hash request index %" PRIu32 " length %" PRIu32 " rejected", q.index, q.length);
    return BT_ERR_HASHES_REJECTED;
}

static enum bt_err on_handshake(void *arg, struct bt_pool_conn *pc)
{
    return request_more(arg, (struct bt_lf_conn *)pc);
}

static enum bt_err on_message(void *arg, struct bt_pool_conn *pc, const struct bt_message *m)
{
    struct bt_layers_fetch *f = arg;
    struct bt_lf_conn *c = (struct bt_lf_conn *)pc;

    if (f->round.finished)
        return BT_OK;
    if (m->id == BT_MSG_HASHES)
        return take_hashes(f, c, &pc->peer, m);
    if (m->id == BT_MSG_HASH_REJECT)
        return take_reject(f, c, &pc->peer, m);
    return BT_OK; /* bitfield, have, choke...: the pieces are for later */
}

/* A peer that stops answering is dropped. */
static enum bt_err on_tick(void *arg, struct bt_pool_conn *pc)
{
    struct bt_layers_fetch *f = arg;
    struct bt_lf_conn *c = (struct bt_lf_conn *)pc;

    if (c->in_flight > 0 && bt_loop_now_ms() - c->since_ms >= (uint64_t)f->timeout_ms) {
        bt_peer_why(&pc->peer, "no hashes for %d ms with %zu hash requests in flight",
                    f->timeout_ms, c->in_flight);
        return BT_ERR_PEER_SILENT;
    }
    return BT_OK;
}

/* A dropped peer is reported; the next one takes its slot. */
static void on_close(void *arg, struct bt_pool_conn *pc, enum bt_err err)
{
    struct bt_layers_fetch *f = arg;

    bt_pool_round_dropped(&f->round, pc, err);
}

/* Its ranges go back to the others, however it ended. */
static void on_forget(void *arg, struct bt_pool_conn *pc)
{
    struct bt_layers_fetch *f = arg;
    size_t i;

    for (i = 0; i < f->range_count; i++)
        if (f->ranges[i].owner == (struct bt_lf_conn *)pc)
            f->ranges[i].owner = NULL;
}

static const struct bt_pool_ops lf_ops = {
    .conn_size = sizeof(struct bt_lf_conn),
    .on_handshake = on_handshake,
    .on_message = on_message,
    .on_tick = on_tick,
    .on_close = on_close,
    .on_forget = on_forget,
};

/* After each dialling: the ranges a dropped peer had go to the ones still open. */
static void hand_out(void *arg)
{
    struct bt_layers_fetch *f = arg;
    size_t i;

    for (i = 0; !f->round.finished && i < f->round.pool.max_conns; i++) {
        struct bt_lf_conn *c = (struct bt_lf_conn *)f->round.pool.conns[i];

        /* A full send buffer leaves the ranges unowned, for the next round. */
        if (c != NULL && c->base.peer.state == BT_PEER_OPEN)
            (void)request_more(f, c);
    }
}

enum bt_err bt_layers_fetch_run(struct bt_layers_fetch *f, struct bt_loop *loop,
                                const struct bt_peer_config *cfg, struct bt_torrent *t,
                                const struct bt_addr *peers, size_t peer_count)
{
    enum bt_err err;

    if (bt_torrent_hashes_known(t) == BT_OK || (t->versions & BT_META_V2) == 0)
        return BT_OK;
    f->cfg = cfg;
    f->t = t;
    err = plan(f);
    if (err == BT_OK) {
        f->round.log = f->log;
        f->round.log_arg = f->log_arg;
        f->round.after_dial = hand_out;
        f->round.arg = f;
        f->round.pool.trace = f->trace;
        f->round.pool.trace_arg = f->trace_arg;
        err =
            bt_pool_round_run(&f->round, loop, cfg, &lf_ops, f, peers, peer_count, BT_LF_PARALLEL);
    }
    f->t = NULL; /* lent for this run only */
    return err;
}
