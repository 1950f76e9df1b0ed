/*
 * server.h - bt-tracker: HTTP announce and scrape (BEP 3, BEP 23, BEP 7, BEP 48)
 * and UDP (BEP 15), on one port number, on the event loop.
 *
 * Four files, so that the protocol can be tested and fuzzed without sockets:
 *
 *   server.c       the state: configuration, swarm table (swarm.h), the UDP
 *                  secret, the log
 *   server_http.c  bt_tracker_server_http()  one complete HTTP request in, one
 *                                            HTTP response out
 *   server_udp.c   bt_tracker_server_udp()   one datagram in, zero or one out
 *   listener.c     the sockets: binds them, reads requests with a size cap and
 *                  a deadline, feeds the two front ends, expires silent peers
 *
 * Nothing is trusted: a request that is too long, too slow, or missing a
 * parameter gets a bencoded "failure reason" (or, over UDP, an error packet),
 * and the tables stay bounded.
 *
 * The library never prints: each announce, scrape and refusal is handed to the
 * config's log function as one line of text.
 */
#ifndef BT_TRACKER_SERVER_H
#define BT_TRACKER_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/loop.h"
#include "core/net.h"
#include "tracker/swarm.h"
#include "tracker/udp.h"

#define BT_TRACKER_SERVER_MAX_BINDS    8
#define BT_TRACKER_SERVER_MAX_REQUEST  8192  /* bytes of an HTTP request head */
#define BT_TRACKER_SERVER_MAX_CONNS    256   /* HTTP connections open at once */
#define BT_TRACKER_SERVER_CONN_MS      10000 /* a request must arrive within this */
#define BT_TRACKER_SERVER_MAX_RESPONSE (256u << 10)
#define BT_TRACKER_SERVER_MAX_SCRAPE   74 /* BEP 15: hashes per UDP scrape; we use it for both */
#define BT_TRACKER_DEFAULT_INTERVAL    1800

typedef void bt_tracker_log_fn(void *arg, const char *line);

struct bt_tracker_server_config {
    struct bt_addr binds[BT_TRACKER_SERVER_MAX_BINDS]; /* TCP and UDP on each */
    size_t bind_count;
    uint32_t interval_s;    /* told to clients; peers expire after twice this */
    size_t max_torrents;    /* swarms kept at most */
    size_t max_peers;       /* peers per swarm at most */
    size_t default_numwant; /* when the client does not say */
    bt_tracker_log_fn *log; /* may be NULL */
    void *log_arg;
};

struct bt_tracker_conn; /* one HTTP connection; private to server.c */

struct bt_tracker_server {
    struct bt_tracker_server_config cfg;
    struct bt_swarms swarms;
    struct bt_loop *loop;
    int tcp_fds[BT_TRACKER_SERVER_MAX_BINDS];
    int udp_fds[BT_TRACKER_SERVER_MAX_BINDS];
    struct bt_addr bound[BT_TRACKER_SERVER_MAX_BINDS]; /* with the port really used */
    size_t bound_count;
    struct bt_tracker_conn *conns[BT_TRACKER_SERVER_MAX_CONNS];
    size_t conn_count;
    unsigned char secret[16]; /* keys the UDP connection ids */
    uint64_t expire_timer;
};

/* Fill cfg with the defaults (no bind address).  Cannot fail. */
void bt_tracker_server_config_init(struct bt_tracker_server_config *cfg);

/* Set up a server with a copy of cfg on loop (which may be NULL for the
 * socket-free functions).  BT_ERR_IO if no random secret can be had. */
enum bt_err bt_tracker_server_init(struct bt_tracker_server *srv,
                                   const struct bt_tracker_server_config *cfg,
                                   struct bt_loop *loop);
/* Close every socket and connection and free the swarms. */
void bt_tracker_server_release(struct bt_tracker_server *srv);

/*
 * Bind TCP and UDP on every configured address and start serving on the loop.
 * A port 0 picks a port that is free for both TCP and UDP; srv->bound says which.
 * Errors: BT_ERR_IO (errno says why, e.g. EADDRINUSE).
 */
enum bt_err bt_tracker_server_start(struct bt_tracker_server *srv);

/*
 * Answer one HTTP request (the head, up to and including the blank line) from
 * peer `from` at time now: appends a whole HTTP/1.0 response to out.  Returns
 * BT_OK whenever a response was written, refusals included.
 */
enum bt_err bt_tracker_server_http(struct bt_tracker_server *srv, const char *req, size_t len,
                                   const struct bt_addr *from, uint64_t now, struct bt_buf *out);

/*
 * Answer one UDP datagram: *out_len is 0 when nothing should be sent back
 * (a packet too short to carry a transaction id).
 */
void bt_tracker_server_udp(struct bt_tracker_server *srv, const unsigned char *p, size_t n,
                           const struct bt_addr *from, uint64_t now,
                           unsigned char out[BT_UDP_MAX_PACKET], size_t *out_len);

/*
 * A refusal over HTTP, in the only form every client reads: a bencoded
 * "failure reason" (why) with the given status; logged with the client's
 * address (host).
 */
enum bt_err bt_tracker_server_http_refuse(struct bt_tracker_server *srv, struct bt_buf *out,
                                          int status, const char *reason, const char *host,
                                          const char *why);

/* What the front ends share with the listener. */

/* Hand one line (printf-style) to cfg.log. */
void bt_tracker_server_log(struct bt_tracker_server *srv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Log one announce that was answered: "http announce HOST HASH port P EVENT left L:
 * N peers (S seeders, L leechers)". */
void bt_tracker_server_log_announce(struct bt_tracker_server *srv, const char *proto,
                                    const char *host, const struct bt_swarm_announce *a,
                                    size_t given, const struct bt_swarm_stats *stats);
/* The peer a client is, from the address its request came from and the port it
 * announced: an IPv4-mapped IPv6 address is folded to IPv4, so that a
 * dual-stack socket files IPv4 clients under "peers". */
void bt_tracker_server_peer(const struct bt_addr *from, uint16_t port, struct bt_netaddr *peer);

#endif /* BT_TRACKER_SERVER_H */
