/*
 * dht_source.h - the DHT (lib/dht) as a source of peers for a session (a
 * download or a seed), beside its trackers: the same torrent looked up (and
 * announced) now and then, and the nodes that peers tell us of.
 *
 *   every BT_DHT_SOURCE_MS (BT_DHT_SOURCE_STARVING_MS while the session has no
 *   peer to try):  announce_peer (or only get_peers, when we do not listen)
 *                  ─> the peers found go to the session
 *   a peer's handshake sets the DHT bit (BEP 5) ─> we send it our node's port
 *   a peer sends its port message              ─> we ping its node: if it
 *                                                 answers, it joins our table
 */
#ifndef BT_DHT_SOURCE_H
#define BT_DHT_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "core/net.h"
#include "dht/dht.h"
#include "wire/peer.h"

#define BT_DHT_SOURCE_MS          (15u * 60 * 1000) /* look up again this often... */
#define BT_DHT_SOURCE_STARVING_MS (60u * 1000)      /* ...or this often with no peer */
#define BT_DHT_SOURCE_RETRY_MS    (5u * 1000)       /* the node knows nobody yet */

/* Peers a lookup found, for the session. */
typedef void bt_dht_source_found_fn(void *arg, const struct bt_netaddr *peers, size_t n);

struct bt_dht_source {
    struct bt_dht *dht; /* borrowed; NULL: no DHT */
    uint16_t node_port; /* our node's UDP port, for port messages */
    unsigned char info_hash[BT_DHT_ID_LEN];
    uint16_t peer_port; /* where we accept peers (announced); 0: get_peers only */
    bt_dht_source_found_fn *found;
    void *arg;
    int busy; /* a lookup runs */
    uint64_t next_ms;
};

/* No DHT.  Cannot fail. */
void bt_dht_source_init(struct bt_dht_source *s);

/* Use dht (whose socket has node_port) for info_hash; announce peer_port (0:
 * only look up).  found hears the peers of each lookup. */
void bt_dht_source_start(struct bt_dht_source *s, struct bt_dht *dht, uint16_t node_port,
                         const unsigned char *info_hash, uint16_t peer_port,
                         bt_dht_source_found_fn *found, void *arg);

/* Call every second or so: starts a lookup when one is due.  starving: the
 * session has no peer to try. */
void bt_dht_source_tick(struct bt_dht_source *s, uint64_t now, int starving);

/* Might the DHT still bring peers (it knows nodes, or a lookup runs)? */
int bt_dht_source_alive(const struct bt_dht_source *s);

/* A peer's handshake is done: send it our node's port if it speaks the DHT. */
enum bt_err bt_dht_source_handshake(struct bt_dht_source *s, struct bt_peer *p);

/* A peer sent its node's port: ping that node, so that it may join our table. */
void bt_dht_source_port(struct bt_dht_source *s, const struct bt_peer *p, uint16_t port,
                        uint64_t now);

/* Stop: a lookup still running ends without telling us. */
void bt_dht_source_release(struct bt_dht_source *s);

#endif /* BT_DHT_SOURCE_H */
