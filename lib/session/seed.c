/*
 * seed.c - serve a complete torrent.  See seed.h for the exchange and policy.
 */
#include "session/seed.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wire/peerid.h"

void bt_seed_init(struct bt_seed *s)
{
    memset(s, 0, sizeof(*s));
    s->listen_fd = -1;
    bt_bitfield_init(&s->bits);
}

static void say(struct bt_seed *s, const char *peer, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say(struct bt_seed *s, const char *peer, const char *fmt, ...)
{
    char text[BT_SEED_LOG_MAX];
    va_list ap;

    if (s->log == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    s->log(s->log_arg, peer, text);
}

static void forget(struct bt_seed_conn *c)
{
    struct bt_seed *s = c->seed;

    s->bytes_served += c->up.bytes_sent;
    s->conns[c->slot] = NULL;
    s->conn_count--;
    free(c);
}

void bt_seed_release(struct bt_seed *s)
{
    size_t i;

    for (i = 0; i < s->max_conns && s->conns != NULL; i++) {
        if (s->conns[i] != NULL) {
            bt_peer_close(&s->conns[i]->peer);
            forget(s->conns[i]);
        }
    }
    free(s->conns);
    if (s->listen_fd >= 0) {
        bt_loop_unwatch(s->loop, s->listen_fd);
        close(s->listen_fd);
    }
    bt_bitfield_release(&s->bits);
    bt_seed_init(s);
}

static enum bt_err on_handshake(void *arg, struct bt_peer *p)
{
    struct bt_seed_conn *c = arg;
    char client[BT_PEERID_NAME_MAX];

    bt_peerid_client(p->remote.peer_id, client);
    say(c->seed, p->name, "connected (%s)", client);
    return bt_peer_send_bitfield(p, c->seed->bits.bits, bt_bitfield_bytes(c->seed->bits.count));
}

static enum bt_err on_message(void *arg, struct bt_peer *p, const struct bt_message *m)
{
    struct bt_seed_conn *c = arg;
    int handled;

    /* have, bitfield, extensions...: a seed needs none of them. */
    return bt_upload_message(&c->up, p, m, &handled);
}

static enum bt_err on_drain(void *arg, struct bt_peer *p)
{
    struct bt_seed_conn *c = arg;

    return bt_upload_serve(&c->up, p);
}

static void on_close(void *arg, struct bt_peer *p, enum bt_err err)
{
    struct bt_seed_conn *c = arg;

    if (err == BT_ERR_NET_CLOSED)
        say(c->seed, p->name, "disconnected after %" PRIu64 " blocks", c->up.blocks_sent);
    else
        say(c->seed, p->name, "dropped: %s%s%s", bt_strerror(err),
            bt_peer_detail(p)[0] != '\0' ? ": " : "", bt_peer_detail(p));
    forget(c);
}

static void on_trace(void *arg, struct bt_peer *p, const char *text, size_t len)
{
    struct bt_seed_conn *c = arg;

    c->seed->trace(c->seed->trace_arg, p->name, text, len);
}

static const struct bt_peer_ops seed_ops = {
    .on_handshake = on_handshake,
    .on_message = on_message,
    .on_drain = on_drain,
    .on_close = on_close,
    .on_trace = on_trace,
};

static const struct bt_peer_ops seed_ops_quiet = {
    .on_handshake = on_handshake,
    .on_message = on_message,
    .on_drain = on_drain,
    .on_close = on_close,
};

/* A free slot and a fresh connection in it, or NULL at the cap. */
static struct bt_seed_conn *new_conn(struct bt_seed *s)
{
    struct bt_seed_conn *c;
    size_t i;

    if (s->conn_count >= s->max_conns)
        return NULL;
    for (i = 0; i < s->max_conns && s->conns[i] != NULL; i++)
        ;
    c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    c->seed = s;
    c->slot = i;
    s->conns[i] = c;
    s->conn_count++;
    bt_upload_init(&c->up, s->t, s->storage, &s->bits);
    bt_peer_init(&c->peer, s->loop, &s->cfg, s->trace != NULL ? &seed_ops : &seed_ops_quiet, c);
    return c;
}

static void on_accept(void *arg, int fd, unsigned events)
{
    struct bt_seed *s = arg;
    int i;

    for (i = 0; i < BT_NET_ACCEPT_BURST; i++) {
        struct bt_addr addr;
        struct bt_seed_conn *c;
        char name[BT_ADDR_STRLEN];
        int cfd = bt_net_accept(fd, &addr);

        if (cfd < 0)
            return;
        bt_addr_format(&addr, name);
        c = new_conn(s);
        if (c == NULL) {
            say(s, name, "refused: %zu connections already", s->conn_count);
            close(cfd);
            continue;
        }
        if (bt_peer_accept(&c->peer, cfd, &addr) != BT_OK) {
            close(cfd);
            forget(c);
        }
    }
}

uint64_t bt_seed_bytes_served(const struct bt_seed *s)
{
    uint64_t sum = s->bytes_served;
    size_t i;

    for (i = 0; i < s->max_conns && s->conns != NULL; i++)
        if (s->conns[i] != NULL)
            sum += s->conns[i]->up.bytes_sent;
    return sum;
}

enum bt_err bt_seed_connect(struct bt_seed *s, const struct bt_addr *addr)
{
    struct bt_seed_conn *c = new_conn(s);
    enum bt_err err;

    if (c == NULL)
        return BT_ERR_TOO_LARGE;
    err = bt_peer_connect(&c->peer, addr);
    if (err != BT_OK)
        forget(c);
    return err;
}

enum bt_err bt_seed_start(struct bt_seed *s, struct bt_loop *loop, const struct bt_torrent *t,
                          struct bt_storage *storage, const struct bt_peer_config *cfg,
                          const struct bt_addr *addr, size_t max_conns)
{
    enum bt_err err;

    s->loop = loop;
    s->t = t;
    s->storage = storage;
    s->cfg = *cfg;
    s->max_conns = max_conns != 0 ? max_conns : BT_SEED_MAX_PEERS;
    s->conns = calloc(s->max_conns, sizeof(*s->conns));
    if (s->conns == NULL)
        return BT_ERR_NOMEM;
    err = bt_bitfield_resize(&s->bits, t->piece_count);
    if (err != BT_OK)
        return err;
    bt_bitfield_set_all(&s->bits);
    err = bt_net_listen_tcp(addr, BT_SEED_BACKLOG, &s->listen_fd);
    if (err == BT_OK)
        err = bt_net_local_addr(s->listen_fd, &s->listen_addr);
    if (err == BT_OK) {
        s->cfg.listen_port = bt_addr_port(&s->listen_addr);
        err = bt_loop_watch(loop, s->listen_fd, BT_LOOP_READ, on_accept, s);
    }
    return err;
}
