/*
 * seed.h - serve a complete torrent to every peer that asks (BEP 3, the
 * uploader's side of fetch.h).
 *
 *   peer                                   us
 *   handshake           ------->
 *                       <-------           handshake, [extension handshake]
 *                       <-------           have all (BEP 6), or a bitfield with every bit set
 *   interested          ------->
 *                       <-------           unchoke
 *   request i,b,16384   ------->           queued (see upload.h)
 *                       <-------           piece i,b,<block>  (pread into the send buffer)
 *
 * Serving requests is upload.h's job (shared with bt-download), and holding
 * the connections pool.h's; this file adds a bitfield with every bit set,
 * peer exchange (BEP 11: a peer that speaks ut_pex hears, a minute apart at
 * most, which of our other peers accept connections; what it tells us is of no
 * use to a seed), and what to log.
 */
#ifndef BT_SEED_H
#define BT_SEED_H

#include <stddef.h>
#include <stdint.h>

#include "wire/bitfield.h"
#include "core/loop.h"
#include "metainfo/metainfo.h"
#include "core/net.h"
#include "wire/peer.h"
#include "session/pool.h"
#include "pieces/storage.h"
#include "session/upload.h"
#include "session/dht_source.h"
#include "session/pex_state.h"
#include "tracker/announcer.h"

#define BT_SEED_MAX_PEERS 64 /* default connection cap */

struct bt_seed_conn {
    struct bt_pool_conn base; /* first: the peer and its slot (pool.h) */
    struct bt_upload up;      /* the requests it made of us */
    struct bt_pex_state pex;  /* the peers we told it of (BEP 11) */
};

/* Events for the log: a peer's address and a sentence. */
typedef void bt_seed_log_fn(void *arg, const char *peer, const char *text);
/* Trace sink, as for bt_fetch. */
typedef void bt_seed_trace_fn(void *arg, const char *peer, const char *text, size_t len);

struct bt_seed {
    const struct bt_torrent *t; /* borrowed */
    struct bt_storage *storage; /* borrowed, opened for reading */
    struct bt_peer_config cfg;  /* shared by every connection */
    struct bt_pool pool;        /* the connections, and the listening socket (listen_addr) */
    struct bt_bitfield bits;    /* every piece */
    uint64_t bytes_served;      /* by connections already closed */
    struct bt_announcer ann;    /* the torrent's trackers */
    struct bt_dht_source dht;   /* the DHT, if one is given */
    uint64_t dht_timer;

    bt_seed_log_fn *log; /* may be NULL */
    void *log_arg;
    bt_seed_trace_fn *trace; /* may be NULL */
    void *trace_arg;
};

/* Cannot fail. */
void bt_seed_init(struct bt_seed *s);
/* Say "stopped" to the trackers, close every connection and the listening socket. */
void bt_seed_release(struct bt_seed *s);

/*
 * Listen on addr (port 0 picks one: see s->pool.listen_addr) and serve t from storage
 * on loop.  cfg gives our peer id, info hash and timeouts; max_conns caps the
 * connections (0 means BT_SEED_MAX_PEERS).
 */
enum bt_err bt_seed_start(struct bt_seed *s, struct bt_loop *loop, const struct bt_torrent *t,
                          struct bt_storage *storage, const struct bt_peer_config *cfg,
                          const struct bt_addr *addr, size_t max_conns);

/*
 * Tell the n urls given (each a tier of its own), or with none the torrent's own
 * trackers, that we seed (left 0), now and at the interval they ask for, until
 * the seed is released.  report (may be NULL) hears each answer or failure.
 */
enum bt_err bt_seed_announce(struct bt_seed *s, char *const *urls, size_t n,
                             bt_tracker_result_fn *report, void *arg);

/* Announce to dht too (a node of ours whose UDP port is node_port), now and
 * every BT_DHT_SOURCE_MS, and tell peers that speak the DHT where our node is.
 * BT_ERR_NOMEM (a timer). */
enum bt_err bt_seed_dht(struct bt_seed *s, struct bt_dht *dht, uint16_t node_port);

/* Bytes of blocks sent so far, over closed and open connections. */
uint64_t bt_seed_bytes_served(const struct bt_seed *s);

/* Dial a peer (a leecher that will not dial us, such as transmission for a
 * peer on 127.x) and serve it like an incoming one. */
enum bt_err bt_seed_connect(struct bt_seed *s, const struct bt_addr *addr);

#endif /* BT_SEED_H */
