/*
 * net.c - peer addresses and socket helpers.  See net.h.
 */
#include "core/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/loop.h"

static enum bt_err parse_port(const char *s, uint16_t *port)
{
    unsigned long v = 0;
    const char *p;

    if (*s == '\0' || strlen(s) > 5)
        return BT_ERR_NET_ADDR;
    for (p = s; *p != '\0'; p++) {
        if (*p < '0' || *p > '9')
            return BT_ERR_NET_ADDR;
        v = v * 10 + (unsigned long)(*p - '0');
    }
    if (v == 0 || v > 65535)
        return BT_ERR_NET_ADDR;
    *port = (uint16_t)v;
    return BT_OK;
}

enum bt_err bt_addr_parse(const char *text, struct bt_addr *addr)
{
    char host[INET6_ADDRSTRLEN + 1];
    const char *colon;
    uint16_t port;
    size_t hostlen;

    memset(addr, 0, sizeof(*addr));
    if (text[0] == '[') {
        const char *close = strchr(text, ']');

        if (close == NULL || close[1] != ':')
            return BT_ERR_NET_ADDR;
        hostlen = (size_t)(close - text - 1);
        if (hostlen == 0 || hostlen >= sizeof(host))
            return BT_ERR_NET_ADDR;
        memcpy(host, text + 1, hostlen);
        host[hostlen] = '\0';
        if (parse_port(close + 2, &port) != BT_OK)
            return BT_ERR_NET_ADDR;
        {
            struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&addr->ss;

            if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
                return BT_ERR_NET_ADDR;
            sin6->sin6_family = AF_INET6;
            sin6->sin6_port = htons(port);
            addr->len = sizeof(*sin6);
        }
        return BT_OK;
    }
    colon = strrchr(text, ':');
    if (colon == NULL)
        return BT_ERR_NET_ADDR;
    hostlen = (size_t)(colon - text);
    if (hostlen == 0 || hostlen >= sizeof(host))
        return BT_ERR_NET_ADDR;
    memcpy(host, text, hostlen);
    host[hostlen] = '\0';
    if (parse_port(colon + 1, &port) != BT_OK)
        return BT_ERR_NET_ADDR;
    {
        struct sockaddr_in *sin = (struct sockaddr_in *)&addr->ss;

        if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
            return BT_ERR_NET_ADDR;
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        addr->len = sizeof(*sin);
    }
    return BT_OK;
}

enum bt_err bt_addr_parse_listen(const char *text, struct bt_addr *addr)
{
    char copy[BT_ADDR_STRLEN + 1];
    size_t n = strlen(text);
    enum bt_err err;

    if (n < 2 || n >= sizeof(copy) || strcmp(text + n - 2, ":0") != 0)
        return bt_addr_parse(text, addr);
    /* bt_addr_parse() refuses port 0, which only a listener may ask for. */
    memcpy(copy, text, n + 1);
    copy[n - 1] = '1';
    err = bt_addr_parse(copy, addr);
    if (err == BT_OK && addr->ss.ss_family == AF_INET)
        ((struct sockaddr_in *)&addr->ss)->sin_port = 0;
    else if (err == BT_OK)
        ((struct sockaddr_in6 *)&addr->ss)->sin6_port = 0;
    return err;
}

size_t bt_netaddr_put(const struct bt_netaddr *a, unsigned char *out)
{
    memcpy(out, a->ip, a->iplen);
    out[a->iplen] = (unsigned char)(a->port >> 8);
    out[a->iplen + 1] = (unsigned char)(a->port & 0xff);
    return (size_t)a->iplen + 2;
}

void bt_netaddr_get(const unsigned char *p, size_t iplen, struct bt_netaddr *a)
{
    memset(a, 0, sizeof(*a));
    memcpy(a->ip, p, iplen);
    a->iplen = (unsigned char)iplen;
    a->port = (uint16_t)((p[iplen] << 8) | p[iplen + 1]);
}

int bt_netaddr_equal(const struct bt_netaddr *a, const struct bt_netaddr *b)
{
    return a->iplen == b->iplen && a->port == b->port && memcmp(a->ip, b->ip, a->iplen) == 0;
}

void bt_netaddr_from_addr(const struct bt_addr *addr, struct bt_netaddr *a)
{
    static const unsigned char v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

    memset(a, 0, sizeof(*a));
    a->port = bt_addr_port(addr);
    if (addr->ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&addr->ss;
        const unsigned char *b = sin6->sin6_addr.s6_addr;

        if (memcmp(b, v4mapped, sizeof(v4mapped)) == 0) {
            memcpy(a->ip, b + 12, 4);
            a->iplen = 4;
        } else {
            memcpy(a->ip, b, 16);
            a->iplen = 16;
        }
    } else {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)&addr->ss;

        memcpy(a->ip, &sin->sin_addr, 4);
        a->iplen = 4;
    }
}

enum bt_err bt_addr_from_netaddr(const struct bt_netaddr *a, struct bt_addr *addr)
{
    return bt_addr_from_raw(a->ip, a->iplen, a->port, addr);
}

enum bt_err bt_addr_from_raw(const unsigned char *ip, size_t iplen, uint16_t port,
                             struct bt_addr *addr)
{
    memset(addr, 0, sizeof(*addr));
    if (iplen == 4) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&addr->ss;

        sin->sin_family = AF_INET;
        memcpy(&sin->sin_addr, ip, 4);
        sin->sin_port = htons(port);
        addr->len = sizeof(*sin);
        return BT_OK;
    }
    if (iplen == 16) {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&addr->ss;

        sin6->sin6_family = AF_INET6;
        memcpy(&sin6->sin6_addr, ip, 16);
        sin6->sin6_port = htons(port);
        addr->len = sizeof(*sin6);
        return BT_OK;
    }
    return BT_ERR_NET_ADDR;
}

void bt_addr_format(const struct bt_addr *addr, char *out)
{
    char host[INET6_ADDRSTRLEN];

    if (addr->ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&addr->ss;

        inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
        snprintf(out, BT_ADDR_STRLEN, "[%s]:%u", host, (unsigned)ntohs(sin6->sin6_port));
    } else if (addr->ss.ss_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)&addr->ss;

        inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
        snprintf(out, BT_ADDR_STRLEN, "%s:%u", host, (unsigned)ntohs(sin->sin_port));
    } else {
        snprintf(out, BT_ADDR_STRLEN, "?");
    }
}

uint16_t bt_addr_port(const struct bt_addr *addr)
{
    if (addr->ss.ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)&addr->ss)->sin6_port);
    if (addr->ss.ss_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)&addr->ss)->sin_port);
    return 0;
}

int bt_addr_same_host(const struct bt_addr *a, const struct bt_addr *b)
{
    if (a->ss.ss_family != b->ss.ss_family)
        return 0;
    if (a->ss.ss_family == AF_INET)
        return ((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr ==
               ((const struct sockaddr_in *)&b->ss)->sin_addr.s_addr;
    if (a->ss.ss_family == AF_INET6)
        return memcmp(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr,
                      &((const struct sockaddr_in6 *)&b->ss)->sin6_addr,
                      sizeof(struct in6_addr)) == 0;
    return 0;
}

int bt_addr_is_loopback(const struct bt_addr *a)
{
    if (a->ss.ss_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr) >> 24) == 127;
    if (a->ss.ss_family == AF_INET6)
        return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr);
    return 0;
}

int bt_addr_equal(const struct bt_addr *a, const struct bt_addr *b)
{
    return bt_addr_same_host(a, b) && bt_addr_port(a) == bt_addr_port(b);
}

enum bt_err bt_net_nonblock(int fd)
{
    int flags = fcntl(fd, F_GETFL);

    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        return BT_ERR_IO;
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
        return BT_ERR_IO;
    return BT_OK;
}

int bt_net_accept(int fd, struct bt_addr *from)
{
    int cfd;

    memset(from, 0, sizeof(*from));
    from->len = sizeof(from->ss);
    cfd = accept(fd, (struct sockaddr *)&from->ss, &from->len);
    if (cfd < 0)
        return -1;
    if (bt_net_nonblock(cfd) != BT_OK) {
        close(cfd);
        return -1;
    }
    return cfd;
}

static enum bt_err new_socket(int family, int type, int *fd)
{
    *fd = socket(family, type, 0);
    if (*fd < 0)
        return BT_ERR_IO;
    if (bt_net_nonblock(*fd) != BT_OK) {
        close(*fd);
        *fd = -1;
        return BT_ERR_IO;
    }
    return BT_OK;
}

enum bt_err bt_net_connect_start(const struct bt_addr *addr, int *fd)
{
    enum bt_err err = new_socket(addr->ss.ss_family, SOCK_STREAM, fd);

    if (err != BT_OK)
        return err;
    if (connect(*fd, (const struct sockaddr *)&addr->ss, addr->len) < 0 && errno != EINPROGRESS) {
        int saved = errno;

        close(*fd);
        *fd = -1;
        errno = saved;
        return BT_ERR_NET_CONNECT;
    }
    return BT_OK;
}

enum bt_err bt_net_connect_result(int fd)
{
    int soerr = 0;
    socklen_t len = sizeof(soerr);

    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
        return BT_ERR_IO;
    if (soerr != 0) {
        errno = soerr;
        return BT_ERR_NET_CONNECT;
    }
    return BT_OK;
}

/* Wait until fd is ready for events (POLLIN/POLLOUT) or the deadline passes. */
static enum bt_err wait_fd(int fd, short events, uint64_t deadline)
{
    for (;;) {
        struct pollfd pfd = {.fd = fd, .events = events, .revents = 0};
        uint64_t now = bt_loop_now_ms();
        int r;

        if (now >= deadline)
            return BT_ERR_NET_TIMEOUT;
        r = poll(&pfd, 1, (int)(deadline - now));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return BT_ERR_IO;
        if (r > 0)
            return BT_OK;
    }
}

enum bt_err bt_net_connect_timeout(const struct bt_addr *addr, int timeout_ms, int *fd)
{
    uint64_t deadline = bt_loop_now_ms() + (uint64_t)timeout_ms;
    enum bt_err err = bt_net_connect_start(addr, fd);

    if (err != BT_OK)
        return err;
    err = wait_fd(*fd, POLLOUT, deadline);
    if (err == BT_OK)
        err = bt_net_connect_result(*fd);
    if (err != BT_OK) {
        int saved = errno;

        close(*fd);
        *fd = -1;
        errno = saved;
    }
    return err;
}

enum bt_err bt_net_listen_tcp(const struct bt_addr *addr, int backlog, int *fd)
{
    int one = 1;
    enum bt_err err = new_socket(addr->ss.ss_family, SOCK_STREAM, fd);

    if (err != BT_OK)
        return err;
    setsockopt(*fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (addr->ss.ss_family == AF_INET6)
        setsockopt(*fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    if (bind(*fd, (const struct sockaddr *)&addr->ss, addr->len) < 0 || listen(*fd, backlog) < 0) {
        int saved = errno;

        close(*fd);
        *fd = -1;
        errno = saved;
        return BT_ERR_IO;
    }
    return BT_OK;
}

enum bt_err bt_net_bind_udp(const struct bt_addr *addr, int *fd)
{
    int one = 1;
    enum bt_err err = new_socket(addr->ss.ss_family, SOCK_DGRAM, fd);

    if (err != BT_OK)
        return err;
    if (addr->ss.ss_family == AF_INET6)
        setsockopt(*fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    if (bind(*fd, (const struct sockaddr *)&addr->ss, addr->len) < 0) {
        int saved = errno;

        close(*fd);
        *fd = -1;
        errno = saved;
        return BT_ERR_IO;
    }
    return BT_OK;
}

enum bt_err bt_net_local_addr(int fd, struct bt_addr *addr)
{
    memset(addr, 0, sizeof(*addr));
    addr->len = sizeof(addr->ss);
    if (getsockname(fd, (struct sockaddr *)&addr->ss, &addr->len) < 0)
        return BT_ERR_IO;
    return BT_OK;
}

enum bt_err bt_net_read_full(int fd, void *p, size_t n, int timeout_ms)
{
    uint64_t deadline = bt_loop_now_ms() + (uint64_t)timeout_ms;
    unsigned char *at = p;

    while (n > 0) {
        ssize_t got = read(fd, at, n);

        if (got > 0) {
            at += got;
            n -= (size_t)got;
        } else if (got == 0) {
            return BT_ERR_NET_CLOSED;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            enum bt_err err = wait_fd(fd, POLLIN, deadline);

            if (err != BT_OK)
                return err;
        } else if (errno != EINTR) {
            return errno == ECONNRESET ? BT_ERR_NET_CLOSED : BT_ERR_IO;
        }
    }
    return BT_OK;
}

enum bt_err bt_net_write_full(int fd, const void *p, size_t n, int timeout_ms)
{
    uint64_t deadline = bt_loop_now_ms() + (uint64_t)timeout_ms;
    const unsigned char *at = p;

    while (n > 0) {
        /* MSG_NOSIGNAL: a peer that hangs up must not kill us with SIGPIPE. */
        ssize_t put = send(fd, at, n, MSG_NOSIGNAL);

        if (put > 0) {
            at += put;
            n -= (size_t)put;
        } else if (put < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            enum bt_err err = wait_fd(fd, POLLOUT, deadline);

            if (err != BT_OK)
                return err;
        } else if (put < 0 && errno != EINTR) {
            return (errno == EPIPE || errno == ECONNRESET) ? BT_ERR_NET_CLOSED : BT_ERR_IO;
        }
    }
    return BT_OK;
}
