/*
 * node.h - a DHT node (dht.h) on a UDP socket and the event loop.
 *
 *   UDP socket readable ─> recvfrom, up to BT_NET_ACCEPT_BURST a wake-up ─> bt_dht_receive
 *   bt_dht's send        ─> sendto
 *   loop timer           ─> bt_dht_tick, set again for when it asks
 *
 * One socket, of the family of the address it is bound to (an IPv6 socket is
 * IPv6 only): nodes of the other family are in the table but not reached
 * from here, as BEP 32 expects of a node that runs one DHT per family.
 */
#ifndef BT_DHT_NODE_H
#define BT_DHT_NODE_H

#include <stdint.h>

#include "core/error.h"
#include "core/loop.h"
#include "core/net.h"
#include "dht/dht.h"

struct bt_dht_node {
    struct bt_dht dht;
    struct bt_loop *loop;
    int fd;
    struct bt_addr bound; /* the address really bound (the port picked for 0) */
    uint64_t timer;
    uint64_t tick_due_ms; /* when the timer calls bt_dht_tick */
};

/* Cannot fail. */
void bt_dht_node_init(struct bt_dht_node *n);

/*
 * Bind UDP on addr (port 0 picks one: see n->bound) and start the node on loop
 * with a copy of cfg (whose send is set here).  BT_ERR_IO (errno says why).
 */
enum bt_err bt_dht_node_start(struct bt_dht_node *n, struct bt_loop *loop,
                              const struct bt_addr *addr, const struct bt_dht_config *cfg);

/* Bring the next tick forward if the node wants it sooner (dht.h's
 * bt_dht_next_tick): after datagrams in (done here), and after the owner
 * starts an operation, so that a query to a node that is gone is found late
 * in time. */
void bt_dht_node_wake(struct bt_dht_node *n);

/* Close the socket, cancel the timer, release the node. */
void bt_dht_node_release(struct bt_dht_node *n);

#endif /* BT_DHT_NODE_H */
