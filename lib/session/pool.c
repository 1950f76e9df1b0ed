/*
 * pool.c - a session's connections: slots, dialling, accepting, forgetting, and
 * the one table of peer callbacks that hands each event on to the user.  See
 * pool.h for the picture.
 */
#include "session/pool.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void bt_pool_init(struct bt_pool *pool)
{
    memset(pool, 0, sizeof(*pool));
    pool->listen_fd = -1;
}

void bt_pool_say(struct bt_pool *pool, const char *peer, const char *fmt, ...)
{
    char text[BT_POOL_LOG_MAX];
    va_list ap;

    if (pool->log == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    pool->log(pool->log_arg, peer, text);
}

/* c's socket is closed: let the user account for it, then free its slot. */
static void forget(struct bt_pool_conn *c)
{
    struct bt_pool *pool = c->pool;

    if (pool->ops->on_forget != NULL)
        pool->ops->on_forget(pool->arg, c);
    pool->conns[c->slot] = NULL;
    pool->conn_count--;
    free(c);
}

/* ---- the peer callbacks: each hands the event on to the user ---- */

static enum bt_err pass_handshake(void *arg, struct bt_peer *p)
{
    struct bt_pool_conn *c = arg;

    return c->pool->ops->on_handshake(c->pool->arg, c);
}

static enum bt_err pass_message(void *arg, struct bt_peer *p, const struct bt_message *m)
{
    struct bt_pool_conn *c = arg;

    return c->pool->ops->on_message(c->pool->arg, c, m);
}

static enum bt_err pass_drain(void *arg, struct bt_peer *p)
{
    struct bt_pool_conn *c = arg;

    return c->pool->ops->on_drain(c->pool->arg, c);
}

static enum bt_err pass_tick(void *arg, struct bt_peer *p)
{
    struct bt_pool_conn *c = arg;

    return c->pool->ops->on_tick(c->pool->arg, c);
}

/* peer.c's last call for c: tell the user why, then forget c. */
static void pass_close(void *arg, struct bt_peer *p, enum bt_err err)
{
    struct bt_pool_conn *c = arg;

    if (c->pool->ops->on_close != NULL)
        c->pool->ops->on_close(c->pool->arg, c, err);
    forget(c);
}

static void pass_trace(void *arg, struct bt_peer *p, const char *text, size_t len)
{
    struct bt_pool_conn *c = arg;

    c->pool->trace(c->pool->trace_arg, p->name, text, len);
}

enum bt_err bt_pool_start(struct bt_pool *pool, struct bt_loop *loop,
                          const struct bt_peer_config *cfg, size_t max_conns,
                          const struct bt_pool_ops *ops, void *arg)
{
    pool->loop = loop;
    pool->cfg = cfg;
    pool->ops = ops;
    pool->arg = arg;
    pool->peer_ops.on_handshake = pass_handshake;
    pool->peer_ops.on_message = pass_message;
    pool->peer_ops.on_close = pass_close;
    /* Left NULL, peer.c skips the call: a user without a drain or a tick of its
     * own costs nothing, and one without a trace sink builds no trace text. */
    pool->peer_ops.on_drain = ops->on_drain != NULL ? pass_drain : NULL;
    pool->peer_ops.on_tick = ops->on_tick != NULL ? pass_tick : NULL;
    pool->peer_ops.on_trace = pool->trace != NULL ? pass_trace : NULL;
    pool->max_conns = max_conns;
    pool->conns = calloc(max_conns, sizeof(*pool->conns));
    return pool->conns != NULL ? BT_OK : BT_ERR_NOMEM;
}

/* A fresh connection in a free slot, set up by the user, not yet started. */
static enum bt_err new_conn(struct bt_pool *pool, struct bt_pool_conn **out)
{
    struct bt_pool_conn *c;
    size_t slot = 0;

    if (pool->conn_count >= pool->max_conns)
        return BT_ERR_TOO_LARGE;
    while (pool->conns[slot] != NULL)
        slot++;
    c = calloc(1, pool->ops->conn_size);
    if (c == NULL)
        return BT_ERR_NOMEM;
    c->pool = pool;
    c->slot = slot;
    bt_peer_init(&c->peer, pool->loop, pool->cfg, &pool->peer_ops, c);
    if (pool->ops->on_new != NULL) {
        enum bt_err err = pool->ops->on_new(pool->arg, c);

        if (err != BT_OK) {
            free(c);
            return err;
        }
    }
    pool->conns[slot] = c;
    pool->conn_count++;
    *out = c;
    return BT_OK;
}

enum bt_err bt_pool_connect(struct bt_pool *pool, const struct bt_addr *addr,
                            struct bt_pool_conn **out)
{
    struct bt_pool_conn *c;
    enum bt_err err = new_conn(pool, &c);

    if (err != BT_OK)
        return err;
    err = bt_peer_connect(&c->peer, addr);
    if (err != BT_OK) {
        int saved = errno;

        forget(c);
        errno = saved;
        return err;
    }
    if (out != NULL)
        *out = c;
    return BT_OK;
}

size_t bt_pool_dial(struct bt_pool *pool, const struct bt_addr *peers, size_t count, size_t next,
                    size_t max_open, bt_pool_dial_fail_fn *fail, void *arg)
{
    while (next < count && pool->conn_count < max_open) {
        const struct bt_addr *addr = &peers[next++];
        enum bt_err err = bt_pool_connect(pool, addr, NULL);

        if (err != BT_OK && fail != NULL) {
            char name[BT_ADDR_STRLEN], detail[BT_PEER_DETAIL_MAX];

            bt_addr_format(addr, name);
            snprintf(detail, sizeof(detail), "connect: %s", strerror(errno));
            fail(arg, name, err, detail);
        }
    }
    return next;
}

/* The listening socket is readable: take the waiting peers, a burst at most. */
static void on_accept(void *arg, int fd, unsigned events)
{
    struct bt_pool *pool = arg;
    int i;

    for (i = 0; i < BT_NET_ACCEPT_BURST; i++) {
        struct bt_addr addr;
        struct bt_pool_conn *c;
        int cfd = bt_net_accept(fd, &addr);

        if (cfd < 0)
            return;
        if (pool->ops->refuse != NULL && pool->ops->refuse(pool->arg, &addr)) {
            close(cfd);
            continue;
        }
        if (new_conn(pool, &c) != BT_OK) {
            char name[BT_ADDR_STRLEN];

            bt_addr_format(&addr, name);
            bt_pool_say(pool, name, "refused: %zu connections already", pool->conn_count);
            close(cfd);
            continue;
        }
        /* On failure bt_peer_accept has closed cfd itself. */
        if (bt_peer_accept(&c->peer, cfd, &addr) != BT_OK)
            forget(c);
    }
}

enum bt_err bt_pool_listen(struct bt_pool *pool, const struct bt_addr *addr)
{
    enum bt_err err = bt_net_listen_tcp(addr, BT_POOL_BACKLOG, &pool->listen_fd);

    if (err == BT_OK)
        err = bt_net_local_addr(pool->listen_fd, &pool->listen_addr);
    if (err == BT_OK)
        err = bt_loop_watch(pool->loop, pool->listen_fd, BT_LOOP_READ, on_accept, pool);
    if (err != BT_OK && pool->listen_fd >= 0) {
        int saved = errno;

        close(pool->listen_fd);
        pool->listen_fd = -1;
        errno = saved;
    }
    return err;
}

void bt_pool_release(struct bt_pool *pool)
{
    size_t i;

    for (i = 0; i < pool->max_conns && pool->conns != NULL; i++) {
        if (pool->conns[i] != NULL) {
            bt_peer_close(&pool->conns[i]->peer);
            forget(pool->conns[i]);
        }
    }
    free(pool->conns);
    if (pool->listen_fd >= 0) {
        bt_loop_unwatch(pool->loop, pool->listen_fd);
        close(pool->listen_fd);
    }
    bt_pool_init(pool);
}

void bt_pool_round_init(struct bt_pool_round *r)
{
    memset(r, 0, sizeof(*r));
    bt_pool_init(&r->pool);
}

void bt_pool_round_release(struct bt_pool_round *r)
{
    bt_pool_release(&r->pool);
    if (r->loop != NULL)
        bt_loop_cancel(r->loop, r->start_timer);
    r->start_timer = 0;
}

void bt_pool_round_finish(struct bt_pool_round *r, enum bt_err err)
{
    r->result = err;
    r->finished = 1;
    bt_loop_stop(r->loop);
}

/* Fill the free slots with the next peers, in order; when none is left and
 * none is running, every peer has failed. */
static void round_dial(void *arg)
{
    struct bt_pool_round *r = arg;

    r->start_timer = 0;
    if (!r->finished)
        r->next_peer = bt_pool_dial(&r->pool, r->peers, r->peer_count, r->next_peer, r->parallel,
                                    r->log, r->log_arg);
    if (!r->finished && r->after_dial != NULL)
        r->after_dial(r->arg);
    if (r->pool.conn_count == 0 && !r->finished)
        bt_pool_round_finish(r, BT_ERR_NO_PEERS);
}

void bt_pool_round_dropped(struct bt_pool_round *r, struct bt_pool_conn *pc, enum bt_err err)
{
    if (r->log != NULL)
        r->log(r->log_arg, pc->peer.name, err, bt_peer_detail(&pc->peer));
    /* The next peers start on the next round, outside any peer's callback. */
    if (r->start_timer == 0 && bt_loop_timer(r->loop, 0, round_dial, r, &r->start_timer) != BT_OK)
        bt_pool_round_finish(r, BT_ERR_NOMEM);
}

enum bt_err bt_pool_round_run(struct bt_pool_round *r, struct bt_loop *loop,
                              const struct bt_peer_config *cfg, const struct bt_pool_ops *ops,
                              void *arg, const struct bt_addr *peers, size_t peer_count,
                              size_t parallel)
{
    enum bt_err err;

    r->loop = loop;
    r->peers = peers;
    r->peer_count = peer_count;
    r->next_peer = 0;
    r->parallel = parallel;
    r->finished = 0;
    r->result = BT_OK;
    err = bt_pool_start(&r->pool, loop, cfg, parallel, ops, arg);
    if (err == BT_OK)
        round_dial(r);
    else
        bt_pool_round_finish(r, err);
    while (!r->finished) {
        err = bt_loop_run(loop, NULL);
        if (err != BT_OK)
            bt_pool_round_finish(r, err);
        else if (!r->finished && r->pool.conn_count == 0 && r->start_timer == 0)
            bt_pool_round_finish(r, BT_ERR_NO_PEERS); /* nothing left to wait for */
    }
    bt_pool_round_release(r);
    /* The loop and the peer list were lent for this run only. */
    r->loop = NULL;
    r->peers = NULL;
    return r->result;
}
