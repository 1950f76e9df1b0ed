/*
 * metadata_fetch.c - ask a few peers at a time for the info dict, keep the
 * first copy that hashes to the info hash.  See metadata_fetch.h.
 */
#include "session/metadata_fetch.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void bt_metadata_fetch_init(struct bt_metadata_fetch *f)
{
    memset(f, 0, sizeof(*f));
    f->piece_timeout_ms = 10000;
    bt_pool_round_init(&f->round);
}

void bt_metadata_fetch_release(struct bt_metadata_fetch *f)
{
    bt_pool_round_release(&f->round);
    free(f->info);
    bt_metadata_fetch_init(f);
}

/* Keep BT_MDF_WINDOW requests in flight. */
static enum bt_err request_more(struct bt_mdf_conn *c, struct bt_peer *p)
{
    while (c->in_flight < BT_MDF_WINDOW && c->next_piece < c->md.piece_count) {
        struct bt_buf req;
        enum bt_err err;

        bt_buf_init(&req, BT_METADATA_MAX_HEAD);
        err = bt_metadata_put(&req, BT_METADATA_REQUEST, (uint32_t)c->next_piece, 0, NULL, 0);
        if (err == BT_OK)
            err = bt_peer_send_extended(p, c->their_id, req.data, req.len);
        bt_buf_release(&req);
        if (err != BT_OK)
            return err;
        c->next_piece++;
        c->in_flight++;
    }
    return BT_OK;
}

static enum bt_err on_handshake(void *arg, struct bt_pool_conn *pc)
{
    struct bt_mdf_conn *c = (struct bt_mdf_conn *)pc;
    struct bt_peer *p = &pc->peer;

    c->since_ms = bt_loop_now_ms();
    if (!bt_handshake_has_bit(p->remote.reserved, BT_RESERVED_EXTENSION_BYTE,
                              BT_RESERVED_EXTENSION_BIT)) {
        bt_peer_why(p, "peer does not speak the extension protocol (BEP 10)");
        return BT_ERR_METADATA_UNSUPPORTED;
    }
    return BT_OK;
}

/* Their extension handshake: do they offer ut_metadata, and how big is it? */
static enum bt_err take_ext_handshake(struct bt_mdf_conn *c, struct bt_peer *p)
{
    enum bt_err err;

    if (c->their_id != 0)
        return BT_OK; /* BEP 10 allows a second handshake; the first one set us up */
    c->their_id = bt_ext_handshake_id(&p->ext, BT_EXT_UT_METADATA);
    if (c->their_id == 0) {
        bt_peer_why(p, "no ut_metadata in its extension handshake");
        return BT_ERR_METADATA_UNSUPPORTED;
    }
    err = bt_metadata_set_size(&c->md, p->ext.metadata_size);
    if (err == BT_ERR_METADATA_SIZE) {
        bt_peer_why(p, "metadata_size %" PRId64 " (must be 1 to %d bytes)", p->ext.metadata_size,
                    BT_METADATA_MAX);
        return err;
    }
    if (err != BT_OK)
        return err;
    return request_more(c, p);
}

/* The assembly is complete: keep it if it hashes right. */
static enum bt_err complete(struct bt_metadata_fetch *f, struct bt_mdf_conn *c, struct bt_peer *p)
{
    enum bt_err err = bt_metadata_verify(&c->md);

    if (err == BT_ERR_METADATA_HASH) {
        bt_peer_why(p, "its %zu bytes of metadata do not hash to the info hash", c->md.size);
        return err;
    }
    if (err != BT_OK)
        return err;
    f->info = c->md.data;
    f->info_len = c->md.size;
    c->md.data = NULL; /* now the fetch's */
    f->winner_addr = p->addr;
    memcpy(f->winner, p->name, sizeof(f->winner));
    bt_pool_round_finish(&f->round, BT_OK);
    return BT_OK;
}

static enum bt_err take_metadata(struct bt_metadata_fetch *f, struct bt_mdf_conn *c,
                                 struct bt_peer *p, const struct bt_message *m)
{
    struct bt_metadata_msg mm;
    struct bt_buf answer;
    enum bt_err err;
    int type;

    if (bt_metadata_parse(&mm, m->payload, m->payload_len) != BT_OK) {
        bt_peer_why(p, "malformed ut_metadata message");
        return BT_ERR_PEER_MESSAGE;
    }
    switch (mm.type) {
    case BT_METADATA_REQUEST:
        /* We have nothing to give yet: say so, as BEP 9 asks. */
        if (c->their_id == 0)
            return BT_OK;
        bt_buf_init(&answer, BT_METADATA_MAX_HEAD);
        err = bt_metadata_answer(&answer, NULL, 0, mm.piece, &type);
        if (err == BT_OK)
            err = bt_peer_send_extended(p, c->their_id, answer.data, answer.len);
        bt_buf_release(&answer);
        return err;
    case BT_METADATA_REJECT:
        bt_peer_why(p, "peer rejected metadata piece %" PRId64, mm.piece);
        return BT_ERR_METADATA_REJECTED;
    case BT_METADATA_DATA:
        if (c->md.size == 0) {
            bt_peer_why(p, "metadata before its extension handshake");
            return BT_ERR_PEER_UNREQUESTED;
        }
        if (mm.piece >= (int64_t)c->next_piece) {
            bt_peer_why(p, "metadata piece %" PRId64 " that we did not request", mm.piece);
            return BT_ERR_PEER_UNREQUESTED;
        }
        err = bt_metadata_take(&c->md, &mm);
        if (err == BT_ERR_METADATA_SIZE)
            bt_peer_why(p, "total_size %" PRId64 " but metadata_size %zu", mm.total_size,
                        c->md.size);
        else if (err != BT_OK)
            bt_peer_why(p, "metadata piece %" PRId64 " of %zu bytes has the wrong length", mm.piece,
                        mm.data_len);
        if (err != BT_OK)
            return err;
        c->in_flight--;
        c->since_ms = bt_loop_now_ms();
        if (bt_metadata_complete(&c->md))
            return complete(f, c, p);
        return request_more(c, p);
    default:
        return BT_OK; /* BEP 9: unknown msg_type values are ignored */
    }
}

static enum bt_err on_message(void *arg, struct bt_pool_conn *pc, const struct bt_message *m)
{
    struct bt_metadata_fetch *f = arg;
    struct bt_mdf_conn *c = (struct bt_mdf_conn *)pc;
    struct bt_peer *p = &pc->peer;

    if (f->round.finished || m->id != BT_MSG_EXTENDED)
        return BT_OK; /* bitfield, have...: the pieces are for later */
    if (m->ext_id == BT_EXT_HANDSHAKE_ID)
        return p->has_ext ? take_ext_handshake(c, p) : BT_OK;
    if (m->ext_id == p->cfg->ut_metadata_id)
        return take_metadata(f, c, p, m);
    return BT_OK;
}

/* A peer that never offers ut_metadata, or stops sending pieces, is dropped. */
static enum bt_err on_tick(void *arg, struct bt_pool_conn *pc)
{
    struct bt_metadata_fetch *f = arg;
    struct bt_mdf_conn *c = (struct bt_mdf_conn *)pc;
    struct bt_peer *p = &pc->peer;
    uint64_t now = bt_loop_now_ms();

    if (c->their_id == 0 && now - c->since_ms >= BT_MDF_EXT_WAIT_MS) {
        bt_peer_why(p, "no extension handshake within %d ms", BT_MDF_EXT_WAIT_MS);
        return BT_ERR_METADATA_UNSUPPORTED;
    }
    if (c->in_flight > 0 && now - c->since_ms >= (uint64_t)f->piece_timeout_ms) {
        bt_peer_why(p, "no metadata piece for %d ms with %zu requests in flight",
                    f->piece_timeout_ms, c->in_flight);
        return BT_ERR_PEER_SILENT;
    }
    return BT_OK;
}

/* A dropped peer is reported; the next one takes its slot. */
static void on_close(void *arg, struct bt_pool_conn *pc, enum bt_err err)
{
    struct bt_metadata_fetch *f = arg;

    bt_pool_round_dropped(&f->round, pc, err);
}

static enum bt_err on_new(void *arg, struct bt_pool_conn *pc)
{
    struct bt_metadata_fetch *f = arg;
    struct bt_mdf_conn *c = (struct bt_mdf_conn *)pc;

    bt_metadata_init(&c->md, f->cfg->info_hash);
    return BT_OK;
}

static void on_forget(void *arg, struct bt_pool_conn *pc)
{
    struct bt_mdf_conn *c = (struct bt_mdf_conn *)pc;

    bt_metadata_release(&c->md);
}

static const struct bt_pool_ops mdf_ops = {
    .conn_size = sizeof(struct bt_mdf_conn),
    .on_new = on_new,
    .on_handshake = on_handshake,
    .on_message = on_message,
    .on_tick = on_tick,
    .on_close = on_close,
    .on_forget = on_forget,
};

enum bt_err bt_metadata_fetch_run(struct bt_metadata_fetch *f, struct bt_loop *loop,
                                  const struct bt_peer_config *cfg, const struct bt_addr *peers,
                                  size_t peer_count)
{
    f->cfg = cfg;
    f->round.log = f->log;
    f->round.log_arg = f->log_arg;
    f->round.pool.trace = f->trace;
    f->round.pool.trace_arg = f->trace_arg;
    return bt_pool_round_run(&f->round, loop, cfg, &mdf_ops, f, peers, peer_count, BT_MDF_PARALLEL);
}
