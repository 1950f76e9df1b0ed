/*
 * pool.h - the connections of one session (BEP 3 peers on one event loop): a
 * capped array of slots, filled by dialling out and by answering a listening
 * socket.  bt-download, bt-seed, the metadata fetch of a magnet link and the
 * one-peer tools all hold their peers here; what they say to a peer is theirs.
 *
 *   listening socket ── accept, at most BT_NET_ACCEPT_BURST a wake-up ──┐
 *   bt_pool_connect(addr) ─────────────────────────────────────────────┤
 *                                                                      v
 *   conns  [ c ][   ][ c ][ c ][   ] ... max_conns     a free slot, or "refused" at the cap
 *            │
 *            v
 *   struct bt_dl_conn {                the user's connection, allocated by the pool:
 *       struct bt_pool_conn base;  <── first member: the peer, its slot, the pool
 *       ...                            then the user's own fields
 *   };
 *
 *   peer.c ── on_message ──> pool ── ops->on_message(arg, c, m) ──> the user
 *   peer.c ── on_close ────> pool ── ops->on_close, then ops->on_forget ──> freed, slot free
 *
 * Because struct bt_pool_conn is the first member, a callback turns the c it is
 * given into its own struct with a cast: (struct bt_dl_conn *)c.
 *
 * Tracing: peer.c builds trace text only when its ops have an on_trace, so a
 * pool without a trace sink gives its peers ops without one, and a session that
 * is not traced pays nothing for it.
 *
 * Ownership: the caller owns the struct bt_pool, which must not move while it is
 * started (every peer points back at it); the pool owns the connections and
 * frees each one after its last callback.
 */
#ifndef BT_POOL_H
#define BT_POOL_H

#include <stddef.h>

#include "core/error.h"
#include "core/loop.h"
#include "core/net.h"
#include "wire/peer.h"

#define BT_POOL_BACKLOG 32  /* connections the kernel holds until we accept them */
#define BT_POOL_LOG_MAX 256 /* bytes of one log line */

struct bt_pool;

/* The pool's part of a connection; the first member of the user's struct. */
struct bt_pool_conn {
    struct bt_peer peer;
    struct bt_pool *pool;
    size_t slot; /* index in pool->conns */
};

/*
 * What a user gives the pool.  arg is the pool's (see bt_pool_start), c the
 * connection.  The message callbacks mean what they mean in peer.h: an error
 * drops the connection (set the reason with bt_peer_why first).
 */
struct bt_pool_ops {
    size_t conn_size; /* sizeof the user's struct, which starts with a struct bt_pool_conn */
    /* A new connection, zeroed, before it dials or is answered: set up the
     * user's fields.  An error frees it with nothing else called.  May be NULL. */
    enum bt_err (*on_new)(void *arg, struct bt_pool_conn *c);
    /* An incoming connection from addr: non-zero closes it before it takes a
     * slot (a banned host).  May be NULL. */
    int (*refuse)(void *arg, const struct bt_addr *addr);
    enum bt_err (*on_handshake)(void *arg, struct bt_pool_conn *c);
    enum bt_err (*on_message)(void *arg, struct bt_pool_conn *c, const struct bt_message *m);
    enum bt_err (*on_drain)(void *arg, struct bt_pool_conn *c); /* may be NULL */
    enum bt_err (*on_tick)(void *arg, struct bt_pool_conn *c);  /* may be NULL */
    /* The peer closed, or a callback dropped it, because of err; bt_peer_detail()
     * says more.  Not called when the pool is released.  May be NULL. */
    void (*on_close)(void *arg, struct bt_pool_conn *c, enum bt_err err);
    /* The last call for every connection, however it ended (closed, released,
     * never started): account for it.  The pool frees it next.  May be NULL. */
    void (*on_forget)(void *arg, struct bt_pool_conn *c);
};

/* Events for the log: a peer's address (or NULL) and a sentence. */
typedef void bt_pool_log_fn(void *arg, const char *peer, const char *text);
/* One annotated trace of a peer's messages (see trace.h). */
typedef void bt_pool_trace_fn(void *arg, const char *peer, const char *text, size_t len);

struct bt_pool {
    struct bt_loop *loop;
    const struct bt_peer_config *cfg; /* borrowed: shared by every connection */
    const struct bt_pool_ops *ops;    /* borrowed */
    void *arg;                        /* passed to every callback of ops */
    struct bt_peer_ops peer_ops;      /* what each peer calls: the pool's, traced or not */

    struct bt_pool_conn **conns; /* max_conns slots; NULL where a slot is free */
    size_t max_conns, conn_count;
    int listen_fd;              /* -1: not listening */
    struct bt_addr listen_addr; /* with the port actually bound */

    /* Set these before bt_pool_start(). */
    bt_pool_log_fn *log; /* may be NULL */
    void *log_arg;
    bt_pool_trace_fn *trace; /* may be NULL: no trace text is built */
    void *trace_arg;
};

/* Cannot fail. */
void bt_pool_init(struct bt_pool *pool);
/* Close every connection (on_forget each, nothing else) and the listening
 * socket; the pool is as bt_pool_init() left it and may be started again. */
void bt_pool_release(struct bt_pool *pool);

/*
 * Make room for max_conns connections on loop, all with cfg (borrowed: it must
 * outlive the pool) and the callbacks of ops, which get arg.  BT_ERR_NOMEM.
 */
enum bt_err bt_pool_start(struct bt_pool *pool, struct bt_loop *loop,
                          const struct bt_peer_config *cfg, size_t max_conns,
                          const struct bt_pool_ops *ops, void *arg);

/*
 * Listen on addr (port 0 picks one: see pool->listen_addr) and answer every
 * peer that connects while a slot is free.  On failure nothing is left open and
 * errno says why.
 */
enum bt_err bt_pool_listen(struct bt_pool *pool, const struct bt_addr *addr);

/*
 * Dial addr from a free slot; the handshake and the rest happen on the loop.  On
 * BT_OK, *out (if out is not NULL) is the new connection, which ops->on_new has
 * set up.  BT_ERR_TOO_LARGE at the cap, BT_ERR_NOMEM, or the dial's own error:
 * then the connection is gone already (on_forget was called) and errno says why.
 */
enum bt_err bt_pool_connect(struct bt_pool *pool, const struct bt_addr *addr,
                            struct bt_pool_conn **out);

/*
 * Dial peers[next], peers[next + 1]... while fewer than max_open connections
 * are open; return the index of the first peer not dialled.  A peer that
 * cannot even be dialled is reported at once through fail (which may be
 * NULL), as "connect: " and the reason.  The fetches of a magnet link (BEP 9,
 * BEP 52) work through their peer lists this way.
 */
typedef void bt_pool_dial_fail_fn(void *arg, const char *peer, enum bt_err err, const char *detail);
size_t bt_pool_dial(struct bt_pool *pool, const struct bt_addr *peers, size_t count, size_t next,
                    size_t max_open, bt_pool_dial_fail_fn *fail, void *arg);

/*
 * A round: one question put to a list of peers, dialled in order, at most
 * parallel at a time, until the asker calls bt_pool_round_finish() or every
 * peer has failed.  A magnet link's metadata (BEP 9) and its piece layers
 * (BEP 52) are each fetched in a round (metadata_fetch.c, layers_fetch.c).
 */
typedef void bt_pool_round_fn(void *arg);
struct bt_pool_round {
    struct bt_pool pool;
    struct bt_loop *loop;        /* borrowed for the run; NULL after */
    const struct bt_addr *peers; /* borrowed for the run; NULL after */
    size_t peer_count, next_peer, parallel;
    uint64_t start_timer; /* the next dialling, on the loop's next round */
    int finished;
    enum bt_err result;
    bt_pool_dial_fail_fn *log; /* may be NULL: a peer that could not be dialled or was dropped */
    void *log_arg;
    bt_pool_round_fn *after_dial; /* may be NULL: called with arg after each dialling */
    void *arg;
};

/* Cannot fail. */
void bt_pool_round_init(struct bt_pool_round *r);
/* Close every connection and cancel the next dialling. */
void bt_pool_round_release(struct bt_pool_round *r);
/*
 * Dial peers (borrowed for the run) with cfg and ops (ops get arg), and run
 * loop until the round is finished: its result, or BT_ERR_NO_PEERS when every
 * peer failed, or an error of the loop.  Connections are closed on return.
 */
enum bt_err bt_pool_round_run(struct bt_pool_round *r, struct bt_loop *loop,
                              const struct bt_peer_config *cfg, const struct bt_pool_ops *ops,
                              void *arg, const struct bt_addr *peers, size_t peer_count,
                              size_t parallel);
/* The round is over, with err: the loop stops. */
void bt_pool_round_finish(struct bt_pool_round *r, enum bt_err err);
/* For on_close: report the dropped peer, and let the next one take its slot. */
void bt_pool_round_dropped(struct bt_pool_round *r, struct bt_pool_conn *pc, enum bt_err err);

/* One line for pool->log (printf-style); peer may be NULL.  Nothing without a log. */
void bt_pool_say(struct bt_pool *pool, const char *peer, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* BT_POOL_H */
