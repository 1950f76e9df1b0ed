/*
 * seed.h - serve a complete torrent to every peer that asks (BEP 3, the
 * uploader's side of fetch.h).
 *
 *   peer                                   us
 *   handshake           ------->
 *                       <-------           handshake, [extension handshake]
 *                       <-------           bitfield (every bit set)
 *   interested          ------->
 *                       <-------           unchoke
 *   request i,b,16384   ------->           queued (at most BT_SEED_MAX_REQUESTS)
 *                       <-------           piece i,b,<block>  (pread into the send buffer)
 *
 * Policy, kept simple because a seed has nothing to gain from tit-for-tat: every
 * interested peer is unchoked.  A request larger than 16 KiB, outside the
 * torrent or beyond the queue's capacity drops the peer; a request that arrives
 * while the peer is choked is ignored (it may have been sent before the choke).
 *
 * Memory per peer is bounded: at most BT_SEED_SEND_HIGH bytes of blocks are read
 * ahead of the socket, and the whole torrent is never in memory.
 */
#ifndef BT_SEED_H
#define BT_SEED_H

#include <stddef.h>
#include <stdint.h>

#include "bitfield.h"
#include "loop.h"
#include "metainfo.h"
#include "net.h"
#include "peer.h"
#include "storage.h"

#define BT_SEED_MAX_REQUESTS 1024       /* queued requests per peer; sent as "reqq" */
#define BT_SEED_SEND_HIGH    (1u << 20) /* read blocks ahead of the socket up to this */
#define BT_SEED_MAX_PEERS    64         /* default connection cap */
#define BT_SEED_BACKLOG      32
#define BT_SEED_LOG_MAX      256

struct bt_seed_request {
    uint32_t index, begin, length;
};

struct bt_seed;

struct bt_seed_conn {
    struct bt_peer peer;
    struct bt_seed *seed;
    size_t slot; /* index in seed->conns */
    int interested, unchoked;
    struct bt_seed_request queue[BT_SEED_MAX_REQUESTS]; /* a ring */
    size_t q_head, q_len;
    uint64_t blocks_sent;
};

/* Events for the log: a peer's address and a sentence. */
typedef void bt_seed_log_fn(void *arg, const char *peer, const char *text);
/* Trace sink, as for bt_fetch. */
typedef void bt_seed_trace_fn(void *arg, const char *peer, const char *text, size_t len);

struct bt_seed {
    struct bt_loop *loop;
    const struct bt_torrent *t; /* borrowed */
    struct bt_storage *storage; /* borrowed, opened for reading */
    struct bt_peer_config cfg;  /* shared by every connection */
    int listen_fd;
    struct bt_addr listen_addr; /* with the port actually bound */
    struct bt_seed_conn **conns;
    size_t max_conns, conn_count;
    struct bt_bitfield bits; /* every piece */
    uint64_t bytes_served;

    bt_seed_log_fn *log; /* may be NULL */
    void *log_arg;
    bt_seed_trace_fn *trace; /* may be NULL */
    void *trace_arg;
};

/* Cannot fail. */
void bt_seed_init(struct bt_seed *s);
/* Close every connection and the listening socket. */
void bt_seed_release(struct bt_seed *s);

/*
 * Listen on addr (port 0 picks one: see s->listen_addr) and serve t from storage
 * on loop.  cfg gives our peer id, info hash and timeouts; max_conns caps the
 * connections (0 means BT_SEED_MAX_PEERS).
 */
enum bt_err bt_seed_start(struct bt_seed *s, struct bt_loop *loop, const struct bt_torrent *t,
                          struct bt_storage *storage, const struct bt_peer_config *cfg,
                          const struct bt_addr *addr, size_t max_conns);

/* Dial a peer (a leecher that will not dial us, such as transmission for a
 * peer on 127.x) and serve it like an incoming one. */
enum bt_err bt_seed_connect(struct bt_seed *s, const struct bt_addr *addr);

#endif /* BT_SEED_H */
