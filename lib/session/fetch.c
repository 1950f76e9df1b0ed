/*
 * fetch.c - shake hands with one peer, or download one piece from it.  See
 * fetch.h for the exchange.
 */
#include "session/fetch.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pieces/piece_hash.h"

#define BLOCK_WANTED 0
#define BLOCK_ASKED  1
#define BLOCK_GOT    2

void bt_fetch_init(struct bt_fetch *f)
{
    memset(f, 0, sizeof(*f));
    f->queue_depth = BT_FETCH_QUEUE_DEPTH;
    f->wait_ms = 30000;
    f->block_timeout_ms = 10000;
    bt_pool_init(&f->pool);
    f->peer.fd = -1; /* no peer tried yet */
    bt_bitfield_init(&f->have);
}

void bt_fetch_release(struct bt_fetch *f)
{
    bt_pool_release(&f->pool);
    bt_bitfield_release(&f->have);
    free(f->data);
    free(f->block_state);
    bt_fetch_init(f);
}

const char *bt_fetch_detail(const struct bt_fetch *f)
{
    return f->detail;
}

/* The attempt is over: remember why and leave the loop. */
static void finish(struct bt_fetch *f, enum bt_err err)
{
    f->result = err;
    f->finished = 1;
    bt_loop_stop(f->pool.loop);
}

static void on_close(void *arg, struct bt_pool_conn *c, enum bt_err err)
{
    struct bt_fetch *f = arg;

    snprintf(f->detail, sizeof(f->detail), "%s", bt_peer_detail(&c->peer));
    finish(f, err);
}

/* The connection is about to be freed: keep what the caller may read of it. */
static void on_forget(void *arg, struct bt_pool_conn *c)
{
    struct bt_fetch *f = arg;

    f->peer = c->peer;
}

/* Run the loop until the attempt finishes, with the peer callbacks of ops. */
static enum bt_err run(struct bt_fetch *f, struct bt_loop *loop, const struct bt_peer_config *cfg,
                       const struct bt_addr *addr, const struct bt_pool_ops *ops)
{
    enum bt_err err;

    f->finished = 0;
    f->result = BT_OK;
    f->detail[0] = '\0';
    f->pool.trace = f->trace;
    f->pool.trace_arg = f->trace_arg;
    err = bt_pool_start(&f->pool, loop, cfg, 1, ops, f);
    if (err == BT_OK)
        err = bt_pool_connect(&f->pool, addr, NULL);
    if (err != BT_OK) {
        snprintf(f->detail, sizeof(f->detail), "connect: %s", strerror(errno));
        bt_pool_release(&f->pool);
        return err;
    }
    while (!f->finished) {
        err = bt_loop_run(loop, NULL);
        if (err != BT_OK) {
            finish(f, err);
            break;
        }
    }
    bt_pool_release(&f->pool);
    return f->result;
}

/* --- bt-handshake: shake hands, collect the extension handshake --- */

static enum bt_err hs_on_handshake(void *arg, struct bt_pool_conn *c)
{
    struct bt_fetch *f = arg;
    const struct bt_peer *p = &c->peer;

    f->since_ms = bt_loop_now_ms();
    f->want_ext = bt_handshake_has_bit(p->cfg->reserved, BT_RESERVED_EXTENSION_BYTE,
                                       BT_RESERVED_EXTENSION_BIT) &&
                  bt_handshake_has_bit(p->remote.reserved, BT_RESERVED_EXTENSION_BYTE,
                                       BT_RESERVED_EXTENSION_BIT);
    if (!f->want_ext)
        finish(f, BT_OK);
    return BT_OK;
}

static enum bt_err hs_on_message(void *arg, struct bt_pool_conn *c, const struct bt_message *m)
{
    struct bt_fetch *f = arg;

    if (c->peer.has_ext)
        finish(f, BT_OK);
    return BT_OK;
}

/* The extension handshake is optional: after the wait, succeed without it. */
static enum bt_err hs_on_tick(void *arg, struct bt_pool_conn *c)
{
    struct bt_fetch *f = arg;

    if (bt_loop_now_ms() - f->since_ms >= BT_FETCH_EXT_WAIT_MS)
        finish(f, BT_OK);
    return BT_OK;
}

static const struct bt_pool_ops hs_ops = {
    .conn_size = sizeof(struct bt_pool_conn),
    .on_handshake = hs_on_handshake,
    .on_message = hs_on_message,
    .on_tick = hs_on_tick,
    .on_close = on_close,
    .on_forget = on_forget,
};

enum bt_err bt_fetch_handshake(struct bt_fetch *f, struct bt_loop *loop,
                               const struct bt_peer_config *cfg, const struct bt_addr *addr)
{
    return run(f, loop, cfg, addr, &hs_ops);
}

/* --- bt-fetch-piece: one piece from one peer --- */

enum bt_err bt_fetch_piece_init(struct bt_fetch *f, const struct bt_torrent *t, size_t index)
{
    int64_t size;

    if (index >= t->piece_count)
        return BT_ERR_INVALID;
    if (bt_torrent_hashes_known(t) != BT_OK)
        return BT_ERR_META_LAYER;
    size = bt_torrent_piece_size(t, index);
    if (size <= 0 || size > BT_META_MAX_PIECE_LENGTH)
        return BT_ERR_INVALID;
    f->t = t;
    f->index = index;
    f->piece_size = (uint32_t)size;
    f->block_count = (f->piece_size + BT_BLOCK_SIZE - 1) / BT_BLOCK_SIZE;
    free(f->data);
    free(f->block_state);
    f->data = malloc(f->piece_size);
    f->block_state = calloc(f->block_count, 1);
    if (f->data == NULL || f->block_state == NULL)
        return BT_ERR_NOMEM;
    return bt_bitfield_resize(&f->have, t->piece_count);
}

static uint32_t block_len(const struct bt_fetch *f, size_t block)
{
    uint32_t begin = (uint32_t)(block * BT_BLOCK_SIZE);

    return f->piece_size - begin < BT_BLOCK_SIZE ? f->piece_size - begin : BT_BLOCK_SIZE;
}

/* Keep queue_depth requests in flight while the peer lets us. */
static enum bt_err request_more(struct bt_fetch *f, struct bt_peer *p)
{
    while (f->has_piece && f->unchoked && f->in_flight < (size_t)f->queue_depth &&
           f->next_block < f->block_count) {
        size_t b = f->next_block++;
        enum bt_err err;

        if (f->block_state[b] != BLOCK_WANTED)
            continue;
        err = bt_peer_send_request(p, BT_MSG_REQUEST, (uint32_t)f->index,
                                   (uint32_t)(b * BT_BLOCK_SIZE), block_len(f, b));
        if (err != BT_OK)
            return err;
        f->block_state[b] = BLOCK_ASKED;
        f->in_flight++;
    }
    return BT_OK;
}

/* The peer showed it has our piece: say we are interested. */
static enum bt_err learned_have(struct bt_fetch *f, struct bt_peer *p)
{
    if (f->has_piece || !bt_bitfield_get(&f->have, f->index))
        return BT_OK;
    f->has_piece = 1;
    f->since_ms = bt_loop_now_ms();
    if (!f->interested) {
        enum bt_err err = bt_peer_send_simple(p, BT_MSG_INTERESTED);

        if (err != BT_OK)
            return err;
        f->interested = 1;
    }
    return request_more(f, p);
}

static enum bt_err take_block(struct bt_fetch *f, struct bt_peer *p, const struct bt_message *m)
{
    size_t b = m->begin / BT_BLOCK_SIZE;
    enum bt_err err;

    if (m->index != f->index || m->begin % BT_BLOCK_SIZE != 0 || b >= f->block_count ||
        f->block_state[b] != BLOCK_ASKED || m->length != block_len(f, b)) {
        bt_peer_why(p, "unrequested block: piece %" PRIu32 " begin %" PRIu32 " length %" PRIu32,
                    m->index, m->begin, m->length);
        return BT_ERR_PEER_UNREQUESTED;
    }
    memcpy(f->data + m->begin, m->payload, m->length);
    f->block_state[b] = BLOCK_GOT;
    f->in_flight--;
    f->got_blocks++;
    if (f->got_blocks < f->block_count)
        return request_more(f, p);
    err = bt_piece_hash_verify(f->t, f->index, f->data, f->piece_size);
    if (err == BT_ERR_PEER_HASH) {
        bt_peer_why(p, "piece %zu failed its %s check: the peer sent wrong data", f->index,
                    (f->t->versions & BT_META_V1) != 0 ? "SHA-1" : "merkle");
        return BT_ERR_PEER_HASH;
    }
    if (err != BT_OK) {
        return err;
    }
    finish(f, BT_OK);
    return BT_OK;
}

static enum bt_err fp_on_handshake(void *arg, struct bt_pool_conn *c)
{
    struct bt_fetch *f = arg;

    f->since_ms = bt_loop_now_ms();
    return BT_OK;
}

static enum bt_err fp_on_message(void *arg, struct bt_pool_conn *c, const struct bt_message *m)
{
    struct bt_fetch *f = arg;
    struct bt_peer *p = &c->peer;
    enum bt_err err;

    if (f->finished)
        return BT_OK;
    switch (m->id) {
    case BT_MSG_BITFIELD:
        err = bt_bitfield_load(&f->have, m->payload, m->payload_len);
        if (err != BT_OK)
            return err;
        return learned_have(f, p);
    case BT_MSG_HAVE:
        bt_bitfield_set(&f->have, m->index);
        return learned_have(f, p);
    case BT_MSG_HAVE_ALL:
        bt_bitfield_set_all(&f->have);
        return learned_have(f, p);
    case BT_MSG_UNCHOKE:
        if (!f->unchoked)
            f->since_ms = bt_loop_now_ms();
        f->unchoked = 1;
        return request_more(f, p);
    case BT_MSG_CHOKE:
        if (f->unchoked) {
            bt_peer_why(p, "peer choked us with %zu of %zu blocks in", f->got_blocks,
                        f->block_count);
            return BT_ERR_PEER_CHOKED;
        }
        return BT_OK;
    case BT_MSG_PIECE:
        return take_block(f, p, m);
    default:
        return BT_OK; /* interested, extension messages...: nothing we need */
    }
}

/* A peer that never shows the piece, or never unchokes, is not worth waiting for. */
static enum bt_err fp_on_tick(void *arg, struct bt_pool_conn *c)
{
    struct bt_fetch *f = arg;
    struct bt_peer *p = &c->peer;
    uint64_t now = bt_loop_now_ms();

    if (f->in_flight > 0 && now - p->last_recv_ms >= (uint64_t)f->block_timeout_ms) {
        bt_peer_why(p, "no block for %d ms with %zu requests in flight", f->block_timeout_ms,
                    f->in_flight);
        return BT_ERR_PEER_SILENT;
    }
    if (now - f->since_ms < (uint64_t)f->wait_ms)
        return BT_OK;
    if (!f->has_piece) {
        bt_peer_why(p, "peer did not announce piece %zu within %d ms", f->index, f->wait_ms);
        return BT_ERR_PEER_NO_PIECE;
    }
    if (!f->unchoked) {
        bt_peer_why(p, "peer did not unchoke us within %d ms", f->wait_ms);
        return BT_ERR_PEER_CHOKED;
    }
    return BT_OK;
}

static const struct bt_pool_ops fp_ops = {
    .conn_size = sizeof(struct bt_pool_conn),
    .on_handshake = fp_on_handshake,
    .on_message = fp_on_message,
    .on_tick = fp_on_tick,
    .on_close = on_close,
    .on_forget = on_forget,
};

enum bt_err bt_fetch_piece_from(struct bt_fetch *f, struct bt_loop *loop,
                                const struct bt_peer_config *cfg, const struct bt_addr *addr)
{
    enum bt_err err;

    memset(f->block_state, BLOCK_WANTED, f->block_count);
    f->next_block = f->in_flight = f->got_blocks = 0;
    f->has_piece = f->unchoked = f->interested = 0;
    f->since_ms = bt_loop_now_ms();
    err = bt_bitfield_resize(&f->have, f->t->piece_count);
    if (err != BT_OK)
        return err;
    return run(f, loop, cfg, addr, &fp_ops);
}
