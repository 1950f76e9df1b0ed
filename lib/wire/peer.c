/*
 * peer.c - a peer connection on the event loop.  See peer.h for the life cycle.
 */
#include "wire/peer.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "metainfo/metainfo.h"
#include "core/sha1.h"
#include "wire/fast.h"
#include "wire/trace.h"

void bt_peer_init(struct bt_peer *p, struct bt_loop *loop, const struct bt_peer_config *cfg,
                  const struct bt_peer_ops *ops, void *arg)
{
    memset(p, 0, sizeof(*p));
    p->loop = loop;
    p->cfg = cfg;
    p->ops = ops;
    p->arg = arg;
    p->fd = -1;
    p->state = BT_PEER_IDLE;
    /* Without a torrent yet (fetching its metadata), any bitfield a torrent may
     * have must fit; the buffer grows only as bytes really arrive. */
    p->max_len = bt_message_max_len(cfg->piece_count != 0 ? cfg->piece_count : BT_META_MAX_PIECES);
    /* One whole message, plus one read that may start the next. */
    bt_buf_init(&p->in, BT_MSG_PREFIX_LEN + p->max_len + BT_PEER_READ_CHUNK);
    bt_buf_init(&p->out, BT_PEER_SEND_MAX);
    bt_buf_init(&p->trace, BT_TRACE_TEXT_MAX);
    bt_mse_init(&p->mse);
}

void bt_peer_close(struct bt_peer *p)
{
    if (p->loop == NULL)
        return; /* never started */
    if (p->fd >= 0) {
        bt_loop_unwatch(p->loop, p->fd);
        close(p->fd);
        p->fd = -1;
    }
    bt_loop_cancel(p->loop, p->timer);
    p->timer = 0;
    bt_buf_release(&p->in);
    bt_buf_release(&p->out);
    bt_buf_release(&p->trace);
    bt_mse_release(&p->mse);
    p->in_off = 0;
    p->out_off = 0;
    p->out_enc = 0;
    p->state = BT_PEER_CLOSED;
}

void bt_peer_why(struct bt_peer *p, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(p->detail, sizeof(p->detail), fmt, ap);
    va_end(ap);
}

const char *bt_peer_detail(const struct bt_peer *p)
{
    return p->detail;
}

size_t bt_peer_pending(const struct bt_peer *p)
{
    return p->out.len - p->out_off;
}

/* Close because of err and tell the owner: the last thing done with p. */
static void fail(struct bt_peer *p, enum bt_err err)
{
    bt_peer_close(p);
    p->ops->on_close(p->arg, p, err);
}

static void emit_trace(struct bt_peer *p)
{
    if (p->trace.len > 0)
        p->ops->on_trace(p->arg, p, (const char *)p->trace.data, p->trace.len);
    bt_buf_reset(&p->trace);
}

static void want_write(struct bt_peer *p)
{
    unsigned events = BT_LOOP_READ;

    if (bt_peer_pending(p) > 0)
        events |= BT_LOOP_WRITE;
    bt_loop_set_events(p->loop, p->fd, events);
}

/*
 * The extension an extended frame's ext id stands for on this connection, for
 * the trace, or NULL: a frame we receive carries an id we offered, one we send
 * an id the peer offered (BEP 10).
 */
static const char *ext_name(const struct bt_peer *p, int dir, const unsigned char *frame,
                            size_t len)
{
    unsigned id;
    size_t i;

    if (len < BT_MSG_PREFIX_LEN + BT_MSG_ID_LEN + 1 || frame[BT_MSG_PREFIX_LEN] != BT_MSG_EXTENDED)
        return NULL;
    id = frame[BT_MSG_PREFIX_LEN + BT_MSG_ID_LEN];
    if (id == BT_EXT_HANDSHAKE_ID)
        return NULL;
    if (dir == BT_TRACE_RECEIVED) {
        if (id == p->cfg->ut_metadata_id)
            return BT_EXT_UT_METADATA;
        return id == p->cfg->ut_pex_id ? BT_EXT_UT_PEX : NULL;
    }
    for (i = 0; p->has_ext && i < p->ext.m_count; i++)
        if (p->ext.m[i].id == (int64_t)id)
            return p->ext.m[i].name;
    return NULL;
}

/* A frame was appended at mark: trace it and ask to be told when we can send. */
static enum bt_err queued(struct bt_peer *p, size_t mark, enum bt_err err)
{
    if (err != BT_OK)
        return err;
    if (p->ops->on_trace != NULL) {
        if (p->state == BT_PEER_OPEN)
            bt_trace_message_named(
                &p->trace, BT_TRACE_SENT, p->out.data + mark, p->out.len - mark,
                p->cfg->piece_count,
                ext_name(p, BT_TRACE_SENT, p->out.data + mark, p->out.len - mark));
        else
            bt_trace_handshake(&p->trace, BT_TRACE_SENT, p->out.data + mark);
        emit_trace(p);
    }
    want_write(p);
    return BT_OK;
}

enum bt_err bt_peer_send_simple(struct bt_peer *p, unsigned id)
{
    size_t mark = p->out.len;

    return queued(p, mark, bt_message_put_simple(&p->out, id));
}

enum bt_err bt_peer_send_have(struct bt_peer *p, uint32_t index)
{
    size_t mark = p->out.len;

    return queued(p, mark, bt_message_put_have(&p->out, BT_MSG_HAVE, index));
}

enum bt_err bt_peer_send_allowed_fast(struct bt_peer *p, uint32_t index)
{
    size_t mark = p->out.len;

    return queued(p, mark, bt_message_put_have(&p->out, BT_MSG_ALLOWED_FAST, index));
}

enum bt_err bt_peer_send_port(struct bt_peer *p, uint16_t port)
{
    size_t mark = p->out.len;

    return queued(p, mark, bt_message_put_port(&p->out, port));
}

enum bt_err bt_peer_send_bitfield(struct bt_peer *p, const unsigned char *bits, size_t n)
{
    size_t mark = p->out.len;

    return queued(p, mark, bt_message_put_bitfield(&p->out, bits, n));
}

enum bt_err bt_peer_send_request(struct bt_peer *p, unsigned id, uint32_t index, uint32_t begin,
                                 uint32_t length)
{
    size_t mark = p->out.len;

    return queued(p, mark, bt_message_put_request(&p->out, id, index, begin, length));
}

enum bt_err bt_peer_send_extended(struct bt_peer *p, unsigned ext_id, const void *payload, size_t n)
{
    size_t mark = p->out.len;

    return queued(p, mark, bt_message_put_extended(&p->out, ext_id, payload, n));
}

enum bt_err bt_peer_send_hash_request(struct bt_peer *p, unsigned id,
                                      const struct bt_hash_request *r)
{
    size_t mark = p->out.len;

    return queued(p, mark, bt_hash_request_put(&p->out, id, r));
}

enum bt_err bt_peer_send_hashes(struct bt_peer *p, const struct bt_hash_request *r,
                                const unsigned char *hashes, size_t n)
{
    size_t mark = p->out.len;

    return queued(p, mark, bt_hashes_put(&p->out, r, hashes, n));
}

enum bt_err bt_peer_send_piece(struct bt_peer *p, uint32_t index, uint32_t begin, uint32_t length,
                               int64_t offset, bt_peer_read_fn *read, void *read_arg)
{
    size_t mark = p->out.len;
    enum bt_err err = bt_message_put_piece_header(&p->out, index, begin, length);

    if (err != BT_OK)
        return err;
    /* put_piece_header reserved room for the block: read it in place. */
    err = read(read_arg, offset, p->out.data + p->out.len, length);
    if (err != BT_OK) {
        p->out.len = mark;
        return err;
    }
    p->out.len += length;
    p->out.data[p->out.len] = '\0';
    return queued(p, mark, BT_OK);
}

static enum bt_err send_handshake(struct bt_peer *p)
{
    struct bt_handshake hs;
    unsigned char wire[BT_HANDSHAKE_LEN];
    size_t mark = p->out.len;

    memcpy(hs.reserved, p->cfg->reserved, BT_RESERVED_LEN);
    memcpy(hs.info_hash, p->cfg->info_hash, BT_HANDSHAKE_HASH_LEN);
    memcpy(hs.peer_id, p->cfg->peer_id, BT_PEER_ID_LEN);
    bt_handshake_encode(&hs, wire);
    return queued(p, mark, bt_buf_append(&p->out, wire, sizeof(wire)));
}

static int both_extended(const struct bt_peer *p)
{
    return bt_handshake_has_bit(p->cfg->reserved, BT_RESERVED_EXTENSION_BYTE,
                                BT_RESERVED_EXTENSION_BIT) &&
           bt_handshake_has_bit(p->remote.reserved, BT_RESERVED_EXTENSION_BYTE,
                                BT_RESERVED_EXTENSION_BIT);
}

int bt_peer_fast(const struct bt_peer *p)
{
    return bt_fast_negotiated(p->cfg->reserved, p->remote.reserved);
}

static enum bt_err send_ext_handshake(struct bt_peer *p)
{
    struct bt_buf dict;
    struct bt_ext_offer offer = {
        .port = p->cfg->listen_port,
        .reqq = p->cfg->reqq,
        .client = p->cfg->client != NULL ? p->cfg->client : "btkit",
        .ut_metadata_id = p->cfg->ut_metadata_id,
        .metadata_size = p->cfg->metadata_size,
        .ut_pex_id = p->cfg->ut_pex_id,
    };
    size_t mark = p->out.len;
    enum bt_err err;

    bt_buf_init(&dict, BT_MSG_EXTENDED_MAX);
    err = bt_ext_handshake_encode(&dict, &offer);
    if (err == BT_OK)
        err = queued(p, mark,
                     bt_message_put_extended(&p->out, BT_EXT_HANDSHAKE_ID, dict.data, dict.len));
    bt_buf_release(&dict);
    return err;
}

/* Move the unsent bytes to the front: the buffer's cap counts sent bytes too. */
static void compact(struct bt_peer *p)
{
    size_t pending = bt_peer_pending(p);

    if (p->out_off == 0)
        return;
    memmove(p->out.data, p->out.data + p->out_off, pending);
    p->out.len = pending;
    p->out_enc = p->out_enc > p->out_off ? p->out_enc - p->out_off : 0;
    p->out_off = 0;
}

static void on_io(void *arg, int fd, unsigned events);

/* A peer we dialled with prefer closed the connection during MSE: it may speak
 * only plain BEP 3, so dial it once more and say nothing of MSE this time. */
static int may_retry_plain(const struct bt_peer *p)
{
    return !p->incoming && p->cfg->encryption == BT_MSE_PREFER &&
           p->mse_phase == BT_PEER_MSE_RUNNING && !p->plain_retry;
}

static enum bt_err retry_plain(struct bt_peer *p)
{
    enum bt_err err;

    bt_loop_unwatch(p->loop, p->fd);
    close(p->fd);
    p->fd = -1;
    bt_mse_release(&p->mse);
    bt_mse_init(&p->mse);
    p->mse_phase = BT_PEER_MSE_NONE;
    p->plain_retry = 1;
    p->in.len = p->in_off = 0;
    p->out.len = p->out_off = p->out_enc = 0;
    if (p->ops->on_trace != NULL) {
        bt_buf_printf(&p->trace, "<- the peer closed the connection during MSE: dialling again, "
                                 "plain\n");
        emit_trace(p);
    }
    err = bt_net_connect_start(&p->addr, &p->fd);
    if (err != BT_OK) {
        bt_peer_why(p, "connect: %s", strerror(errno));
        return err;
    }
    p->state = BT_PEER_CONNECTING;
    p->deadline_ms = bt_loop_now_ms() + (uint64_t)p->cfg->connect_timeout_ms;
    return bt_loop_watch(p->loop, p->fd, BT_LOOP_WRITE, on_io, p);
}

/* Send what we can; let the owner top up the queue when it runs low. */
static enum bt_err flush(struct bt_peer *p)
{
    int topped_up = 0;

    for (;;) {
        size_t pending = bt_peer_pending(p);
        ssize_t n;

        if (pending < BT_PEER_LOW_WATER && p->ops->on_drain != NULL && !topped_up &&
            p->state == BT_PEER_OPEN) {
            enum bt_err err;

            compact(p);
            err = p->ops->on_drain(p->arg, p);

            if (err != BT_OK)
                return err;
            topped_up = 1;
            continue;
        }
        if (pending == 0)
            break;
        /* Everything queued since the last send is plaintext: encrypt it now. */
        if (p->mse_phase == BT_PEER_MSE_DONE && p->out_enc < p->out.len) {
            enum bt_err err =
                bt_mse_encrypt(&p->mse, p->out.data + p->out_enc, p->out.len - p->out_enc);

            if (err != BT_OK)
                return err;
            p->out_enc = p->out.len;
        }
        n = send(p->fd, p->out.data + p->out_off, pending, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n < 0 && (errno == EPIPE || errno == ECONNRESET) && may_retry_plain(p))
            return retry_plain(p);
        if (n < 0) {
            bt_peer_why(p, "send: %s", strerror(errno));
            return (errno == EPIPE || errno == ECONNRESET) ? BT_ERR_NET_CLOSED : BT_ERR_IO;
        }
        p->out_off += (size_t)n;
        p->bytes_out += (uint64_t)n;
        p->last_send_ms = bt_loop_now_ms();
        if (bt_peer_pending(p) < BT_PEER_LOW_WATER)
            topped_up = 0;
    }
    compact(p);
    want_write(p);
    return BT_OK;
}

/* Their handshake is complete in the buffer: check it, answer, go open. */
static enum bt_err take_handshake(struct bt_peer *p, const unsigned char *at)
{
    enum bt_err err = bt_handshake_decode(&p->remote, at);
    char want[41], got[41];

    if (p->ops->on_trace != NULL) {
        bt_trace_handshake(&p->trace, BT_TRACE_RECEIVED, at);
        emit_trace(p);
    }
    if (err != BT_OK) {
        bt_peer_why(p, "not a BitTorrent handshake");
        return err;
    }
    if (memcmp(p->remote.info_hash, p->cfg->info_hash, BT_HANDSHAKE_HASH_LEN) != 0) {
        bt_hex_encode(p->cfg->info_hash, BT_HANDSHAKE_HASH_LEN, want);
        bt_hex_encode(p->remote.info_hash, BT_HANDSHAKE_HASH_LEN, got);
        bt_peer_why(p, "wanted info hash %s, got %s", want, got);
        return BT_ERR_PEER_INFOHASH;
    }
    if (p->incoming) {
        err = send_handshake(p);
        if (err != BT_OK)
            return err;
    }
    p->state = BT_PEER_OPEN;
    p->in_off += BT_HANDSHAKE_LEN;
    if (both_extended(p)) {
        err = send_ext_handshake(p);
        if (err != BT_OK)
            return err;
    }
    return p->ops->on_handshake(p->arg, p);
}

/* MSE's receiver looks the torrent up by HASH('req2', SKEY): we serve one. */
static int mse_lookup(void *arg, const unsigned char req2[BT_SHA1_LEN],
                      unsigned char skey[BT_MSE_SKEY_LEN])
{
    struct bt_peer *p = arg;
    unsigned char want[BT_SHA1_LEN];

    if (bt_mse_req2(p->cfg->info_hash, want) != BT_OK || memcmp(want, req2, BT_SHA1_LEN) != 0)
        return 0;
    memcpy(skey, p->cfg->info_hash, BT_MSE_SKEY_LEN);
    return 1;
}

static const char *provide_text(uint32_t provide)
{
    if (provide == (BT_MSE_CRYPTO_RC4 | BT_MSE_CRYPTO_PLAIN))
        return "rc4 or plaintext";
    if (provide == BT_MSE_CRYPTO_RC4)
        return "rc4";
    if (provide == BT_MSE_CRYPTO_PLAIN)
        return "plaintext";
    return "nothing we know";
}

/* One line of trace for an MSE step that completed: took bytes received, sent
 * bytes queued. */
static void mse_trace(struct bt_peer *p, enum bt_mse_state done, size_t took, size_t sent)
{
    struct bt_buf *t = &p->trace;
    const struct bt_mse *m = &p->mse;

    switch (done) {
    case BT_MSE_B_WAIT_YA:
        bt_buf_printf(t, "<- MSE Ya, their public key (96 bytes)\n");
        bt_buf_printf(t, "-> MSE Yb, our public key, and PadB (%zu bytes)\n", sent);
        break;
    case BT_MSE_B_SYNC_REQ1:
        bt_buf_printf(t, "<- MSE PadA (%zu bytes), HASH('req1', S) found\n", took - BT_SHA1_LEN);
        break;
    case BT_MSE_B_REQ23:
        bt_buf_printf(t, "<- MSE HASH('req2', SKEY) xor HASH('req3', S): our torrent\n");
        break;
    case BT_MSE_B_PROVIDE:
        bt_buf_printf(t, "<- MSE ENCRYPT(VC, crypto_provide 0x%02x (%s), len(PadC) %zu)\n",
                      (unsigned)m->provide, provide_text(m->provide), m->pad_len);
        break;
    case BT_MSE_B_PAD_C:
        bt_buf_printf(t, "<- MSE ENCRYPT(PadC, len(IA) %zu)\n", m->pad_len);
        break;
    case BT_MSE_B_IA:
        bt_buf_printf(t, "<- MSE ENCRYPT(IA): %zu bytes of payload\n", took);
        bt_buf_printf(t,
                      "-> MSE ENCRYPT(VC, crypto_select 0x%02x (%s), PadD) (%zu bytes): "
                      "the stream is %s from here\n",
                      (unsigned)m->select, bt_mse_method_name(m->select), sent,
                      bt_mse_method_name(m->select));
        break;
    case BT_MSE_A_WAIT_YB:
        bt_buf_printf(t, "<- MSE Yb, their public key (96 bytes)\n");
        bt_buf_printf(t,
                      "-> MSE HASH('req1', S), HASH('req2', SKEY) xor HASH('req3', S), "
                      "ENCRYPT(VC, crypto_provide 0x%02x (%s), PadC, IA) (%zu bytes)\n",
                      (unsigned)m->provide, provide_text(m->provide), sent);
        break;
    case BT_MSE_A_SYNC_VC:
        bt_buf_printf(t, "<- MSE PadB (%zu bytes), ENCRYPT(VC) found\n", took - BT_MSE_VC_LEN);
        break;
    case BT_MSE_A_SELECT:
        bt_buf_printf(t, "<- MSE ENCRYPT(crypto_select 0x%02x (%s), len(PadD) %zu)\n",
                      (unsigned)m->select, bt_mse_method_name(m->select), m->pad_len);
        break;
    case BT_MSE_A_PAD_D:
        bt_buf_printf(t, "<- MSE ENCRYPT(PadD): the stream is %s from here\n",
                      bt_mse_method_name(m->select));
        break;
    case BT_MSE_IDLE:
    case BT_MSE_DONE:
    case BT_MSE_FAILED:
        break;
    }
    emit_trace(p);
}

/* MSE is done: what follows in the buffer is payload.  Decrypt it, and put the
 * receiver's initial payload (A's handshake, usually) back in front of it, in
 * the place its encrypted bytes took. */
static enum bt_err mse_done(struct bt_peer *p)
{
    enum bt_err err = bt_mse_decrypt(&p->mse, p->in.data + p->in_off, p->in.len - p->in_off);

    if (err != BT_OK)
        return err;
    if (p->mse.ia.len > 0) {
        p->in_off -= p->mse.ia.len;
        memcpy(p->in.data + p->in_off, p->mse.ia.data, p->mse.ia.len);
    }
    p->mse_phase = BT_PEER_MSE_DONE;
    p->out_enc = p->out.len; /* the handshake's own bytes are already as sent */
    return BT_OK;
}

/* Run the MSE handshake over what has arrived, one traced step at a time. */
static enum bt_err mse_input(struct bt_peer *p)
{
    for (;;) {
        enum bt_mse_state before = p->mse.state;
        size_t took, mark = p->out.len;
        enum bt_err err =
            bt_mse_step(&p->mse, p->in.data + p->in_off, p->in.len - p->in_off, &took, &p->out);

        if (err != BT_OK) {
            if (p->ops->on_trace != NULL) {
                bt_buf_printf(&p->trace, "<- MSE failed: %s\n", p->mse.why);
                emit_trace(p);
            }
            bt_peer_why(p, "encrypted handshake: %s", p->mse.why);
            return err;
        }
        p->in_off += took;
        if (p->out.len > mark) {
            p->out_enc = p->out.len;
            want_write(p);
        }
        if (p->mse.state == before && took == 0)
            return BT_OK; /* more bytes needed */
        if (p->ops->on_trace != NULL)
            mse_trace(p, before, took, p->out.len - mark);
        if (p->mse.state == BT_MSE_DONE)
            return mse_done(p);
    }
}

/* An incoming connection with encryption allowed: 19 "BitTorrent protocol" is
 * a plain handshake, anything else starts MSE (a Ya that begins so is a 1 in
 * 2^160 chance). */
static enum bt_err detect(struct bt_peer *p, const unsigned char *at, size_t avail)
{
    size_t n = avail < BT_HANDSHAKE_PSTR_LEN + 1 ? avail : BT_HANDSHAKE_PSTR_LEN + 1;
    enum bt_err err;

    if (bt_handshake_check_prefix(at, n) == BT_OK) {
        if (n < BT_HANDSHAKE_PSTR_LEN + 1)
            return BT_OK; /* wait for the whole protocol string */
        if (p->cfg->encryption == BT_MSE_REQUIRE) {
            if (p->ops->on_trace != NULL) {
                bt_buf_printf(&p->trace, "<- a plain handshake, refused: we require MSE\n");
                emit_trace(p);
            }
            bt_peer_why(p, "plain handshake refused: encryption is required");
            return BT_ERR_PEER_MSE;
        }
        p->plain_checked = 1;
        return BT_OK;
    }
    p->plain_checked = 1;
    err = bt_mse_start_receiver(&p->mse, p->cfg->encryption, mse_lookup, p);
    if (err != BT_OK) {
        bt_peer_why(p, "encrypted handshake: %s", p->mse.why);
        return err;
    }
    if (p->ops->on_trace != NULL) {
        bt_buf_printf(&p->trace, "<- not a plain handshake: MSE, as the receiver\n");
        emit_trace(p);
    }
    p->mse_phase = BT_PEER_MSE_RUNNING;
    return BT_OK;
}

/* Dial with MSE: Ya and PadA now, our handshake as the initial payload. */
static enum bt_err mse_start(struct bt_peer *p)
{
    struct bt_handshake hs;
    unsigned char wire[BT_HANDSHAKE_LEN];
    uint32_t provide = p->cfg->encryption == BT_MSE_REQUIRE
                           ? BT_MSE_CRYPTO_RC4
                           : BT_MSE_CRYPTO_RC4 | BT_MSE_CRYPTO_PLAIN;
    size_t mark = p->out.len;
    enum bt_err err;

    memcpy(hs.reserved, p->cfg->reserved, BT_RESERVED_LEN);
    memcpy(hs.info_hash, p->cfg->info_hash, BT_HANDSHAKE_HASH_LEN);
    memcpy(hs.peer_id, p->cfg->peer_id, BT_PEER_ID_LEN);
    bt_handshake_encode(&hs, wire);
    err = bt_mse_start_initiator(&p->mse, p->cfg->info_hash, provide, wire, sizeof(wire), &p->out);
    if (err != BT_OK) {
        bt_peer_why(p, "encrypted handshake: %s", p->mse.why != NULL ? p->mse.why : "no memory");
        return err;
    }
    p->out_enc = p->out.len;
    p->mse_phase = BT_PEER_MSE_RUNNING;
    if (p->ops->on_trace != NULL) {
        bt_buf_printf(&p->trace, "-> MSE Ya, our public key, and PadA (%zu bytes), offering %s\n",
                      p->out.len - mark, provide_text(provide));
        bt_trace_handshake(&p->trace, BT_TRACE_SENT, wire);
        bt_buf_printf(&p->trace, "   (the handshake above goes as MSE's initial payload)\n");
        emit_trace(p);
    }
    want_write(p);
    return BT_OK;
}

/* Handle every whole handshake or message in the receive buffer. */
static enum bt_err parse_input(struct bt_peer *p)
{
    while (p->state == BT_PEER_HANDSHAKE || p->state == BT_PEER_OPEN) {
        const unsigned char *at = p->in.data + p->in_off;
        size_t avail = p->in.len - p->in_off, flen;
        struct bt_message m;
        const char *why = NULL;
        enum bt_err err;

        if (p->state == BT_PEER_HANDSHAKE && p->mse_phase == BT_PEER_MSE_RUNNING) {
            err = mse_input(p);
            if (err != BT_OK || p->mse_phase == BT_PEER_MSE_RUNNING)
                return err;
            continue;
        }
        if (p->state == BT_PEER_HANDSHAKE && p->incoming && !p->plain_checked &&
            p->cfg->encryption != BT_MSE_OFF) {
            err = detect(p, at, avail);
            if (err != BT_OK || !p->plain_checked)
                return err;
            continue;
        }
        if (p->state == BT_PEER_HANDSHAKE) {
            size_t n = avail < BT_HANDSHAKE_LEN ? avail : BT_HANDSHAKE_LEN;

            if (bt_handshake_check_prefix(at, n) != BT_OK) {
                if (p->ops->on_trace != NULL) {
                    bt_trace_garbage(&p->trace, BT_TRACE_RECEIVED, at, n);
                    emit_trace(p);
                }
                bt_peer_why(p, "first byte %u is not 19, or the protocol string is wrong",
                            (unsigned)at[0]);
                return BT_ERR_PEER_HANDSHAKE;
            }
            if (avail < BT_HANDSHAKE_LEN)
                return BT_OK;
            err = take_handshake(p, at);
            if (err != BT_OK)
                return err;
            continue;
        }
        err = bt_message_frame(at, avail, p->max_len, &flen);
        if (err != BT_OK) {
            if (p->ops->on_trace != NULL) {
                bt_trace_oversized(&p->trace, BT_TRACE_RECEIVED, at, p->max_len);
                emit_trace(p);
            }
            bt_peer_why(p, "length prefix %u exceeds the largest message (%zu bytes)",
                        (unsigned)bt_get_be32(at), p->max_len);
            return err;
        }
        if (flen == 0 || avail < flen)
            return BT_OK;
        if (p->ops->on_trace != NULL) {
            bt_trace_message_named(&p->trace, BT_TRACE_RECEIVED, at, flen, p->cfg->piece_count,
                                   ext_name(p, BT_TRACE_RECEIVED, at, flen));
            emit_trace(p);
        }
        err = bt_message_parse(&m, at, flen, p->cfg->piece_count, &why);
        if (err != BT_OK) {
            bt_peer_why(p, "%s", why);
            return err;
        }
        p->in_off += flen;
        if (m.id == BT_MSG_KEEPALIVE)
            continue;
        if (bt_fast_is_message(m.id) && !bt_peer_fast(p)) {
            /* BEP 6: its messages are only legal when both handshakes set its bit. */
            bt_peer_why(p, "%s without the fast extension (BEP 6) on both sides",
                        bt_message_name(m.id));
            return BT_ERR_PEER_MESSAGE;
        }
        if (m.id == BT_MSG_EXTENDED && m.ext_id == BT_EXT_HANDSHAKE_ID && both_extended(p)) {
            if (bt_ext_handshake_parse(&p->ext, m.payload, m.payload_len) == BT_OK)
                p->has_ext = 1;
        }
        err = p->ops->on_message(p->arg, p, &m);
        if (err != BT_OK)
            return err;
    }
    return BT_OK;
}

static enum bt_err read_input(struct bt_peer *p)
{
    size_t room;
    ssize_t n;
    enum bt_err err;

    /* The buffer holds at most one partial message after parse_input, so there is
     * always room for a read. */
    room = p->in.max - p->in.len;
    if (room > BT_PEER_READ_CHUNK)
        room = BT_PEER_READ_CHUNK;
    err = bt_buf_reserve(&p->in, room);
    if (err != BT_OK)
        return err;
    n = read(p->fd, p->in.data + p->in.len, room);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return BT_OK;
    if ((n == 0 || (n < 0 && errno == ECONNRESET)) && may_retry_plain(p))
        return retry_plain(p);
    if (n < 0) {
        bt_peer_why(p, "read: %s", strerror(errno));
        return errno == ECONNRESET ? BT_ERR_NET_CLOSED : BT_ERR_IO;
    }
    if (n == 0 && p->mse_phase == BT_PEER_MSE_RUNNING) {
        bt_peer_why(p, "peer closed the connection during the encrypted handshake "
                       "(does it speak MSE, and serve this torrent?)");
        return BT_ERR_NET_CLOSED;
    }
    if (n == 0) {
        bt_peer_why(p, "%s",
                    p->state == BT_PEER_OPEN ? "peer closed the connection"
                                             : "peer closed the connection before its handshake "
                                               "(does it serve this torrent?)");
        return BT_ERR_NET_CLOSED;
    }
    if (p->mse_phase == BT_PEER_MSE_DONE) {
        err = bt_mse_decrypt(&p->mse, p->in.data + p->in.len, (size_t)n);
        if (err != BT_OK)
            return err;
    }
    p->in.len += (size_t)n;
    p->bytes_in += (uint64_t)n;
    p->last_recv_ms = bt_loop_now_ms();
    err = parse_input(p);
    if (err != BT_OK || p->state == BT_PEER_CLOSED)
        return err;
    if (p->in_off > 0) {
        memmove(p->in.data, p->in.data + p->in_off, p->in.len - p->in_off);
        p->in.len -= p->in_off;
        p->in_off = 0;
    }
    return BT_OK;
}

static void on_io(void *arg, int fd, unsigned events)
{
    struct bt_peer *p = arg;
    enum bt_err err = BT_OK;

    if (p->state == BT_PEER_CONNECTING) {
        err = bt_net_connect_result(fd);
        if (err != BT_OK) {
            bt_peer_why(p, "connect: %s", strerror(errno));
            fail(p, err);
            return;
        }
        p->state = BT_PEER_HANDSHAKE;
        p->deadline_ms = bt_loop_now_ms() + (uint64_t)p->cfg->handshake_timeout_ms;
        err =
            p->cfg->encryption != BT_MSE_OFF && !p->plain_retry ? mse_start(p) : send_handshake(p);
        if (err != BT_OK)
            fail(p, err);
        return;
    }
    if ((events & BT_LOOP_WRITE) != 0)
        err = flush(p);
    if (err == BT_OK && (events & (BT_LOOP_READ | BT_LOOP_ERROR)) != 0)
        err = read_input(p);
    /* A callback may have queued messages: try to send them now. */
    if (err == BT_OK && p->state == BT_PEER_OPEN && bt_peer_pending(p) > 0)
        err = flush(p);
    if (err != BT_OK)
        fail(p, err);
}

static void on_tick(void *arg)
{
    struct bt_peer *p = arg;
    uint64_t now = bt_loop_now_ms();
    enum bt_err err = BT_OK;

    p->timer = 0;
    if (p->state == BT_PEER_CONNECTING && now >= p->deadline_ms) {
        bt_peer_why(p, "no connection after %d ms", p->cfg->connect_timeout_ms);
        err = BT_ERR_NET_TIMEOUT;
    } else if (p->state == BT_PEER_HANDSHAKE && now >= p->deadline_ms) {
        if (p->mse_phase == BT_PEER_MSE_RUNNING)
            bt_peer_why(p, "encrypted handshake (MSE) not finished after %d ms",
                        p->cfg->handshake_timeout_ms);
        else
            bt_peer_why(p, "no handshake after %d ms", p->cfg->handshake_timeout_ms);
        err = BT_ERR_NET_TIMEOUT;
    } else if (p->state == BT_PEER_OPEN) {
        if (now - p->last_recv_ms >= (uint64_t)p->cfg->idle_timeout_ms) {
            bt_peer_why(p, "nothing received for %d ms", p->cfg->idle_timeout_ms);
            err = BT_ERR_PEER_SILENT;
        } else if (now - p->last_send_ms >= BT_PEER_KEEPALIVE_MS && bt_peer_pending(p) == 0) {
            size_t mark = p->out.len;

            err = queued(p, mark, bt_message_put_keepalive(&p->out));
            p->last_send_ms = now;
        }
        if (err == BT_OK && p->ops->on_tick != NULL)
            err = p->ops->on_tick(p->arg, p);
    }
    if (err != BT_OK) {
        fail(p, err);
        return;
    }
    if (bt_loop_timer(p->loop, BT_PEER_TICK_MS, on_tick, p, &p->timer) != BT_OK)
        fail(p, BT_ERR_NOMEM);
}

static enum bt_err start(struct bt_peer *p, unsigned events)
{
    enum bt_err err = bt_loop_watch(p->loop, p->fd, events, on_io, p);

    if (err == BT_OK)
        err = bt_loop_timer(p->loop, BT_PEER_TICK_MS, on_tick, p, &p->timer);
    if (err != BT_OK)
        bt_peer_close(p);
    return err;
}

enum bt_err bt_peer_connect(struct bt_peer *p, const struct bt_addr *addr)
{
    enum bt_err err;

    p->addr = *addr;
    bt_addr_format(addr, p->name);
    p->incoming = 0;
    err = bt_net_connect_start(addr, &p->fd);
    if (err != BT_OK) {
        bt_peer_why(p, "connect: %s", strerror(errno));
        p->state = BT_PEER_CLOSED;
        return err;
    }
    p->state = BT_PEER_CONNECTING;
    p->last_recv_ms = p->last_send_ms = bt_loop_now_ms();
    p->deadline_ms = p->last_recv_ms + (uint64_t)p->cfg->connect_timeout_ms;
    return start(p, BT_LOOP_WRITE);
}

enum bt_err bt_peer_accept(struct bt_peer *p, int fd, const struct bt_addr *addr)
{
    p->addr = *addr;
    bt_addr_format(addr, p->name);
    p->incoming = 1;
    p->fd = fd;
    p->state = BT_PEER_HANDSHAKE;
    p->last_recv_ms = p->last_send_ms = bt_loop_now_ms();
    p->deadline_ms = p->last_recv_ms + (uint64_t)p->cfg->handshake_timeout_ms;
    return start(p, BT_LOOP_READ);
}
