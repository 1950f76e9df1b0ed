/*
 * seed.c - serve a complete torrent.  See seed.h for the exchange and policy.
 */
#include "session/seed.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "wire/peerid.h"
#include "wire/pex.h"

void bt_seed_init(struct bt_seed *s)
{
    memset(s, 0, sizeof(*s));
    bt_pool_init(&s->pool);
    bt_bitfield_init(&s->bits);
    bt_announcer_init(&s->ann);
    bt_dht_source_init(&s->dht);
}

void bt_seed_release(struct bt_seed *s)
{
    bt_announcer_stop(&s->ann); /* while the numbers it reports are still there */
    bt_announcer_release(&s->ann);
    bt_dht_source_release(&s->dht);
    if (s->dht_timer != 0)
        bt_loop_cancel(s->pool.loop, s->dht_timer);
    bt_pool_release(&s->pool);
    bt_bitfield_release(&s->bits);
    bt_seed_init(s);
}

static enum bt_err on_new(void *arg, struct bt_pool_conn *pc)
{
    struct bt_seed *s = arg;
    struct bt_seed_conn *c = (struct bt_seed_conn *)pc;

    bt_upload_init(&c->up, s->t, s->storage, &s->bits);
    bt_pex_state_init(&c->pex);
    return BT_OK;
}

static enum bt_err on_handshake(void *arg, struct bt_pool_conn *pc)
{
    struct bt_seed *s = arg;
    struct bt_seed_conn *c = (struct bt_seed_conn *)pc;
    char client[BT_PEERID_NAME_MAX];

    bt_peerid_client(pc->peer.remote.peer_id, client);
    bt_pool_say(&s->pool, pc->peer.name, "connected (%s%s)", client,
                bt_peer_fast(&pc->peer) ? ", fast extension" : "");
    if (bt_dht_source_handshake(&s->dht, &pc->peer) != BT_OK)
        return BT_ERR_TOO_LARGE;
    /* Every bit set: have all under BEP 6, else a full bitfield. */
    return bt_upload_start(&c->up, &pc->peer);
}

static enum bt_err on_message(void *arg, struct bt_pool_conn *pc, const struct bt_message *m)
{
    struct bt_seed_conn *c = (struct bt_seed_conn *)pc;
    int handled;

    if (m->id == BT_MSG_PORT) {
        bt_dht_source_port(&((struct bt_seed *)arg)->dht, &pc->peer, m->port, bt_loop_now_ms());
        return BT_OK;
    }
    /* have, bitfield, extensions...: a seed needs none of them. */
    return bt_upload_message(&c->up, &pc->peer, m, &handled);
}

static enum bt_err on_drain(void *arg, struct bt_pool_conn *pc)
{
    struct bt_seed_conn *c = (struct bt_seed_conn *)pc;

    return bt_upload_serve(&c->up, &pc->peer);
}

/* The address a peer accepts connections on, to tell others of; 0 if unknown. */
static int pex_addr(const struct bt_peer *p, struct bt_pex_peer *out)
{
    memset(out, 0, sizeof(*out));
    bt_netaddr_from_addr(&p->addr, &out->addr);
    if (!p->incoming) {
        out->flags = BT_PEX_F_REACHABLE; /* we dialled it (-c) */
        return 1;
    }
    if (!p->has_ext || p->ext.port <= 0 || p->ext.port > UINT16_MAX)
        return 0;
    out->addr.port = (uint16_t)p->ext.port; /* its listening port, not the one it came from */
    return 1;
}

/* Twice a second: PEX to a peer that speaks it, when its minute has passed. */
static enum bt_err on_tick(void *arg, struct bt_pool_conn *pc)
{
    struct bt_seed *s = arg;
    struct bt_seed_conn *c = (struct bt_seed_conn *)pc;
    struct bt_peer *p = &pc->peer;
    uint64_t now = bt_loop_now_ms();
    struct bt_pex_peer *current;
    struct bt_buf buf;
    size_t n = 0, added, dropped, i;
    unsigned their_id;
    enum bt_err err;

    if (s->cfg.ut_pex_id == 0 || !p->has_ext || now < c->pex.due_ms)
        return BT_OK;
    their_id = bt_ext_handshake_id(&p->ext, BT_EXT_UT_PEX);
    if (their_id == 0)
        return BT_OK;
    current = malloc(s->pool.max_conns * sizeof(*current));
    if (current == NULL)
        return BT_ERR_NOMEM;
    for (i = 0; i < s->pool.max_conns; i++) {
        const struct bt_pool_conn *o = s->pool.conns[i];

        if (o != NULL && o != pc && o->peer.state == BT_PEER_OPEN &&
            pex_addr(&o->peer, &current[n]))
            n++;
    }
    bt_buf_init(&buf, BT_PEX_MAX_LEN);
    err = bt_pex_state_next(&c->pex, now, current, n, &buf, &added, &dropped);
    if (err == BT_OK && buf.len > 0) {
        err = bt_peer_send_extended(p, their_id, buf.data, buf.len);
        if (err != BT_OK)
            bt_peer_why(p, "cannot queue a ut_pex message: %s", bt_strerror(err));
    }
    bt_buf_release(&buf);
    free(current);
    return err;
}

static void on_close(void *arg, struct bt_pool_conn *pc, enum bt_err err)
{
    struct bt_seed *s = arg;
    struct bt_seed_conn *c = (struct bt_seed_conn *)pc;
    const struct bt_peer *p = &pc->peer;

    if (err == BT_ERR_NET_CLOSED && c->up.rejected > 0)
        bt_pool_say(&s->pool, p->name,
                    "disconnected after %" PRIu64 " blocks and %" PRIu64 " rejected requests",
                    c->up.blocks_sent, c->up.rejected);
    else if (err == BT_ERR_NET_CLOSED)
        bt_pool_say(&s->pool, p->name, "disconnected after %" PRIu64 " blocks", c->up.blocks_sent);
    else
        bt_pool_say(&s->pool, p->name, "dropped: %s%s%s", bt_strerror(err),
                    bt_peer_detail(p)[0] != '\0' ? ": " : "", bt_peer_detail(p));
}

/* Closed or released: its bytes count toward what we served. */
static void on_forget(void *arg, struct bt_pool_conn *pc)
{
    struct bt_seed *s = arg;
    struct bt_seed_conn *c = (struct bt_seed_conn *)pc;

    s->bytes_served += c->up.bytes_sent;
}

static const struct bt_pool_ops seed_ops = {
    .conn_size = sizeof(struct bt_seed_conn),
    .on_new = on_new,
    .on_handshake = on_handshake,
    .on_message = on_message,
    .on_drain = on_drain,
    .on_tick = on_tick,
    .on_close = on_close,
    .on_forget = on_forget,
};

uint64_t bt_seed_bytes_served(const struct bt_seed *s)
{
    uint64_t sum = s->bytes_served;
    size_t i;

    for (i = 0; i < s->pool.max_conns; i++) {
        const struct bt_seed_conn *c = (const struct bt_seed_conn *)s->pool.conns[i];

        if (c != NULL)
            sum += c->up.bytes_sent;
    }
    return sum;
}

enum bt_err bt_seed_connect(struct bt_seed *s, const struct bt_addr *addr)
{
    return bt_pool_connect(&s->pool, addr, NULL);
}

enum bt_err bt_seed_start(struct bt_seed *s, struct bt_loop *loop, const struct bt_torrent *t,
                          struct bt_storage *storage, const struct bt_peer_config *cfg,
                          const struct bt_addr *addr, size_t max_conns)
{
    enum bt_err err;

    s->t = t;
    s->storage = storage;
    s->cfg = *cfg;
    /* BEP 27: a private torrent's peers come from its trackers alone. */
    if (t->is_private)
        s->cfg.ut_pex_id = 0;
    s->pool.log = s->log;
    s->pool.log_arg = s->log_arg;
    s->pool.trace = s->trace;
    s->pool.trace_arg = s->trace_arg;
    err = bt_pool_start(&s->pool, loop, &s->cfg, max_conns != 0 ? max_conns : BT_SEED_MAX_PEERS,
                        &seed_ops, s);
    if (err == BT_OK)
        err = bt_bitfield_resize(&s->bits, t->piece_count);
    if (err != BT_OK)
        return err;
    bt_bitfield_set_all(&s->bits);
    err = bt_pool_listen(&s->pool, addr);
    if (err == BT_OK)
        s->cfg.listen_port = bt_addr_port(&s->pool.listen_addr);
    return err;
}

/* What the announcer tells the trackers: a seed has nothing left to get. */
static void announce_stats(void *arg, struct bt_announce_stats *st)
{
    struct bt_seed *s = arg;

    st->port = bt_addr_port(&s->pool.listen_addr);
    st->uploaded = (int64_t)bt_seed_bytes_served(s);
    st->left = 0;
}

enum bt_err bt_seed_announce(struct bt_seed *s, char *const *urls, size_t n,
                             bt_tracker_result_fn *report, void *arg)
{
    struct bt_announcer_config cfg;

    bt_announcer_config_init(&cfg);
    memcpy(cfg.peer_id, s->cfg.peer_id, BT_PEER_ID_LEN);
    cfg.numwant = -1; /* a seed needs no peers: the tracker's choice */
    cfg.stats = announce_stats;
    cfg.stats_arg = s;
    cfg.result = report;
    cfg.result_arg = arg;
    return bt_announcer_start(&s->ann, s->pool.loop, s->t, urls, n, &cfg);
}

/* Every second: the DHT source announces when it is due. */
static void on_dht_tick(void *arg)
{
    struct bt_seed *s = arg;

    s->dht_timer = 0;
    bt_dht_source_tick(&s->dht, bt_loop_now_ms(), 0);
    (void)bt_loop_timer(s->pool.loop, 1000, on_dht_tick, s, &s->dht_timer);
}

enum bt_err bt_seed_dht(struct bt_seed *s, struct bt_dht *dht, uint16_t node_port)
{
    bt_dht_source_start(&s->dht, dht, node_port, s->t->info_hash,
                        bt_addr_port(&s->pool.listen_addr), NULL, NULL);
    return bt_loop_timer(s->pool.loop, 0, on_dht_tick, s, &s->dht_timer);
}
