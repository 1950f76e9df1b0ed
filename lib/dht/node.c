/*
 * node.c - a DHT node on a UDP socket and the event loop.  See node.h.
 */
#include "dht/node.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void bt_dht_node_init(struct bt_dht_node *n)
{
    memset(n, 0, sizeof(*n));
    n->fd = -1;
    bt_dht_init(&n->dht);
}

static void on_send(void *arg, const void *pkt, size_t len, const struct bt_netaddr *to)
{
    struct bt_dht_node *n = arg;
    struct bt_addr addr;

    if (bt_addr_from_netaddr(to, &addr) != BT_OK || addr.ss.ss_family != n->bound.ss.ss_family)
        return; /* a node of the other family: not reachable from this socket */
    /* A full socket buffer loses the datagram as the network would: the
     * query's timeout covers it. */
    (void)sendto(n->fd, pkt, len, 0, (const struct sockaddr *)&addr.ss, addr.len);
}

static void on_tick(void *arg);

/* Set the tick's timer for wait ms from now (the only timer: any one set goes). */
static void set_tick(struct bt_dht_node *n, uint64_t now, uint64_t wait)
{
    if (n->timer != 0)
        bt_loop_cancel(n->loop, n->timer);
    n->timer = 0;
    n->tick_due_ms = now + wait;
    (void)bt_loop_timer(n->loop, wait, on_tick, n, &n->timer);
}

static void on_tick(void *arg)
{
    struct bt_dht_node *n = arg;
    uint64_t now = bt_loop_now_ms();

    n->timer = 0;
    set_tick(n, now, bt_dht_tick(&n->dht, now));
}

static void on_readable(void *arg, int fd, unsigned events)
{
    struct bt_dht_node *n = arg;
    unsigned char pkt[BT_KRPC_MAX_PACKET + 1];
    int i;

    for (i = 0; i < BT_NET_ACCEPT_BURST; i++) {
        struct bt_addr from;
        struct bt_netaddr sender;
        ssize_t got;

        memset(&from, 0, sizeof(from));
        from.len = sizeof(from.ss);
        got = recvfrom(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&from.ss, &from.len);
        if (got < 0)
            return; /* EAGAIN: nothing more now */
        bt_netaddr_from_addr(&from, &sender);
        /* One byte more than the cap: a longer datagram arrives cut, and is dropped. */
        bt_dht_receive(&n->dht, pkt, (size_t)got, &sender, bt_loop_now_ms());
    }
    bt_dht_node_wake(n);
}

void bt_dht_node_wake(struct bt_dht_node *n)
{
    uint64_t now = bt_loop_now_ms(), wait = bt_dht_next_tick(&n->dht, now);

    /* Sooner only: a stream of datagrams must not put maintenance off. */
    if (n->timer != 0 && now + wait < n->tick_due_ms)
        set_tick(n, now, wait);
}

enum bt_err bt_dht_node_start(struct bt_dht_node *n, struct bt_loop *loop,
                              const struct bt_addr *addr, const struct bt_dht_config *cfg)
{
    struct bt_dht_config c = *cfg;
    enum bt_err err;

    n->loop = loop;
    err = bt_net_bind_udp(addr, &n->fd);
    if (err == BT_OK)
        err = bt_net_local_addr(n->fd, &n->bound);
    if (err != BT_OK)
        return err;
    c.send = on_send;
    c.send_arg = n;
    err = bt_dht_start(&n->dht, &c, bt_loop_now_ms());
    if (err == BT_OK)
        err = bt_loop_watch(loop, n->fd, BT_LOOP_READ, on_readable, n);
    if (err == BT_OK) {
        n->tick_due_ms = bt_loop_now_ms() + BT_DHT_TICK_MS;
        err = bt_loop_timer(loop, BT_DHT_TICK_MS, on_tick, n, &n->timer);
    }
    return err;
}

void bt_dht_node_release(struct bt_dht_node *n)
{
    if (n->loop != NULL && n->timer != 0)
        bt_loop_cancel(n->loop, n->timer);
    if (n->fd >= 0) {
        if (n->loop != NULL)
            bt_loop_unwatch(n->loop, n->fd);
        close(n->fd);
    }
    bt_dht_release(&n->dht);
    bt_dht_node_init(n);
}
