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
    p->in_off = 0;
    p->out_off = 0;
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
    p->out_off = 0;
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
        n = send(p->fd, p->out.data + p->out_off, pending, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
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

/* Handle every whole handshake or message in the receive buffer. */
static enum bt_err parse_input(struct bt_peer *p)
{
    while (p->state == BT_PEER_HANDSHAKE || p->state == BT_PEER_OPEN) {
        const unsigned char *at = p->in.data + p->in_off;
        size_t avail = p->in.len - p->in_off, flen;
        struct bt_message m;
        const char *why = NULL;
        enum bt_err err;

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
    if (n < 0) {
        bt_peer_why(p, "read: %s", strerror(errno));
        return errno == ECONNRESET ? BT_ERR_NET_CLOSED : BT_ERR_IO;
    }
    if (n == 0) {
        bt_peer_why(p, "%s",
                    p->state == BT_PEER_OPEN ? "peer closed the connection"
                                             : "peer closed the connection before its handshake "
                                               "(does it serve this torrent?)");
        return BT_ERR_NET_CLOSED;
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
        err = send_handshake(p);
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
