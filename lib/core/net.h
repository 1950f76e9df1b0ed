/*
 * net.h - peer addresses and the socket chores every stage repeats.
 *
 * Peers travel between the tools as text, one per line:
 *
 *   192.0.2.7:6881          IPv4
 *   [2001:db8::7]:6881      IPv6 (brackets, as in URLs, RFC 3986)
 *
 * Only numeric addresses are accepted here: a peer is never a host name, so
 * parsing one can never block on DNS.
 *
 * The full-read and full-write helpers loop over short reads and writes, EINTR
 * and EAGAIN (as nc's atomicio does) with a deadline: TCP delivers a stream, and
 * one read() may return part of a message or parts of two.
 */
#ifndef BT_NET_H
#define BT_NET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/error.h"

#define BT_ADDR_STRLEN 64 /* "[" + INET6_ADDRSTRLEN + "]:65535" + NUL fits */

struct bt_addr {
    struct sockaddr_storage ss;
    socklen_t len;
};

/*
 * An address as protocols carry it: 4 or 16 raw bytes in network order and a
 * port, the compact form of BEP 23 (6 bytes a peer), BEP 7 (18) and BEP 5's
 * node and peer lists.  Twenty bytes where a struct bt_addr takes 132: tables
 * of thousands (a tracker's swarms, a DHT's nodes) keep this form.
 */
struct bt_netaddr {
    unsigned char ip[16];
    unsigned char iplen; /* 4 or 16 */
    uint16_t port;
};

#define BT_NETADDR_COMPACT4 6  /* BEP 23: 4 address bytes + 2 port bytes */
#define BT_NETADDR_COMPACT6 18 /* BEP 7: 16 address bytes + 2 port bytes */

/* The compact form of a (its ip, then its port big-endian) into out, which has
 * room for BT_NETADDR_COMPACT6 bytes.  Returns the bytes written: 6 or 18. */
size_t bt_netaddr_put(const struct bt_netaddr *a, unsigned char *out);
/* Read one compact entry of iplen address bytes (4 or 16) and a port. */
void bt_netaddr_get(const unsigned char *p, size_t iplen, struct bt_netaddr *a);
/* Same address and port? */
int bt_netaddr_equal(const struct bt_netaddr *a, const struct bt_netaddr *b);
/* The compact form of a socket address; an IPv4-mapped IPv6 address is folded
 * to IPv4, so that a dual-stack socket files IPv4 senders as IPv4. */
void bt_netaddr_from_addr(const struct bt_addr *addr, struct bt_netaddr *a);
/* The socket address of a compact one.  BT_ERR_NET_ADDR for an iplen not 4 or 16. */
enum bt_err bt_addr_from_netaddr(const struct bt_netaddr *a, struct bt_addr *addr);

/* Parse "a.b.c.d:port" or "[v6]:port" (port 1-65535).  BT_ERR_NET_ADDR otherwise. */
enum bt_err bt_addr_parse(const char *text, struct bt_addr *addr);
/* The same for an address to listen on, where port 0 means "let the kernel pick". */
enum bt_err bt_addr_parse_listen(const char *text, struct bt_addr *addr);
/* Build an address from raw network-order bytes: 4 (IPv4) or 16 (IPv6) and a port,
 * as compact peer lists carry them (BEP 23, BEP 7). */
enum bt_err bt_addr_from_raw(const unsigned char *ip, size_t iplen, uint16_t port,
                             struct bt_addr *addr);
/* Write the text form (as parsed above) into out, which has BT_ADDR_STRLEN bytes. */
void bt_addr_format(const struct bt_addr *addr, char *out);
uint16_t bt_addr_port(const struct bt_addr *addr);
int bt_addr_equal(const struct bt_addr *a, const struct bt_addr *b);
/* Same address, whatever the ports. */
int bt_addr_same_host(const struct bt_addr *a, const struct bt_addr *b);
/* 127.0.0.0/8 or ::1. */
int bt_addr_is_loopback(const struct bt_addr *a);

/* Make fd non-blocking (and close-on-exec). */
enum bt_err bt_net_nonblock(int fd);

/* Start a non-blocking TCP connect; *fd is valid on BT_OK even while it is in
 * progress (wait for BT_LOOP_WRITE, then check bt_net_connect_result). */
enum bt_err bt_net_connect_start(const struct bt_addr *addr, int *fd);
/* After a connect became writable: BT_OK, or BT_ERR_NET_CONNECT with errno set. */
enum bt_err bt_net_connect_result(int fd);
/* Connect and wait up to timeout_ms; the socket stays non-blocking. */
enum bt_err bt_net_connect_timeout(const struct bt_addr *addr, int timeout_ms, int *fd);

/* A non-blocking listening TCP socket on addr (SO_REUSEADDR; port 0 picks one). */
enum bt_err bt_net_listen_tcp(const struct bt_addr *addr, int backlog, int *fd);
/*
 * Take one waiting connection off the listening socket fd: a non-blocking
 * socket, with the peer's address in *from.  -1 when none waits, or when
 * accept() failed (the caller tries again at its next wake-up).  A caller
 * takes at most BT_NET_ACCEPT_BURST at a wake-up, so that a flood of connects
 * cannot starve the connections it has.
 */
#define BT_NET_ACCEPT_BURST 64
int bt_net_accept(int fd, struct bt_addr *from);
/* A non-blocking UDP socket bound to addr. */
enum bt_err bt_net_bind_udp(const struct bt_addr *addr, int *fd);
/* The address a socket is bound to (to learn the port picked for port 0). */
enum bt_err bt_net_local_addr(int fd, struct bt_addr *addr);

/* Read exactly n bytes within timeout_ms.  BT_ERR_NET_CLOSED on EOF first,
 * BT_ERR_NET_TIMEOUT, BT_ERR_IO. */
enum bt_err bt_net_read_full(int fd, void *p, size_t n, int timeout_ms);
/* Write exactly n bytes within timeout_ms (never raises SIGPIPE). */
enum bt_err bt_net_write_full(int fd, const void *p, size_t n, int timeout_ms);

#endif /* BT_NET_H */
