/*
 * listener.c - bt-tracker's sockets on the event loop: each HTTP connection
 * read with a size cap and a deadline and handed to server_http.c, each
 * datagram handed to server_udp.c, and the expiry of silent peers.  See
 * server.h.
 *
 *   TCP port P  accept ─> read the request head (at most 8 KiB, within 10 s)
 *                          ─> bt_tracker_server_http() ─> write ─> close
 *   UDP port P  recvfrom ─> bt_tracker_server_udp() ─> sendto
 *
 * Each wake-up takes at most BURST connections or datagrams, so that a flood on
 * one socket cannot starve the others.
 */
#include "tracker/server.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PORT_0_TRIES 20 /* attempts to find one port free for TCP and UDP */
#define BURST        64 /* accepts or datagrams per wake-up */

struct bt_tracker_conn {
    int fd;
    struct bt_addr from;
    char in[BT_TRACKER_SERVER_MAX_REQUEST];
    size_t in_len;
    struct bt_buf out;
    size_t out_off;
    uint64_t timer;
    int draining; /* answer sent: reading the rest until EOF before closing */
    struct bt_tracker_server *srv;
};

static void conn_close(struct bt_tracker_conn *c)
{
    struct bt_tracker_server *srv = c->srv;
    size_t i;

    bt_loop_unwatch(srv->loop, c->fd);
    bt_loop_cancel(srv->loop, c->timer);
    close(c->fd);
    bt_buf_release(&c->out);
    for (i = 0; i < srv->conn_count; i++) {
        if (srv->conns[i] == c) {
            srv->conns[i] = srv->conns[--srv->conn_count];
            break;
        }
    }
    free(c);
}

static void on_conn_timeout(void *arg)
{
    struct bt_tracker_conn *c = arg;

    c->timer = 0;
    conn_close(c);
}

/* The request head ends at the first empty line. */
static int head_complete(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i + 1 < n; i++) {
        if (p[i] == '\n' &&
            (p[i + 1] == '\n' || (p[i + 1] == '\r' && i + 2 < n && p[i + 2] == '\n')))
            return 1;
    }
    return 0;
}

static void conn_write(struct bt_tracker_conn *c)
{
    while (c->out_off < c->out.len) {
        ssize_t n = send(c->fd, c->out.data + c->out_off, c->out.len - c->out_off, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return; /* the loop calls us again when the socket has room */
        if (n <= 0)
            break;
        c->out_off += (size_t)n;
    }
    if (c->out_off < c->out.len || c->in_len < sizeof(c->in)) {
        conn_close(c);
        return;
    }
    /* The client may still be sending a request we refused as too large.  Closing
     * with unread bytes makes the kernel send a reset, which can destroy our answer
     * before the client reads it: finish sending, then read until the client
     * closes (or the connection's deadline passes). */
    shutdown(c->fd, SHUT_WR);
    c->draining = 1;
    bt_loop_set_events(c->srv->loop, c->fd, BT_LOOP_READ);
}

static void conn_drain(struct bt_tracker_conn *c)
{
    for (;;) {
        ssize_t n = recv(c->fd, c->in, sizeof(c->in), 0);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0)
            break;
    }
    conn_close(c);
}

static void conn_respond(struct bt_tracker_conn *c, int too_large)
{
    struct bt_tracker_server *srv = c->srv;
    char host[BT_ADDR_STRLEN];
    enum bt_err err;

    if (too_large) {
        bt_addr_format(&c->from, host);
        err = bt_tracker_server_http_refuse(srv, &c->out, 413, "Request Too Large", host,
                                            "request too large");
    } else {
        err = bt_tracker_server_http(srv, c->in, c->in_len, &c->from, bt_loop_now_ms(), &c->out);
    }
    if (err != BT_OK) {
        conn_close(c);
        return;
    }
    bt_loop_set_events(srv->loop, c->fd, BT_LOOP_WRITE);
    conn_write(c);
}

static void on_conn_io(void *arg, int fd, unsigned events)
{
    struct bt_tracker_conn *c = arg;

    if (c->draining) {
        conn_drain(c);
        return;
    }
    if (c->out.len > 0) {
        conn_write(c);
        return;
    }
    for (;;) {
        ssize_t n = recv(fd, c->in + c->in_len, sizeof(c->in) - c->in_len, 0);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0) {
            conn_close(c); /* closed or failed before a whole request */
            return;
        }
        c->in_len += (size_t)n;
        if (head_complete(c->in, c->in_len)) {
            conn_respond(c, 0);
            return;
        }
        if (c->in_len == sizeof(c->in)) {
            conn_respond(c, 1);
            return;
        }
    }
}

static void on_accept(void *arg, int fd, unsigned events)
{
    struct bt_tracker_server *srv = arg;
    int i;

    for (i = 0; i < BURST; i++) {
        struct bt_tracker_conn *c;
        struct bt_addr from;
        int cfd = bt_net_accept(fd, &from);

        if (cfd < 0)
            return;
        /* Full: refuse by closing, rather than queue without bound. */
        if (srv->conn_count == BT_TRACKER_SERVER_MAX_CONNS) {
            close(cfd);
            continue;
        }
        c = calloc(1, sizeof(*c));
        if (c == NULL) {
            close(cfd);
            continue;
        }
        c->fd = cfd;
        c->from = from;
        c->srv = srv;
        bt_buf_init(&c->out, BT_TRACKER_SERVER_MAX_RESPONSE + BT_TRACKER_SERVER_MAX_REQUEST);
        srv->conns[srv->conn_count++] = c;
        if (bt_loop_watch(srv->loop, cfd, BT_LOOP_READ, on_conn_io, c) != BT_OK ||
            bt_loop_timer(srv->loop, BT_TRACKER_SERVER_CONN_MS, on_conn_timeout, c, &c->timer) !=
                BT_OK)
            conn_close(c);
    }
}

static void on_udp(void *arg, int fd, unsigned events)
{
    struct bt_tracker_server *srv = arg;
    unsigned char in[BT_UDP_MAX_PACKET], out[BT_UDP_MAX_PACKET];
    int i;

    for (i = 0; i < BURST; i++) {
        struct bt_addr from;
        ssize_t n;
        size_t out_len;

        memset(&from, 0, sizeof(from));
        from.len = sizeof(from.ss);
        n = recvfrom(fd, in, sizeof(in), 0, (struct sockaddr *)&from.ss, &from.len);
        if (n < 0)
            return;
        bt_tracker_server_udp(srv, in, (size_t)n, &from, bt_loop_now_ms(), out, &out_len);
        if (out_len > 0)
            (void)sendto(fd, out, out_len, 0, (const struct sockaddr *)&from.ss, from.len);
    }
}

static void on_expire(void *arg)
{
    struct bt_tracker_server *srv = arg;
    size_t dropped = bt_swarms_expire(&srv->swarms, bt_loop_now_ms());
    uint64_t every = srv->swarms.ttl_ms / 2 > 0 ? srv->swarms.ttl_ms / 2 : 1;

    if (dropped > 0)
        bt_tracker_server_log(srv, "expired %zu peers", dropped);
    if (bt_loop_timer(srv->loop, every, on_expire, srv, &srv->expire_timer) != BT_OK)
        srv->expire_timer = 0;
}

/* Bind TCP then UDP on the same port number.  For port 0 the kernel picks the
 * TCP port, which may be taken for UDP: then try again with another. */
static enum bt_err bind_pair(const struct bt_addr *want, int *tcp, int *udp, struct bt_addr *got)
{
    int tries = bt_addr_port(want) == 0 ? PORT_0_TRIES : 1, i;
    enum bt_err err = BT_ERR_IO;

    for (i = 0; i < tries; i++) {
        err = bt_net_listen_tcp(want, SOMAXCONN, tcp);
        if (err != BT_OK)
            return err;
        err = bt_net_local_addr(*tcp, got);
        if (err == BT_OK)
            err = bt_net_bind_udp(got, udp);
        if (err == BT_OK)
            return BT_OK;
        close(*tcp);
        *tcp = -1;
    }
    return err;
}

enum bt_err bt_tracker_server_start(struct bt_tracker_server *srv)
{
    size_t i;
    enum bt_err err;

    for (i = 0; i < srv->cfg.bind_count; i++) {
        err = bind_pair(&srv->cfg.binds[i], &srv->tcp_fds[i], &srv->udp_fds[i], &srv->bound[i]);
        if (err != BT_OK)
            return err;
        srv->bound_count++;
        err = bt_loop_watch(srv->loop, srv->tcp_fds[i], BT_LOOP_READ, on_accept, srv);
        if (err == BT_OK)
            err = bt_loop_watch(srv->loop, srv->udp_fds[i], BT_LOOP_READ, on_udp, srv);
        if (err != BT_OK)
            return err;
    }
    on_expire(srv);
    return srv->expire_timer != 0 ? BT_OK : BT_ERR_NOMEM;
}

void bt_tracker_server_release(struct bt_tracker_server *srv)
{
    size_t i;

    while (srv->conn_count > 0)
        conn_close(srv->conns[0]);
    for (i = 0; i < BT_TRACKER_SERVER_MAX_BINDS; i++) {
        if (srv->tcp_fds[i] >= 0) {
            bt_loop_unwatch(srv->loop, srv->tcp_fds[i]);
            close(srv->tcp_fds[i]);
        }
        if (srv->udp_fds[i] >= 0) {
            bt_loop_unwatch(srv->loop, srv->udp_fds[i]);
            close(srv->udp_fds[i]);
        }
        srv->tcp_fds[i] = -1;
        srv->udp_fds[i] = -1;
    }
    if (srv->loop != NULL)
        bt_loop_cancel(srv->loop, srv->expire_timer);
    bt_swarms_release(&srv->swarms);
}
